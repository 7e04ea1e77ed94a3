// Where committed events are written. The one implementation commits on the main thread:
// moving the transaction to a worker thread was measured (npm run bench) at the same
// throughput with a worse p99 on 2 cores, the structured clone of each event costing what the
// thread saved. A write resolves only after its transaction committed.
import type { TrackedEvent } from '../ingest/event';
import { GroupCommit } from './group-commit';
import type { Repository } from './repository';

export interface EventWriter {
  write(events: TrackedEvent[]): Promise<{ newIssues: number }>;
  close(): Promise<void>;
}

export function inlineWriter(repo: Repository): EventWriter {
  const commit = new GroupCommit<TrackedEvent[], { newIssues: number }>((batches) =>
    repo.ingest(batches.flat()),
  );
  return { write: (events) => commit.submit(events), close: async () => undefined };
}
