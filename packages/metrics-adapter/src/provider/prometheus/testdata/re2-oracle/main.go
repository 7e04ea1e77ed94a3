// The oracle for re2.test.ts: Go's own regexp package (what prometheus-adapter compiles its
// patterns with) answers, for each pattern, whether it compiles and where it matches each input,
// and, given a template, what Regexp.ExpandString makes of each match (what prometheus-adapter
// does with a rule's name.as).
// Reads [{"pattern": "...", "inputs": ["..."], "template"?: "..."}] on stdin; writes
// [{"error": "..."} | {"matches": [[start, end, group1 start, group1 end, ...] | null],
// "expanded"?: ["..." | null]}].
package main

import (
	"encoding/json"
	"os"
	"regexp"
)

type question struct {
	Pattern  string   `json:"pattern"`
	Inputs   []string `json:"inputs"`
	Template *string  `json:"template"`
}

type answer struct {
	Error    string    `json:"error,omitempty"`
	Matches  [][]int   `json:"matches"`
	Expanded []*string `json:"expanded,omitempty"`
}

func main() {
	var questions []question
	if err := json.NewDecoder(os.Stdin).Decode(&questions); err != nil {
		panic(err)
	}
	answers := make([]answer, len(questions))
	for i, q := range questions {
		re, err := regexp.Compile(q.Pattern)
		if err != nil {
			answers[i] = answer{Error: err.Error()}
			continue
		}
		matches := make([][]int, len(q.Inputs))
		var expanded []*string
		if q.Template != nil {
			expanded = make([]*string, len(q.Inputs))
		}
		for j, input := range q.Inputs {
			matches[j] = re.FindStringSubmatchIndex(input)
			if q.Template != nil && matches[j] != nil {
				s := string(re.ExpandString(nil, *q.Template, input, matches[j]))
				expanded[j] = &s
			}
		}
		answers[i] = answer{Matches: matches, Expanded: expanded}
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		panic(err)
	}
}
