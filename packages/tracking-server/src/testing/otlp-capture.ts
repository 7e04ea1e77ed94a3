// An OTLP traces handler alone on a loopback server, its writer keeping what it is given: the
// tests of each Content-Encoding post a body as the Collector does and compare what was stored
// with what the same body gzipped stores.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { otlpTraces } from '../api/otlp';
import { BodyBudget } from '../ingest/body';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import { RpcStatus } from '../ingest/otlp-proto';
import { DEFAULT_SETTINGS, type Project } from '../projects';
import { type RawAnswer, rawPost } from './raw-post';

export interface Stored {
  readonly operations: Operation[];
  readonly memory: MemorySnapshot[];
}

export interface OtlpCapture {
  /** Its /v1/traces URL. */
  readonly url: string;
  /** Posts `body` with the project's key as the bearer token; the answer and what it stored. */
  send(
    type: string,
    encoding: string,
    body: Buffer | readonly Buffer[],
  ): Promise<{ res: RawAnswer; stored: Stored }>;
  /** Posts `body` as OTLP/protobuf; the answer's status, type and google.rpc.Status, decoded. */
  sendProtobuf(
    encoding: string,
    body: Buffer,
  ): Promise<{ status: number; type: string | null; rpc: Record<string, unknown> }>;
  close(): Promise<void>;
}

export const JSON_TYPE = 'application/json';
export const PROTOBUF = 'application/x-protobuf';

/** The project every capture takes bodies for. */
const project: Project = { ...DEFAULT_SETTINGS, id: 1, name: 'shop', key: 'k1' };
/** When the fixtures' spans ended, and a little after: neither ahead nor expired. */
const FIXTURES_NOW = 1796293444722;

/**
 * What the fixtures' batch generators wrote (`testdata/{lz4,snappy}/gen`, the script in
 * `testdata/zstd/README.md`): 1,000 spans, span i named `GET /items/${(i * 7919) % 1000}` (so
 * the first is 0 and the last 999 * 7919 % 1000 = 81), over ten correlation ids.
 */
export const BATCH_OF_1000 = {
  spans: 1000,
  first: 'GET /items/0',
  last: 'GET /items/81',
  correlationIds: 10,
};

/** `stored` in BATCH_OF_1000's terms. */
export const batchOf = ({ operations }: Stored) => ({
  spans: operations.length,
  first: operations[0]?.name,
  last: operations.at(-1)?.name,
  correlationIds: new Set(operations.map((o) => o.correlationId)).size,
});

/** The handler at the fixtures' time, holding bodies within `budget`. */
export async function startOtlpCapture(budget = new BodyBudget()): Promise<OtlpCapture> {
  let stored: Stored = { operations: [], memory: [] };
  const handler = otlpTraces({
    projectByKey: (key) => (key === project.key ? project : undefined),
    writer: {
      writeTraces: async (_id, operations, memory) => {
        stored.operations.push(...operations);
        stored.memory.push(...memory);
        return [];
      },
    },
    onStored: () => undefined,
    onRejected: () => undefined,
    onFailed: () => undefined,
    bodyBudget: budget,
    now: () => FIXTURES_NOW,
  });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  return {
    url,
    async send(type, encoding, body) {
      const mine: Stored = (stored = { operations: [], memory: [] });
      const res = await rawPost(url, body, {
        'content-type': type,
        'content-encoding': encoding,
        authorization: `Bearer ${project.key}`,
      });
      return { res, stored: mine };
    },
    async sendProtobuf(encoding, body) {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': PROTOBUF,
          'content-encoding': encoding,
          authorization: `Bearer ${project.key}`,
        },
        body,
      });
      const rpc = RpcStatus.toObject(RpcStatus.decode(new Uint8Array(await res.arrayBuffer())));
      return { status: res.status, type: res.headers.get('content-type'), rpc };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
