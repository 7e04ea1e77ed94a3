// Prometheus' answers read without holding the event loop for long. A large cluster's
// `/api/v1/series` answer is tens of megabytes (34 MB for the 511,000 series of
// `{namespace!="",pod!=""}` at 20,000 pods): one JSON.parse of it held every value request
// ~1 s, at every relist. An answer of the shape Prometheus writes (`{"status":"success","data":[`,
// or an instant vector's `…"data":{"resultType":"vector","result":[`; VictoriaMetrics cluster's
// with an `isPartial` between) is parsed a slice of its
// list at a time instead, with a turn of the event loop between slices; the value is the one
// JSON.parse gives. Anything else, and any answer this cannot split exactly, is parsed whole.

/**
 * What an answer may carry between its status and its data: nothing (Prometheus, single-node
 * VictoriaMetrics, Thanos) or VictoriaMetrics cluster's `isPartial` (vmselect marks an answer
 * some vmstorage nodes missed; Cluster-VictoriaMetrics.md).
 */
const BETWEEN = ['', '"isPartial":false,', '"isPartial":true,'];

/** The openings of the answers whose list is parsed in slices, and where that list lies. */
const OPENINGS = BETWEEN.flatMap((between) => [
  { text: `{"status":"success",${between}"data":[`, list: (v: Answer) => v.data, set: setData },
  {
    text: `{"status":"success",${between}"data":{"resultType":"vector","result":[`,
    list: (v: Answer) => (v.data as Answer | undefined)?.result,
    set: (v: Answer, items: unknown[]) => ((v.data as Answer).result = items),
  },
]);

type Answer = Record<string, unknown>;

function setData(v: Answer, items: unknown[]) {
  v.data = items;
}

const BYTE = { quote: 0x22, backslash: 0x5c, comma: 0x2c, open: [0x5b, 0x7b], close: [0x5d, 0x7d] };

export interface SliceOptions {
  /** Bodies shorter than this are parsed whole. */
  readonly minBytes?: number;
  /** About how much of the list one JSON.parse reads. */
  readonly sliceBytes?: number;
  /** What runs between slices: a turn of the event loop. */
  readonly pause?: () => Promise<void>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `JSON.parse(body.toString('utf8'))`, a slice at a time where the body is one of OPENINGS. */
export async function parseJsonInSlices(
  body: Buffer,
  options: SliceOptions = {},
): Promise<unknown> {
  const { minBytes = 4 << 20, sliceBytes = 1 << 20, pause = nextTurn } = options;
  const whole = () => JSON.parse(body.toString('utf8')) as unknown;
  if (body.length < minBytes) return whole();
  const opening = OPENINGS.find(
    (o) => body.length > o.text.length && body.toString('latin1', 0, o.text.length) === o.text,
  );
  if (!opening) return whole();

  // Walk the list's elements, splitting it at its own commas (not those in strings or nested
  // values) once a slice is long enough. A body this walk cannot read to the list's end is
  // parsed whole, so that its error is JSON.parse's own.
  const items: unknown[] = [];
  const parseSlice = (from: number, to: number) => {
    const slice = JSON.parse(`[${body.toString('utf8', from, to)}]`) as unknown[];
    for (const item of slice) items.push(item);
  };
  let depth = 0;
  let inString = false;
  let escaped = false;
  let from = opening.text.length;
  let end = -1;
  let split = false;
  for (let i = from; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BYTE.backslash) escaped = true;
      else if (c === BYTE.quote) inString = false;
    } else if (c === BYTE.quote) inString = true;
    else if (c === BYTE.open[0] || c === BYTE.open[1]) depth++;
    else if (c === BYTE.close[0] || c === BYTE.close[1]) {
      if (depth === 0) {
        end = i;
        break;
      }
      depth--;
    } else if (c === BYTE.comma && depth === 0 && i - from >= sliceBytes) {
      parseSlice(from, i);
      split = true;
      from = i + 1;
      await pause();
    }
  }
  if (end < 0) return whole();
  const last = body.toString('latin1', from, end).trim() !== '';
  // Nothing after the last split: a trailing comma, which JSON.parse refuses.
  if (!last && split) return whole();
  if (last) parseSlice(from, end);

  // The rest of the answer around an empty list: warnings, infos. One that names the list's key
  // again (or escapes a key, which could) would set it twice; JSON.parse keeps the last, so it
  // is parsed whole.
  const rest = body.toString('utf8', end);
  if (/"data"|"result|\\/.test(rest)) return whole();
  const answer = JSON.parse(opening.text + rest) as Answer;
  if (!Array.isArray(opening.list(answer))) return whole();
  opening.set(answer, items);
  return answer;
}
