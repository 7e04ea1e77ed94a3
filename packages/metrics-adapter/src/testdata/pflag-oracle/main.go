// The oracle for pflag.oracle.test.ts: a command line as prometheus-adapter's main reads it,
// with spf13/pflag's FlagSet.Parse, klog's flags added from a Go flag set (which gives -v its
// shorthand) and each flag of the type its value is read as.
// Reads {"flags": [{"name": "...", "kind": "string|slice|array|bool|duration|int|uint64|level"}],
// "argvs": [["--x=1", ...], ...]} on stdin; writes, for each argv, {"error": "..."} |
// {"help": true} | {"set": {"name": "value", ...}, "args": [...]}, where a slice or array is
// its values as JSON, a duration its nanoseconds, a boolean "true" or "false".
package main

import (
	"encoding/json"
	"errors"
	goflag "flag"
	"io"
	"os"
	"strconv"

	"github.com/spf13/pflag"
)

type flagSpec struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type question struct {
	Flags []flagSpec `json:"flags"`
	Argvs [][]string `json:"argvs"`
}

type answer struct {
	Error string            `json:"error,omitempty"`
	Help  bool              `json:"help,omitempty"`
	Set   map[string]string `json:"set,omitempty"`
	Args  []string          `json:"args,omitempty"`
}

// level is klog's Level as its Set reads it.
type level int32

func (l *level) String() string { return strconv.Itoa(int(*l)) }
func (l *level) Set(s string) error {
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return err
	}
	*l = level(v)
	return nil
}

func parse(specs []flagSpec, argv []string) answer {
	fs := pflag.NewFlagSet("adapter", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	klog := goflag.NewFlagSet("klog", goflag.ContinueOnError)
	for _, f := range specs {
		switch f.Kind {
		case "string":
			fs.String(f.Name, "", "")
		case "slice":
			fs.StringSlice(f.Name, nil, "")
		case "array":
			fs.StringArray(f.Name, nil, "")
		case "bool":
			fs.Bool(f.Name, false, "")
		case "duration":
			fs.Duration(f.Name, 0, "")
		case "int":
			fs.Int(f.Name, 0, "")
		case "uint64":
			fs.Uint64(f.Name, 0, "")
		case "level":
			klog.Var(new(level), f.Name, "")
		default:
			panic("unknown kind " + f.Kind)
		}
	}
	fs.AddGoFlagSet(klog)
	if err := fs.Parse(argv); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return answer{Help: true}
		}
		return answer{Error: err.Error()}
	}
	set := map[string]string{}
	fs.Visit(func(f *pflag.Flag) {
		if slice, ok := f.Value.(pflag.SliceValue); ok {
			// The values themselves: GetStringSlice and GetStringArray go through the flag's
			// CSV text, which drops an empty value and turns \r\n into \n.
			text, _ := json.Marshal(slice.GetSlice())
			set[f.Name] = string(text)
		} else if f.Value.Type() == "duration" {
			d, _ := fs.GetDuration(f.Name)
			set[f.Name] = strconv.FormatInt(int64(d), 10)
		} else {
			set[f.Name] = f.Value.String()
		}
	})
	return answer{Set: set, Args: fs.Args()}
}

func main() {
	var q question
	if err := json.NewDecoder(os.Stdin).Decode(&q); err != nil {
		panic(err)
	}
	answers := make([]answer, len(q.Argvs))
	for i, argv := range q.Argvs {
		answers[i] = parse(q.Flags, argv)
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		panic(err)
	}
}
