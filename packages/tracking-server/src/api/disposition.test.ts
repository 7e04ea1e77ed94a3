import fc from 'fast-check';
import { attachmentDisposition } from './disposition';

describe('attachmentDisposition', () => {
  it.each([
    ['config.json', 'attachment; filename="config.json"'],
    ['a "quoted" \\ name.txt', 'attachment; filename="a \\"quoted\\" \\\\ name.txt"'],
    ['../../etc/passwd', 'attachment; filename="passwd"'],
    // Latin-1 letters: ASCII stand-ins in filename, the name in filename* (RFC 8187).
    ['Größe.csv', `attachment; filename="Gr??e.csv"; filename*=UTF-8''Gr%C3%B6%C3%9Fe.csv`],
    ['écran.png', `attachment; filename="?cran.png"; filename*=UTF-8''%C3%A9cran.png`],
    ['日本.log', `attachment; filename="??.log"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.log`],
    ['a\r\nb.txt', `attachment; filename="a??b.txt"; filename*=UTF-8''a%0D%0Ab.txt`],
    ['50% off (1).pdf', 'attachment; filename="50% off (1).pdf"'],
  ])('names %j as %s', (name, header) => {
    expect(attachmentDisposition(name)).toBe(header);
  });

  it('is a header of printable ASCII whose filename* decodes to the name, whatever the name', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('/')),
        (name) => {
          const header = attachmentDisposition(name);
          expect(header).toMatch(/^[\x20-\x7e]*$/);
          const star = /; filename\*=UTF-8''([^;]*)$/.exec(header);
          const fallback = /^attachment; filename="((?:[^"\\]|\\.)*)"/
            .exec(header)?.[1]
            ?.replace(/\\(.)/g, '$1');
          expect(star ? decodeURIComponent(star[1] as string) : fallback).toBe(name);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
