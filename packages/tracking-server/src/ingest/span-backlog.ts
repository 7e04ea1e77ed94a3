// OTLP admission by work: the spans of requests taken and not yet stored, across requests, served
// in the order they were taken. Bodies are held to a budget of bytes (body.ts), which bounds
// memory but not time: 392 requests of 512 spans from four OpenTelemetry JS exporters fit in it,
// were all read and written in turns together, and most finished together past the exporters'
// 10 s timeout: 23,552–80,896 of 200,000 spans were reported lost by the SDKs (and stored),
// 140,000 on a busy machine. The OTLP spec's answer to an overloaded server is a 503 with Retry-After,
// which the JS, Go and Collector exporters retry; and taken in turn, the first are answered in
// time (README, Admission by work).

/**
 * Seconds of work taken at once: past it, a request is refused. Served in turn, the request taken
 * last is answered within about this long, inside an exporter's timeout (10 s for the JS and Go
 * SDKs, 30 s for the Collector); and half of it, left when refusing stops, outlasts
 * RETRY_AFTER_BUSY, so the store is not idle while the refused wait. 3 and 5 s (tried with
 * requests taken two at a time) had the JS SDKs give up more batches than 7.
 */
export const BACKLOG_SECONDS = 7;

/**
 * Seconds of work in progress at once, the rest waiting its turn: a turn of 1 s (three or four of
 * the Collector's batches of 8,192) stored them a fifth slower than all at once, its steps on the
 * two threads overlapping less; one of 3 s, within noise of it.
 */
export const TURN_SECONDS = 3;

/**
 * Spans stored a second until one is measured: the JS SDK's spans (nine attributes, a link, a
 * memory event on every other) were stored at ~15,000 a second on a 2-core machine, the
 * Collector's lighter ones at ~45,000 (README, Admission by work). A guess too low refused the
 * first batches of a Collector, each then waiting its Retry-After.
 */
export const FIRST_SPANS_PER_SECOND = 20_000;

/** The limit whatever was measured: at least one Collector batch; at most ~6 s of its spans. */
export const MIN_SPAN_BACKLOG = 8_192;
export const MAX_SPAN_BACKLOG = 262_144;

/** Milliseconds with spans held over which each measure of the rate is taken. */
const SAMPLE_MS = 1_000;

/**
 * Seconds a request refused for a full backlog is asked to wait (`Retry-After`): the JS exporter
 * retries at most five times, within its 10 s, and asked to wait 1 s it gave up after ~6.
 */
export const RETRY_AFTER_BUSY = 2;

export interface SpanHold {
  /** Resolves when it is this request's turn to be read and stored. */
  turn(): Promise<void>;
  /**
   * Gives the spans back, once however often called; `stored` false when its turn was given up
   * unused (not counted in the rate).
   */
  release(stored?: boolean): void;
}

export interface SpanBacklogOptions {
  /** A limit in spans, fixed: none is learned. */
  readonly limit?: number;
  /** Spans in progress at once, fixed: none is learned. */
  readonly turn?: number;
  /** Milliseconds, for the rate. */
  readonly now?: () => number;
}

interface Waiting {
  readonly spans: number;
  readonly go: () => void;
}

/**
 * The spans of requests taken and not yet stored, held to BACKLOG_SECONDS of work at the rate
 * spans were stored lately, TURN_SECONDS of it in progress and the rest waiting in the order it was
 * taken. A count of spans alone was wrong by four times between the JS SDK's spans and the
 * Collector's lighter ones. The rate is the spans stored over the time any were held, in samples
 * of SAMPLE_MS, averaged with the one before.
 *
 * A request is taken when its spans fit under the limit, or when nothing is held (a batch larger
 * than the limit is taken alone, not refused for good). Once one is refused, the backlog refuses
 * every request, before its body is read, until it has drained to half its limit: the retries of
 * a burst cost a few microseconds each, not a parse of their bodies, and the store is still kept
 * busy meanwhile.
 */
export class SpanBacklog {
  private held = 0;
  private inProgress = 0;
  private readonly waiting: Waiting[] = [];
  private refusing = false;
  private rate = FIRST_SPANS_PER_SECOND;
  /** Spans stored, and milliseconds with any held, since the last sample. */
  private stored = 0;
  private busyMs = 0;
  private busySince: number | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SpanBacklogOptions = {}) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Spans held now, in progress or waiting. */
  get spans(): number {
    return this.held;
  }

  /** Spans stored a second, as last measured. */
  get spansPerSecond(): number {
    return this.rate;
  }

  /** Spans held at most (but for one batch larger alone). */
  get limit(): number {
    const learned = Math.round(this.rate * BACKLOG_SECONDS);
    return this.options.limit ?? Math.min(MAX_SPAN_BACKLOG, Math.max(MIN_SPAN_BACKLOG, learned));
  }

  /** Spans in progress at most (but for one request larger alone). */
  get inTurn(): number {
    return this.options.turn ?? Math.round(this.rate * TURN_SECONDS);
  }

  /** Whether a request is refused before its body is read. */
  get full(): boolean {
    return this.refusing && this.held > this.limit / 2;
  }

  /** Holds `spans` until released; undefined, holding nothing, when they do not fit. */
  take(spans: number): SpanHold | undefined {
    if (this.held > 0 && (this.full || this.held + spans > this.limit)) {
      this.refusing = true;
      return undefined;
    }
    if (this.held === 0) this.busySince = this.now();
    this.held += spans;
    let started = false;
    let released = false;
    let resolve!: () => void;
    const turn = new Promise<void>((r) => (resolve = r));
    const waiting: Waiting = {
      spans,
      go: () => {
        started = true;
        resolve();
      },
    };
    this.waiting.push(waiting);
    this.next();
    return {
      turn: () => turn,
      release: (stored = true) => {
        if (released) return;
        released = true;
        this.held -= spans;
        if (started) {
          this.inProgress -= spans;
          if (stored) this.stored += spans;
        } else this.waiting.splice(this.waiting.indexOf(waiting), 1);
        this.learn();
        if (this.held <= this.limit / 2) this.refusing = false;
        this.next();
      },
    };
  }

  /** Starts the requests waiting, in order, while their spans fit in a turn. */
  private next(): void {
    for (let w = this.waiting[0]; w; w = this.waiting[0]) {
      if (this.inProgress > 0 && this.inProgress + w.spans > this.inTurn) return;
      this.waiting.shift();
      this.inProgress += w.spans;
      w.go();
    }
  }

  private learn(): void {
    const at = this.now();
    if (this.held === 0 && this.busySince !== undefined) {
      this.busyMs += at - this.busySince;
      this.busySince = undefined;
    }
    const busy = this.busyMs + (this.busySince === undefined ? 0 : at - this.busySince);
    if (busy < SAMPLE_MS) return;
    this.rate = (this.rate + (this.stored * 1000) / busy) / 2;
    this.stored = 0;
    this.busyMs = 0;
    if (this.busySince !== undefined) this.busySince = at;
  }
}
