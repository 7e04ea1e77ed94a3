// Group commit: requests that arrive while a transaction is being written wait for the next
// one, and each is answered only after the transaction holding its events has committed.
// With synchronous=FULL every commit is an fsync, so batching is what turns one fsync per
// event into one per batch. One batch is in flight at a time; the write may be synchronous
// (SQLite on this thread) or asynchronous (SQLite on a worker thread), and while it is
// written the next batch gathers. The write answers each request of the batch on its own (one
// request's events may be refused while the rest commit), in the order they were submitted.
export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly write: (items: T[]) => readonly R[] | Promise<readonly R[]>,
    private readonly maxBatch = 1000,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled && !this.writing) {
        this.scheduled = true;
        // setImmediate lets every request whose body is already read join this batch.
        setImmediate(() => {
          this.scheduled = false;
          this.writing = this.flush().finally(() => (this.writing = undefined));
        });
      }
    });
  }

  /** Resolves when everything submitted so far has been written (or has failed). */
  async drain(): Promise<void> {
    while (this.scheduled || this.writing) {
      if (this.writing) await this.writing;
      else await new Promise((r) => setImmediate(r));
    }
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((b) => b.item));
        for (const [i, b] of batch.entries()) b.resolve(results[i] as R);
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
  }
}
