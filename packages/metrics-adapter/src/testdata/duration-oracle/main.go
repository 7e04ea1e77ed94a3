// The oracle for flags.oracle.test.ts: Go's own time.ParseDuration, which pflag's duration
// flags (prometheus-adapter's --metrics-relist-interval among them) read their values with.
// Reads ["90s", ...] on stdin; writes [{"ns": "<int64>"} | {"error": "..."}].
package main

import (
	"encoding/json"
	"os"
	"strconv"
	"time"
)

type answer struct {
	Ns    *string `json:"ns,omitempty"`
	Error *string `json:"error,omitempty"`
}

func main() {
	var texts []string
	if err := json.NewDecoder(os.Stdin).Decode(&texts); err != nil {
		panic(err)
	}
	answers := make([]answer, len(texts))
	for i, text := range texts {
		d, err := time.ParseDuration(text)
		if err != nil {
			message := err.Error()
			answers[i].Error = &message
			continue
		}
		ns := strconv.FormatInt(int64(d), 10)
		answers[i].Ns = &ns
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		panic(err)
	}
}
