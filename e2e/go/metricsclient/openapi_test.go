package metricsclient

import (
	"sort"
	"testing"

	openapi_v3 "github.com/google/gnostic-models/openapiv3"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/openapi3"
)

// TestOpenAPIV3DocumentsReadByKubectlsClient reads the adapter's OpenAPI v3 documents with
// client-go's openapi3 root (what kubectl explain reads through the aggregator, which passes
// these documents on), and parses each with gnostic, which kube-openapi uses to turn a document
// into its protobuf form.
func TestOpenAPIV3DocumentsReadByKubectlsClient(t *testing.T) {
	disco, err := discovery.NewDiscoveryClientForConfig(config(t))
	if err != nil {
		t.Fatal(err)
	}
	root := openapi3.NewRoot(disco.OpenAPIV3())
	gvs, err := root.GroupVersions()
	if err != nil {
		t.Fatalf("GroupVersions: %v", err)
	}
	var got []string
	for _, gv := range gvs {
		got = append(got, gv.String())
	}
	sort.Strings(got)
	want := []string{"custom.metrics.k8s.io/v1beta1", "custom.metrics.k8s.io/v1beta2", "external.metrics.k8s.io/v1beta1"}
	if len(got) != len(want) {
		t.Fatalf("group versions = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("group versions = %v, want %v", got, want)
		}
	}

	kinds := map[string]string{
		"custom.metrics.k8s.io/v1beta1":   "MetricValueList",
		"custom.metrics.k8s.io/v1beta2":   "MetricValueList",
		"external.metrics.k8s.io/v1beta1": "ExternalMetricValueList",
	}
	for _, gv := range gvs {
		spec, err := root.GVSpec(gv)
		if err != nil {
			t.Fatalf("GVSpec(%s): %v", gv, err)
		}
		if spec.Components == nil || len(spec.Components.Schemas) != 1 {
			t.Fatalf("%s: want one schema in components, got %+v", gv, spec.Components)
		}
		for name, s := range spec.Components.Schemas {
			gvks, _ := s.Extensions["x-kubernetes-group-version-kind"].([]interface{})
			if len(gvks) != 1 {
				t.Fatalf("%s: schema %s has no x-kubernetes-group-version-kind", gv, name)
			}
			gvk, _ := gvks[0].(map[string]interface{})
			if gvk["group"] != gv.Group || gvk["version"] != gv.Version || gvk["kind"] != kinds[gv.String()] {
				t.Errorf("%s: schema %s is for %v", gv, name, gvk)
			}
			if _, ok := s.Properties["items"]; !ok {
				t.Errorf("%s: schema %s has no items", gv, name)
			}
		}
		if len(spec.Paths.Paths) == 0 {
			t.Errorf("%s: no paths", gv)
		}

		raw := schemaBytes(t, disco, gv)
		if _, err := openapi_v3.ParseDocument(raw); err != nil {
			t.Errorf("%s: gnostic: %v", gv, err)
		}
	}
}

// schemaBytes fetches one group version's document as the openapi3 root does, by the URL
// (with its hash) the discovery document gives.
func schemaBytes(t *testing.T, disco *discovery.DiscoveryClient, gv schema.GroupVersion) []byte {
	t.Helper()
	paths, err := disco.OpenAPIV3().Paths()
	if err != nil {
		t.Fatal(err)
	}
	doc, ok := paths["apis/"+gv.Group+"/"+gv.Version]
	if !ok {
		t.Fatalf("no document for %s", gv)
	}
	raw, err := doc.Schema("application/json")
	if err != nil {
		t.Fatalf("%s: %v", gv, err)
	}
	return raw
}
