// Content-Disposition of a download named by an SDK (RFC 6266): `filename` in printable ASCII
// for every client, and, where the name is anything else, the name itself in `filename*`
// (RFC 8187: UTF-8, percent-encoded). express's res.attachment wrote a name of Latin-1 letters
// (`Größe.csv`) in `filename` alone, and clients saved it as `Grýýe.csv`.
import { basename } from 'node:path';

/** RFC 8187's attr-char: what `filename*` may hold unencoded. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+.^_`|~-]/;

/** `attachment` for a file named `name`, its directories left out (`../../etc/passwd` is `passwd`). */
export function attachmentDisposition(name: string): string {
  const base = basename(name);
  const ascii = base.replace(/[^\x20-\x7e]/g, '?');
  const quoted = `attachment; filename="${ascii.replace(/[\\"]/g, '\\$&')}"`;
  if (ascii === base) return quoted;
  let encoded = '';
  for (const byte of Buffer.from(base, 'utf8')) {
    const c = String.fromCharCode(byte);
    encoded +=
      byte < 0x80 && ATTR_CHAR.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `${quoted}; filename*=UTF-8''${encoded}`;
}
