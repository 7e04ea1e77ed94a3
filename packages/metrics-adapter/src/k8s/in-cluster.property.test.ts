// clusterAuthentication against ConfigMaps a generator writes as kube-apiserver publishes
// kube-system/extension-apiserver-authentication (CA bundles as text, header settings as JSON
// lists of strings), read as k8s.io/apiserver's deserializeStrings reads them: a missing or
// empty key, or JSON null, is no entries (its `if len(in) == 0 { return nil, nil }`; the flags'
// X-Remote-* defaults are not the ConfigMap's). Anything else is an error naming the ConfigMap
// and the key, never a TypeError or a bare SyntaxError.
import { deepStrictEqual, ok } from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeApi } from './api';
import { clusterAuthentication } from './in-cluster';

const answering = (body: unknown): KubeApi => ({
  json: async <T>() => body as T,
  list: async () => ({}),
  watch: async () => undefined,
  close: () => undefined,
});

/** Each list setting and the field it fills. */
const FIELD = {
  'requestheader-allowed-names': 'allowedNames',
  'requestheader-username-headers': 'usernameHeaders',
  'requestheader-uid-headers': 'uidHeaders',
  'requestheader-group-headers': 'groupHeaders',
  'requestheader-extra-headers-prefix': 'extraHeaderPrefixes',
} as const;
type ListKey = keyof typeof FIELD;

/** One list setting: how it is written, and what it means. */
const listSetting = () =>
  fc.oneof(
    fc.array(fc.string({ unit: 'grapheme', maxLength: 10 }), { maxLength: 3 }).map((l) => ({
      written: JSON.stringify(l) as string | undefined,
      means: l,
    })),
    // Missing or empty: none.
    fc.constantFrom(undefined, '').map((w) => ({ written: w, means: [] as string[] })),
    fc.constant({ written: 'null' as string | undefined, means: [] as string[] }),
  );

const pem = fc.oneof(
  fc.constant(undefined),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
);

const configMap = fc.record({
  clientCA: pem,
  rhCA: pem,
  lists: fc.record({
    'requestheader-allowed-names': listSetting(),
    'requestheader-username-headers': listSetting(),
    'requestheader-uid-headers': listSetting(),
    'requestheader-group-headers': listSetting(),
    'requestheader-extra-headers-prefix': listSetting(),
  }),
  other: fc.dictionary(fc.constantFrom('x', '__proto__', 'toString'), fc.string(), { maxKeys: 2 }),
});

/** The answer: settings, or the Error's message; anything else fails. */
async function outcome(body: unknown): Promise<unknown> {
  try {
    return await clusterAuthentication(answering(body));
  } catch (err) {
    ok(err instanceof Error && err.constructor === Error, `threw ${String(err)}`);
    ok(err.message.startsWith('extension-apiserver-authentication: '), err.message);
    return err.message;
  }
}

