// The OTLP trace request and response (opentelemetry-proto: collector/trace/v1, trace/v1,
// common/v1, resource/v1) and google.rpc.Status, as protobufjs reads and writes them. Field
// numbers are the protocol's; unused fields (links, dropped counts, trace state) are kept so a
// body round-trips the same.
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
  repeated Event events = 11; uint32 dropped_events_count = 12;
  repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15; fixed32 flags = 16;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; }
}
message ArrayValue { repeated AnyValue values = 1; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message RpcStatus { int32 code = 1; string message = 2; }
message KeyValueList { repeated KeyValue values = 1; }
`;

const root = protobuf.parse(PROTO, { keepCase: false }).root.resolveAll();
export const ExportTraceServiceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
/** Its parts a request's reading renders one at a time (otlp.ts, decodeOtlp). */
export const Resource = root.lookupType('otlp.Resource');
export const Span = root.lookupType('otlp.Span');
/** The answer; its partial_success says how many spans were left out, and why. */
export const ExportTraceServiceResponse = root.lookupType('otlp.ExportTraceServiceResponse');
/** google.rpc.Status (code, message; no details), the body of an OTLP/HTTP error. */
export const RpcStatus = root.lookupType('otlp.RpcStatus');

// protobufjs reads a known field by its number alone and a nested message to the length it
// claims: a field of the wrong wire type, or a message longer than the one around it, is read as
// something else rather than refused; an 11-byte varint, field number 0 and an unmatched group are
// taken too. The body's wire format is checked first, as protobuf-go's and C++'s parsers check
// it, so such a body is a 400 naming the problem. (Those parsers skip a known field of another
// wire type as unknown, read a 32-bit varint of 6 to 9 bytes and a bool over 32 bits; here all
// are refused: no encoder writes them, and protobufjs misreads the last two, see misread32 and
// misreadBoolError.)

/** Reads a varint at `pos` (before `end`): its value (exact to 2^53) and the position after it. */
function varint(buf: Uint8Array, pos: number, end: number): [number, number] {
  const at = pos;
  let value = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new Error(`a varint at byte ${at} runs past the end of its message`);
    const b = buf[pos++] as number;
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) {
      if (i === 9 && b > 1) throw new Error(`the varint at byte ${at} is over 64 bits`);
      return [value, pos];
    }
  }
  throw new Error(`the varint at byte ${at} is longer than 10 bytes`);
}

/**
 * Whether a varint of this many bytes is one protobufjs misreads where it reads 32 bits: a tag, a
 * length, or the value of an int32, uint32, sint32, bool or enum field. Its `uint32()` reads five
 * bytes and then passes over five more, right for the 10 bytes a negative int32 takes but one to
 * four bytes too far for a varint of 6 to 9, and the rest of the message is read from there,
 * silently. Valid protobuf, but no encoder writes one: refused (misread32Error names `what`).
 */
const misread32 = (bytes: number): boolean => bytes > 5 && bytes < 10;
const misread32Error = (what: string, bytes: number): Error =>
  new Error(
    `${what} is a varint of ${bytes} bytes: a 32-bit value takes 1 to 5, or 10 when negative`,
  );

/**
 * A bool is true when its varint is not 0, as protobuf-go and C++ read it; protobufjs looks at its
 * low 32 bits only, so one of 2^32 (or 2^63, as a 10-byte varint) would be read false. No encoder
 * writes a bool but 0 or 1: one over 32 bits is refused.
 */
const misreadBoolError = (what: string): Error =>
  new Error(`${what} is a bool over 32 bits: a bool is written 0 or 1`);

/** How an error names a known field: `Span.kind (field 6) at byte 59`. */
const fieldAt = (type: protobuf.Type | null, field: protobuf.Field | undefined, at: number) =>
  `${type?.name}.${field?.name} (field ${field?.id}) at byte ${at}`;

/** The field types protobufjs reads with `uint32()`. */
const VARINT32 = new Set(['int32', 'uint32', 'sint32', 'bool']);
const isVarint32 = (field: protobuf.Field | undefined): boolean =>
  field !== undefined && (VARINT32.has(field.type) || field.resolvedType instanceof protobuf.Enum);

/**
 * Where the value at `pos` of a field of wire type 0 (varint), 1 (8 bytes) or 5 (4 bytes) ends;
 * `at` is where its field starts, which an error names.
 */
function scalarEnd(wire: number, buf: Uint8Array, pos: number, end: number, at: number): number {
  if (wire === 0) return varint(buf, pos, end)[1];
  const after = pos + (wire === 1 ? 8 : 4);
  if (after > end) throw new Error(`the field at byte ${at} runs past the end of its message`);
  return after;
}

/** The wire type a field of this definition is written with (no field here is packed). */
const wireType = (field: protobuf.Field): number =>
  field.resolvedType instanceof protobuf.Type
    ? 2
    : ((protobuf.types.basic as Record<string, number | undefined>)[field.type] ?? 0);

/**
 * Checks the message (of `type`; unknown when null) from `pos` to `end`, or, in a group (its
 * field number), to that group's end; answers the position after it.
 */
function check(
  type: protobuf.Type | null,
  buf: Uint8Array,
  pos: number,
  end: number,
  group = 0,
): number {
  while (pos < end) {
    const at = pos;
    let tag: number;
    [tag, pos] = varint(buf, pos, end);
    if (misread32(pos - at)) throw misread32Error(`the tag at byte ${at}`, pos - at);
    const number = Math.floor(tag / 8);
    const wire = tag % 8;
    if (number === 0 || number > 0x1fffffff)
      throw new Error(`invalid field number ${number} at byte ${at}`);
    if (wire === 4) {
      if (number !== group)
        throw new Error(`an end of group ${number} with no start at byte ${at}`);
      return pos;
    }
    const field = type?.fieldsById[number];
    if (field && wire !== wireType(field))
      throw new Error(
        `${type?.name}.${field.name} (field ${number}) has wire type ${wire}, not ${wireType(field)}, at byte ${at}`,
      );
    switch (wire) {
      case 0:
        if (isVarint32(field)) {
          const from = pos;
          let value: number;
          [value, pos] = varint(buf, pos, end);
          if (misread32(pos - from)) throw misread32Error(fieldAt(type, field, at), pos - from);
          if (field?.type === 'bool' && value >= 2 ** 32)
            throw misreadBoolError(fieldAt(type, field, at));
        } else pos = scalarEnd(wire, buf, pos, end, at);
        break;
      case 1:
      case 5:
        pos = scalarEnd(wire, buf, pos, end, at);
        break;
      case 2: {
        let length: number;
        const from = pos;
        [length, pos] = varint(buf, pos, end);
        if (misread32(pos - from))
          throw misread32Error(`the length of the field at byte ${at}`, pos - from);
        if (length > end - pos)
          throw new Error(`the field at byte ${at} runs past the end of its message`);
        if (field?.resolvedType instanceof protobuf.Type)
          check(field.resolvedType, buf, pos, pos + length);
        pos += length;
        break;
      }
      case 3:
        pos = check(null, buf, pos, end, number);
        break;
      default:
        throw new Error(`invalid wire type ${wire} at byte ${at}`);
    }
  }
  if (group) throw new Error(`group ${group} has no end`);
  return pos;
}

/** Throws an Error naming the first thing wrong with the body's protobuf wire format. */
export function checkWireFormat(body: Uint8Array): void {
  check(ExportTraceServiceRequest, body, 0, body.length);
}

/**
 * The length-delimited fields of the message from `start` to `end` of a body whose wire format
 * checkWireFormat passed, in order: each field's number and where its bytes start and end.
 * Fields of other wire types are passed over.
 */
export function* lengthDelimited(
  buf: Uint8Array,
  start: number,
  end: number,
): Generator<readonly [number, number, number]> {
  let pos = start;
  while (pos < end) {
    const at = pos;
    let tag: number;
    [tag, pos] = varint(buf, pos, end);
    const number = Math.floor(tag / 8);
    switch (tag % 8) {
      case 0:
      case 1:
      case 5:
        pos = scalarEnd(tag % 8, buf, pos, end, at);
        break;
      case 2: {
        let length: number;
        [length, pos] = varint(buf, pos, end);
        yield [number, pos, pos + length];
        pos += length;
        break;
      }
      case 3:
        pos = check(null, buf, pos, end, number);
        break;
      default:
        throw new Error(`invalid wire type ${tag % 8} at byte ${pos}`);
    }
  }
}
