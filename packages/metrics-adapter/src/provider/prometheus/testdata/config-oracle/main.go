// The oracle for config.oracle.test.ts: a prometheus-adapter config file read as upstream's
// config.FromYAML reads it, with gopkg.in/yaml.v2's UnmarshalStrict into the same types
// (pkg/config's MetricsDiscoveryConfig, declared again below). For each file it answers the
// error, or what was read, with resourceRules.window in milliseconds.
// Reads ["<yaml>", ...] on stdin; writes [{"error": "..."} | {"config": {...}}].
package main

import (
	"encoding/json"
	"os"
	"time"

	pmodel "github.com/prometheus/common/model"
	yaml "gopkg.in/yaml.v2"
)

type config struct {
	Rules         []discoveryRule `yaml:"rules" json:"rules"`
	ResourceRules *resourceRules  `yaml:"resourceRules,omitempty" json:"resourceRules"`
	ExternalRules []discoveryRule `yaml:"externalRules,omitempty" json:"externalRules"`
}

type discoveryRule struct {
	SeriesQuery            string                  `yaml:"seriesQuery" json:"seriesQuery"`
	SeriesFilters          []regexFilter           `yaml:"seriesFilters" json:"seriesFilters"`
	Resources              resourceMapping         `yaml:"resources" json:"resources"`
	Name                   nameMapping             `yaml:"name" json:"name"`
	MetricsQuery           string                  `yaml:"metricsQuery,omitempty" json:"metricsQuery"`
	LabelValueReplacements []labelValueReplacement `yaml:"labelValueReplacements,omitempty" json:"labelValueReplacements"`
}

type labelValueReplacement struct {
	Find    string `yaml:"find,omitempty" json:"find"`
	Replace string `yaml:"replace,omitempty" json:"replace"`
}

type regexFilter struct {
	Is    string `yaml:"is,omitempty" json:"is"`
	IsNot string `yaml:"isNot,omitempty" json:"isNot"`
}

type resourceMapping struct {
	Template   string                   `yaml:"template,omitempty" json:"template"`
	Overrides  map[string]groupResource `yaml:"overrides,omitempty" json:"overrides"`
	Namespaced *bool                    `yaml:"namespaced,omitempty" json:"namespaced"`
}

type groupResource struct {
	Group    string `yaml:"group,omitempty" json:"group"`
	Resource string `yaml:"resource" json:"resource"`
}

type nameMapping struct {
	Matches string `yaml:"matches" json:"matches"`
	As      string `yaml:"as" json:"as"`
}

type resourceRules struct {
	CPU    resourceRule    `yaml:"cpu" json:"cpu"`
	Memory resourceRule    `yaml:"memory" json:"memory"`
	Window pmodel.Duration `yaml:"window" json:"-"`
	// The window in milliseconds, for the answer.
	WindowMs int64 `yaml:"-" json:"windowMs"`
}

type resourceRule struct {
	ContainerQuery string          `yaml:"containerQuery" json:"containerQuery"`
	NodeQuery      string          `yaml:"nodeQuery" json:"nodeQuery"`
	Resources      resourceMapping `yaml:"resources" json:"resources"`
	ContainerLabel string          `yaml:"containerLabel" json:"containerLabel"`
}

type answer struct {
	Error  *string `json:"error,omitempty"`
	Config *config `json:"config,omitempty"`
}

func main() {
	var files []string
	if err := json.NewDecoder(os.Stdin).Decode(&files); err != nil {
		panic(err)
	}
	answers := make([]answer, len(files))
	for i, text := range files {
		var cfg config
		if err := yaml.UnmarshalStrict([]byte(text), &cfg); err != nil {
			message := err.Error()
			answers[i].Error = &message
			continue
		}
		if cfg.ResourceRules != nil {
			cfg.ResourceRules.WindowMs = time.Duration(cfg.ResourceRules.Window).Milliseconds()
		}
		answers[i].Config = &cfg
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		panic(err)
	}
}
