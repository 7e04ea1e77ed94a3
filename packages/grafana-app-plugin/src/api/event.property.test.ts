import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { EVENT_1 } from '../testdata/fixtures';
import { type Breadcrumb, type EventView, type ExceptionView, type Frame, eventView } from './event';
import type { SentryEventPayload, StoredEvent } from './types';

/** A stored event around `payload`: the tracker's own fields are its, only the payload is the SDK's. */
const stored = (payload: unknown, ids: { correlationId?: string; traceId?: string } = {}): StoredEvent => ({
  id: 'e1',
  timestamp: '2026-11-22T11:58:00.000Z',
  receivedAt: '2026-11-22T11:58:00.120Z',
  level: 'error',
  release: 'api@1.0.0',
  environment: 'production',
  ...ids,
  event: payload as SentryEventPayload,
  attachments: [],
  feedback: [],
});

const isString = (v: unknown) => typeof v === 'string';
const isOptString = (v: unknown) => v === undefined || typeof v === 'string';
const isOptNumber = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));

/**
 * What in the view lacks its declared type (text is text, lists are lists: React can render it).
 * Plain checks, not expect(): jest's matchers cost more than eventView itself.
 */
function illTyped(view: EventView): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => ok || problems.push(what);
  check(isOptString(view.message), 'message');
  check(isOptString(view.user), 'user');
  check(isOptString(view.sessionId), 'sessionId');
  check(Array.isArray(view.exceptions), 'exceptions');
  check(Array.isArray(view.tags), 'tags');
  check(Array.isArray(view.breadcrumbs), 'breadcrumbs');
  (Array.isArray(view.exceptions) ? view.exceptions : []).forEach((e, i) => {
    check(isString(e.type) && isString(e.value) && Array.isArray(e.frames), `exceptions[${i}]`);
    (Array.isArray(e.frames) ? e.frames : []).forEach((f, j) => {
      const at = `exceptions[${i}].frames[${j}]`;
      check(isString(f.filename) && isString(f.function) && typeof f.inApp === 'boolean', at);
      check(isOptNumber(f.lineno) && isOptNumber(f.colno), `${at} line/column`);
      check(
        Array.isArray(f.context) &&
          f.context.every(
            (c) => Array.isArray(c) && Number.isFinite(c[0]) && isString(c[1]) && typeof c[2] === 'boolean'
          ),
        `${at}.context`
      );
    });
  });
  (Array.isArray(view.tags) ? view.tags : []).forEach((t, i) =>
    check(Array.isArray(t) && t.length === 2 && isString(t[0]) && isString(t[1]), `tags[${i}]`)
  );
  const tagKeys = (Array.isArray(view.tags) ? view.tags : []).map((t) => t[0]);
  check(new Set(tagKeys).size === tagKeys.length, 'tag keys repeat');
  (Array.isArray(view.breadcrumbs) ? view.breadcrumbs : []).forEach((b, i) =>
    check(isOptString(b.time) && isString(b.category) && isString(b.level) && isString(b.message), `breadcrumbs[${i}]`)
  );
  return problems;
}

/** A property's check: the ill-typed parts, named by expect() when there are any. */
const wellTyped = (view: EventView) => {
  const problems = illTyped(view);
  if (problems.length > 0) {
    expect({ problems, view }).toEqual({ problems: [], view });
  }
};

// ---- A generator of realistic Sentry events that knows the view each one should give ----

const word = fc.stringMatching(/^[A-Za-z][\w.-]{0,11}$/);
const line = fc.string({ maxLength: 30 });
const lineNo = fc.integer({ min: 1, max: 100_000 });

interface Case {
  payload: Record<string, unknown>;
  ids: { correlationId?: string; traceId?: string };
  view: Omit<EventView, 'id' | 'timestamp' | 'level' | 'release' | 'environment'>;
}

