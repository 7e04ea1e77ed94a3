// Where ingested data is committed. Every write resolves only after the SQLite transaction
// holding it has committed (synchronous=FULL), and concurrent requests' events share one
// transaction (group commit).
//
// workerWriter() commits on a worker thread with its own connection, so the main thread goes
// on reading requests while a batch, its fsync and WAL checkpoints are written: on 2 cores the
// two threads overlap. Events cross as flat objects whose payload is already JSON text, so the
// structured clone is a copy of strings, not a walk of each event. inlineWriter() commits on
// the calling thread (tests, fakes, embedding).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TrackedEvent } from '../ingest/event';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import { GroupCommit } from './group-commit';
import type { IngestResult, RetentionScope } from './repository';

/** The writes a writer performs; each is one transaction on the store. */
export interface WriteCalls {
  ingest(events: readonly TrackedEvent[]): IngestResult;
  ingestTraces(
    projectId: number,
    operations: readonly Operation[],
    memory: readonly MemorySnapshot[],
  ): void;
  deleteEventsBefore(before: number, batch: number, scope?: RetentionScope): number;
  deleteSessionsBefore(before: number, batch: number, scope?: RetentionScope): number;
  close(): void;
}

export interface EventWriter {
  /** Resolves once the events are committed, in a transaction shared with concurrent writes. */
  write(events: readonly TrackedEvent[]): Promise<IngestResult>;
  writeTraces(
    projectId: number,
    operations: readonly Operation[],
    memory: readonly MemorySnapshot[],
  ): Promise<void>;
  deleteEventsBefore(before: number, batch: number, scope?: RetentionScope): Promise<number>;
  deleteSessionsBefore(before: number, batch: number, scope?: RetentionScope): Promise<number>;
  close(): Promise<void>;
}

function groupCommit(ingest: (events: TrackedEvent[]) => Promise<IngestResult>) {
  return new GroupCommit<readonly TrackedEvent[], IngestResult>((batches) =>
    ingest(batches.flat()),
  );
}

/** Commits on this thread, through `repo`. */
export function inlineWriter(repo: WriteCalls): EventWriter {
  const commit = groupCommit(async (events) => repo.ingest(events));
  return {
    write: (events) => commit.submit(events),
    writeTraces: async (projectId, operations, memory) =>
      repo.ingestTraces(projectId, operations, memory),
    deleteEventsBefore: async (before, batch, scope) =>
      repo.deleteEventsBefore(before, batch, scope),
    deleteSessionsBefore: async (before, batch, scope) =>
      repo.deleteSessionsBefore(before, batch, scope),
    close: async () => undefined,
  };
}

/** A request to the writer thread and its answer. */
export type WriterRequest = { id: number; call: keyof WriteCalls; args: unknown[] };
export type WriterReply = { id: number; result?: unknown; error?: string };

/**
 * The worker's entry: compiled JavaScript next to this file, or — when running from the
 * TypeScript sources (jest) — the .ts file loaded through @swc/core, which the repository's
 * test setup already has.
 */
function startWorker(dbFile: string): Worker {
  const js = join(__dirname, 'writer-thread.js');
  if (existsSync(js)) return new Worker(js, { workerData: { dbFile } });
  const ts = join(__dirname, 'writer-thread.ts');
  const boot = `
    const fs = require('node:fs');
    const swc = require(require.resolve('@swc/core', { paths: [${JSON.stringify(__dirname)}] }));
    require.extensions['.ts'] = (module, filename) => {
      const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
        filename, module: { type: 'commonjs' }, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      });
      module._compile(code, filename);
    };
    require(${JSON.stringify(ts)});
  `;
  return new Worker(boot, { eval: true, workerData: { dbFile } });
}

/** Commits on a worker thread with its own connection to `dbFile`. */
export function workerWriter(dbFile: string): EventWriter {
  const worker = startWorker(dbFile);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  let failed: Error | undefined;
  const failAll = (err: Error) => {
    failed ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: WriterReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.error !== undefined) p.reject(new Error(`store write failed: ${reply.error}`));
    else p.resolve(reply.result);
  });
  worker.on('error', (err) => failAll(new Error('the store writer thread failed', { cause: err })));
  worker.on('exit', (code) => failAll(new Error(`the store writer thread exited (${code})`)));

  const call = <R>(name: keyof WriteCalls, ...args: unknown[]): Promise<R> => {
    if (failed) return Promise.reject(failed);
    const id = next++;
    return new Promise<R>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, call: name, args } satisfies WriterRequest);
    });
  };
  const commit = groupCommit((events) => call('ingest', events));
  let closing: Promise<void> | undefined;
  return {
    write: (events) => commit.submit(events),
    writeTraces: (projectId, operations, memory) =>
      call('ingestTraces', projectId, operations, memory),
    deleteEventsBefore: (before, batch, scope) => call('deleteEventsBefore', before, batch, scope),
    deleteSessionsBefore: (before, batch, scope) =>
      call('deleteSessionsBefore', before, batch, scope),
    close() {
      closing ??= (async () => {
        await commit.drain();
        if (!failed) await call('close').catch(() => undefined);
        await worker.terminate();
      })();
      return closing;
    },
  };
}

/** Where a worker's writes go: one SQLite connection, called as the messages ask. */
export function serveWrites(
  repo: WriteCalls,
  port: {
    on(event: 'message', listener: (m: WriterRequest) => void): unknown;
    postMessage(m: WriterReply): void;
  },
): void {
  port.on('message', ({ id, call, args }) => {
    try {
      const fn = repo[call] as (...a: unknown[]) => unknown;
      port.postMessage({ id, result: fn.apply(repo, args) });
    } catch (err) {
      port.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
    }
  });
}
