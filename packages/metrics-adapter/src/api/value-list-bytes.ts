// MetricValueList and ExternalMetricValueList bodies written straight to JSON bytes: the bytes of
// Buffer.from(JSON.stringify(body)) for the body customMetricValueList / externalMetricValueList
// build (wire.ts, the readable spec; the tests hold the two equal), without an object per item for
// JSON.stringify to walk. Each item is a template: the bytes every item repeats (metric, echoed
// selector) are encoded once per list, those around the describedObject's name once per run of
// equal kind/namespace/apiVersion and timestamp. Quantity text ([-0-9a-zA-Z]) needs no escaping.
import type { Requirement } from '../k8s/label-selector';
import { compareGoStrings } from './go-strings';
import { formatPlainDecimal, formatQuantity } from './quantity';
import { CUSTOM_GROUP, EXTERNAL_GROUP } from './routes';
import { Utf8Writer } from './utf8-writer';
import {
  formatTime,
  goMap,
  rememberingLast,
  isFiniteValue,
  toLabelSelector,
  type ExternalSample,
  type ListResult,
  type ObjectReference,
  type ObjectSample,
} from './wire';

const utf8 = new TextEncoder();
const COMMA = 0x2c;
const VALUE = utf8.encode(',"value":"');

/** customMetricValueList's body as JSON bytes. */
export function customMetricValueListBytes(
  version: string,
  metric: string,
  samples: readonly ObjectSample[],
  selector: readonly Requirement[],
): ListResult<Buffer> {
  const labelSelector = toLabelSelector(selector);
  const v1beta1 = version === 'v1beta1';
  // An item's text between its describedObject and its timestamp, and from its value's closing quote.
  const metricJson = v1beta1
    ? `,"metricName":${JSON.stringify(metric)},"timestamp":`
    : `,"metric":${JSON.stringify({ name: metric, ...(labelSelector ? { selector: labelSelector } : {}) })},"timestamp":`;
  const end = utf8.encode(v1beta1 ? `","selector":${JSON.stringify(labelSelector)}}` : '"}');
  const windowKey = utf8.encode(v1beta1 ? ',"window":' : ',"windowSeconds":');
  const writeObject = objectReferenceWriter();
  const timeJson = timeWriter();
  // The bytes from after the name to the end of the timestamp, while both ends repeat.
  let lastTail: string | undefined;
  let lastTime = '';
  let middle = new Uint8Array(0);
  return list('MetricValueList', `${CUSTOM_GROUP}/${version}`, samples, (w, s, quantity) => {
    const tail = writeObject(w, s.describedObject);
    const time = timeJson(s.timestamp);
    if (tail !== lastTail || time !== lastTime) {
      lastTail = tail;
      lastTime = time;
      middle = utf8.encode(tail + metricJson + time);
    }
    w.bytes(middle);
    if (s.windowSeconds !== undefined) {
      w.bytes(windowKey);
      w.text(numberJson(Math.round(s.windowSeconds)));
    }
    w.bytes(VALUE);
    w.text(quantity ?? formatQuantity(s.value));
    w.bytes(end);
  });
}

/** externalMetricValueList's body as JSON bytes. */
export function externalMetricValueListBytes(
  metric: string,
  samples: readonly ExternalSample[],
): ListResult<Buffer> {
  const start = utf8.encode(`{"metricName":${JSON.stringify(metric)},"metricLabels":`);
  const end = utf8.encode('"}');
  const timeJson = timeWriter();
  let lastTime = '';
  let timestamp = new Uint8Array(0);
  return list('ExternalMetricValueList', `${EXTERNAL_GROUP}/v1beta1`, samples, (w, s, quantity) => {
    w.bytes(start);
    if (s.labels === null) w.text('null');
    else writeLabels(w, s.labels);
    const time = timeJson(s.timestamp);
    if (time !== lastTime) {
      lastTime = time;
      timestamp = utf8.encode(`,"timestamp":${time}`);
    }
    w.bytes(timestamp);
    if (s.windowSeconds !== undefined)
      w.text(`,"window":${numberJson(Math.round(s.windowSeconds))}`);
    w.bytes(VALUE);
    w.text(quantity ?? formatQuantity(s.value));
    w.bytes(end);
  });
}

