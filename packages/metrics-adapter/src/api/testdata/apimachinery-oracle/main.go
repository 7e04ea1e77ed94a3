// The oracle for the *.oracle.test.ts files: k8s.io/apimachinery itself (the version the e2e
// suite and the Kubernetes components the adapter talks to use) answers questions about
// Quantities, label selectors and field selectors, so that the adapter's TypeScript readings of
// them are held to Go's and not to our own reading of it.
//
// Reads one JSON object on stdin; each field present is a batch of questions, answered in the
// field of the same name on stdout:
//
//	milli:     ["<int64>"]        → resource.NewMilliQuantity(m, DecimalSI).String()
//	values:    [{"text"|"number"}] → the value in milli-units after the adapter's documented
//	                                 roundings, worked out here with math/big (expectedMilli)
//	canonical: ["<quantity>"]     → ParseQuantity(q): its String() (canonical, in the format the
//	                                 text names) and its exact value in milli-units
//	labels:    [{"selector", "sets": [{label: value}]}] → labels.Parse: error, or String() and
//	                                 Matches(labels.Set) for each set
//	fields:    ["<selector>"]     → fields.ParseSelector: error, or its Requirements()
package main

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"strconv"

	"gopkg.in/inf.v0"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
)

type value struct {
	Text   *string  `json:"text,omitempty"`
	Number *float64 `json:"number,omitempty"`
}

type labelQuestion struct {
	Selector string              `json:"selector"`
	Sets     []map[string]string `json:"sets"`
}

type questions struct {
	Milli     []string        `json:"milli"`
	Values    []value         `json:"values"`
	Canonical []string        `json:"canonical"`
	Labels    []labelQuestion `json:"labels"`
	Fields    []string        `json:"fields"`
}

type valueAnswer struct {
	Milli string `json:"milli,omitempty"`
	Error string `json:"error,omitempty"`
}

type canonicalAnswer struct {
	String string `json:"string,omitempty"`
	Milli  string `json:"milli,omitempty"`
	Error  string `json:"error,omitempty"`
}

type labelAnswer struct {
	Error   string `json:"error,omitempty"`
	String  string `json:"string"`
	Matches []bool `json:"matches"`
}

type fieldRequirement struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    string `json:"value"`
}

type fieldAnswer struct {
	Error        string             `json:"error,omitempty"`
	Requirements []fieldRequirement `json:"requirements"`
}

type answers struct {
	Milli     []string          `json:"milli,omitempty"`
	Values    []valueAnswer     `json:"values,omitempty"`
	Canonical []canonicalAnswer `json:"canonical,omitempty"`
	Labels    []labelAnswer     `json:"labels,omitempty"`
	Fields    []fieldAnswer     `json:"fields,omitempty"`
}

var (
	ten      = big.NewInt(10)
	thousand = big.NewRat(1000, 1)
	low      = new(big.Rat).SetInt(new(big.Int).Exp(ten, big.NewInt(14), nil)) // 10^14
	high     = new(big.Rat).SetInt(new(big.Int).Exp(ten, big.NewInt(15), nil)) // 10^15
	half     = big.NewRat(1, 2)
)

// expectedMilli is the adapter's documented reading of a value, from its exact decimal value:
// rounded to 15 significant digits, half away from zero, then times 1000 and any fraction of a
// milli-unit rounded away from zero.
func expectedMilli(exact *big.Rat) *big.Int {
	a := new(big.Rat).Abs(exact)
	if a.Sign() == 0 {
		return new(big.Int)
	}
	// a = scaled × 10^-k with 10^14 ≤ scaled < 10^15.
	scaled := new(big.Rat).Set(a)
	k := 0
	for scaled.Cmp(high) >= 0 {
		scaled.Quo(scaled, big.NewRat(10, 1))
		k--
	}
	for scaled.Cmp(low) < 0 {
		scaled.Mul(scaled, big.NewRat(10, 1))
		k++
	}
	// Half up on the magnitude: floor(scaled + 1/2).
	shifted := new(big.Rat).Add(scaled, half)
	n := new(big.Int).Quo(shifted.Num(), shifted.Denom())
	rounded := new(big.Rat).SetInt(n)
	pow := new(big.Rat).SetInt(new(big.Int).Exp(ten, big.NewInt(int64(abs(k))), nil))
	if k > 0 {
		rounded.Quo(rounded, pow)
	} else {
		rounded.Mul(rounded, pow)
	}
	rounded.Mul(rounded, thousand)
	// Ceiling of a positive rational.
	q, r := new(big.Int).QuoRem(rounded.Num(), rounded.Denom(), new(big.Int))
	if r.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	if exact.Sign() < 0 {
		q.Neg(q)
	}
	return q
}

