import { createScrubber, FILTERED, type ScrubReport } from './scrub';

// relay-pii src/convert.rs test_sanitize_http_body: a request body sent as JSON text is parsed
// (relay-event-normalization request.rs normalize_data) and its keys scrubbed as keys.
// @sentry/node's extractRequestData sends a parsed body as `JSON.stringify(normalize(req.body))`.
describe('PII scrubbing of a request body sent as JSON text', () => {
  const scrub = createScrubber({ enabled: true });

  it('filters the values of sensitive keys in it, as Relay does', () => {
    const event = { request: { data: '{"email":"zzzz@gmail.com","password":"zzzzz"}' } };
    const report: ScrubReport = { changed: false };
    expect(scrub(event, report)).toEqual({
      request: { data: '{"email":"zzzz@gmail.com","password":"[Filtered]"}' },
    });
    expect(report.changed).toBe(true);
  });

  it('reads nested keys, arrays and card numbers sent as JSON numbers in it', () => {
    const body = JSON.stringify({
      user: { name: 'ann', credentials: { user: 'ann', pass: 'p' } },
      items: [{ sku: 'a-1', qty: 2 }],
      card: 4111111111111111,
      headers: [['X-Api-Key', 'k1']],
    });
    const out = scrub({ request: { method: 'POST', data: body } }) as {
      request: { data: string };
    };
    expect(JSON.parse(out.request.data)).toEqual({
      user: { name: 'ann', credentials: { user: FILTERED, pass: FILTERED } },
      items: [{ sku: 'a-1', qty: 2 }],
      card: FILTERED,
      headers: [['X-Api-Key', FILTERED]],
    });
  });

  it('keeps a body with nothing to filter as sent, byte for byte, and reports no change', () => {
    const data = '{ "user" : "bob",\n  "n": 12345678901234567890 }';
    const report: ScrubReport = { changed: true };
    expect(scrub({ request: { data } }, report)).toEqual({ request: { data } });
    expect(report.changed).toBe(false);
  });

  it('writes a body that repeats a key again, without the values its parse dropped', () => {
    // JSON.parse keeps the last value of a key; the text as sent still holds the first.
    for (const data of [
      '{"note":"Bearer abc.def.ghi","note":"ok"}',
      '{"password":"hunter2","password":"[Filtered]"}',
      '{"a":{"k":"4111 1111 1111 1111"} , "a" : {"k":"x"}}',
    ]) {
      const report: ScrubReport = { changed: false };
      const out = scrub({ request: { data } }, report) as { request: { data: string } };
      expect(out.request.data).not.toMatch(/abc\.def|hunter2|4111/);
      expect(out.request.data).toBe(JSON.stringify(JSON.parse(data)));
      expect(report.changed).toBe(true);
    }
  });

  it('reads a body that is not JSON as text, and leaves other fields named data alone', () => {
    // As text, a key written as JSON's is still a key: its value is filtered (until 2026-12-07
    // it was kept).
    expect(scrub({ request: { data: '{"password": broken' } })).toEqual({
      request: { data: `{"password": "${FILTERED}"` },
    });
    expect(scrub({ request: { data: '{"note": broken' } })).toEqual({
      request: { data: '{"note": broken' },
    });
    expect(scrub({ request: { data: 'user=bob&password=hunter2' } })).toEqual({
      request: { data: `user=bob&password=${FILTERED}` },
    });
    expect(scrub({ extra: { data: '{"note":"ok"}' } })).toEqual({
      extra: { data: '{"note":"ok"}' },
    });
  });
});
