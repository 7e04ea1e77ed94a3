import fc from 'fast-check';
import {
  createScrubber,
  FILTERED,
  IP_REPLACEMENT,
  keepsIpAddressesOut,
  scrubString,
} from './scrub';

// A project's `scrub.ipAddresses`: Sentry's "Prevent Storing of IP Addresses". Relay's
// to_pii_config (relay-pii convert.rs) with scrub_ip_addresses removes $request.env.REMOTE_ADDR,
// $user.ip_address and $sdk.client_ip (KNOWN_IP_FIELDS) and applies `@ip:replace` to every
// string but a frame's file and the User-Agent (DATASCRUBBER_IGNORE). Until 2026-12-07 there was
// no such option.
describe('PII scrubbing of a project that keeps IP addresses out', () => {
  const ips = createScrubber({ enabled: true, ipAddresses: true });
  const ip = IP_REPLACEMENT;

  it('removes the fields that hold the sender’s address, whatever they hold', () => {
    const report = { changed: false };
    const event = {
      user: { id: 'u-42', ip_address: '203.0.113.9' },
      sdk: { name: 'sentry.javascript.node', client_ip: '203.0.113.9' },
      request: { url: 'https://x.example/', env: { REMOTE_ADDR: '203.0.113.9', SERVER_NAME: 'x' } },
    };
    expect(ips(event, report)).toEqual({
      user: { id: 'u-42' },
      sdk: { name: 'sentry.javascript.node' },
      request: { url: 'https://x.example/', env: { SERVER_NAME: 'x' } },
    });
    expect(report.changed).toBe(true);
    expect(keepsIpAddressesOut(event)).toBe(true);
    // `{{auto}}` too, so that nothing fills it in; env as Sentry's pairs.
    expect(
      ips({
        user: { ip_address: '{{auto}}' },
        request: {
          env: [
            ['REMOTE_ADDR', '10.0.0.1'],
            ['SERVER_PORT', '80'],
          ],
        },
      }),
    ).toEqual({ user: {}, request: { env: [['SERVER_PORT', '80']] } });
    // An OTLP span's attributes: the client's address.
    expect(ips({ 'client.address': '10.0.0.1', 'http.route': '/a' })).toEqual({
      'http.route': '/a',
    });
  });

  it('replaces IPv4 and IPv6 addresses in any string with [ip]', () => {
    const cases: [string, string][] = [
      ['from 10.1.2.3 and [2001:db8::7]', `from ${ip} and [${ip}]`],
      ['connect ECONNREFUSED 127.0.0.1:5432', `connect ECONNREFUSED ${ip}:5432`],
      ['X-Forwarded-For: 203.0.113.9, 10.0.0.1', `X-Forwarded-For: ${ip}, ${ip}`],
      ['http://[::1]:3000/x', `http://[${ip}]:3000/x`],
      ['::1', ip],
      ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', ip],
      ['fe80::1%eth0 up', `${ip} up`],
      ['mapped ::ffff:192.168.0.1', `mapped ${ip}`],
      ['1:2:3:4:5:6:1.2.3.4', ip],
    ];
    for (const [s, want] of cases) expect([s, ips.text(s)]).toEqual([s, want]);
    for (const kept of [
      'at 16:13:32.314Z',
      'app.js:95:5',
      'MAC 4a:00:04:10:9b:50',
      'std::vector',
      'version 1.2.3.4.5',
      'v1.2.3.4',
      '10.0.0.256',
      '1.2.3',
      '::',
    ])
      expect([kept, ips.text(kept)]).toEqual([kept, kept]);
    // Masked in place in an attachment's bytes.
    expect(ips.mask('peer 10.0.0.1 up')).toBe('peer ******** up');
    // Without the option, addresses stay.
    expect(scrubString('from 10.1.2.3')).toBe('from 10.1.2.3');
  });

  it("keeps frames' files and source lines, versions and the User-Agent as sent", () => {
    const frame = {
      filename: 'http://10.0.0.5:3000/static/app.js',
      abs_path: 'http://10.0.0.5:3000/static/app.js',
      function: 'load',
      context_line: "fetch('http://10.0.0.5:3000/api')",
    };
    expect(
      ips({
        release: '1.0.0.0',
        contexts: { browser: { name: 'Chrome', version: '120.0.0.0' } },
        request: {
          headers: [
            ['User-Agent', 'Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36'],
            ['X-Real-IP', '10.0.0.9'],
          ],
        },
        exception: { values: [{ value: 'from 10.0.0.9', stacktrace: { frames: [frame] } }] },
      }),
    ).toEqual({
      release: '1.0.0.0',
      contexts: { browser: { name: 'Chrome', version: '120.0.0.0' } },
      request: {
        headers: [
          ['User-Agent', 'Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36'],
          ['X-Real-IP', ip],
        ],
      },
      exception: {
        values: [{ value: `from ${ip}`, stacktrace: { frames: [frame] } }],
      },
    });
  });

  it('does so alone for a project that does not scrub otherwise', () => {
    const only = createScrubber({ enabled: false, ipAddresses: true });
    const event = {
      user: { ip_address: '10.0.0.1', email: 'a@example.com' },
      extra: { password: 'p', note: 'from 10.0.0.1', card: '4111 1111 1111 1111' },
    };
    expect(only(event)).toEqual({
      user: { email: 'a@example.com' },
      extra: { password: 'p', note: `from ${ip}`, card: '4111 1111 1111 1111' },
    });
    expect(only.text('password=p from 10.0.0.1')).toBe(`password=p from ${ip}`);
    expect(createScrubber({ enabled: false }).text('from 10.0.0.1')).toBe('from 10.0.0.1');
    // Scrubbing on, the option off: nothing is removed or replaced.
    const on = createScrubber({ enabled: true });
    const kept = { user: { ip_address: '10.0.0.1' }, message: 'from 10.0.0.1' };
    expect(on(structuredClone(kept))).toEqual(kept);
    expect(keepsIpAddressesOut(kept)).toBe(false);
    expect(createScrubber({ enabled: true, ipAddresses: true }).text(`a ${FILTERED}`)).toBe(
      `a ${FILTERED}`,
    );
  });

  it('replaces any IPv4 address, and any IPv6 address however written, in any text', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const v4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
    const v6 = fc
      .tuple(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
        fc.nat(8),
        fc.nat(8),
      )
      .map(([groups, from, length]) => {
        const hex = groups.map((g) => g.toString(16));
        // `::` in place of a run of groups, as addresses are shortened (RFC 5952), or none.
        const start = Math.min(from, 7);
        const end = Math.min(8, start + length);
        return end - start >= 2
          ? `${hex.slice(0, start).join(':')}::${hex.slice(end).join(':')}`
          : hex.join(':');
      });
    const around = fc.string({ maxLength: 12 }).map((s) => s.replace(/[\w:.%[\]*]/g, ' '));
    fc.assert(
      // `::` alone (all zeros) is left out: as text it is mostly a scope (`Foo ::bar`).
      fc.property(
        fc.oneof(
          v4,
          v6.filter((a) => a !== '::'),
        ),
        around,
        around,
        (address, before, after) => {
          const s = `${before} ${address} ${after}`;
          const out = ips.text(s);
          expect(out).not.toContain(` ${address} `);
          expect(out).toContain(` ${ip} `);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