describe('clusterAuthentication (properties)', () => {
  it('reads a published ConfigMap as its settings mean (10k cases)', async () => {
    await fc.assert(
      fc.asyncProperty(configMap, async (m) => {
        const data: Record<string, string> = { ...m.other };
        if (m.clientCA !== undefined) data['client-ca-file'] = m.clientCA;
        if (m.rhCA !== undefined) data['requestheader-client-ca-file'] = m.rhCA;
        for (const [key, s] of Object.entries(m.lists))
          if (s.written !== undefined) data[key] = s.written;
        const expected = {
          ...(m.clientCA ? { clientCA: m.clientCA } : {}),
          ...(m.rhCA
            ? {
                requestHeader: {
                  ca: m.rhCA,
                  ...Object.fromEntries(
                    Object.entries(m.lists).map(([k, s]) => [FIELD[k as ListKey], s.means]),
                  ),
                },
              }
            : {}),
        };
        deepStrictEqual(await outcome({ kind: 'ConfigMap', data }), expected);
      }),
      { numRuns: 10_000 },
    );
  });

  it('names the key whose value is not a JSON list of strings (10k cases)', async () => {
    const notAList = fc.oneof(
      fc.string().filter((s) => {
        try {
          const v: unknown = JSON.parse(s);
          return !(v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string')));
        } catch {
          return s !== '';
        }
      }),
      fc
        .jsonValue()
        .map((v) => JSON.stringify(v))
        .filter((s) => !/^(null|\[("([^"\\]|\\.)*",?)*\])$/.test(s)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(FIELD) as ListKey[])),
        notAList,
        async (key, bad) => {
          const got = await outcome({ data: { 'requestheader-client-ca-file': 'ca', [key]: bad } });
          ok(
            typeof got === 'string' && got.includes(key),
            `${JSON.stringify(got)} does not name ${key}`,
          );
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('answers any ConfigMap body with settings or an error naming the ConfigMap (10k cases)', async () => {
    const key = fc.constantFrom(
      'client-ca-file',
      'requestheader-client-ca-file',
      ...Object.keys(FIELD),
      '__proto__',
    );
    const body = fc.oneof(
      fc.anything(),
      fc.record({ data: fc.anything() }),
      fc.record({
        data: fc.dictionary(
          key,
          fc.oneof(
            fc.anything(),
            fc.jsonValue().map((v) => JSON.stringify(v)),
          ),
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => void (await outcome(b))),
      { numRuns: 10_000 },
    );
  });
});

// Found by the properties above: a value that was not JSON threw JSON.parse's SyntaxError,
// naming neither the ConfigMap nor the key; JSON null, which Go reads as no entries, was refused;
// a body of null threw a TypeError.
describe('clusterAuthentication (examples)', () => {
  it.each<[unknown, unknown]>([
    [
      {
        data: {
          'requestheader-client-ca-file': 'ca',
          'requestheader-group-headers': '[X-Remote-Group]',
        },
      },
      'extension-apiserver-authentication: requestheader-group-headers "[X-Remote-Group]" is not a JSON list of strings',
    ],
    [
      { data: { 'requestheader-client-ca-file': 'ca', 'requestheader-allowed-names': 'null' } },
      {
        // No header named: upstream's deserializeStrings reads a missing key as none, so no
        // front-proxy request names its user (the flags' X-Remote-* defaults do not apply).
        requestHeader: {
          ca: 'ca',
          allowedNames: [],
          usernameHeaders: [],
          uidHeaders: [],
          groupHeaders: [],
          extraHeaderPrefixes: [],
        },
      },
    ],
    [
      {
        // As kubeadm's kube-apiserver publishes it (1.32).
        data: {
          'client-ca-file': 'client-ca',
          'requestheader-client-ca-file': 'ca',
          'requestheader-allowed-names': '["front-proxy-client"]',
          'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
          'requestheader-group-headers': '["X-Remote-Group"]',
          'requestheader-uid-headers': '["X-Remote-Uid"]',
          'requestheader-username-headers': '["X-Remote-User"]',
        },
      },
      {
        clientCA: 'client-ca',
        requestHeader: {
          ca: 'ca',
          allowedNames: ['front-proxy-client'],
          usernameHeaders: ['X-Remote-User'],
          uidHeaders: ['X-Remote-Uid'],
          groupHeaders: ['X-Remote-Group'],
          extraHeaderPrefixes: ['X-Remote-Extra-'],
        },
      },
    ],
    [
      { data: { 'client-ca-file': 42 } },
      'extension-apiserver-authentication: client-ca-file is not a string',
    ],
    [
      {
        data: {
          'requestheader-client-ca-file': 'ca',
          'requestheader-uid-headers': '["X-Remote-Uid","X-Other-Uid"]',
        },
      },
      {
        requestHeader: {
          ca: 'ca',
          allowedNames: [],
          usernameHeaders: [],
          uidHeaders: ['X-Remote-Uid', 'X-Other-Uid'],
          groupHeaders: [],
          extraHeaderPrefixes: [],
        },
      },
    ],
    [
      {
        data: { 'requestheader-client-ca-file': 'ca', 'requestheader-uid-headers': 'X-Remote-Uid' },
      },
      'extension-apiserver-authentication: requestheader-uid-headers "X-Remote-Uid" is not a JSON list of strings',
    ],
    [null, {}],
  ])('%j', async (body, expected) => {
    const got = clusterAuthentication(answering(body));
    // A string is the error's message.
    if (typeof expected === 'string') await expect(got).rejects.toThrow(expected);
    else await expect(got).resolves.toEqual(expected);
  });
});
