import fc from 'fast-check';
import type { Operator, Requirement } from '../k8s/label-selector';
import { customMetricValueListBytes, externalMetricValueListBytes } from './value-list-bytes';
import {
  customMetricValueList,
  externalMetricValueList,
  type ExternalSample,
  type ListResult,
  type ObjectSample,
} from './wire';

/** What a call answers: the body's bytes and the dropped count, or the message it throws. */
function outcome(build: () => ListResult<Buffer>): string {
  try {
    const { body, dropped } = build();
    return `${dropped} ${body.toString('base64')}`;
  } catch (err) {
    return `throws ${(err as Error).message}`;
  }
}

/** The same, from the object builder: the spec the serialiser must match byte for byte. */
const spec = (build: () => ListResult<object>) =>
  outcome(() => {
    const { body, dropped } = build();
    return { body: Buffer.from(JSON.stringify(body)), dropped };
  });

// Text that needs escaping: quotes, backslashes, control characters, non-ASCII, lone surrogates.
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0001', '\u2028', 'é', '😀', 'a', '-') }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const dnsName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);

const value = fc.oneof(
  fc.double(),
  fc.integer().map((i) => i / 8),
  fc.constantFrom('NaN', '+Inf', '-Inf', 'Infinity', '1e21', '-1e-7', '7E3', '0', '-0', ' 12 '),
  fc.stringMatching(/^-?\d{1,6}(\.\d{1,12})?$/),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  // Around 1.8e308, where decimal text stops being a finite Number.
  fc
    .tuple(fc.constantFrom('9', '1', '17976931348623157'), fc.integer({ min: 280, max: 320 }))
    .map(([lead, k]) => (lead + '0'.repeat(k)).slice(0, k)),
);
// Mostly one shared time, as one Prometheus answer has; sometimes any representable time.
const timestamp = fc.oneof(
  fc.constant(1700000000.25),
  fc.double({ min: -8e12, max: 8e12, noNaN: true }),
);
const windowSeconds = fc.option(fc.oneof(fc.nat(3600), fc.double()), { nil: undefined });

// The shapes the provider builds, from few kinds and namespaces so that runs of equal ones
// start and end; now and then another key order, an extra key or an undefined namespace.
const describedObject = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constantFrom('Pod', 'Service', 'Node'),
      namespace: fc.constantFrom('platform', 'kube-system'),
      name: fc.oneof(dnsName, text),
      apiVersion: fc.constantFrom('v1', 'apps/v1'),
    }),
  },
  fc.record({ kind: fc.constant('Node'), name: fc.oneof(dnsName, text), apiVersion: text }),
  fc.record({ kind: text, namespace: text, name: text, apiVersion: text }),
  fc.record({ name: dnsName, kind: fc.constant('Pod'), apiVersion: fc.constant('v1') }),
  fc.record({
    kind: fc.constant('Pod'),
    namespace: fc.constant(undefined),
    name: dnsName,
    apiVersion: fc.constant('v1'),
  }),
  fc.record({ kind: fc.constant('Pod'), name: dnsName, apiVersion: fc.constant('v1'), uid: text }),
);

const objectSamples = fc.array(
  fc.record(
    { describedObject, value, timestamp, windowSeconds },
    { requiredKeys: ['describedObject', 'value', 'timestamp'] },
  ),
  { maxLength: 25 },
) as fc.Arbitrary<ObjectSample[]>;

const operators: Operator[] = ['=', '==', 'in', '!=', 'notin', 'exists', '!', 'gt', 'lt'];
const selector: fc.Arbitrary<Requirement[]> = fc.array(
  fc.record({
    key: fc.oneof(dnsName, text),
    operator: fc.constantFrom(...operators),
    values: fc.array(fc.oneof(dnsName, text), { minLength: 1, maxLength: 3 }),
  }),
  { maxLength: 4 },
);

// Integer-like keys too (JSON.stringify writes them first, in numeric order), and now and then
// a value the types rule out, which JSON.stringify leaves out or writes its own way.
const labels = fc.dictionary(
  fc.oneof(dnsName, text, fc.nat(20).map(String)),
  fc.oneof({ weight: 20, arbitrary: text }, fc.constantFrom(undefined, null, 1.5, NaN)),
  { maxKeys: 5 },
);
const externalSamples = fc.array(
  fc.record(
    // null: a scalar's value, which has no labels.
    { labels: fc.option(labels, { nil: null, freq: 10 }), value, timestamp, windowSeconds },
    { requiredKeys: ['labels', 'value', 'timestamp'] },
  ),
  { maxLength: 25 },
) as fc.Arbitrary<ExternalSample[]>;

describe('customMetricValueListBytes (property)', () => {
  it('writes the bytes of JSON.stringify(customMetricValueList(…).body), for 20k lists', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('v1beta1', 'v1beta2'),
        fc.oneof(dnsName, text),
        objectSamples,
        selector,
        (version, metric, samples, sel) =>
          outcome(() => customMetricValueListBytes(version, metric, samples, sel)) ===
          spec(() => customMetricValueList(version, metric, samples, sel)),
      ),
      { numRuns: 20_000 },
    );
  });
});

describe('externalMetricValueListBytes (property)', () => {
  it('writes the bytes of JSON.stringify(externalMetricValueList(…).body), for 20k lists', () => {
    fc.assert(
      fc.property(
        fc.oneof(dnsName, text),
        externalSamples,
        (metric, samples) =>
          outcome(() => externalMetricValueListBytes(metric, samples)) ===
          spec(() => externalMetricValueList(metric, samples)),
      ),
      { numRuns: 20_000 },
    );
  });
});

describe('value list bytes', () => {
  // Large enough that the writer's scratch buffer grows, with multi-byte and surrogate-pair names.
  const pods = (n: number): ObjectSample[] =>
    Array.from({ length: n }, (_, i) => ({
      describedObject: {
        kind: 'Pod',
        namespace: 'platform',
        name: `pod-😀-é-${i}`,
        apiVersion: 'v1',
      },
      value: i % 7 === 0 ? 'NaN' : `${i}.25`,
      timestamp: 1700000000 + (i >> 8),
      ...(i % 3 === 0 ? { windowSeconds: 60 } : {}),
    }));

  it.each([0, 1, 3000])('matches the builder for %i pods', (n) => {
    const samples = pods(n);
    for (const version of ['v1beta1', 'v1beta2']) {
      const bytes = customMetricValueListBytes(version, 'm', samples, []);
      const list = customMetricValueList(version, 'm', samples, []);
      expect(bytes.body.equals(Buffer.from(JSON.stringify(list.body)))).toBe(true);
      expect(bytes.dropped).toBe(list.dropped);
    }
  });

  it('refuses a value that is not a number as the builder does', () => {
    const samples = pods(2).map((s) => ({ ...s, value: '0x10' }));
    expect(() => customMetricValueListBytes('v1beta2', 'm', samples, [])).toThrow(
      'invalid quantity value "0x10"',
    );
  });
});
