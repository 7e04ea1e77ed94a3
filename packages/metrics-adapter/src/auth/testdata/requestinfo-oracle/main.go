// The oracle for request-info.oracle.test.ts: k8s.io/apiserver's RequestInfoFactory itself, set
// up as every Kubernetes API server sets it up (APIPrefixes api and apis, api groupless), reads
// each request line as Go's HTTP server reads it, and answers with the attributes a
// SubjectAccessReview asks about.
// Reads [{"method": "GET", "target": "/apis/…?…"}] on stdin; writes
// [{"error": "..."} | {"resource": bool, "verb", "path", "group", "version", "namespace",
// "resource", "subresource", "name"}].
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/klog/v2"
)

type question struct {
	Method string `json:"method"`
	Target string `json:"target"`
}

type answer struct {
	Error       string `json:"error,omitempty"`
	IsResource  bool   `json:"isResource"`
	Verb        string `json:"verb"`
	Path        string `json:"path"`
	Group       string `json:"group"`
	Version     string `json:"version"`
	Namespace   string `json:"namespace"`
	Resource    string `json:"resource"`
	Subresource string `json:"subresource"`
	Name        string `json:"name"`
}

func main() {
	// NewRequestInfo logs each query it cannot decode; the answers are all that is wanted.
	klog.SetOutput(nopWriter{})
	klog.LogToStderr(false)
	var questions []question
	if err := json.NewDecoder(os.Stdin).Decode(&questions); err != nil {
		panic(err)
	}
	factory := &request.RequestInfoFactory{
		APIPrefixes:          sets.NewString("api", "apis"),
		GrouplessAPIPrefixes: sets.NewString("api"),
	}
	answers := make([]answer, len(questions))
	for i, q := range questions {
		line := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: adapter\r\n\r\n", q.Method, q.Target)
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(line)))
		if err != nil {
			answers[i] = answer{Error: "request line: " + err.Error()}
			continue
		}
		info, err := factory.NewRequestInfo(req)
		if err != nil {
			answers[i] = answer{Error: err.Error()}
			continue
		}
		answers[i] = answer{
			IsResource:  info.IsResourceRequest,
			Verb:        info.Verb,
			Path:        info.Path,
			Group:       info.APIGroup,
			Version:     info.APIVersion,
			Namespace:   info.Namespace,
			Resource:    info.Resource,
			Subresource: info.Subresource,
			Name:        info.Name,
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		panic(err)
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
