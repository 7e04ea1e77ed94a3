import fc from 'fast-check';
import { createScrubber, FILTERED, scrubString } from './scrub';

describe('PII scrubbing', () => {
  const scrub = createScrubber({ enabled: true });

  it('filters values under sensitive keys, at any depth, keeping the shape', () => {
    expect(
      scrub({
        extra: { password: 'hunter2', api_key: 'k', nested: { AuthToken: 'x', ok: 'fine' } },
        request: {
          headers: { Authorization: 'Basic abc', 'X-Request-Id': '42' },
          cookies: { sid: 'abc' },
        },
        user: { id: 'u1' },
      }),
    ).toEqual({
      extra: { password: FILTERED, api_key: FILTERED, nested: { AuthToken: FILTERED, ok: 'fine' } },
      request: {
        headers: { Authorization: FILTERED, 'X-Request-Id': '42' },
        cookies: { sid: FILTERED },
      },
      user: { id: 'u1' },
    });
  });

  it('filters card numbers only when Luhn-valid', () => {
    expect(scrubString('paid with 4111 1111 1111 1111 today')).toBe(`paid with ${FILTERED} today`);
    expect(scrubString('card 5500-0000-0000-0004')).toBe(`card ${FILTERED}`);
    expect(scrubString('order 4111 1111 1111 1112 shipped')).toBe(
      'order 4111 1111 1111 1112 shipped',
    );
  });

  it("leaves a UUID whole when its digits have a card number's shape and checksum", () => {
    // 1234567812341232 is Luhn-valid; in a UUID it is an id (an event's, a correlation id).
    const id = '12345678-1234-1232-abcd-0123456789ab';
    expect(scrubString(id)).toBe(id);
    expect(scrubString(`req-${id.toUpperCase()}`)).toBe(`req-${id.toUpperCase()}`);
    expect(scrubString(`card 1234 5678 1234 1232 for order ${id}`)).toBe(
      `card ${FILTERED} for order ${id}`,
    );
  });

  it('filters bearer tokens, PEM private keys and secret URL parameters anywhere', () => {
    expect(scrubString('call failed: Bearer eyJhbGciOi.J9.x-y_z')).toBe(
      `call failed: Bearer ${FILTERED}`,
    );
    expect(
      scrubString('key: -----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY----- end'),
    ).toBe(`key: ${FILTERED} end`);
    expect(scrubString('GET https://api.example.com/v1?user=3&access_token=abc123&x=1')).toBe(
      `GET https://api.example.com/v1?user=3&access_token=${FILTERED}&x=1`,
    );
  });

  it('rewrites the event in place rather than copying it', () => {
    const event = { extra: { password: 'p' } };
    expect(scrub(event)).toBe(event);
    expect(event.extra.password).toBe(FILTERED);
  });

  it('leaves ordinary words alone', () => {
    expect(
      scrub({ message: 'Authentication failed for user jane', note: 'token bucket empty' }),
    ).toEqual({
      message: 'Authentication failed for user jane',
      note: 'token bucket empty',
    });
  });

  it('takes per-project extra and safe keys, and can be turned off', () => {
    const custom = createScrubber({ enabled: true, extraKeys: ['ssn'], safeKeys: ['session_id'] });
    expect(custom({ ssn: '123-45-6789', session_id: 's-1', session: 'x' })).toEqual({
      ssn: FILTERED,
      session_id: 's-1',
      session: FILTERED,
    });
    expect(createScrubber({ enabled: false })({ password: 'p' })).toEqual({ password: 'p' });
  });

  it('reports whether it changed anything, so an untouched event can be stored as sent', () => {
    const report = { changed: true };
    scrub({ message: 'Cannot read properties of undefined', tags: { n: 4 } }, report);
    expect(report.changed).toBe(false);
    scrub({ message: 'paid with 4111 1111 1111 1111' }, report);
    expect(report.changed).toBe(true);
    scrub({ extra: { cookie: { sid: 'abc' } } }, report);
    expect(report.changed).toBe(true);
  });

  it('reports a text that repeats a key changed: it holds a value its parse dropped', () => {
    const report = { changed: false };
    const keep = (text: string) => {
      scrub(JSON.parse(text), report, text);
      return !report.changed;
    };
    expect(keep('{"message":"m","tags":{"n":"4"}}')).toBe(true);
    expect(keep('{ "message" : "he said \\"x\\": 12:30",\n"n":[{}]}')).toBe(true);
    expect(keep('{"note":"Bearer abc.def.ghi","note":"ok"}')).toBe(false);
    expect(keep('{"extra":{"password":"hunter2","password":"[Filtered]"}}')).toBe(false);
    expect(keep('[{"a":1},{"a":1,"b":{"c":2, "c" :2}}]')).toBe(false);
    expect(keep('{"__proto__":{},"__proto__":{}}')).toBe(false);
  });

  it('keeps a "__proto__" key from JSON a key, and scrubs under it', () => {
    const event = JSON.parse(
      '{"__proto__": {"password": "p", "note": "Bearer abc.def.ghi"}}',
    ) as object;
    scrub(event);
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(JSON.stringify(event)).toBe(
      `{"__proto__":{"password":"${FILTERED}","note":"Bearer ${FILTERED}"}}`,
    );
  });

  it('filters what is nested deeper than any real event instead of leaving it unread', () => {
    let deep: unknown = { password: 'p' };
    for (let i = 0; i < 100; i++) deep = [deep];
    const report = { changed: false };
    expect(JSON.stringify(scrub({ extra: deep }, report))).not.toContain('"p"');
    expect(report.changed).toBe(true);
  });

  it('filters a string as its nine rules applied one after another would, whatever it holds, or masks it so', () => {
    // The rules written out again, each applied to every string: scrubString's quick tests
    // (which strings could match at all) must never skip a string one of them changes.
    const luhnValid = (digits: string) =>
      [...digits].reverse().reduce((sum, c, i) => {
        const d = Number(c) * (i % 2 ? 2 : 1);
        return sum + (d > 9 ? d - 9 : d);
      }, 0) %
        10 ===
      0;
    // No shortcut for short strings here: scrubString's own must never skip a match either.
    // Masked, each secret's characters become "*" where they are, and "Bearer" is kept as sent.
    const reference = (s: string, mask = false) => {
      const hide = (secret: string) => (mask ? '*'.repeat(secret.length) : FILTERED);
      const shapes = (t: string) =>
        t
          // A US social security number, as issued, not in a longer run of digits and dashes.
          .replace(
            /(?<![\w-])(\d{3})-(\d\d)-(\d{4})(?![\w-])/g,
            (m, a: string, g: string, n: string) =>
              a === '000' || a === '666' || a.startsWith('9') || g === '00' || n === '0000'
                ? m
                : hide(m),
          )
          .replace(/^[^]*$/, (all) => ibans(all, hide))
          .replace(
            /(?:(?<![\w.~%\]*-])[A-Za-z]:\\|(?<![\w.~%/\\:\]*-])\\|(?<=[^\\/\s])\\(?=p))(?:users|documents and settings|profiles)[\\/]([^\\/\r\n\0"'<>|:*?[\];=,+]+?(?=[\\/])|[^\\/\s"'<>|:*?[\];=,+]+)/gi,
            (m, name: string) => m.slice(0, m.length - name.length) + hide(name),
          )
          .replace(
            /(?:(?<![\w.~%/\\\]*-])(?<!(?:^|[\s"'`])(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) )|(?<=file:\/\/))\/(?:Users|home)\/([A-Za-z_](?:[\w@$-]|\.(?=[\w@$-]))*)/g,
            (m, name: string) => m.slice(0, m.length - name.length) + hide(name),
          );
      return shapes(
        secretParams(
          keyValues(
            s
              .replace(
                /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )?PRIVATE KEY-----|$)/g,
                hide,
              )
              // A URL's password, the user kept.
              .replace(
                /\b((?:[a-z0-9]+:)?\/\/[a-zA-Z0-9%_.-]+:)([a-zA-Z0-9%_.-]+)@/g,
                (_, user: string, password: string) => `${user}${hide(password)}@`,
              )
              // A token: 8 or more characters before any trailing "." and "=", and not one lower-case
              // or capitalised word shorter than 16 letters.
              .replace(/\bBearer\s+([A-Za-z0-9\-._~+/]+=*)/gi, (m, run: string) => {
                const t = run.replace(/[.=]+$/, '');
                const word = /^[a-z]/i.test(t) && !/[^a-z]/.test(t.slice(1));
                if (!(t.length >= 8 && (t.length >= 16 || !word))) return m;
                return mask
                  ? `${m.slice(0, m.length - run.length)}${hide(run)}`
                  : `Bearer ${FILTERED}`;
              }),
            hide,
            mask,
          ),
          hide,
        ),
      ).replace(/\b(?:\d[ -]?){12,18}\d\b/g, (m, at: number, whole: string) => {
        const digits = m.replace(/[ -]/g, '');
        return digits.length >= 13 &&
          digits.length <= 19 &&
          luhnValid(digits) &&
          // unbroken, a card network's first digit
          (/[ -]/.test(m) || /^[2-6]/.test(digits)) &&
          !uuidAt(whole)
            .slice(at, at + m.length)
            .includes(true)
          ? hide(m)
          : m;
      });
    };
    // IBANs, from the left: where two capitals and two digits start (not after a letter or a
    // digit), the unbroken run of letters and digits there, or else the groups after single
    // spaces (up to four characters, four but the last), up to 42 characters; the longest that
    // ends where a word does and whose check digits are right (mod 97, in BigInt) in a country
    // that has IBANs.
    const countries = new Set(
      'AD AE AL AO AT AZ BA BE BF BG BH BI BJ BR BY CF CG CH CI CM CR CV CY CZ DE DJ DK DO DZ EE EG ES FI FK FO FR GA GB GE GI GL GQ GR GT GW HN HR HU IE IL IQ IR IS IT JO KM KW KZ LB LC LI LT LU LV LY MA MC MD ME MG MK ML MN MR MT MU MZ NE NI NL NO OM PK PL PS PT QA RO RS RU SA SC SD SE SI SK SM SN SO ST SV TD TG TL TN TR UA VA VG XK YE'.split(
        ' ',
      ),
    );
    const validIban = (written: string) => {
      const compact = written.replace(/ /g, '');
      if (compact.length < 15 || compact.length > 34 || !countries.has(compact.slice(0, 2)))
        return false;
      const turned = (compact.slice(4) + compact.slice(0, 4))
        .toUpperCase()
        .replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
      return BigInt(turned) % 97n === 1n;
    };
    const ibans = (t: string, hide: (secret: string) => string) => {
      let out = '';
      let i = 0;
      while (i < t.length) {
        let end = -1;
        if (/^[A-Z]{2}\d\d/.test(t.slice(i, i + 4)) && !/[A-Za-z0-9]/.test(t[i - 1] ?? '')) {
          const run = (/^[A-Za-z0-9]*/.exec(t.slice(i + 4)) as RegExpExecArray)[0];
          if (run.length > 0) {
            const whole = t.slice(i, i + 4 + run.length);
            if (whole.length <= 34 && validIban(whole)) end = i + whole.length;
          } else {
            const ends: number[] = [];
            for (let p = i + 4; p - i < 42;) {
              const group = / ([A-Za-z0-9]+)/y;
              group.lastIndex = p;
              const g = group.exec(t);
              if (!g || (g[1] as string).length > 4) break;
              p += g[0].length;
              ends.push(p);
              if ((g[1] as string).length < 4) break;
            }
            for (const e of ends.reverse())
              if (validIban(t.slice(i, e))) {
                end = e;
                break;
              }
          }
        }
        if (end < 0) {
          out += t[i];
          i++;
        } else {
          out += hide(t.slice(i, end));
          i = end;
        }
      }
      return out;
    };
    // Keys written as text, each ":" looked at from the left, not inside what was hidden. A key
    // (up to 64 spaces or tabs before the colon) is quoted ("…" or '…', up to 128 characters with
    // no such quote inside), or bare: 1–128 of [A-Za-z0-9_$.-] not after one nor after "/" or
    // "\" (a quote before the colon with none to open it: the name before it, taken as quoted).
    // Sensitive as an object's key with that name is (a count rule's numbers kept). No key's
    // colon is followed by another, a bare key's by a space or tab. After up to 64 blanks, the
    // value: quoted (up to its quote, "\" escaping, or the line's end), bracketed (to its match,
    // quotes skipped, or the end), or a word (up to a blank, `,;})]"'\`\\<>`; a Python string
    // prefix, b r u f, with the quoted string after it); a bare key's
    // word at a line's start (after blanks and an optional "- ") is the rest of the line, kept
    // if words of a sentence; in a sentence (not after `{[,;`) a word of letters (a capital
    // first) is kept unless an auth scheme followed by a space and a word, both then hidden.
    // Kept too: empty, null words, "[Filtered]", "Bearer [Filtered]" or masked.
    const keyRule = (key: string): 'plain' | 'sensitive' | 'count' => {
      const asString = (scrub({ [key]: 'v' }) as Record<string, unknown>)[key];
      if (asString !== FILTERED) return 'plain';
      return (scrub({ [key]: 7 }) as Record<string, unknown>)[key] === 7 ? 'count' : 'sensitive';
    };
    const keyValues = (s: string, hide: (secret: string) => string, mask: boolean) => {
      const blankAt = (i: number) => s[i] === ' ' || s[i] === '\t';
      const eolAt = (i: number) => s[i] === '\n' || s[i] === '\r';
      const keyCharAt = (i: number) => i >= 0 && /[A-Za-z0-9_$.-]/.test(s[i] ?? '');
      const endsWordAt = (i: number) =>
        i >= s.length || s.charCodeAt(i) <= 0x20 || /[,;})\]"'`\\<>]/.test(s[i] as string);
      let out = '';
      let kept = 0;
      let from = 0;
      for (;;) {
        const colon = s.indexOf(':', from);
        if (colon < 0) break;
        from = colon + 1;
        let keyEnd = colon;
        while (keyEnd > kept && colon - keyEnd < 64 && blankAt(keyEnd - 1)) keyEnd--;
        let keyStart = -1;
        let quote = '';
        const q = s[keyEnd - 1];
        if (keyEnd > kept && (q === '"' || q === "'")) {
          const open = s.lastIndexOf(q, keyEnd - 2);
          if (open >= kept && keyEnd - 2 - open <= 128) keyStart = open + 1;
          quote = q;
          keyEnd--;
        }
        if (keyStart < 0) {
          let i = keyEnd;
          while (i > kept && keyEnd - i < 128 && keyCharAt(i - 1)) i--;
          if (i === keyEnd || (i > kept && keyCharAt(i - 1))) continue;
          if (quote === '' && (s[i - 1] === '/' || s[i - 1] === '\\')) continue;
          keyStart = i;
        }
        const rule = keyRule(s.slice(keyStart, keyEnd));
        if (rule === 'plain' || s[colon + 1] === ':') continue;
        if (quote === '' && !blankAt(colon + 1)) continue;
        let v = colon + 1;
        while (v < s.length && v - colon <= 64 && blankAt(v)) v++;
        if (v >= s.length || eolAt(v)) continue;
        if (s.startsWith(FILTERED, v)) {
          out += s.slice(kept, v + FILTERED.length);
          kept = from = v + FILTERED.length;
          continue;
        }
        let start = v;
        let end = v;
        let resume: number;
        let wrap = '';
        const closeQuote = (from: number, c: string) => {
          let i = from;
          while (i < s.length && s[i] !== c && !eolAt(i)) i += s[i] === '\\' ? 2 : 1;
          return Math.min(i, s.length);
        };
        if (s[v] === '"' || s[v] === "'") {
          start = v + 1;
          end = closeQuote(start, s[v] as string);
          resume = s[end] === s[v] ? end + 1 : end;
          if (end === start) continue;
        } else {
          if (s[v] === '{' || s[v] === '[') {
            let depth = 0;
            end = s.length;
            for (let i = v; i < s.length; i++) {
              if (s[i] === '"' || s[i] === "'") i = closeQuote(i + 1, s[i] as string);
              else if (s[i] === '{' || s[i] === '[') depth++;
              else if ((s[i] === '}' || s[i] === ']') && --depth === 0) {
                end = i + 1;
                break;
              }
            }
          } else {
            while (!endsWordAt(end)) end++;
            const word = s.slice(v, end);
            const after = s[end];
            const prefixed = (after === '"' || after === "'") && /^[bBrRuUfF]{1,2}$/.test(word);
            if (prefixed) {
              end = closeQuote(end + 1, after);
              if (s[end] === after) end++;
            }
            if (['null', 'None', 'nil', '~', 'undefined', 'NULL'].includes(word)) continue;
            if (rule === 'count' && /^(?:-?\d+(?:\.\d+)?|true|false)$/.test(word)) continue;
            if (quote === '') {
              let b = keyStart;
              while (b > 0 && keyStart - b < 64 && blankAt(b - 1)) b--;
              if (s[b - 1] === '-') {
                const dash = b - 1;
                b = dash;
                while (b > 0 && dash - b < 64 && blankAt(b - 1)) b--;
              }
              const place =
                b === 0 || eolAt(b - 1)
                  ? 'line'
                  : /[{[,;]/.test(s[b - 1] as string)
                    ? 'flow'
                    : 'text';
              if (end === v && place !== 'line') continue;
              if (place === 'line') {
                let lineEnd = end;
                while (lineEnd < s.length && !eolAt(lineEnd)) lineEnd++;
                while (lineEnd > end && s.charCodeAt(lineEnd - 1) <= 0x20) lineEnd--;
                const rest = s.slice(v, lineEnd);
                if (/^[A-Za-z][a-z]*(?:[,;]?[ \t]+[A-Za-z][a-z]*)+[.!?]?$/.test(rest)) continue;
                end = lineEnd;
              } else if (place === 'text' && !prefixed && /^[A-Z]?[a-z]+$/.test(word)) {
                if (!/^(?:basic|bearer|digest|negotiate|ntlm|token)$/i.test(word)) continue;
                if (s[end] !== ' ') continue;
                let c = end + 1;
                while (!endsWordAt(c)) c++;
                if (c === end + 1) continue;
                end = c;
              }
            }
          }
          resume = end;
          if (quote !== '' && !mask) wrap = quote;
        }
        const value = s.slice(start, end);
        if (value === FILTERED || /^Bearer\s+(?:\[Filtered\]|\*+)$/i.test(value)) {
          out += s.slice(kept, resume);
          kept = from = resume;
          continue;
        }
        out += `${s.slice(kept, start)}${wrap}${hide(value)}${wrap}${s.slice(end, resume)}`;
        kept = from = resume;
      }
      return out + s.slice(kept);
    };
    // Secret parameters, read a character at a time: a name is a run of [A-Za-z0-9_.[\]-] not
    // preceded by one, followed by "=" and a value character; it is secret when, in lower case
    // with "-" and "." as "_", it holds a sensitive key word, or its part after its last "-",
    // ".", "[" or "]" is key, pwd, signature or sig. Its value is filtered, up to & # " ' or a
    // space, and not read on; any other name's value is, from after its "=".
    const isNameChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_.[\]-]/.test(c);
    const words = ['password', 'secret', 'passwd', 'api_key', 'apikey', 'auth', 'credentials'];
    words.push('token', 'bearer', 'private_key', 'cookie', 'session');
    words.push('privatekey'); // private_key with its words joined, as camelCase writes it
    words.push('mysql_pwd', 'mysqlpwd');
    // Whole names only: `otp`, `two_factor` (`two-factor`, `twoFactor`).
    const wholeWords = ['otp', 'two_factor', 'twofactor'];
    const secretParams = (s: string, hide: (secret: string) => string) => {
      let out = '';
      let p = 0;
      while (p < s.length) {
        let j = p;
        // A name's characters, and percent escapes of any byte (`user%5Bpassword%5D`).
        const escapeAt = (i: number) => /^%[0-9A-Fa-f]{2}$/.test(s.slice(i, i + 3));
        if (!isNameChar(s[p - 1]))
          while (isNameChar(s[j]) || escapeAt(j)) j += s[j] === '%' ? 3 : 1;
        const value = s[j + 1];
        if (j > p && s[j] === '=' && value !== undefined && !/[&#\s"']/.test(value)) {
          const sent = s.slice(p, j);
          const name = sent.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) =>
            String.fromCharCode(parseInt(h, 16)),
          );
          const k = name.toLowerCase().replace(/[-.\s]/g, '_');
          const last = name
            .toLowerCase()
            .split(/[-.[\]]/)
            .pop() as string;
          if (
            words.some((w) => k.includes(w)) ||
            wholeWords.includes(k) ||
            ['key', 'pwd', 'signature', 'sig'].includes(last)
          ) {
            let end = j + 1;
            while (end < s.length && !/[&#\s"']/.test(s[end] as string)) end++;
            out += `${sent}=${hide(s.slice(j + 1, end))}`;
            p = end;
            continue;
          }
          // Another name is read whole, its escapes included, and its value read on: no name
          // starts inside it (`%0Authentication` is "\nuthentication", not "0Authentication").
          out += s.slice(p, j + 1);
          p = j + 1;
          continue;
        }
        out += s[p];
        p++;
      }
      return out;
    };
    // Which characters of a string belong to a UUID.
    const uuidAt = (s: string) => {
      const covered = new Array<boolean>(s.length).fill(false);
      for (const u of s.matchAll(/[\dA-Fa-f]{8}(?:-[\dA-Fa-f]{4}){3}-[\dA-Fa-f]{12}/g))
        covered.fill(true, u.index, u.index + u[0].length);
      return covered;
    };
    const piece = fc.oneof(
      fc.constantFrom(
        '4111 1111 1111 1111',
        '4111-1111-1111-1111',
        '4111111111111111',
        '12345678-1234-1232-abcd-0123456789ab',
        '12345678-',
        '1234-1232-',
        'abcd-',
        '41111111111111',
        '1733145600008',
        '1790000000000000005',
        '1 2 3 4 5 6 7 8 9 0 1 2 3',
        'Bearer ',
        'bEaReR\t',
        'abc.DEF-ghi~',
        '-----BEGIN PRIVATE KEY-----',
        '-----BEGIN RSA PRIVATE KEY-----',
        '-----END PRIVATE KEY-----',
        'private key',
        'bearer ',
        'of this card',
        'Authentication',
        'eyJhbGciOi',
        '.',
        '?token=',
        'token=',
        'pwd=',
        'monkey=',
        'x_key=',
        'x-key=',
        'auth_token=',
        'Id_Token=',
        'client-api-key=',
        'redis://',
        '//',
        'u:p@',
        ':',
        '@',
        'privateKey=',
        'private',
        'Key=',
        'user[password]=',
        'user%5Bpassword%5D=',
        '%5B',
        '%2d',
        '%',
        '?next=/login?session_token=',
        'sort.sig=',
        '&SessionId=',
        '?key',
        '=>',
        ' = ',
        '&',
        '#',
        '"',
        // Keys written as text, and what a value is read to.
        '"password"',
        "'otp'",
        'password',
        'MYSQL_PWD',
        'two-factor',
        'input_tokens',
        ': ',
        '\n',
        '  - ',
        '{',
        '}',
        '[',
        ']',
        ',',
        ' ',
        '\t',
        "'",
        '\\',
        '/',
        'null',
        'Basic ',
        'Too short',
        'hunter2',
        '::',
        // SSNs, IBANs, home directories.
        '078-05-1120',
        '666-05-1120',
        'DE89370400440532013000',
        'DE89 3704 0044 0532 0130 00',
        'GB82 WEST 1234 5698 7654 32',
        '/Users/',
        '/home/',
        'C:\\Users\\',
        '\\Profiles\\',
        'file://',
        'GET ',
        'alice',
        'John Smith',
      ),
      fc.stringMatching(/^[0-9 -]{1,20}$/),
      fc.stringMatching(/^[0-9a-fA-F-]{1,20}$/),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const s = pieces.join('');
        expect(scrubString(s)).toBe(reference(s));
        const masked = scrubString(s, undefined, true);
        expect(masked).toBe(reference(s, true));
        expect(masked.length).toBe(s.length);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('PII scrubbing of the shapes SDKs send', () => {
  const scrub = createScrubber({ enabled: true });

  it('filters a sensitive value nested far deeper than the stack allows, without overflowing', () => {
    let deep: unknown = 'p';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const report = { changed: false };
    const out = scrub({ extra: { password: deep } }, report);
    // extra is at depth 1, the password's arrays at 2..64 keep their shape, depth 65 is filtered.
    expect(JSON.stringify(out)).toBe(
      `{"extra":{"password":${'['.repeat(63)}"${FILTERED}"${']'.repeat(63)}}}`,
    );
    expect(report.changed).toBe(true);
  });

  it('filters secret parameters of a query string or form body with no leading "?"', () => {
    expect(
      scrub({
        request: { query_string: 'token=abc123&page=2', data: 'password=hunter2&user=bob' },
      }),
    ).toEqual({
      request: { query_string: `token=${FILTERED}&page=2`, data: `password=${FILTERED}&user=bob` },
    });
    // Shorter than any string the old rules could match.
    expect(scrubString('pwd=abc')).toBe(`pwd=${FILTERED}`);
    expect(scrubString('the token=abc123 appears')).toBe(`the token=${FILTERED} appears`);
    expect(scrubString('sid=1; session=xyz')).toBe(`sid=1; session=${FILTERED}`);
  });

  it('leaves parameters whose names only end in "key" (no key word), and prose without "=", alone', () => {
    for (const s of ['monkey=3&page=2', 'sort_key=name', 'Authentication failed', 'token: expired'])
      expect(scrubString(`Invalid ${s}`)).toBe(`Invalid ${s}`);
  });

  it('filters the values of sensitive keys in Sentry pair lists', () => {
    expect(
      scrub({
        request: {
          headers: [
            ['Cookie', 'sid=abc'],
            ['X-Auth-Token', 'xyz'],
            ['Authorization', 'Basic dXNlcjpwYXNz'],
            ['Accept', 'text/html'],
          ],
          env: [
            ['REMOTE_ADDR', '10.0.0.1'],
            ['session', { id: 7 }],
          ],
          query_string: [
            ['token', 'abc'],
            ['page', '2'],
          ],
        },
        tags: [
          ['password', 'p'],
          ['browser', 'Firefox'],
        ],
      }),
    ).toEqual({
      request: {
        headers: [
          ['Cookie', FILTERED],
          ['X-Auth-Token', FILTERED],
          ['Authorization', FILTERED],
          ['Accept', 'text/html'],
        ],
        env: [
          ['REMOTE_ADDR', '10.0.0.1'],
          ['session', { id: FILTERED }],
        ],
        query_string: [
          ['token', FILTERED],
          ['page', '2'],
        ],
      },
      tags: [
        ['password', FILTERED],
        ['browser', 'Firefox'],
      ],
    });
  });

  it('reads only an array of [string, value] pairs as a pair list', () => {
    const event = {
      exception: {
        values: [{ stacktrace: { frames: [{ vars: { args: ['token', 'bucket'] } }] } }],
      },
      breadcrumbs: [{ category: 'auth', message: 'login' }],
      extra: { rows: [['session', 'a', 'b']], mixed: [['secret'], 'x'] },
    };
    expect(scrub(structuredClone(event))).toEqual(event);
  });

  it('filters Luhn-valid card numbers sent as JSON numbers', () => {
    const report = { changed: false };
    expect(
      scrub(
        {
          extra: {
            cc: 4111111111111111,
            cards: [5500000000000004, -4111111111111111],
            order: 4111111111111112,
            startedAt: 1700000000000,
            // Luhn-valid times: epoch milliseconds and microseconds, which no card begins with.
            sentAtMs: 1764624000006,
            sentAtUs: 1764624000000001,
            small: 42,
            ratio: 0.5,
          },
          tags: [['cc', 4111111111111111]],
        },
        report,
      ),
    ).toEqual({
      extra: {
        cc: FILTERED,
        cards: [FILTERED, FILTERED],
        order: 4111111111111112,
        startedAt: 1700000000000,
        sentAtMs: 1764624000006,
        sentAtUs: 1764624000000001,
        small: 42,
        ratio: 0.5,
      },
      tags: [['cc', FILTERED]],
    });
    expect(report.changed).toBe(true);
  });

  it('filters a 17–19 digit JSON number past 2^53 that starts as a card does, its checksum lost to JSON.parse', () => {
    // Luhn-valid as sent (checked by hand); JSON.parse keeps 6221260000000000000 and
    // 35660000000000010, neither Luhn-valid, so the checksum alone let both through.
    const event = JSON.parse(
      '{"extra":{"unionPay":6221260000000000019,"jcb":35660000000000007,' +
        '"snowflake":1234567890123456789,"nines":98765432109876543,"safe":4111111111111112}}',
    ) as Record<string, unknown>;
    expect(scrub(event, { changed: false })).toEqual({
      extra: {
        unionPay: FILTERED,
        jcb: FILTERED,
        // Past 2^53 too, but no card begins with 1 or 9; within 2^53 the checksum still decides.
        snowflake: Number('1234567890123456789'),
        nines: Number('98765432109876543'),
        safe: 4111111111111112,
      },
    });
  });

  it('matches key names whether words are joined by "_", "-", "." or a space', () => {
    expect(
      scrub({
        headers: {
          'X-Api-Key': 'k1',
          'Private-Key': 'k2',
          'api-key': 'k3',
          'db.api.key': 'k4',
          'Private Key': 'k5',
          'X-Request-Id': '42',
        },
      }),
    ).toEqual({
      headers: {
        'X-Api-Key': FILTERED,
        'Private-Key': FILTERED,
        'api-key': FILTERED,
        'db.api.key': FILTERED,
        'Private Key': FILTERED,
        'X-Request-Id': '42',
      },
    });
    const custom = createScrubber({
      enabled: true,
      extraKeys: ['tax-id'],
      safeKeys: ['session_id'],
    });
    expect(custom({ tax_id: '1', 'Session-Id': 's-1' })).toEqual({
      tax_id: FILTERED,
      'Session-Id': 's-1',
    });
  });

  it('filters a bearer token but not the English word "bearer"', () => {
    for (const s of [
      'The bearer of this card',
      'Bearer authentication required',
      'payable to the bearer instrument.',
      'bearer token expired',
    ])
      expect(scrubString(s)).toBe(s);
    expect(scrubString('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe(
      `Authorization: Bearer ${FILTERED}`,
    );
    expect(scrubString('sent bearer abc.def.ghi')).toBe(`sent Bearer ${FILTERED}`);
    expect(scrubString('Bearer 0a1b2c3d')).toBe(`Bearer ${FILTERED}`);
    expect(scrubString('Bearer abcdefghijklmnopqrstuvwxyz')).toBe(`Bearer ${FILTERED}`);
  });

  it('keeps any lower-case word after "bearer" in prose', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z]?[a-z]{0,14}$/), (word) => {
        const s = `The bearer ${word} of this card.`;
        expect(scrubString(s)).toBe(s);
      }),
    );
  });

  it('scrubs a pair list as it scrubs the object with the same entries', () => {
    const key = fc.constantFrom(
      'Cookie',
      'X-Api-Key',
      'Accept',
      'user',
      'Session',
      'page',
      'sig',
      'gen_ai.usage.input_tokens',
      'refresh_token',
    );
    const value = fc.oneof(
      fc.constantFrom('abc', 'Bearer 0a1b2c3d4e', 'token=abc', '', 4111111111111111, 7),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k }), (pairs) => {
        const asObject = scrub(Object.fromEntries(pairs)) as Record<string, unknown>;
        const asPairs = scrub(pairs.map(([k, v]) => [k, v])) as [string, unknown][];
        expect(asPairs).toEqual(pairs.map(([k]) => [k, asObject[k]]));
      }),
    );
  });
});