const frameCase: fc.Arbitrary<{ frame: Record<string, unknown>; view: Frame }> = fc
  .record(
    {
      name: fc.oneof(
        fc.record({ filename: word }),
        fc.record({ abs_path: word }),
        fc.record({ module: word }),
        fc.constant({})
      ),
      function: word,
      lineno: lineNo,
      colno: fc.integer({ min: 0, max: 500 }),
      in_app: fc.boolean(),
      source: fc.option(
        fc.record({ pre: fc.array(line, { maxLength: 4 }), own: line, post: fc.array(line, { maxLength: 4 }) })
      ),
    },
    { requiredKeys: ['name'] }
  )
  .map(({ name, source, ...rest }) => {
    const frame: Record<string, unknown> = { ...name, ...rest };
    const context: Frame['context'] = [];
    if (source) {
      Object.assign(frame, { pre_context: source.pre, context_line: source.own, post_context: source.post });
    }
    if (source && rest.lineno !== undefined) {
      const n = rest.lineno;
      source.pre.forEach((text, i) => context.push([n - source.pre.length + i, text, false]));
      context.push([n, source.own, true]);
      source.post.forEach((text, i) => context.push([n + 1 + i, text, false]));
    }
    const named = name as { filename?: string; abs_path?: string; module?: string };
    return {
      frame,
      view: {
        filename: named.filename ?? named.abs_path ?? named.module ?? '<unknown>',
        function: rest.function ?? '<anonymous>',
        lineno: rest.lineno,
        colno: rest.colno,
        inApp: rest.in_app === true,
        context,
      },
    };
  });

