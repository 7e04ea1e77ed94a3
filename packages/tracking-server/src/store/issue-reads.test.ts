// Issue search (`q`) past ASCII, where lower-casing a whole title and lower-casing the part of it
// searched for can differ: Greek capital sigma lower-cases to final sigma (ς) at the end of a
// word and to σ elsewhere (Unicode SpecialCasing.txt, Final_Sigma; String.prototype.toLowerCase
// applies it), so the end of the search text may read ς where the title reads σ.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { EVENTS_PAGE_BYTES } from './issue-reads';
import { openSqlite } from './sqlite';

const NOW = Date.UTC(2026, 10, 22, 12);
const scrub = createScrubber({ enabled: true });

it('finds a Greek title by any part of it, however its sigmas lower-case', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-search-'));
  const repo = openSqlite(join(dir, 'tracker.db'));
  try {
    const ev = (n: number, message: string) =>
      readEvent({ event_id: n.toString(16).padStart(32, '0'), message }, 1, scrub, NOW + n);
    repo.ingest([
      ev(1, 'ΣΦΑΛΜΑ ΣΥΝΔΕΣΗΣ ΣΤΗ ΒΑΣΗ'),
      ev(2, 'Άκυρη ΕΙΣΟΔΟΣ χρήστη'),
      ev(3, 'λάθος στο αίτημα'),
    ]);
    const ids = (q: string) =>
      repo.listIssues({ sort: 'first_seen', limit: 10, q }, NOW + 10).items.map((i) => i.id);
    // Each search is a part of the title exactly as it is written: it must find it.
    expect(ids('ΣΥΝΔΕΣ')).toEqual([1]);
    expect(ids('ΒΑΣ')).toEqual([1]);
    expect(ids('ΕΙΣ')).toEqual([2]);
    expect(ids('ΕΙΣΟΔΟΣ')).toEqual([2]);
    // In another case, and with either sigma: ς and σ are one letter (CaseFolding.txt, 03C2 C 03C3).
    expect(ids('συνδεσ')).toEqual([1]);
    expect(ids('συνδες')).toEqual([1]);
    expect(ids('εισοδος')).toEqual([2]);
    expect(ids('ΛΆΘΟΣ ΣΤΟ')).toEqual([3]);
    expect(ids('λάθοσ')).toEqual([3]);
    // Still no match for what the title does not hold.
    expect(ids('ΣΦΑΛΜΑΤΑ')).toEqual([]);
    expect(ids('σς')).toEqual([]);
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('ends a page of events at EVENTS_PAGE_BYTES of their JSON; its cursors read each event once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-event-bytes-'));
  const repo = openSqlite(join(dir, 'tracker.db'));
  try {
    // Twelve events of ~450 KB, the seventh of ~2.5 MB: more than a page's bytes alone.
    const words = (n: number, bytes: number) =>
      Array.from({ length: Math.ceil(bytes / 4) }, (_, i) => `w${(i * 7919 + n) % 100_000}`)
        .join(' ')
        .slice(0, bytes);
    repo.ingest(
      Array.from({ length: 12 }, (_, i) =>
        readEvent(
          {
            event_id: (i + 1).toString(16).padStart(32, '0'),
            message: 'BigPayload',
            extra: { blob: words(i, i + 1 === 7 ? 2_500_000 : 450_000) },
          },
          1,
          scrub,
          NOW + i,
        ),
      ),
    );
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = repo.issueEvents(1, cursor, 100);
      if (!page) throw new Error('issue 1 not found');
      const bytes = Buffer.byteLength(JSON.stringify(page.items.map((e) => e.event)));
      // Within the budget, or one event alone; never empty, so paging always goes on.
      expect(page.items.length === 1 || bytes <= EVENTS_PAGE_BYTES).toBe(true);
      expect(page.items.length).toBeGreaterThan(0);
      pages.push(page.items.map((e) => e.id.slice(-2)));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const id = (n: number) => n.toString(16).padStart(2, '0');
    // Newest first: four of ~450 KB fill a page (a fifth would pass 2 MiB), the big one is
    // a page of its own, and the page before it ends early rather than take it.
    expect(pages).toEqual([
      [12, 11, 10, 9].map(id),
      [8].map(id),
      [7].map(id),
      [6, 5, 4, 3].map(id),
      [2, 1].map(id),
    ]);
    // `limit` still ends a page first where the bytes allow more.
    const two = repo.issueEvents(1, undefined, 2);
    expect(two?.items.map((e) => e.id.slice(-2))).toEqual([12, 11].map(id));
    expect(two?.nextCursor).toEqual(expect.any(String));
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