func abs(k int) int {
	if k < 0 {
		return -k
	}
	return k
}

func answerValue(v value) valueAnswer {
	var text string
	switch {
	case v.Text != nil:
		text = *v.Text
	case v.Number != nil:
		// The shortest decimal text that reads back as the same double, as JavaScript's String().
		text = strconv.FormatFloat(*v.Number, 'e', -1, 64)
	default:
		return valueAnswer{Error: "neither text nor number"}
	}
	exact, ok := new(big.Rat).SetString(text)
	if !ok {
		return valueAnswer{Error: fmt.Sprintf("not a decimal number: %q", text)}
	}
	return valueAnswer{Milli: expectedMilli(exact).String()}
}

func answerCanonical(text string) canonicalAnswer {
	q, err := resource.ParseQuantity(text)
	if err != nil {
		return canonicalAnswer{Error: err.Error()}
	}
	d := q.AsDec()
	milli := new(inf.Dec).Mul(d, inf.NewDec(1000, 0))
	// Exact: the text's value in milli-units is a whole number, or this says it is not.
	whole := new(inf.Dec).Round(milli, 0, inf.RoundExact)
	if whole == nil {
		return canonicalAnswer{String: q.String(), Error: "not a whole number of milli-units"}
	}
	return canonicalAnswer{String: q.String(), Milli: whole.UnscaledBig().String()}
}

func answerLabels(lq labelQuestion) labelAnswer {
	sel, err := labels.Parse(lq.Selector)
	if err != nil {
		return labelAnswer{Error: err.Error()}
	}
	matches := make([]bool, len(lq.Sets))
	for i, set := range lq.Sets {
		matches[i] = sel.Matches(labels.Set(set))
	}
	return labelAnswer{String: sel.String(), Matches: matches}
}

func answerFields(text string) fieldAnswer {
	sel, err := fields.ParseSelector(text)
	if err != nil {
		return fieldAnswer{Error: err.Error()}
	}
	reqs := []fieldRequirement{}
	for _, r := range sel.Requirements() {
		reqs = append(reqs, fieldRequirement{Field: r.Field, Operator: string(r.Operator), Value: r.Value})
	}
	return fieldAnswer{Requirements: reqs}
}

func main() {
	var q questions
	if err := json.NewDecoder(os.Stdin).Decode(&q); err != nil {
		fmt.Fprintln(os.Stderr, "apimachinery-oracle: reading questions:", err)
		os.Exit(2)
	}
	var a answers
	for _, m := range q.Milli {
		v, err := strconv.ParseInt(m, 10, 64)
		if err != nil {
			fmt.Fprintf(os.Stderr, "apimachinery-oracle: milli %q is not an int64: %v\n", m, err)
			os.Exit(2)
		}
		a.Milli = append(a.Milli, resource.NewMilliQuantity(v, resource.DecimalSI).String())
	}
	for _, v := range q.Values {
		a.Values = append(a.Values, answerValue(v))
	}
	for _, c := range q.Canonical {
		a.Canonical = append(a.Canonical, answerCanonical(c))
	}
	for _, l := range q.Labels {
		a.Labels = append(a.Labels, answerLabels(l))
	}
	for _, f := range q.Fields {
		a.Fields = append(a.Fields, answerFields(f))
	}
	if err := json.NewEncoder(os.Stdout).Encode(a); err != nil {
		fmt.Fprintln(os.Stderr, "apimachinery-oracle: writing answers:", err)
		os.Exit(2)
	}
}