describe('PII scrubbing of token counts (OpenTelemetry GenAI and Sentry AI spans)', () => {
  const scrub = createScrubber({ enabled: true });
  /** What `value` under `key` is stored as. */
  const stored = (key: string, value: unknown, s = scrub) =>
    (s({ [key]: value }) as Record<string, unknown>)[key];

  it('keeps a number or boolean under a key whose last word is "tokens": a count, not a credential', () => {
    const kept: [string, number | boolean][] = [
      // OpenTelemetry GenAI semantic conventions
      ['gen_ai.usage.input_tokens', 1234],
      ['gen_ai.usage.output_tokens', 56],
      ['gen_ai.request.max_tokens', 1000],
      ['gen_ai.usage.cache_read.input_tokens', 50],
      ['gen_ai.usage.cache_creation.input_tokens', 25],
      ['gen_ai.usage.reasoning.output_tokens', 30],
      // Sentry's: a part of a count in a dotted part after it
      ['gen_ai.usage.total_tokens', 1290],
      ['gen_ai.usage.input_tokens.cached', 50],
      ['gen_ai.usage.input_tokens.cache_write', 5],
      ['gen_ai.usage.output_tokens.reasoning', 30],
      ['gen_ai.usage.output_tokens.prediction_accepted', 3],
      ['ai.total_tokens.used', 12],
      // Other SDKs' spellings
      ['llm.usage.total_tokens', 7],
      ['ai.usage.promptTokens', 100],
      ['completionTokens', 0],
      ['MAX-TOKENS', 4096],
      ['Max Tokens', 4096],
      ['tokens', 3],
      ['usage.input_tokens', 2.5],
      ['gen_ai.usage.output_tokens.estimated', true],
    ];
    for (const [key, value] of kept) expect([key, stored(key, value)]).toEqual([key, value]);
  });

  it('filters credentials under "token" keys, strings under count keys, and counts named with another secret', () => {
    const filtered: [string, unknown][] = [
      ['token', 123456],
      ['access_token', 42],
      ['id_token', 42],
      ['refresh_token', 42],
      ['x-auth-token', 42],
      ['AuthToken', 42],
      ['csrfToken', true],
      // A string where a count belongs may be anything.
      ['gen_ai.usage.input_tokens', '1234'],
      ['max_tokens', 'sk-abc'],
      // Another sensitive name in the key filters it whatever the value.
      ['session.total_tokens', 42],
      ['access_token.max_tokens', 42],
      ['x_auth_tokens', 42],
      ['password.tokens', 42],
      // "tokens" only as a word: glued to another it is not one.
      ['prompttokens', 42],
      ['TOTALTOKENS', 42],
      // A session id can be a credential.
      ['session.id', 'f3a9c0de'],
      // Card numbers are filtered by their shape under any key.
      ['gen_ai.usage.input_tokens', 4111111111111111],
    ];
    for (const [key, value] of filtered) expect([key, stored(key, value)]).toEqual([key, FILTERED]);
    expect(stored('gen_ai.usage.input_tokens', { n: 1 })).toEqual({ n: FILTERED });
    expect(stored('gen_ai.usage.input_tokens', [1, 2])).toEqual([FILTERED, FILTERED]);
  });

  it('keeps counts in pair lists and OTLP span attributes, leaving the event unchanged', () => {
    const report = { changed: true };
    const attributes = {
      correlation_id: 'genai-1',
      'gen_ai.usage.input_tokens': 1234,
      'gen_ai.usage.output_tokens': 56,
      'gen_ai.request.max_tokens': 1000,
    };
    expect(scrub(structuredClone(attributes), report)).toEqual(attributes);
    expect(report.changed).toBe(false);
    expect(
      scrub([
        ['gen_ai.usage.input_tokens', 12],
        ['token', 12],
      ]),
    ).toEqual([
      ['gen_ai.usage.input_tokens', 12],
      ['token', FILTERED],
    ]);
  });

  it("follows a project's own keys: a safe key is kept whole, an extra key filters counts too", () => {
    const tokensSecret = createScrubber({ enabled: true, extraKeys: ['tokens'] });
    expect(stored('gen_ai.usage.input_tokens', 5, tokensSecret)).toBe(FILTERED);
    const usageSecret = createScrubber({ enabled: true, extraKeys: ['usage'] });
    expect(stored('gen_ai.usage.input_tokens', 5, usageSecret)).toBe(FILTERED);
    const safe = createScrubber({ enabled: true, safeKeys: ['max_tokens'] });
    expect(stored('max_tokens', 'all of them', safe)).toBe('all of them');
  });

  // Keys of plain words, "token" or "tokens" joined as SDKs join them.
  const word = fc.constantFrom(
    'gen_ai',
    'usage',
    'input',
    'Output',
    'max',
    'total',
    'prompt',
    'cached',
    'id',
    'x',
  );
  const separator = fc.constantFrom('.', '_', '-', ' ');
  const joined = (parts: readonly string[], seps: readonly string[]) =>
    parts.reduce((key, p, i) => (i === 0 ? p : `${key}${seps[i % seps.length]}${p}`), '');

  it('keeps any count whose words are plain before a last "tokens"', () => {
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 5 }),
        fc.array(separator, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('tokens', 'Tokens', 'TOKENS'),
        fc.oneof(fc.nat(), fc.boolean()),
        (words, seps, tokens, count) => {
          const key = joined([...words, tokens], seps);
          expect(stored(key, count)).toBe(count);
        },
      ),
    );
  });

  it('filters any string under a key with "token" in it, and any value under one with the word "token"', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(word, fc.constantFrom('token', 'Token', 'tokens', 'Tokens')), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.constantFrom('.', '_', '-', ' ', ''), { minLength: 1, maxLength: 5 }),
        fc.oneof(fc.nat(), fc.boolean(), fc.string({ minLength: 1, maxLength: 8 })),
        (words, seps, value) => {
          const key = joined(words, seps);
          fc.pre(/token/i.test(key) && value !== FILTERED);
          // The key's words as its separators and camelCase split it.
          const hasTokenWord = key
            .split(/[-._ ]|(?<=[a-z])(?=[A-Z])/)
            .some((w) => w.toLowerCase() === 'token');
          if (typeof value === 'string' || hasTokenWord) expect(stored(key, value)).toBe(FILTERED);
        },
      ),
    );
  });
});