const exceptionCase: fc.Arbitrary<{ exception: Record<string, unknown>; view: ExceptionView }> = fc
  .record({ type: word, value: line, frames: fc.option(fc.array(frameCase, { maxLength: 5 })) }, { requiredKeys: [] })
  .map(({ type, value, frames }) => ({
    exception: {
      ...(type !== undefined ? { type } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(frames ? { stacktrace: { frames: frames.map((f) => f.frame) } } : {}),
    },
    view: {
      type: type ?? 'Error',
      value: value ?? '',
      // Sentry lists frames outermost first; the page shows the innermost first.
      frames: (frames ?? []).map((f) => f.view).reverse(),
    },
  }));

/** Epoch milliseconds within years 2000–2100, sent as float seconds (as SDKs do) or as RFC 3339 text. */
const breadcrumbTime = fc
  .integer({ min: 946_684_800_000, max: 4_102_444_800_000 })
  .chain((ms) =>
    fc.constantFrom(
      { sent: ms / 1000, shown: new Date(ms).toISOString() },
      { sent: new Date(ms).toISOString(), shown: new Date(ms).toISOString() }
    )
  );

const breadcrumbCase: fc.Arbitrary<{ crumb: Record<string, unknown>; view: Breadcrumb }> = fc
  .record(
    {
      time: breadcrumbTime,
      type: word,
      category: word,
      level: fc.constantFrom('debug', 'info', 'warning', 'error'),
      message: line,
      data: fc.dictionary(word, fc.oneof(word, fc.integer()), { maxKeys: 3 }),
    },
    { requiredKeys: [] }
  )
  .map(({ time, data, ...rest }) => ({
    crumb: { ...rest, ...(time ? { timestamp: time.sent } : {}), ...(data ? { data } : {}) },
    view: {
      time: time?.shown,
      category: rest.category ?? rest.type ?? 'default',
      level: rest.level ?? 'info',
      message: rest.message ?? (data && Object.keys(data).length > 0 ? JSON.stringify(data) : ''),
    },
  }));

const lowerKey = fc.stringMatching(/^[a-z]{1,8}$/);

const eventCase: fc.Arbitrary<Case> = fc
  .record({
    exceptions: fc.option(fc.record({ list: fc.array(exceptionCase, { maxLength: 3 }), wrapped: fc.boolean() }), {
      nil: undefined,
    }),
    crumbs: fc.option(fc.record({ list: fc.array(breadcrumbCase, { maxLength: 5 }), wrapped: fc.boolean() }), {
      nil: undefined,
    }),
    message: fc.option(
      fc.oneof(
        line.map((m) => ({ sent: { message: m }, shown: m })),
        line.map((m) => ({ sent: { message: { formatted: m } }, shown: m })),
        line.map((m) => ({ sent: { message: { message: m, params: [] } }, shown: m })),
        line.map((m) => ({ sent: { logentry: { formatted: m, message: `${m} %s` } }, shown: m }))
      ),
      { nil: undefined }
    ),
    tags: fc.record({
      entries: fc.uniqueArray(fc.tuple(lowerKey, word), { selector: ([k]) => k, maxLength: 5 }),
      asPairs: fc.boolean(),
    }),
    user: fc.option(
      fc.constantFrom(
        { sent: { id: 'u-7', email: 'ada@example.com' }, shown: 'ada@example.com' },
        { sent: { id: 'u-7', username: 'ada' }, shown: 'ada' },
        { sent: { id: 42 }, shown: '42' },
        { sent: { ip_address: '10.0.0.1' }, shown: '10.0.0.1' }
      ),
      { nil: undefined }
    ),
    ids: fc.record({ correlationId: word, traceId: fc.stringMatching(/^[0-9a-f]{32}$/) }, { requiredKeys: [] }),
  })
  .map(({ exceptions, crumbs, message, tags, user, ids }) => {
    const payload: Record<string, unknown> = { platform: 'node', ...(message?.sent ?? {}) };
    if (exceptions) {
      const values = exceptions.list.map((e) => e.exception);
      payload.exception = exceptions.wrapped ? { values } : values;
    }
    if (crumbs) {
      const values = crumbs.list.map((b) => b.crumb);
      payload.breadcrumbs = crumbs.wrapped ? { values } : values;
    }
    payload.tags = tags.asPairs ? tags.entries : Object.fromEntries(tags.entries);
    if (user) {
      payload.user = user.sent;
    }
    return {
      payload,
      ids,
      view: {
        message: message?.shown,
        // Chained exceptions come innermost-cause first; the page lists the outermost first.
        exceptions: (exceptions?.list ?? []).map((e) => e.view).reverse(),
        tags: [...tags.entries].sort(([a], [b]) => (a < b ? -1 : 1)),
        breadcrumbs: (crumbs?.list ?? []).map((b) => b.view),
        user: user?.shown,
        sessionId: ids.correlationId ?? ids.traceId,
      },
    };
  });

// ---- Mutations: replace parts of a realistic event, at any depth, with any JSON ----

/** Sets the value found by following `path` (each step picks a key or index of what is there) to `value`. */
function mutate(root: unknown, path: number[], value: unknown): unknown {
  if (path.length === 0 || typeof root !== 'object' || root === null) {
    return value;
  }
  const copy = (Array.isArray(root) ? [...root] : { ...root }) as Record<string, unknown>;
  const keys = Object.keys(copy);
  if (keys.length === 0) {
    return value;
  }
  const key = keys[path[0] % keys.length];
  copy[key] = mutate(copy[key], path.slice(1), value);
  return copy;
}

/** Values SDKs or hand-written clients put where they do not belong. */
const odd = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, 0, -1, 1e300, -1e300, 9e15, '', [], {}, [null], { values: null }, { values: [null, 1, 'x'] }),
  fc.constantFrom({ formatted: { a: 1 } }, { message: [1, 2] }, { frames: 'abc' }, { frames: [null, 3] })
);

const mutatedEvent = fc
  .tuple(eventCase, fc.array(fc.tuple(fc.array(fc.nat(), { maxLength: 7 }), odd), { minLength: 1, maxLength: 4 }))
  .map(([c, edits]) => edits.reduce<unknown>((p, [path, value]) => mutate(p, path, value), c.payload));

describe('eventView (property)', () => {
  test('a realistic Sentry event reads as the generator built it: frames, chains, breadcrumbs, tags (5k cases)', () => {
    fc.assert(
      fc.property(eventCase, (c) => {
        const { id, timestamp, level, release, environment, ...view } = eventView(stored(c.payload, c.ids));
        const got = { own: [id, timestamp, level, release, environment], view };
        const want = { own: ['e1', '2026-11-22T11:58:00.000Z', 'error', 'api@1.0.0', 'production'], view: c.view };
        if (!isDeepStrictEqual(got, want)) {
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 5_000 }
    );
  });

  test('any JSON value as the payload gives a well-typed view and never throws (20k cases)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (payload) => wellTyped(eventView(stored(payload)))),
      { numRuns: 20_000 }
    );
  });

  test('a realistic event with parts replaced by odd JSON gives a well-typed view and never throws (10k cases)', () => {
    fc.assert(
      fc.property(mutatedEvent, (payload) => wellTyped(eventView(stored(payload)))),
      { numRuns: 10_000 }
    );
  });
});

