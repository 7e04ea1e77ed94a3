// The oracle for output-negotiation.oracle.test.ts and json-indent.test.ts: k8s.io/apiserver's
// own content negotiation (handlers/negotiation, which custom-metrics-apiserver's endpoints and
// the discovery documents answer through) and encoding/json's Indent, which json.MarshalIndent
// writes with and k8s.io/apiserver pretty-prints with.
//
// Reads one JSON object on stdin; each field present is a batch of questions, answered in the
// field of the same name on stdout:
//
//	negotiate: [{"accept"?, "query", "userAgent"?}] → NegotiateOutputMediaType for a GET of
//	           /x?<query> with those headers, a server serving JSON and protobuf (the adapter
//	           answers the second in JSON), DefaultEndpointRestrictions: whether it is acceptable,
//	           the media type chosen, and whether the pretty serializer was picked
//	indent:    ["<json>"] → json.Indent(src, "", "  "), or its error
package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apiserver/pkg/endpoints/handlers/negotiation"
)

type negotiateQuestion struct {
	Accept    *string `json:"accept,omitempty"`
	Query     string  `json:"query"`
	UserAgent *string `json:"userAgent,omitempty"`
}

type negotiateAnswer struct {
	OK        bool   `json:"ok"`
	MediaType string `json:"mediaType"`
	Pretty    bool   `json:"pretty"`
}

type indentAnswer struct {
	Out   *string `json:"out,omitempty"`
	Error string  `json:"error,omitempty"`
}

type questions struct {
	Negotiate []negotiateQuestion `json:"negotiate"`
	Indent    []string            `json:"indent"`
}

type answers struct {
	Negotiate []negotiateAnswer `json:"negotiate,omitempty"`
	Indent    []indentAnswer    `json:"indent,omitempty"`
}

// served is a NegotiatedSerializer that offers JSON and protobuf only (no YAML: not served).
type served struct {
	runtime.NegotiatedSerializer
	infos []runtime.SerializerInfo
}

func (s served) SupportedMediaTypes() []runtime.SerializerInfo { return s.infos }

func main() {
	var q questions
	if err := json.NewDecoder(os.Stdin).Decode(&q); err != nil {
		panic(err)
	}
	codecs := serializer.NewCodecFactory(runtime.NewScheme())
	ns := served{NegotiatedSerializer: codecs}
	for _, info := range codecs.SupportedMediaTypes() {
		if info.MediaType == runtime.ContentTypeJSON || info.MediaType == runtime.ContentTypeProtobuf {
			ns.infos = append(ns.infos, info)
		}
	}
	var a answers
	for _, n := range q.Negotiate {
		req := &http.Request{
			Method: http.MethodGet,
			URL:    &url.URL{Path: "/x", RawQuery: n.Query},
			Header: http.Header{},
		}
		if n.Accept != nil {
			req.Header["Accept"] = []string{*n.Accept}
		}
		if n.UserAgent != nil {
			req.Header["User-Agent"] = []string{*n.UserAgent}
		}
		_, info, err := negotiation.NegotiateOutputMediaType(req, ns, negotiation.DefaultEndpointRestrictions)
		answer := negotiateAnswer{OK: err == nil, MediaType: info.MediaType}
		answer.Pretty = err == nil && info.PrettySerializer != nil && info.Serializer == info.PrettySerializer
		a.Negotiate = append(a.Negotiate, answer)
	}
	for _, src := range q.Indent {
		var out bytes.Buffer
		if err := json.Indent(&out, []byte(src), "", "  "); err != nil {
			a.Indent = append(a.Indent, indentAnswer{Error: err.Error()})
			continue
		}
		s := out.String()
		a.Indent = append(a.Indent, indentAnswer{Out: &s})
	}
	if err := json.NewEncoder(os.Stdout).Encode(a); err != nil {
		panic(err)
	}
}
