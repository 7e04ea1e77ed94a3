package metricsclient

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
)

// pathsSeen records the path of every request client-go sends.
type pathsSeen struct {
	next  http.RoundTripper
	mu    *sync.Mutex
	paths *[]string
}

func (p pathsSeen) RoundTrip(r *http.Request) (*http.Response, error) {
	p.mu.Lock()
	*p.paths = append(*p.paths, r.URL.Path)
	p.mu.Unlock()
	return p.next.RoundTrip(r)
}

// resourceKey is what a discovery entry says of one resource, for comparing the two forms.
func resourceKey(r metav1.APIResource) string {
	return strings.Join([]string{r.Name, r.Kind, strings.Join(r.Verbs, ","), map[bool]string{true: "namespaced", false: "cluster"}[r.Namespaced]}, " ")
}

func keys(list *metav1.APIResourceList) []string {
	var out []string
	for _, r := range list.APIResources {
		out = append(out, resourceKey(r))
	}
	sort.Strings(out)
	return out
}

// client-go's discovery client (kubectl's, the garbage collector's, the namespace controller's)
// asks /apis for apidiscovery.k8s.io/v2 first and, when the answer's Content-Type says it is
// that, takes every group version's resources from it without reading
// /apis/<group>/<version>. What it takes must be what those legacy documents list.
func TestDiscoveryTakesTheAggregatedDocument(t *testing.T) {
	cfg := config(t)
	var mu sync.Mutex
	var paths []string
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { return pathsSeen{rt, &mu, &paths} }
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	groups, resources, err := disco.ServerGroupsAndResources()
	if err != nil {
		t.Fatalf("ServerGroupsAndResources: %v", err)
	}
	mu.Lock()
	asked := append([]string(nil), paths...)
	mu.Unlock()
	// /api answers 404, which client-go tolerates from an aggregated API server.
	if strings.Join(asked, " ") != "/api /apis" {
		t.Errorf("discovery asked %v; want only /api and /apis (the aggregated document)", asked)
	}

	var got []string
	for _, g := range groups {
		var versions []string
		for _, v := range g.Versions {
			versions = append(versions, v.Version)
		}
		got = append(got, g.Name+" "+strings.Join(versions, ",")+" preferred "+g.PreferredVersion.Version)
	}
	want := []string{
		"custom.metrics.k8s.io v1beta2,v1beta1 preferred v1beta2",
		"external.metrics.k8s.io v1beta1 preferred v1beta1",
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("groups = %v, want %v", got, want)
	}

	byGV := map[string]*metav1.APIResourceList{}
	for _, list := range resources {
		byGV[list.GroupVersion] = list
	}
	for gv, wanted := range map[string][]string{
		"custom.metrics.k8s.io/v1beta2": {
			"namespaces/job_queue_length MetricValueList get cluster",
			"namespaces/websocket_connections MetricValueList get cluster",
			"pods/job_queue_length MetricValueList get namespaced",
			"pods/websocket_connections MetricValueList get namespaced",
		},
		"custom.metrics.k8s.io/v1beta1": {
			"namespaces/job_queue_length MetricValueList get cluster",
			"namespaces/websocket_connections MetricValueList get cluster",
			"pods/job_queue_length MetricValueList get namespaced",
			"pods/websocket_connections MetricValueList get namespaced",
		},
		"external.metrics.k8s.io/v1beta1": {
			"job_queue_length ExternalMetricValueList get namespaced",
		},
	} {
		list, ok := byGV[gv]
		if !ok {
			t.Errorf("no resources for %s in %v", gv, byGV)
			continue
		}
		aggregated := keys(list)
		for _, w := range wanted {
			i := sort.SearchStrings(aggregated, w)
			if i == len(aggregated) || aggregated[i] != w {
				t.Errorf("%s lacks %q: %v", gv, w, aggregated)
			}
		}
		// One source of truth: the legacy document lists the very same resources.
		legacy, err := disco.ServerResourcesForGroupVersion(gv)
		if err != nil {
			t.Fatalf("legacy %s: %v", gv, err)
		}
		if strings.Join(keys(legacy), "\n") != strings.Join(aggregated, "\n") {
			t.Errorf("%s: aggregated %v, legacy %v", gv, aggregated, keys(legacy))
		}
	}
}

