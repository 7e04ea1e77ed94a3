import fc from 'fast-check';
import { RecentEventIds } from './recent-ids';

const id = (n: number) => n.toString(16).padStart(32, '0');

it('knows an id it was given, for its project, within the window', () => {
  const recent = new RecentEventIds(8, 1000);
  recent.add(1, id(7), 5000);
  expect(recent.has(1, id(7), 5500)).toBe(true);
  expect(recent.has(1, id(7).toUpperCase(), 5500)).toBe(true);
  expect(recent.has(2, id(7), 5500)).toBe(false); // another project's event of the same id
  expect(recent.has(1, id(8), 5500)).toBe(false);
  expect(recent.has(1, id(7), 6000)).toBe(false); // an hour (here a second) later
});

it('forgets the oldest id once full, and finds every other one still', () => {
  const recent = new RecentEventIds(4, 1e9);
  for (let n = 1; n <= 6; n++) recent.add(1, id(n), n);
  expect([1, 2, 3, 4, 5, 6].filter((n) => recent.has(1, id(n), 10))).toEqual([3, 4, 5, 6]);
});

it('refuses an id that is not 32 hex digits', () => {
  const recent = new RecentEventIds(4);
  expect(() => recent.add(1, 'x'.repeat(32), 0)).toThrow(/not 32 hex digits/);
  expect(() => recent.has(1, id(1).slice(1), 0)).toThrow(/not 32 hex digits/);
});

it("keeps each id's issue while it holds the id, whatever its age", () => {
  const recent = new RecentEventIds(2, 1000);
  recent.add(1, id(1), 0, 41);
  recent.add(1, id(2), 0);
  expect(recent.issueOf(1, id(1))).toBe(41);
  expect(recent.issueOf(1, id(1).toUpperCase())).toBe(41);
  expect(recent.issueOf(2, id(1))).toBeUndefined(); // another project's
  expect(recent.issueOf(1, id(2))).toBeUndefined(); // added without one
  recent.add(1, id(2), 5, 7); // its issue, given again
  expect(recent.issueOf(1, id(2))).toBe(7);
  recent.add(1, id(3), 10, 9); // the oldest, id 1, goes
  expect([recent.issueOf(1, id(1)), recent.issueOf(1, id(3))]).toEqual([undefined, 9]);
});

// A model written separately: a list of ids in the order they were first added, cut to the
// capacity from the front, each with the latest time it was added at and the last issue given.
class Model {
  entries: { project: number; id: string; at: number; issue: number }[] = [];
  constructor(
    readonly capacity: number,
    readonly windowMs: number,
  ) {}
  add(project: number, eventId: string, at: number, issue: number) {
    const e = this.entries.find((x) => x.project === project && x.id === eventId);
    if (e) {
      e.at = Math.max(e.at, at);
      if (issue > 0) e.issue = issue;
    } else {
      this.entries.push({ project, id: eventId, at, issue });
      if (this.entries.length > this.capacity) this.entries.shift();
    }
  }
  has(project: number, eventId: string, now: number) {
    const e = this.entries.find((x) => x.project === project && x.id === eventId);
    return e !== undefined && e.at > now - this.windowMs;
  }
  issueOf(project: number, eventId: string) {
    const e = this.entries.find((x) => x.project === project && x.id === eventId);
    return e !== undefined && e.issue > 0 ? e.issue : undefined;
  }
}

it('answers as a plain list of the newest ids does, through any run of adds and lookups', () => {
  // Few distinct ids, so adds repeat and evictions shift entries that collided in the table.
  const ids = fc
    .array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 4, maxLength: 4 })
    .map((ws) => ws.map((w) => w.toString(16).padStart(8, '0')).join(''));
  fc.assert(
    fc.property(
      fc.constantFrom(2, 4, 8, 16),
      fc.array(ids, { minLength: 1, maxLength: 24 }),
      fc.array(
        fc.record({
          add: fc.boolean(),
          which: fc.nat(),
          project: fc.integer({ min: 1, max: 2 }),
          dt: fc.integer({ min: 0, max: 40 }),
          issue: fc.integer({ min: 0, max: 3 }),
        }),
        { maxLength: 200 },
      ),
      (capacity, pool, ops) => {
        const recent = new RecentEventIds(capacity, 100);
        const model = new Model(capacity, 100);
        let now = 0;
        for (const op of ops) {
          now += op.dt;
          const eventId = pool[op.which % pool.length] as string;
          if (op.add) {
            recent.add(op.project, eventId, now, op.issue);
            model.add(op.project, eventId, now, op.issue);
          }
          for (const other of pool)
            for (const project of [1, 2]) {
              expect(recent.has(project, other, now)).toBe(model.has(project, other, now));
              expect(recent.issueOf(project, other)).toBe(model.issueOf(project, other));
            }
        }
      },
    ),
    { numRuns: 2000 },
  );
});
