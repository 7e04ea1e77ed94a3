// The oracle for go-template-engine.oracle.test.ts: Go's own text/template, set up as
// prometheus-adapter sets up a metricsQuery (package naming here), answers for each template
// whether it parses, whether it runs, and what it writes.
// Reads [{"template": "...", "data": {...}}] on stdin; writes
// [{"parse": "<error>"} | {"exec": "<error>"} | {"out": "..."}].
package main

import (
	"encoding/json"
	"os"

	"beacon.test/template-oracle/naming"
)

type question struct {
	Template string          `json:"template"`
	Data     json.RawMessage `json:"data"`
}

func main() {
	var questions []question
	if err := json.NewDecoder(os.Stdin).Decode(&questions); err != nil {
		panic(err)
	}
	answers := make([]naming.Answer, len(questions))
	for i, q := range questions {
		answers[i] = naming.Run(q.Template, q.Data)
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		panic(err)
	}
}
