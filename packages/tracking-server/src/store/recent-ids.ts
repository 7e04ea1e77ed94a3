// The ids of recently stored events, by project: how an SDK's second sending of an event is
// recognised and stored once. Sentry's own ingest does the same with an hour's cache of
// `project:event_id` (getsentry/sentry, ingest/consumer/processors.py, CACHE_TIMEOUT = 3600).
// A unique index on every event's id did it before, at about a fifth of the writer's time: ids
// are random (uuid4), so each event wrote a page of that index (BENCHMARKS.md).
//
// Each id also keeps its event's issue, which is how user feedback that names the event is
// linked to the issue (issue-ingest.ts) without an index on event ids.
//
// Fixed memory: a ring of the newest `capacity` ids (each as four 32-bit words, its project,
// when it was stored and its issue) and an open-addressing table of ring slots, linear probing
// with deletion by backward shift, so an evicted id leaves no tombstone behind.

/** Ids kept: an hour at ~145 events/s; under heavier load the window is shorter than an hour. */
export const RECENT_IDS = 2 ** 19;
export const RECENT_WINDOW_MS = 3_600_000;

const WORDS = 5; // four words of the id, then the project
const EMPTY = -1;

const HEX32 = /^[0-9a-f]{32}$/i;

/** Whether `s` is an event id as events are stored with (32 hex digits). */
export const isEventId = (s: string) => HEX32.test(s);

const notAnId = (eventId: string) =>
  new Error(`event id ${JSON.stringify(eventId)} is not 32 hex digits`);

/**
 * A 32-hex-digit event id as four numbers; throws on anything else (ids are normalised on read).
 * Parsed digit by digit: every event is looked up and added, and a window is read back at start.
 */
function words(eventId: string, out: Uint32Array): void {
  if (eventId.length !== 32) throw notAnId(eventId);
  for (let w = 0; w < 4; w++) {
    let n = 0;
    for (let i = w * 8; i < w * 8 + 8; i++) {
      const c = eventId.charCodeAt(i);
      const lower = c | 32;
      const digit = c >= 48 && c <= 57 ? c - 48 : lower >= 97 && lower <= 102 ? lower - 87 : -1;
      if (digit < 0) throw notAnId(eventId);
      n = n * 16 + digit;
    }
    out[w] = n;
  }
}

/** murmur3's finaliser over the five words: ids that differ anywhere land apart. */
function hash(k: Uint32Array): number {
  let h = 0x9747b28c;
  for (let i = 0; i < WORDS; i++) {
    h = Math.imul(h ^ (k[i] as number), 0xcc9e2d51);
    h = (h << 13) | (h >>> 19);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class RecentEventIds {
  private readonly keys: Uint32Array;
  private readonly times: Float64Array;
  /** The issue of each ring slot's event; 0 where it was not given. */
  private readonly issues: Float64Array;
  /** Ring slot of each table entry, or EMPTY; twice the capacity, so probes stay short. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private next = 0; // the ring slot written next
  private size = 0;
  private readonly key = new Uint32Array(WORDS);

  constructor(
    private readonly capacity = RECENT_IDS,
    private readonly windowMs = RECENT_WINDOW_MS,
  ) {
    if (!Number.isInteger(Math.log2(capacity))) throw new Error('capacity must be a power of two');
    this.keys = new Uint32Array(capacity * WORDS);
    this.times = new Float64Array(capacity);
    this.issues = new Float64Array(capacity);
    this.table = new Int32Array(capacity * 2).fill(EMPTY);
    this.mask = capacity * 2 - 1;
  }

  /** Whether `eventId` of `projectId` was added within the window before `now`. */
  has(projectId: number, eventId: string, now: number): boolean {
    this.load(projectId, eventId);
    const slot = this.find();
    return slot !== EMPTY && (this.times[slot] as number) > now - this.windowMs;
  }

  /**
   * The issue of `eventId` of `projectId`, while the id is held (whatever its age: the window is
   * for recognising an event sent twice); undefined when it is not, or was added without one.
   */
  issueOf(projectId: number, eventId: string): number | undefined {
    this.load(projectId, eventId);
    const slot = this.find();
    const issue = slot === EMPTY ? 0 : (this.issues[slot] as number);
    return issue > 0 ? issue : undefined;
  }

  /** Remembers an id stored at `at` in issue `issueId`, forgetting the oldest when full. */
  add(projectId: number, eventId: string, at: number, issueId = 0): void {
    this.load(projectId, eventId);
    const existing = this.find();
    if (existing !== EMPTY) {
      this.times[existing] = Math.max(this.times[existing] as number, at);
      if (issueId > 0) this.issues[existing] = issueId;
      return;
    }
    const slot = this.next;
    if (this.size === this.capacity) this.remove(slot);
    else this.size++;
    this.keys.set(this.key, slot * WORDS);
    this.times[slot] = at;
    this.issues[slot] = issueId;
    let i = hash(this.key) & this.mask;
    while (this.table[i] !== EMPTY) i = (i + 1) & this.mask;
    this.table[i] = slot;
    this.next = (slot + 1) & (this.capacity - 1);
  }

  private load(projectId: number, eventId: string): void {
    words(eventId, this.key);
    this.key[4] = projectId;
  }

  private matches(slot: number, k: Uint32Array): boolean {
    const at = slot * WORDS;
    for (let w = 0; w < WORDS; w++) if (this.keys[at + w] !== k[w]) return false;
    return true;
  }

  /** The ring slot holding the loaded key, or EMPTY. */
  private find(): number {
    for (let i = hash(this.key) & this.mask; ; i = (i + 1) & this.mask) {
      const slot = this.table[i] as number;
      if (slot === EMPTY || this.matches(slot, this.key)) return slot;
    }
  }

  /** Takes ring slot `slot` out of the table, shifting back the entries probed past it. */
  private remove(slot: number): void {
    const k = this.keys.subarray(slot * WORDS, slot * WORDS + WORDS);
    let i = hash(k) & this.mask;
    while (this.table[i] !== slot) i = (i + 1) & this.mask;
    for (let j = (i + 1) & this.mask; this.table[j] !== EMPTY; j = (j + 1) & this.mask) {
      const s = this.table[j] as number;
      const home = hash(this.keys.subarray(s * WORDS, s * WORDS + WORDS)) & this.mask;
      // Entry j may move into the hole at i when its home is not in (i, j], cyclically.
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        this.table[i] = s;
        i = j;
      }
    }
    this.table[i] = EMPTY;
  }
}
