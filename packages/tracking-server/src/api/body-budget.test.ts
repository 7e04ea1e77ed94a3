// The bytes of ingest bodies held at once: a body that would take them past the budget is a 503
// with Retry-After (Sentry and OTLP alike), counted as `overloaded`, and the bytes a request held
// come back once it is answered, however it ended — and not before its handler is done with them,
// whenever its client leaves.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BodyBudget } from '../ingest/body';
import { DEFAULT_SETTINGS, type Project } from '../projects';
import type { Repository } from '../store/repository';
import { openSqlite } from '../store/sqlite';
import { inlineWriter } from '../store/writer';
import { gatedWriter, type GatedWriter } from '../testing/gated-writer';
import { silentLogger } from '../telemetry/logger';
import { createTrackerMetrics, type TrackerMetrics } from '../telemetry/metrics';
import { rawPost } from '../testing/raw-post';
import { createApp } from './app';

const KB = 1024;
const project: Project = { ...DEFAULT_SETTINGS, id: 1, name: 'shop', key: 'k1' };
const eventId = (n: number) => n.toString(16).padStart(32, '0');
/** An envelope of one event whose message makes it about `bytes` long. */
const envelope = (n: number, bytes: number) => {
  const event = JSON.stringify({ event_id: eventId(n), message: 'm'.repeat(bytes) });
  return Buffer.from(`{"event_id":"${eventId(n)}"}\n{"type":"event"}\n${event}\n`);
};

describe('BodyBudget', () => {
  it('lends bytes across holds up to its limit, and a hold gives all of its own back once', () => {
    const budget = new BodyBudget(10);
    const a = budget.hold();
    const b = budget.hold();
    expect(a.take(6)).toBe(true);
    expect(b.take(5)).toBe(false); // 11 > 10: nothing taken
    expect(b.take(4)).toBe(true);
    expect(budget.bytes).toBe(10);
    a.release();
    expect(budget.bytes).toBe(4);
    a.release(); // a second release gives nothing more back
    expect(budget.bytes).toBe(4);
    expect(b.take(6)).toBe(true);
    b.release();
    expect(budget.bytes).toBe(0);
  });
});

/**
 * The tracker's app over a store of its own, listening for the describe block that calls it, with
 * a body budget of 64 KB and commits that wait while a test closes their gate; `bodyIdleMs` as
 * given. `closed` has, by its `x-test` header, each request whose response has closed.
 */
function budgetedTracker(bodyIdleMs?: number) {
  const t = {} as {
    dir: string;
    repo: Repository;
    server: Server;
    url: string;
    budget: BodyBudget;
    metrics: TrackerMetrics;
    commits: GatedWriter;
    closed: Map<string, Promise<void>>;
  };
  beforeAll(async () => {
    t.dir = mkdtempSync(join(tmpdir(), 'beacon-body-budget-'));
    t.repo = openSqlite(join(t.dir, 'tracker.db'));
    t.budget = new BodyBudget(64 * KB);
    t.metrics = createTrackerMetrics({ defaultMetrics: false });
    t.commits = gatedWriter(inlineWriter(t.repo));
    t.closed = new Map();
    const app = createApp({
      repo: t.repo,
      writer: t.commits.writer,
      projects: () => [project],
      apiToken: 't',
      metrics: t.metrics,
      logger: silentLogger,
      bodyBudget: t.budget,
      ...(bodyIdleMs !== undefined ? { bodyIdleMs } : {}),
    });
    t.server = createServer((req, res) => {
      // Listening before the app does: a listener the app adds runs after this one.
      const name = req.headers['x-test'];
      if (typeof name === 'string')
        t.closed.set(name, new Promise<void>((r) => res.once('close', () => r())));
      app(req, res);
    });
    await new Promise<void>((r) => t.server.listen(0, '127.0.0.1', r));
    t.url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => t.server.close(r));
    t.repo.close();
    rmSync(t.dir, { recursive: true, force: true });
  });
  /** Requests refused for `reason`, by the tracker's metric. */
  const rejected = async (reason: string) =>
    (
      await t.metrics.registry.getSingleMetric('beacon_tracker_rejected_requests_total')?.get()
    )?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  /** OTLP spans stored, by the tracker's metric. */
  const spansStored = async () =>
    (
      await t.metrics.registry.getSingleMetric('beacon_tracker_spans_ingested_total')?.get()
    )?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
  return Object.assign(t, { rejected, spansStored });
}

/** An OTLP JSON request of spans ending now, about `bytes` long. */
const otlpRequest = (traceByte: string, bytes: number) => {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: Math.ceil(bytes / 270) }, (_, i) => ({
    traceId: traceByte.repeat(16),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: `GET /${'x'.repeat(200)}`,
    startTimeUnixNano: String(now - 1_000_000n),
    endTimeUnixNano: String(now),
  }));
  return Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
};

