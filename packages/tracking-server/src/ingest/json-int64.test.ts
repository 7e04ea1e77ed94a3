import { quoteLongInts } from './json-int64';

describe('long integers of an OTLP JSON body', () => {
  it.each([
    ['{"intValue":9007199254740993}', '{"intValue":"9007199254740993"}'],
    ['{"int_value" : -9223372036854775808 }', '{"int_value" : "-9223372036854775808" }'],
    [
      '[{"intValue":1000000000000000},{"intValue":7}]',
      '[{"intValue":"1000000000000000"},{"intValue":7}]',
    ],
    // Too long for an int64 is quoted too: its text is then refused by name, not read rounded.
    ['{"intValue":92233720368547758080}', '{"intValue":"92233720368547758080"}'],
  ])('quotes %s', (text, quoted) => {
    expect(quoteLongInts(text)).toBe(quoted);
  });

  it.each([
    ['15 digits, exact as a number', '{"intValue":900719925474099}'],
    ['a string holding the key', '{"stringValue":"{\\"intValue\\":12345678901234567}"}'],
    ['a fraction', '{"intValue":12345678901234567.5}'],
    ['an exponent', '{"intValue":12345678901234567e3}'],
    ['another field', '{"doubleValue":12345678901234567}'],
    ['a time', '{"timeUnixNano":1700000000000000000}'],
  ])('leaves %s as it is', (_what, text) => {
    expect(quoteLongInts(text)).toBe(text);
  });
});
