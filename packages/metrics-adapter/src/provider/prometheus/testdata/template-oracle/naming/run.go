// Package naming runs a metricsQuery template as prometheus-adapter's package naming does
// (pkg/naming/metrics_query.go): Delims("<<", ">>"), no functions of its own, its
// queryTemplateArgs as the data. It is named naming so that the data's type prints as it does
// there (naming.queryTemplateArgs, in printf's %!(EXTRA …)).
package naming

import (
	"encoding/json"
	"strings"
	"text/template"
)

// queryTemplateArgs as prometheus-adapter declares it, field for field.
type queryTemplateArgs struct {
	Series            string
	LabelMatchers     string
	LabelValuesByName map[string]string
	GroupBy           string
	GroupBySlice      []string
}

// Answer is one of: the parse error, the execution error, or what the template wrote.
type Answer struct {
	Parse string  `json:"parse,omitempty"`
	Exec  string  `json:"exec,omitempty"`
	Out   *string `json:"out,omitempty"`
}

// Run parses and executes one template as upstream's metricsQuery.Build does, on data given
// as JSON with queryTemplateArgs' fields.
func Run(text string, data json.RawMessage) Answer {
	var args queryTemplateArgs
	if err := json.Unmarshal(data, &args); err != nil {
		panic(err)
	}
	t, err := template.New("metrics-query").Delims("<<", ">>").Parse(text)
	if err != nil {
		return Answer{Parse: err.Error()}
	}
	var out strings.Builder
	if err := t.Execute(&out, args); err != nil {
		return Answer{Exec: err.Error()}
	}
	s := out.String()
	return Answer{Out: &s}
}
