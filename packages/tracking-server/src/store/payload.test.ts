import fc from 'fast-check';
import { deflateRawSync } from 'node:zlib';
import { packPayload, unpackPayload } from './payload';

it('reads back every JSON text it stores, byte for byte', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string({ unit: 'grapheme' }), (value, text) => {
      const json = JSON.stringify({ value, text });
      expect(unpackPayload(packPayload(json))).toBe(json);
    }),
    { numRuns: 2000 },
  );
});

it('reads a payload stored as text, from before payloads were deflated, as it is', () => {
  const json = '{"event_id":"0123","message":"stored before"}';
  expect(unpackPayload(json)).toBe(json);
});

it('stores an event with a repeated stack trace in a fraction of its size', () => {
  const frames = Array.from({ length: 14 }, (_, i) => ({
    filename: `/app/node_modules/express/lib/router/layer${i}.js`,
    function: 'Layer.handle [as handle_request]',
    lineno: 100 + i,
    context_line: '    const total = cart.items.reduce((sum, item) => sum + item.price, 0);',
  }));
  const json = JSON.stringify({ exception: { values: [{ stacktrace: { frames } }] } });
  expect(packPayload(json).length).toBeLessThan(json.length / 3);
});

it('reads what a standard raw-deflate writer produced (the format is plain RFC 1951)', () => {
  const json = JSON.stringify({ message: 'ünïcode ✓', n: 1 });
  expect(unpackPayload(deflateRawSync(Buffer.from(json), { windowBits: 13 }))).toBe(json);
});

it('keeps every packed payload whole and intact across calls, at any size and in any script', () => {
  // Around the 64 KiB buffer the text is encoded into: 3-byte characters all but filling it
  // (65,519 bytes), a few more (past it), 4-byte ones (surrogate pairs), and a text far past it.
  const texts = [
    JSON.stringify({ m: '✓'.repeat(21_837) }),
    JSON.stringify({ m: '✓'.repeat(21_900) }),
    JSON.stringify({ m: '😀'.repeat(16_000) }),
    JSON.stringify({ m: 'x'.repeat(300_000) }),
  ];
  expect(Buffer.byteLength(texts[0] as string)).toBe(65_519);
  const packed = texts.map(packPayload);
  expect(packed.map(unpackPayload)).toEqual(texts);
});
