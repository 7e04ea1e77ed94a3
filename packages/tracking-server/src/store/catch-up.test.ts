// A session read's catch-up (writer.ts, catchUpSessions): in steps the writer can put commits
// between, until nothing waits or its time is up.
import { catchUpSessions } from './writer';

/** A writer whose indexSessions answers each step with the next of `waiting`, and records it. */
function fakeWriter(waiting: number[], onStep: () => void = () => {}) {
  const steps: (number | undefined)[] = [];
  return {
    steps,
    indexSessions: async (budget?: number) => {
      steps.push(budget);
      onStep();
      return waiting.shift() ?? 0;
    },
  };
}

it('asks for one small step after another until none waits', async () => {
  const writer = fakeWriter([900, 640, 380, 120, 0, 55]);
  await catchUpSessions(writer, () => 0);
  expect(writer.steps).toEqual([256, 256, 256, 256, 256]);
});

it('asks once when nothing waits', async () => {
  const writer = fakeWriter([0]);
  await catchUpSessions(writer, () => 0);
  expect(writer.steps).toEqual([256]);
});

it('stops after a second while more keep coming', async () => {
  let clock = 0;
  // Each step takes 150 ms of the fake clock and more always waits.
  const writer = fakeWriter(Array(100).fill(4_000), () => (clock += 150));
  await catchUpSessions(writer, () => clock);
  // 150, 300, … 1,050 ms: the seventh step ends past the second, and no eighth is asked.
  expect(writer.steps).toHaveLength(7);
});