// What kube-aggregator's handler_discovery.go sends each APIService backend every minute: the
// aggregated Accept, and the last ETag back. The Content-Type decides whether it falls back to
// /apis/<group>/<version>, so it must be the apiserver's exactly.
func TestAggregatedDocumentAsKubeAggregatorFetchesIt(t *testing.T) {
	cfg := config(t)
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	get := func(accept, ifNoneMatch string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, cfg.Host+"/apis", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", accept)
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}

	resp, body := get(discovery.AcceptV2+","+discovery.AcceptV2Beta1, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	contentType := resp.Header.Get("Content-Type")
	if contentType != "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" {
		t.Errorf("Content-Type = %q", contentType)
	}
	v2 := schema.GroupVersionKind{Group: "apidiscovery.k8s.io", Version: "v2", Kind: "APIGroupDiscoveryList"}
	if ok, err := discovery.ContentTypeIsGVK(contentType, v2); !ok || err != nil {
		t.Errorf("client-go does not read %q as aggregated v2 (%v)", contentType, err)
	}
	if vary := resp.Header.Get("Vary"); vary != "Accept" {
		t.Errorf("Vary = %q, want Accept", vary)
	}
	var list apidiscoveryv2.APIGroupDiscoveryList
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	if list.APIVersion != "apidiscovery.k8s.io/v2" || list.Kind != "APIGroupDiscoveryList" {
		t.Errorf("apiVersion %q kind %q", list.APIVersion, list.Kind)
	}
	var names []string
	var pods *apidiscoveryv2.APIResourceDiscovery
	for _, g := range list.Items {
		names = append(names, g.Name)
		for _, v := range g.Versions {
			if v.Freshness != apidiscoveryv2.DiscoveryFreshnessCurrent {
				t.Errorf("%s/%s freshness %q, want Current", g.Name, v.Version, v.Freshness)
			}
			for i, r := range v.Resources {
				if g.Name == "custom.metrics.k8s.io" && v.Version == "v1beta2" && r.Resource == "pods" {
					pods = &v.Resources[i]
				}
			}
		}
	}
	if strings.Join(names, ",") != "custom.metrics.k8s.io,external.metrics.k8s.io" {
		t.Errorf("groups %v", names)
	}
	// As k8s.io/apiserver converts `pods/<metric>`: a subresource of a kindless `pods`.
	if pods == nil {
		t.Fatalf("custom.metrics.k8s.io/v1beta2 lists no pods: %s", body)
	}
	if pods.Scope != apidiscoveryv2.ScopeNamespace || pods.ResponseKind == nil || *pods.ResponseKind != (metav1.GroupVersionKind{}) {
		t.Errorf("pods: scope %q responseKind %v", pods.Scope, pods.ResponseKind)
	}
	found := false
	for _, s := range pods.Subresources {
		if s.Subresource == "websocket_connections" {
			found = true
			if s.ResponseKind == nil || s.ResponseKind.Kind != "MetricValueList" || strings.Join(s.Verbs, ",") != "get" {
				t.Errorf("websocket_connections: %+v", s)
			}
		}
	}
	if !found {
		t.Errorf("pods has no websocket_connections subresource: %+v", pods.Subresources)
	}

	etag := resp.Header.Get("ETag")
	if again, _ := get(discovery.AcceptV2+","+discovery.AcceptV2Beta1, etag); again.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match %s: status %d, want 304", etag, again.StatusCode)
	}

	beta, body := get(discovery.AcceptV2Beta1, "")
	if ct := beta.Header.Get("Content-Type"); ct != discovery.AcceptV2Beta1 {
		t.Errorf("v2beta1 Content-Type = %q", ct)
	}
	if !strings.Contains(string(body), `"apiVersion":"apidiscovery.k8s.io/v2beta1"`) {
		t.Errorf("v2beta1 body: %s", body)
	}

	// Plain JSON keeps the legacy list, which sends clients to the per-version documents.
	legacy, body := get("application/json", "")
	var groups metav1.APIGroupList
	if err := json.Unmarshal(body, &groups); err != nil || groups.Kind != "APIGroupList" || legacy.Header.Get("Content-Type") != "application/json" {
		t.Errorf("plain JSON: %s %s (%v)", legacy.Header.Get("Content-Type"), body, err)
	}
}