describe('PII scrubbing of ids that join data', () => {
  const scrub = createScrubber({ enabled: true });
  // All digits and Luhn-valid, so a card number's shape: ids like these come by chance
  // (about 1 in 18,500 random span ids).
  const cardLike = ['1790000000000000005', '1790000000000000013', '4111111111111111'];

  it('keeps Luhn-valid all-digit ids where Sentry and OTLP put them', () => {
    const [a, b, span] = cardLike as [string, string, string];
    const ids = { trace_id: a, span_id: span, parent_span_id: span };
    const event = {
      event_id: a,
      contexts: { trace: { ...ids } },
      spans: [{ ...ids }, { ...ids }],
      tags: { correlation_id: b },
      user: { id: span, other: span },
      extra: { note: `card ${span}`, span_id: span, order: '12-1796626894007' },
      fingerprint: ['{{ default }}', span, '12-1796626894007', 4111111111111111],
    };
    const report = { changed: false };
    expect(scrub(structuredClone(event), report)).toEqual({
      ...event,
      // Only the ids: the same digits elsewhere are still a card number.
      user: { id: span, other: FILTERED },
      extra: { note: `card ${FILTERED}`, span_id: FILTERED, order: FILTERED },
    });
    // Tags as pairs; an OTLP span's attributes; numbers. (Elsewhere, an unbroken run is a card
    // only when it starts with a card network's digit: `span`'s 4, not `a`'s and `b`'s 1.)
    expect(
      scrub({
        tags: [
          ['correlation_id', span],
          ['other', span],
          ['at', a],
        ],
      }),
    ).toEqual({
      tags: [
        ['correlation_id', span],
        ['other', FILTERED],
        ['at', a],
      ],
    });
    expect(scrub({ correlation_id: span, note: span })).toEqual({
      correlation_id: span,
      note: FILTERED,
    });
    expect(scrub({ correlation_id: b, note: b })).toEqual({ correlation_id: b, note: b });
    expect(scrub({ user: { id: 4111111111111111 } })).toEqual({ user: { id: 4111111111111111 } });
  });

  it('keeps the correlation ids a transaction’s spans and trace context carry', () => {
    const span = cardLike[2] as string;
    const transaction = {
      contexts: { trace: { data: { correlation_id: span, other: span } } },
      spans: [{ tags: { correlation_id: span, other: span } }, { data: { correlation_id: span } }],
    };
    expect(scrub(structuredClone(transaction))).toEqual({
      contexts: { trace: { data: { correlation_id: span, other: FILTERED } } },
      spans: [
        { tags: { correlation_id: span, other: FILTERED } },
        { data: { correlation_id: span } },
      ],
    });
  });

  it('still filters an id under a sensitive key, and the secrets an id field holds nested', () => {
    const withKey = createScrubber({ enabled: true, extraKeys: ['correlation'] });
    expect(withKey({ tags: { correlation_id: 'abc' }, correlation_id: 'x' })).toEqual({
      tags: { correlation_id: FILTERED },
      correlation_id: FILTERED,
    });
    expect(scrub({ user: { id: { password: 'p', n: '4111111111111111' } } })).toEqual({
      user: { id: { password: FILTERED, n: FILTERED } },
    });
    expect(scrub({ fingerprint: [['4111111111111111'], { n: '4111111111111111' }] })).toEqual({
      fingerprint: [[FILTERED], { n: FILTERED }],
    });
  });
});