/**
 * The list around its items; NaN and ±Inf samples are left out and counted. `quantity` is the
 * value's Quantity when the value is plain decimal text, worked out once here: such text under
 * 300 characters is always finite, so it needs no Number() to decide that it is kept.
 */
function list<S extends { readonly value: number | string }>(
  kind: string,
  apiVersion: string,
  samples: readonly S[],
  item: (w: Utf8Writer, sample: S, quantity: string | undefined) => void,
): ListResult<Buffer> {
  const shell = JSON.stringify({ kind, apiVersion, metadata: {}, items: [] });
  const w = new Utf8Writer();
  w.text(shell.slice(0, -2)); // `{…,"items":[`
  let kept = 0;
  for (const s of samples) {
    const v = s.value;
    const quantity = typeof v === 'string' && v.length < 300 ? formatPlainDecimal(v) : undefined;
    if (quantity === undefined && !isFiniteValue(v)) continue;
    if (kept++ > 0) w.byte(COMMA);
    item(w, s, quantity);
  }
  w.text(shell.slice(-2));
  return { body: w.finish(), dropped: samples.length - kept };
}

const numberJson = (n: number) => (Number.isFinite(n) ? String(n) : 'null');

/** JSON of metav1.Time values, a run of equal ones written once. */
const timeWriter = () => rememberingLast((t) => JSON.stringify(formatTime(t)));

/**
 * Writes `{"describedObject":` and the object up to the end of its name, returning the object's
 * remaining text. The template covers the shapes the provider builds (those keys in that order,
 * string values), keeping its bytes while kind, namespace and apiVersion repeat; any other object
 * is JSON.stringify'd whole.
 */
function objectReferenceWriter(): (w: Utf8Writer, o: ObjectReference) => string {
  let kind: string | undefined;
  let namespace: string | undefined;
  let apiVersion: string | undefined;
  let head = new Uint8Array(0);
  let tail = '';
  const whole = (w: Utf8Writer, o: ObjectReference) => {
    w.text(`{"describedObject":${JSON.stringify(o)}`);
    return '';
  };
  return (w, o) => {
    const keys = Object.keys(o);
    const namespaced = keys.length === 4 && keys[1] === 'namespace';
    const at = namespaced ? 1 : 0;
    if (
      (!namespaced && keys.length !== 3) ||
      keys[0] !== 'kind' ||
      keys[1 + at] !== 'name' ||
      keys[2 + at] !== 'apiVersion'
    ) {
      return whole(w, o);
    }
    const ns = namespaced ? o.namespace : undefined;
    if (
      typeof o.kind !== 'string' ||
      typeof o.name !== 'string' ||
      typeof o.apiVersion !== 'string' ||
      (namespaced && typeof ns !== 'string')
    ) {
      return whole(w, o);
    }
    if (o.kind !== kind || ns !== namespace || o.apiVersion !== apiVersion) {
      kind = o.kind;
      namespace = ns;
      apiVersion = o.apiVersion;
      const nsJson = ns === undefined ? '' : `"namespace":${JSON.stringify(ns)},`;
      head = utf8.encode(`{"describedObject":{"kind":${JSON.stringify(kind)},${nsJson}"name":`);
      tail = `,"apiVersion":${JSON.stringify(apiVersion)}}`;
    }
    w.bytes(head);
    w.jsonString(o.name);
    return tail;
  };
}

/** Writes labels as JSON.stringify(goMap(labels)) would: own enumerable keys, in Go's order. */
function writeLabels(w: Utf8Writer, labels: Readonly<Record<string, string>>): void {
  const start = w.length;
  w.byte(0x7b); // {
  let first = true;
  for (const key of Object.keys(labels).sort(compareGoStrings)) {
    const value = labels[key];
    if (typeof value !== 'string') {
      // JSON.stringify leaves out undefined values and writes others its own way.
      w.truncate(start);
      w.text(JSON.stringify(goMap(labels)));
      return;
    }
    if (!first) w.byte(COMMA);
    first = false;
    w.jsonString(key);
    w.byte(0x3a); // :
    w.jsonString(value);
  }
  w.byte(0x7d); // }
}
