// A session's correlation id as its summary and detail name it, for ids that look like trace ids.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import type { Repository } from './repository';
import { openSqlite } from './sqlite';

const NOW = Date.UTC(2026, 11, 2, 12);
const scrub = createScrubber({ enabled: true });

let dir: string;
let repo: Repository;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-session-reads-'));
  repo = openSqlite(join(dir, 'tracker.db'));
});
afterEach(() => {
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An error event of project 1; `contexts.trace` when a trace id is given. */
const errorEvent = (n: number, tags: Record<string, string>, traceId?: string) =>
  readEvent(
    {
      event_id: n.toString(16).padStart(32, '0'),
      message: `failure ${n}`,
      timestamp: NOW / 1000,
      tags,
      ...(traceId ? { contexts: { trace: { trace_id: traceId, span_id: 'c'.repeat(16) } } } : {}),
    },
    1,
    scrub,
    NOW,
  );

/** A request id written as a uuid without its dashes: 32 hex digits, as a trace id is. */
const REQUEST_ID = '5f0c6a1e9b7d4c3a8e2f1b0a9c8d7e6f';

it('names a correlation id of 32 hex digits as such when only error events carry it', () => {
  repo.ingest([errorEvent(1, { correlation_id: REQUEST_ID })]);
  repo.indexSessions();
  const listed = repo.listSessions({ limit: 5 }).items;
  expect(listed.map((s) => [s.id, s.correlationId])).toEqual([[REQUEST_ID, REQUEST_ID]]);
  expect(repo.getSession(REQUEST_ID)?.correlationId).toBe(REQUEST_ID);
});

it('names a correlation id of 32 hex digits as such when only a memory snapshot carries it', () => {
  repo.ingestTraces(
    1,
    [],
    [
      {
        traceId: 'a'.repeat(32),
        spanId: 'b'.repeat(16),
        seq: 0,
        service: 'ai-service',
        correlationId: REQUEST_ID,
        time: NOW,
        rss: 1_000,
      },
    ],
  );
  expect(repo.getSession(REQUEST_ID)?.correlationId).toBe(REQUEST_ID);
});

it('still names none for a session keyed by the trace id of an event with no correlation id', () => {
  const traceId = 'd'.repeat(32);
  repo.ingest([errorEvent(2, {}, traceId)]);
  repo.indexSessions();
  const session = repo.getSession(traceId);
  expect(session?.id).toBe(traceId);
  expect(session).not.toHaveProperty('correlationId');
  expect(repo.listSessions({ limit: 5 }).items[0]).not.toHaveProperty('correlationId');
});

it('filters sessions by one service name, never by two names joined with a line break', () => {
  const op = (n: number, service: string, correlationId: string) => ({
    traceId: n.toString(16).padStart(32, '0'),
    spanId: n.toString(16).padStart(16, '0'),
    name: 'GET /render',
    service,
    start: NOW - 1_000,
    end: NOW - 500,
    status: 'ok' as const,
    correlationId,
    attributes: {},
  });
  repo.ingestTraces(
    1,
    [
      op(1, 'api-gateway', 'req-two'),
      op(2, 'video-processing', 'req-two'),
      op(3, 'api-gateway\nvideo-processing', 'req-odd'),
    ],
    [],
  );
  const ids = (service: string) => repo.listSessions({ service, limit: 5 }).items.map((s) => s.id);
  expect(ids('api-gateway')).toEqual(['req-two']);
  expect(ids('video-processing')).toEqual(['req-two']);
  // The name with a line break is the odd session's own, not the other's two services.
  expect(ids('api-gateway\nvideo-processing')).toEqual(['req-odd']);
});

describe('slow operations', () => {
  /** A session `id` of operations lasting `durations` ms, each of its own span. */
  const session = (id: string, durations: number[]) => {
    repo.ingestTraces(
      1,
      durations.map((d, i) => ({
        traceId: 'e'.repeat(32),
        spanId: (i + 1).toString(16).padStart(16, '0'),
        name: `step ${i + 1}`,
        service: 'ai-service',
        start: NOW - 10_000 + i,
        end: NOW - 10_000 + i + d,
        status: 'ok' as const,
        correlationId: id,
        attributes: {},
      })),
      [],
    );
    return repo.getSession(id);
  };
  const slowNames = (id: string) =>
    repo
      .getSession(id)
      ?.timeline.filter((o) => o.slow)
      .map((o) => o.name);

  it('flags none of ten operations that all take as long, above 100 ms and under 500', () => {
    expect(session('same', Array(10).fill(200))?.slowOperations).toBe(0);
  });

  it('flags the slowest tenth: one of ten, two of twenty', () => {
    expect(session('ten', [...Array(9).fill(150), 300])?.slowOperations).toBe(1);
    expect(slowNames('ten')).toEqual(['step 10']);
    expect(session('twenty', [...Array(18).fill(150), 300, 250])?.slowOperations).toBe(2);
    expect(slowNames('twenty')).toEqual(['step 19', 'step 20']);
  });

  it('flags none of a tie that reaches below the slowest tenth', () => {
    // Three of ten take 300 ms: none is among the one slowest.
    expect(session('tied', [...Array(7).fill(150), 300, 300, 300])?.slowOperations).toBe(0);
  });

  it('flags every operation of 500 ms or more, in a session of any size', () => {
    expect(session('long', [500, 499, 600])?.slowOperations).toBe(2);
    expect(slowNames('long')).toEqual(['step 1', 'step 3']);
    // Among the list's summaries too.
    expect(repo.listSessions({ limit: 5 }).items[0]).toMatchObject({
      id: 'long',
      slowOperations: 2,
    });
  });
});