describe('eventView: payloads the properties found crashing or leaking non-text', () => {
  const exceptionWith = (e: unknown) => ({ exception: { values: [e] } });

  test.each<[string, unknown]>([
    ['a null exception', { exception: { values: [null] } }],
    ['a null frame', exceptionWith({ type: 'E', stacktrace: { frames: [null] } })],
    ['frames as a string', exceptionWith({ type: 'E', stacktrace: { frames: 'abc' } })],
    [
      'pre_context as a string',
      exceptionWith({ stacktrace: { frames: [{ lineno: 3, context_line: 'x', pre_context: 'ab' }] } }),
    ],
    ['a null breadcrumb', { breadcrumbs: [null] }],
    ['a breadcrumb timestamp beyond what a Date holds', { breadcrumbs: [{ timestamp: 1e13 }] }],
  ])('%s does not throw', (_, payload) => {
    expect(() => eventView(stored(payload))).not.toThrow();
  });

  test('objects where text goes are left out, numbers where text goes are shown as text', () => {
    const view = eventView(
      stored({
        message: { formatted: { text: 'x' } },
        exception: [
          { type: 42, value: { a: 1 }, stacktrace: { frames: [{ filename: {}, lineno: '7', function: 3 }] } },
        ],
        breadcrumbs: [{ category: ['http'], message: 5, level: null }],
        user: { email: { a: 1 }, id: 7 },
      })
    );
    expect(view.message).toBeUndefined();
    expect(view.exceptions).toEqual([
      {
        type: '42',
        value: '',
        frames: [
          { filename: '<unknown>', function: '3', lineno: undefined, colno: undefined, inApp: false, context: [] },
        ],
      },
    ]);
    expect(view.breadcrumbs).toEqual([{ time: undefined, category: 'default', level: 'info', message: '5' }]);
    expect(view.user).toBe('7');
  });

  test('tag values that are not text show as the JSON the tracker indexes them by, a repeated key once with its last value', () => {
    expect(eventView(stored({ tags: { a: { b: 1 }, c: [1, 2], d: null, e: 5 } })).tags).toEqual([
      ['a', '{"b":1}'],
      ['c', '[1,2]'],
      ['d', 'null'],
      ['e', '5'],
    ]);
    expect(
      eventView(
        stored({
          tags: [
            ['k', 'first'],
            ['k', 'last'],
          ],
        })
      ).tags
    ).toEqual([['k', 'last']]);
  });

  test('a logentry message (Python logging) is shown, as the tracker titles the event by it', () => {
    expect(
      eventView(stored({ logentry: { formatted: 'disk full on /var', message: 'disk full on %s' } })).message
    ).toBe('disk full on /var');
  });

  test('a breadcrumb timestamp in float seconds shows its own millisecond, not the one before', () => {
    expect(eventView(stored({ breadcrumbs: [{ timestamp: 2185770398.831 }] })).breadcrumbs[0].time).toBe(
      '2039-04-07T06:26:38.831Z'
    );
  });

  test('breadcrumb data nested deeper than JSON.stringify can go leaves the message empty', () => {
    let deep: unknown = {};
    for (let i = 0; i < 200_000; i++) {
      deep = { d: deep };
    }
    expect(eventView(stored({ breadcrumbs: [{ data: deep }] })).breadcrumbs).toEqual([
      { time: undefined, category: 'default', level: 'info', message: '' },
    ]);
  });

  test('the fixture event still reads as before', () => {
    expect(eventView(EVENT_1).exceptions[0].frames[0].function).toBe('getUser');
  });
});
