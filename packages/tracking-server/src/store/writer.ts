// Where ingested data is committed. Every write resolves only after the SQLite transaction
// holding it has committed (synchronous=FULL), and concurrent requests' events share one
// transaction (group commit).
//
// workerWriter() reads Sentry events (parse, scrub, group) and commits them on a worker thread
// with its own connection, so the main thread only reads requests and answers them: on 2 cores
// the two threads share the work. Events cross as the JSON text they were sent as, so the
// structured clone is a copy of strings. inlineWriter() does the same on the calling thread
// (tests, fakes, embedding).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import { sentEventReader, type SentEvents } from '../ingest/sent-events';
import { GroupCommit } from './group-commit';
import {
  readAndCommit,
  settle,
  type Outcome,
  type Stored,
  type WriteCalls,
  type WriterCall,
  type WriterReply,
  type WriterRequest,
} from './pipeline';
import type { RetentionScope } from './repository';

export type { Stored, WriteCalls } from './pipeline';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface EventWriter {
  /**
   * Reads one request's events and resolves once they are committed, in a transaction shared
   * with concurrent writes. Rejects with an EventError, storing none of them, when one is not
   * an event.
   */
  write(sent: SentEvents): Promise<Stored>;
  writeTraces(
    projectId: number,
    operations: readonly Operation[],
    memory: readonly MemorySnapshot[],
  ): Promise<void>;
  deleteEventsBefore(before: number, batch: number, scope?: RetentionScope): Promise<number>;
  deleteSessionsBefore(before: number, batch: number, scope?: RetentionScope): Promise<number>;
  close(): Promise<void>;
}

/** Commits on this thread, through `repo`. */
export function inlineWriter(repo: WriteCalls): EventWriter {
  const read = sentEventReader();
  const commit = new GroupCommit<SentEvents, Outcome>((requests) =>
    readAndCommit(repo, read, requests),
  );
  return {
    write: async (sent) => settle(await commit.submit(sent)),
    writeTraces: async (projectId, operations, memory) =>
      repo.ingestTraces(projectId, operations, memory),
    deleteEventsBefore: async (before, batch, scope) =>
      repo.deleteEventsBefore(before, batch, scope),
    deleteSessionsBefore: async (before, batch, scope) =>
      repo.deleteSessionsBefore(before, batch, scope),
    close: async () => undefined,
  };
}

/**
 * A worker: compiled JavaScript next to this file, or — when running from the TypeScript
 * sources (jest) — the .ts file loaded through @swc/core, which the repository's test setup
 * already has.
 */
function startWorker(name: string, workerData: object): Worker {
  const js = join(__dirname, `${name}.js`);
  if (existsSync(js)) return new Worker(js, { workerData });
  const ts = join(__dirname, `${name}.ts`);
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
  return new Worker(boot, { eval: true, workerData });
}

/** Reads and commits on a worker thread with its own connection to `dbFile`. */
export function workerWriter(dbFile: string): EventWriter {
  const writer = startWorker('writer-thread', { dbFile });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  let failed: Error | undefined;
  const failAll = (err: Error) => {
    failed ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  writer.on('message', (reply: WriterReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.error !== undefined) p.reject(new Error(`store write failed: ${reply.error}`));
    else p.resolve(reply.result);
  });
  writer.on('error', (err) => failAll(new Error('the store writer thread failed', { cause: err })));
  writer.on('exit', (code) => failAll(new Error(`the store writer thread exited (${code})`)));

  const send = <R>(request: DistributiveOmit<WriterRequest, 'id'>): Promise<R> => {
    if (failed) return Promise.reject(failed);
    const id = next++;
    return new Promise<R>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      writer.postMessage({ id, ...request } satisfies WriterRequest);
    });
  };
  const call = <R>(name: WriterCall, ...args: unknown[]): Promise<R> => send({ call: name, args });

  const commit = new GroupCommit<SentEvents, Outcome>((requests) => send<Outcome[]>({ requests }));

  let closing: Promise<void> | undefined;
  return {
    write: async (sent) => settle(await commit.submit(sent)),
    writeTraces: (projectId, operations, memory) =>
      call('ingestTraces', projectId, operations, memory),
    deleteEventsBefore: (before, batch, scope) => call('deleteEventsBefore', before, batch, scope),
    deleteSessionsBefore: (before, batch, scope) =>
      call('deleteSessionsBefore', before, batch, scope),
    close() {
      closing ??= (async () => {
        await commit.drain();
        if (!failed) await call('close').catch(() => undefined);
        await writer.terminate();
      })();
      return closing;
    },
  };
}
