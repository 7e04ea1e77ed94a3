// The oracle for otlp.oracle.test.ts: the OpenTelemetry Collector's own pdata (what its OTLP
// receiver reads a request with, ptraceotlp.ExportRequest) reads each JSON body and answers with
// its spans, or the error the receiver would answer 400 with; and, for one it reads, the same
// request as protobuf, as the Collector's exporters write it.
// Reads [{"body": "<base64>"}] on stdin; writes [{"error": "..."} | {"spans": [{"resource",
// "traceId", "spanId", "parentSpanId", "name", "start", "end", "code", "message",
// "attributes"}], "protobuf": "<base64>"}], values tagged by their type.
package main

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"os"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

type question struct {
	Body []byte `json:"body"`
}

type span struct {
	Resource     map[string]any `json:"resource"`
	TraceID      string         `json:"traceId"`
	SpanID       string         `json:"spanId"`
	ParentSpanID string         `json:"parentSpanId"`
	Name         string         `json:"name"`
	Start        string         `json:"start"`
	End          string         `json:"end"`
	Code         int32          `json:"code"`
	Message      string         `json:"message"`
	Attributes   map[string]any `json:"attributes"`
}

type answer struct {
	Error    string `json:"error,omitempty"`
	Spans    []span `json:"spans"`
	Protobuf []byte `json:"protobuf,omitempty"`
}

// value tags an AnyValue by its type, 64-bit integers as decimal text and doubles JSON cannot
// hold as their names, so nothing is lost on the way.
func value(v pcommon.Value) any {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return map[string]any{"s": v.Str()}
	case pcommon.ValueTypeInt:
		return map[string]any{"i": strconv.FormatInt(v.Int(), 10)}
	case pcommon.ValueTypeDouble:
		d := v.Double()
		if math.IsNaN(d) || math.IsInf(d, 0) {
			return map[string]any{"d": strconv.FormatFloat(d, 'g', -1, 64)}
		}
		return map[string]any{"d": d}
	case pcommon.ValueTypeBool:
		return map[string]any{"b": v.Bool()}
	case pcommon.ValueTypeBytes:
		return map[string]any{"y": base64.StdEncoding.EncodeToString(v.Bytes().AsRaw())}
	case pcommon.ValueTypeSlice:
		out := []any{}
		for i := 0; i < v.Slice().Len(); i++ {
			out = append(out, value(v.Slice().At(i)))
		}
		return map[string]any{"a": out}
	case pcommon.ValueTypeMap:
		return map[string]any{"m": attributes(v.Map())}
	}
	return map[string]any{"e": true}
}

// attributes as a map; a key written twice keeps its first value, as pcommon.Map.Get finds it.
func attributes(m pcommon.Map) map[string]any {
	out := map[string]any{}
	m.Range(func(k string, v pcommon.Value) bool {
		if _, seen := out[k]; !seen {
			out[k] = value(v)
		}
		return true
	})
	return out
}

func hexID(empty bool, s string) string {
	if empty {
		return ""
	}
	return s
}

func main() {
	var questions []question
	if err := json.NewDecoder(os.Stdin).Decode(&questions); err != nil {
		panic(err)
	}
	answers := make([]answer, len(questions))
	for i, q := range questions {
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalJSON(q.Body); err != nil {
			answers[i] = answer{Error: err.Error()}
			continue
		}
		spans := []span{}
		rss := req.Traces().ResourceSpans()
		for r := 0; r < rss.Len(); r++ {
			resource := attributes(rss.At(r).Resource().Attributes())
			sss := rss.At(r).ScopeSpans()
			for s := 0; s < sss.Len(); s++ {
				ss := sss.At(s).Spans()
				for k := 0; k < ss.Len(); k++ {
					sp := ss.At(k)
					spans = append(spans, span{
						Resource:     resource,
						TraceID:      hexID(sp.TraceID().IsEmpty(), sp.TraceID().String()),
						SpanID:       hexID(sp.SpanID().IsEmpty(), sp.SpanID().String()),
						ParentSpanID: hexID(sp.ParentSpanID().IsEmpty(), sp.ParentSpanID().String()),
						Name:         sp.Name(),
						Start:        strconv.FormatUint(uint64(sp.StartTimestamp()), 10),
						End:          strconv.FormatUint(uint64(sp.EndTimestamp()), 10),
						Code:         int32(sp.Status().Code()),
						Message:      sp.Status().Message(),
						Attributes:   attributes(sp.Attributes()),
					})
				}
			}
		}
		protobuf, err := req.MarshalProto()
		if err != nil {
			panic(err)
		}
		answers[i] = answer{Spans: spans, Protobuf: protobuf}
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		panic(err)
	}
}