describe('PII scrubbing of query parameters whose names hold a secret word', () => {
  const scrub = createScrubber({ enabled: true });

  it('filters auth_token, id_token, private_token, session_token, client_api_key, secret_key', () => {
    const body = {
      message: 'qs',
      request: {
        url: 'https://x/cb?auth_token=s3cr3tAAA&id_token=eyJ..',
        query_string: 'auth_token=s3cr3tAAA&private_token=glpat-XYZ&secret_key=abcd1234',
        headers: { Referer: 'https://x/login?session_token=zzz999' },
      },
      breadcrumbs: [{ data: { url: 'https://api/v1?client_api_key=K123456' } }],
    };
    expect(scrub(body)).toEqual({
      message: 'qs',
      request: {
        url: `https://x/cb?auth_token=${FILTERED}&id_token=${FILTERED}`,
        query_string: `auth_token=${FILTERED}&private_token=${FILTERED}&secret_key=${FILTERED}`,
        headers: { Referer: `https://x/login?session_token=${FILTERED}` },
      },
      breadcrumbs: [{ data: { url: `https://api/v1?client_api_key=${FILTERED}` } }],
    });
  });

  it('reads a name as keys are read, and leaves other names, and prose, alone', () => {
    const cases: [string, string][] = [
      ['a?Client-Api-Key=1&page=2', `a?Client-Api-Key=${FILTERED}&page=2`],
      ['user[password]=hunter2&user[name]=bob', `user[password]=${FILTERED}&user[name]=bob`],
      ['x.sessionId=1', `x.sessionId=${FILTERED}`],
      ['next=/login?refresh_token=r1', `next=/login?refresh_token=${FILTERED}`],
      ['Authentication failed', 'Authentication failed'],
      ['page=2&sort_key=name&monkey=3', 'page=2&sort_key=name&monkey=3'],
      ['author is tok en=3', 'author is tok en=3'],
    ];
    for (const [s, want] of cases) expect(scrubString(s)).toBe(want);
  });
});

