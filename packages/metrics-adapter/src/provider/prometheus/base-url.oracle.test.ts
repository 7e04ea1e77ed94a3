// --prometheus-url against Go itself: 5,000 random URLs a run, built by a grammar here (schemes,
// user info, DNS names, IPv4 and IPv6 literals, escapes, ports, paths with dots, slashes and
// escapes, queries, fragments) and some of them one character off, are given to Go
// (testdata/url-oracle: url.Parse, upstream's path.Join, and a request sent by Go's own
// http.Client over a pipe) and read here (parsePrometheusUrl, apiUrl, and node:http's own reading
// of the URL, url.urlToHttpOptions). Both must refuse a URL, or both dial the same host and port
// and ask the same path with the same Basic credentials. Where they part on purpose, BY_DESIGN
// says why. The e2e suite needs Go too; without it this test fails, naming it.
import { SocketAddress } from 'node:net';
import { join } from 'node:path';
import { urlToHttpOptions } from 'node:url';
import fc from 'fast-check';
import { askGoOracle } from '../../testing/go-oracle';
import { oneCharOff } from '../../testing/near-miss';
import { apiUrl, parsePrometheusUrl, PrometheusUrlError } from './base-url';

type GoAnswer = { error: string } | { dial: string; head: string };
/** Where a request goes: host and port dialled, the path asked, the Basic credentials sent. */
type Sent = { host: string; port: number; path: string; auth: string | null };
type Ours = { sent: Sent } | { refused: string };

const label = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'prometheus',
      'thanos',
      'monitoring',
      'svc',
      'cluster',
      'local',
      'h',
    ),
  },
  fc.constantFrom(
    'a_b',
    'a-b',
    '-a',
    'a-',
    '0x7f',
    '010',
    '1',
    '255',
    '256',
    'Prom',
    'xn--bcher-kva',
    '',
  ),
  fc.constantFrom(
    'bücher',
    'straße',
    'ПРИМЕР',
    'b%C3%BCcher',
    '%41',
    '%25',
    'a<b',
    'a!b',
    'a b',
    'a%2eb',
  ),
  fc.stringMatching(/^[a-z0-9]{1,70}$/),
);
const ipv4 = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.')),
  fc.constantFrom(
    '127.0.0.1',
    '127.1',
    '0x7f.0.0.1',
    '010.0.0.1',
    '1.2.3',
    '4294967295',
    '1.2.3.4.',
  ),
);
const ipv6 = fc.constantFrom(
  '[::1]',
  '[fe80::1%25eth0]',
  '[fe80::1%eth0]',
  '[::ffff:1.2.3.4]',
  '[1.2.3.4]',
  '[2001:db8::]',
  '[2001:DB8:0:0:0:0:0:1]',
  '[::1',
  'fe80::1',
  '[::1]x',
  '[0:0:0:0:0:0:0:0:0]',
);
const host = fc.oneof(
  { weight: 4, arbitrary: fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.')) },
  ipv4,
  ipv6,
  fc.constantFrom('', '.', 'h.', 'localhost', 'h..', 'a\\b'),
);
const port = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  fc.constantFrom(':', ':9090', ':080', ':0', ':65535', ':65536', ':99999', ':x', ':1:2', ':9090 '),
);
const userinfo = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  fc.constantFrom(
    'u@',
    'u:p@',
    'tenant:s3cret@',
    ':p@',
    'u:@',
    '@',
    ':@',
    'u%40x:p%3Ab@',
    'u:p@q@',
  ),
  fc.constantFrom('u%FF@', 'u%zz@', 'u p@', 'ü@', 'u/p@', "u!$&'()*+,;=~.-_@", 'u:p:q@'),
);
const segment = fc.constantFrom(
  'api',
  'prom',
  'v1',
  '',
  '.',
  '..',
  '%2F',
  '%2e',
  '%2E%2E',
  '%zz',
  '%',
  '~',
  '!',
  '*',
  "'",
  'a b',
  '\\',
  'ü',
  '%C3%A9',
  '%FF',
  'a;b',
  'a=b',
  '@',
  ':',
  '[x]',
  '%7e',
  '"',
  '<',
  '{',
  '|',
);
const path = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join('/')}`),
);
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  fc.constantFrom('?', '?dedup=false', '?a=%zz&b', '?x=1?y', '??'),
);
const fragment = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  fc.constantFrom('#', '#x', '#%', '#%41', '#%zz', '#a#b'),
);
const scheme = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('http://', 'https://', 'HTTP://', 'Https://') },
  fc.constantFrom(
    'ftp://',
    '',
    'http:',
    'http:/',
    'http:///',
    'http:\\\\',
    '//',
    ' http://',
    '1http://',
  ),
);
const url = fc
  .tuple(scheme, userinfo, host, port, path, query, fragment)
  .map((parts) => parts.join(''));
const mutated = oneCharOff(
  url,
  fc.constantFrom('/', '\\', ':', '@', '%', '?', '#', '[', ']', ' ', '\t', 'a', '.', '\u0000'),
);

const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** An address as one text whatever the notation: an IPv6 address in its canonical form. */
function address(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (!bare.includes(':')) return bare.toLowerCase();
  return `[${new SocketAddress({ address: bare, family: 'ipv6' }).address}]`;
}

function goSent(answer: { dial: string; head: string }): Sent {
  const colon = answer.dial.lastIndexOf(':');
  const [requestLine = '', ...headers] = answer.head.split('\r\n');
  const basic = headers.find((h) => h.startsWith('Authorization: Basic '));
  return {
    host: address(answer.dial.slice(0, colon)),
    port: Number(answer.dial.slice(colon + 1)),
    path: (requestLine.split(' ')[1] ?? '').split('?')[0] as string,
    auth: basic
      ? Buffer.from(basic.slice('Authorization: Basic '.length), 'base64').toString('latin1')
      : null,
  };
}

function ours(text: string): Ours {
  let sent: URL;
  try {
    sent = new URL(
      apiUrl(parsePrometheusUrl(text), '/api/v1/series', new URLSearchParams({ 'match[]': 'up' })),
    );
  } catch (err) {
    if (!(err instanceof PrometheusUrlError)) throw err;
    return { refused: err.message };
  }
  // What node:http makes of the URL it is given: host, port and the credentials it sends.
  const options = urlToHttpOptions(sent);
  if (sent.searchParams.getAll('match[]').join() !== 'up')
    throw new Error(`the call's query is lost: ${sent}`);
  return {
    sent: {
      host: address(sent.hostname),
      port: sent.port === '' ? (DEFAULT_PORT[sent.protocol] as number) : Number(sent.port),
      path: sent.pathname,
      auth: options.auth ? Buffer.from(options.auth, 'utf8').toString('latin1') : null,
    },
  };
}

