// Issue search (`q`) past ASCII, where lower-casing a whole title and lower-casing the part of it
// searched for can differ: Greek capital sigma lower-cases to final sigma (ς) at the end of a
// word and to σ elsewhere (Unicode SpecialCasing.txt, Final_Sigma; String.prototype.toLowerCase
// applies it), so the end of the search text may read ς where the title reads σ.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
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