const until = async (done: () => boolean) => {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('ingest with a full body budget', () => {
  const t = budgetedTracker();
  const sentry = `/api/${project.id}/envelope/?sentry_key=${project.key}`;

  it('refuses an envelope past the budget with a 503, Retry-After and X-Sentry-Error, and stores it not', async () => {
    const res = await rawPost(`${t.url}${sentry}`, envelope(1, 80 * KB));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['x-sentry-error']).toBe(
      'the tracker is holding as many request bodies as it may at once (0.0625 MB); send it again shortly',
    );
    expect(t.repo.storedEventIds([eventId(1)]).size).toBe(0);
    expect(await t.rejected('overloaded')).toBe(1);
    expect(t.budget.bytes).toBe(0);
  });

  it('counts what a gzip body holds once decompressed, not as sent', async () => {
    const body = gzipSync(envelope(2, 80 * KB)); // a few hundred bytes as sent
    expect(body.length).toBeLessThan(KB);
    const res = await rawPost(`${t.url}${sentry}`, body, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(503);
    expect(t.budget.bytes).toBe(0);
  });

  it('refuses a body while others hold the rest of the budget, and takes it once they are answered', async () => {
    // The first request sends 40 KB of its body and waits; its bytes are held meanwhile.
    const first = envelope(3, 40 * KB);
    let answered: (status: number) => void;
    const firstStatus = new Promise<number>((r) => (answered = r));
    const held = request(`${t.url}${sentry}`, { method: 'POST' }, (res) => {
      res.resume();
      answered(res.statusCode ?? 0);
    });
    held.write(first.subarray(0, first.length - 10));
    for (let i = 0; i < 200 && t.budget.bytes < 40 * KB; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(t.budget.bytes).toBeGreaterThanOrEqual(40 * KB);

    const second = await rawPost(`${t.url}${sentry}`, envelope(4, 40 * KB));
    expect(second.status).toBe(503);

    held.end(first.subarray(first.length - 10));
    expect(await firstStatus).toBe(200);
    expect(t.repo.storedEventIds([eventId(3)]).size).toBe(1);
    expect(t.budget.bytes).toBe(0);
    expect((await rawPost(`${t.url}${sentry}`, envelope(4, 40 * KB))).status).toBe(200);
    expect(t.budget.bytes).toBe(0);
  });

  it('answers OTLP past the budget 503 UNAVAILABLE with Retry-After, as the spec has a retryable failure', async () => {
    const spans = Array.from({ length: 400 }, (_, i) => ({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: i.toString(16).padStart(16, '0'),
      name: `GET /${'x'.repeat(200)}`,
      startTimeUnixNano: '1',
      endTimeUnixNano: '2',
    }));
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
    expect(body.length).toBeGreaterThan(64 * KB);
    const res = await rawPost(`${t.url}/v1/traces`, body, {
      'content-type': 'application/json',
      authorization: `Bearer ${project.key}`,
    });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(JSON.parse(res.text)).toEqual({
      code: 14,
      message:
        'the tracker is holding as many request bodies as it may at once (0.0625 MB); send it again shortly',
    });
    expect(t.budget.bytes).toBe(0);
  });
});

describe('a body that stalls', () => {
  const IDLE_MS = 300;
  const t = budgetedTracker(IDLE_MS);

  /** Sends all of `body` but its last 10 bytes, and nothing more; resolves with the answer. */
  const stallAfter = (path: string, body: Buffer, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
      (resolve, reject) => {
        const req = request(`${t.url}${path}`, { method: 'POST', headers }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        });
        req.on('error', reject);
        req.write(body.subarray(0, body.length - 10));
      },
    );

  it('is a 408 naming the stall once no byte came for the idle time, its bytes given back', async () => {
    // Keyless, as a tunnel's envelope comes: read before it can be authorised.
    const started = Date.now();
    const res = await stallAfter(`/api/${project.id}/envelope/`, envelope(10, 40 * KB));
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS);
    expect([res.status, res.headers['x-sentry-error'], res.headers.connection]).toEqual([
      408,
      'the envelope stalled: no bytes for 0.3 s before its end',
      'close',
    ]);
    // Given back when refused, not once the connection closes after lingering: found on
    // 2026-12-07 (CI saw sends of 20 MB one after another refused 503, the 413s before them
    // still held).
    expect(t.budget.bytes).toBe(0);
    expect(await t.rejected('stalled')).toBe(1);
    const next = await rawPost(
      `${t.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
      envelope(11, 40 * KB),
    );
    expect(next.status).toBe(200);
  });

  it('answers OTLP the same, DEADLINE_EXCEEDED in its error shape', async () => {
    const body = Buffer.from(JSON.stringify({ resourceSpans: [] }) + ' '.repeat(40 * KB));
    const res = await stallAfter('/v1/traces', body, {
      'content-type': 'application/json',
      authorization: `Bearer ${project.key}`,
    });
    expect([res.status, JSON.parse(res.text)]).toEqual([
      408,
      { code: 4, message: 'the request body stalled: no bytes for 0.3 s before its end' },
    ]);
    expect(t.budget.bytes).toBe(0); // the same
  });

  it('is read whole when its bytes come slower than the idle time in all, each within it', async () => {
    const body = envelope(12, 4 * KB);
    const res = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${t.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
        { method: 'POST' },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const parts = [0, 1, 2, 3, 4].map((i) =>
        body.subarray((i * body.length) / 5, ((i + 1) * body.length) / 5),
      );
      const send = (i: number) => {
        if (i === parts.length) return void req.end();
        req.write(parts[i]);
        setTimeout(() => send(i + 1), IDLE_MS / 2);
      };
      send(0);
    });
    expect(res).toBe(200);
    expect(t.repo.storedEventIds([eventId(12)]).size).toBe(1);
  });
});

describe('a body whose client leaves before it has sent it', () => {
  const t = budgetedTracker();

  /** Sends all of `body` but its last 10 bytes, closes the connection, and waits for the count. */
  const leaveMidBody = async (path: string, body: Buffer, headers: Record<string, string> = {}) => {
    const before = await t.rejected('aborted');
    const req = request(`${t.url}${path}`, { method: 'POST', headers });
    req.on('error', () => {}); // the connection it closes itself
    req.setHeader('content-length', body.length);
    req.write(body.subarray(0, body.length - 10));
    await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    for (let i = 0; i < 500 && (await t.rejected('aborted')) === before; i++)
      await new Promise((r) => setTimeout(r, 10));
  };

  it('counts it as aborted, not malformed, storing nothing and giving its bytes back', async () => {
    await leaveMidBody(
      `/api/${project.id}/envelope/?sentry_key=${project.key}`,
      envelope(30, 40 * KB),
    );
    await leaveMidBody('/v1/traces', otlpRequest('c3', 40 * KB), {
      'content-type': 'application/json',
      authorization: `Bearer ${project.key}`,
    });
    expect([await t.rejected('aborted'), await t.rejected('malformed')]).toEqual([2, 0]);
    expect(t.budget.bytes).toBe(0);
    expect(t.repo.storedEventIds([eventId(30)]).size).toBe(0);
    expect(await t.spansStored()).toBe(0);
  });
});

describe('a body whose client leaves before it is answered', () => {
  const t = budgetedTracker();
  const otlpHeaders = {
    'content-type': 'application/json',
    authorization: `Bearer ${project.key}`,
  };

  /**
   * Posts `body` as the request named `name`; once its commit waits at the gate, closes the
   * connection, as an exporter that timed out does, and resolves once the server saw it close.
   */
  const leaveWhileStored = async (
    name: string,
    path: string,
    body: Buffer,
    headers: Record<string, string> = {},
  ) => {
    const gate = t.commits.close();
    const req = request(`${t.url}${path}`, {
      method: 'POST',
      headers: { ...headers, 'x-test': name },
    });
    req.on('error', () => {}); // the connection it closes itself
    req.end(body);
    await gate.reached;
    req.destroy();
    await t.closed.get(name);
    return gate;
  };

  it('keeps an OTLP body held while its spans are stored, and stores them', async () => {
    const body = otlpRequest('a1', 40 * KB);
    const gate = await leaveWhileStored('otlp', '/v1/traces', body, otlpHeaders);
    // Released when the connection closed, the bytes let the next body in on top of it (five
    // 94 MB bodies in a 256 MB heap ran it out).
    expect(t.budget.bytes).toBeGreaterThanOrEqual(body.length);
    const next = await rawPost(`${t.url}/v1/traces`, otlpRequest('b2', 40 * KB), otlpHeaders);
    expect(next.status).toBe(503);
    gate.open();
    await until(() => t.budget.bytes === 0);
    expect(t.budget.bytes).toBe(0);
    // Never acknowledged, and stored all the same: an exporter's retry replaces it.
    expect(await t.spansStored()).toBe(
      JSON.parse(body.toString()).resourceSpans[0].scopeSpans[0].spans.length,
    );
    expect(
      (await rawPost(`${t.url}/v1/traces`, otlpRequest('b2', 40 * KB), otlpHeaders)).status,
    ).toBe(200);
  });

  it('keeps an envelope held while its event is stored, and stores it', async () => {
    const body = envelope(20, 40 * KB);
    const gate = await leaveWhileStored(
      'sentry',
      `/api/${project.id}/envelope/?sentry_key=${project.key}`,
      body,
    );
    expect(t.budget.bytes).toBeGreaterThanOrEqual(body.length);
    const sentry = `${t.url}/api/${project.id}/envelope/?sentry_key=${project.key}`;
    expect((await rawPost(sentry, envelope(21, 40 * KB))).status).toBe(503);
    gate.open();
    await until(() => t.budget.bytes === 0);
    expect(t.budget.bytes).toBe(0);
    expect(t.repo.storedEventIds([eventId(20)]).size).toBe(1);
    expect((await rawPost(sentry, envelope(21, 40 * KB))).status).toBe(200);
  });
});