/** Where this reading parts from Go's on purpose, and why. */
const BY_DESIGN: { why: string; holds: (text: string, go: GoAnswer, ours: Ours) => boolean }[] = [
  {
    why: 'an IPv6 zone (fe80::1%25eth0): Node’s URL cannot hold one, so it is refused, naming it',
    holds: (_t, go, o) =>
      'dial' in go && go.dial.includes('%') && 'refused' in o && o.refused.includes('IPv6 zone'),
  },
  {
    why: 'an empty user info ("@host", ":@host"), which Go sends as empty Basic credentials: more likely a slip',
    holds: (_t, go, o) =>
      'dial' in go && 'refused' in o && o.refused.includes('the user info before "@" is empty'),
  },
  {
    why: 'user info that is not UTF-8 once decoded (%FF): node:http decodes it as UTF-8 and cannot send those bytes',
    holds: (_t, go, o) =>
      'dial' in go && 'refused' in o && o.refused.includes('user info is not UTF-8'),
  },
  {
    why: 'a name Node’s URL reads as an IPv4 address (0x7f.1): Go looks it up, so whichever is meant, one of them errs',
    holds: (_t, go, o) =>
      'dial' in go && 'refused' in o && o.refused.includes('to Node and a name to look up to Go'),
  },
  {
    why: 'no host but a port (http://:9090), which Go dials as this machine: a host left out',
    holds: (_t, go, o) =>
      'dial' in go && go.dial.startsWith(':') && 'refused' in o && o.refused.startsWith('no host'),
  },
  {
    why: 'a name ending in a number (h.010, h.0x7f), which Node’s URL reads as an IPv4 address and refuses: no top-level domain is a number',
    holds: (_t, go, o) => 'dial' in go && 'refused' in o && o.refused.includes('ends in a number'),
  },
  {
    why: 'a host with two colons outside brackets (http://fe80::1:9090, http://h::): Go before 1.26, and 1.26 for a module of an earlier go version (upstream’s), takes what follows the last colon as the port; RFC 3986 and Go 1.26 refuse it',
    holds: (_t, go, o) =>
      'dial' in go && 'refused' in o && /^invalid port ":[^"]*:/.test(o.refused),
  },
  {
    why: 'a host whose escapes decode to bytes that are not UTF-8 (%eb): Go’s IDNA reads each such byte as U+FFFD and looks that name up',
    holds: (_t, go, o) => 'dial' in go && 'refused' in o && o.refused.includes('host is not UTF-8'),
  },
  {
    why: 'an ASCII "xn--" label that is not Punycode: Go looks the name up as it is, Node’s URL refuses it; no name is registered so',
    holds: (_t, go, o) =>
      'dial' in go && 'refused' in o && o.refused.includes('that is not Punycode'),
  },
];

describe("--prometheus-url against Go's url.Parse, path.Join and http.Client", () => {
  it('refuses what Go cannot send and sends the rest where Go does, for 5,000 random URLs', () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const texts = fc.sample(fc.oneof(url, url, mutated), { numRuns: 5_000, seed });
    const answers = askGoOracle<GoAnswer[]>(
      'the Go net/url and net/http oracle',
      join(__dirname, 'testdata', 'url-oracle'),
      texts,
    );
    const differ: unknown[] = [];
    const seen = { sent: 0, refused: 0, byDesign: 0 };
    for (const [i, text] of texts.entries()) {
      const go = answers[i] as GoAnswer;
      const got = ours(text);
      if ('error' in go && 'refused' in got) seen.refused++;
      else if (
        'dial' in go &&
        'sent' in got &&
        JSON.stringify(goSent(go)) === JSON.stringify(got.sent)
      )
        seen.sent++;
      else if (BY_DESIGN.some((d) => d.holds(text, go, got))) seen.byDesign++;
      else differ.push({ text, go: 'dial' in go ? goSent(go) : go, ours: got });
    }
    expect({ seed, differ: differ.slice(0, 20) }).toEqual({ seed, differ: [] });
    // The grammar reaches both outcomes often enough for the comparison to mean something.
    expect(seen.sent).toBeGreaterThan(1_000);
    expect(seen.refused).toBeGreaterThan(1_000);
  });
});