describe("PII scrubbing of query parameters by the project's own keys", () => {
  it('filters a parameter named by an extra key, written with any separator or case', () => {
    const scrub = createScrubber({ enabled: true, extraKeys: ['ssn', 'tax_id'] });
    expect(
      scrub({
        request: {
          url: 'https://x/apply?ssn=123-45-6789&page=2',
          query_string: 'Tax-Id=DE123456789&lang=en',
        },
        breadcrumbs: [{ message: 'GET /lookup?tax.id=DE987654321' }],
      }),
    ).toEqual({
      request: {
        url: `https://x/apply?ssn=${FILTERED}&page=2`,
        query_string: `Tax-Id=${FILTERED}&lang=en`,
      },
      breadcrumbs: [{ message: `GET /lookup?tax.id=${FILTERED}` }],
    });
    // Without the project's keys these are ordinary parameters (a value of an SSN's shape,
    // 123-45-6789, is filtered by its shape).
    expect(scrubString('https://x/apply?ssn=123456789&page=2')).toBe(
      'https://x/apply?ssn=123456789&page=2',
    );
  });

  it('keeps a parameter named by a safe key, and still filters the other secret ones', () => {
    const scrub = createScrubber({ enabled: true, safeKeys: ['session_id'] });
    expect(scrub({ url: 'https://x/s?session_id=s-1&session=abc&token=t0k3n' })).toEqual({
      url: `https://x/s?session_id=s-1&session=${FILTERED}&token=${FILTERED}`,
    });
    expect(scrubString('https://x/s?session_id=s-1')).toBe(`https://x/s?session_id=${FILTERED}`);
  });

  it("scrubs a string alone (a span's name) with the same keys, and not at all when off", () => {
    const scrub = createScrubber({ enabled: true, extraKeys: ['ssn'], safeKeys: ['session_id'] });
    expect(scrub.text('GET /apply?ssn=123456789&session_id=s-1&api_key=k')).toBe(
      `GET /apply?ssn=${FILTERED}&session_id=s-1&api_key=${FILTERED}`,
    );
    expect(createScrubber({ enabled: false }).text('GET /a?api_key=k')).toBe('GET /a?api_key=k');
  });

  it('reads an extra key holding a character a regular expression would take as syntax', () => {
    // As a pattern, `card[cvc]` would be "card" and one of c, v, c: the name would go unseen.
    const scrub = createScrubber({ enabled: true, extraKeys: ['card[cvc]', 'a(b'] });
    expect(scrub.text('x?card[cvc]=123')).toBe(`x?card[cvc]=${FILTERED}`);
    expect(scrub.text('x?card[brand]=visa&cardc=1')).toBe('x?card[brand]=visa&cardc=1');
  });

  it('reads percent-encoded names, as qs and URLSearchParams write brackets', () => {
    expect(scrubString('https://x/login?user%5Bpassword%5D=hunter2&user%5Bname%5D=bob')).toBe(
      `https://x/login?user%5Bpassword%5D=${FILTERED}&user%5Bname%5D=bob`,
    );
    expect(scrubString('api%5Fkey=k123&page%5Bsize%5D=20')).toBe(
      `api%5Fkey=${FILTERED}&page%5Bsize%5D=20`,
    );
    // A name is read whole, escapes and all: `%0Authentication` is "\nuthentication", no
    // secret word, and no name starts inside it; the card number after it is one.
    expect(scrubString('%0Authentication=abc&x=1')).toBe('%0Authentication=abc&x=1');
    expect(scrubString('%0Authentication=4111 1111 1111 1111')).toBe(
      `%0Authentication=${FILTERED}`,
    );
    const scrub = createScrubber({ enabled: true, extraKeys: ['card[cvc]', 'tax_id'] });
    expect(scrub.text('x?card%5Bcvc%5D=123&tax%2Did=DE1&card%5Bbrand%5D=visa')).toBe(
      `x?card%5Bcvc%5D=${FILTERED}&tax%2Did=${FILTERED}&card%5Bbrand%5D=visa`,
    );
  });

  it('filters the shortest parameter a one- or two-letter extra key names', () => {
    const scrub = createScrubber({ enabled: true, extraKeys: ['pw'] });
    expect(scrub.text('pw=x')).toBe(`pw=${FILTERED}`);
    expect(scrub({ form: 'pw=x' })).toEqual({ form: `pw=${FILTERED}` });
    expect(scrubString('pw=x')).toBe('pw=x');
  });
});
