// Package metricsclient reads the Beacon metrics adapter with the official Kubernetes clients
// the HorizontalPodAutoscaler controller uses (k8s.io/metrics), so a body that only looks right
// to our own tests still has to decode into the real Go types.
//
// The adapter under test is started by e2e/run-go.mjs, which passes:
//
//	BEACON_KUBECONFIG  a kubeconfig for the adapter (server, CA, client certificate)
package metricsclient

import (
	"fmt"
	"net/http"
	"os"
	"sort"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	cmapi "k8s.io/metrics/pkg/apis/custom_metrics/v1beta2"
	custom "k8s.io/metrics/pkg/client/custom_metrics"
	external "k8s.io/metrics/pkg/client/external_metrics"
)

func config(t *testing.T) *rest.Config {
	t.Helper()
	path := os.Getenv("BEACON_KUBECONFIG")
	if path == "" {
		t.Fatal("BEACON_KUBECONFIG is not set: run these tests through e2e/run-go.mjs")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatalf("kubeconfig %s: %v", path, err)
	}
	return cfg
}

func customClient(t *testing.T) custom.CustomMetricsClient {
	return customClientFor(t, config(t))
}

func customClientFor(t *testing.T, cfg *rest.Config) custom.CustomMetricsClient {
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The HPA controller resolves kinds with the cluster's RESTMapper; a static one knows Pods.
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{{Version: "v1"}})
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, meta.RESTScopeNamespace)
	getter := custom.NewAvailableAPIsGetter(disco)
	return custom.NewForConfig(cfg, mapper, getter)
}

var podsGK = schema.GroupKind{Kind: "Pod"}

// podsMetric lists a metric of the pods a label selector picks, as the HPA controller does.
func podsMetric(t *testing.T, client custom.CustomMetricsClient, namespace, selector, metric string) *cmapi.MetricValueList {
	t.Helper()
	sel, err := labels.Parse(selector)
	if err != nil {
		t.Fatal(err)
	}
	list, err := client.NamespacedMetrics(namespace).GetForObjects(podsGK, sel, metric, labels.Everything())
	if err != nil {
		t.Fatalf("GetForObjects: %v", err)
	}
	return list
}

func TestCustomMetricsForPodsBySelector(t *testing.T) {
	list := podsMetric(t, customClient(t), "platform", "app=collab", "websocket_connections")
	got := map[string]int64{}
	for _, item := range list.Items {
		if item.DescribedObject.Kind != "Pod" || item.DescribedObject.Namespace != "platform" {
			t.Errorf("describedObject = %+v, want a Pod in platform", item.DescribedObject)
		}
		if item.Metric.Name != "websocket_connections" {
			t.Errorf("metric name = %q", item.Metric.Name)
		}
		if item.Timestamp.IsZero() || time.Since(item.Timestamp.Time) > 5*time.Minute {
			t.Errorf("timestamp %v is not a recent sample time", item.Timestamp)
		}
		got[item.DescribedObject.Name] = item.Value.MilliValue()
	}
	want := map[string]int64{"collab-a": 3000, "collab-b": 1500}
	if len(got) != len(want) || got["collab-a"] != want["collab-a"] || got["collab-b"] != want["collab-b"] {
		t.Fatalf("milli-values = %v, want %v", got, want)
	}
}

// gzipSeen is a RoundTripper under client-go's own: Go's http.Transport asks for gzip and
// inflates what comes back, marking the response Uncompressed.
type gzipSeen struct {
	next http.RoundTripper
	seen *int
}

func (g gzipSeen) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := g.next.RoundTrip(r)
	if err == nil && resp.Uncompressed {
		*g.seen++
	}
	return resp, err
}

// The fleet's 1,000 pods make a ~180 KB list: the adapter gzips it as Kubernetes API servers do,
// and the HPA controller's client must read it the same.
func TestLargeListArrivesGzippedAndDecodes(t *testing.T) {
	cfg := config(t)
	seen := 0
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { return gzipSeen{rt, &seen} }
	list := podsMetric(t, customClientFor(t, cfg), "fleet", "app=fleet", "websocket_connections")
	// Discovery's answers, asked on the way, are under the threshold: only the list is gzipped.
	if seen != 1 {
		t.Errorf("the list came uncompressed (%d gzipped answers); want it gzipped", seen)
	}
	if len(list.Items) != 1000 {
		t.Fatalf("want 1000 items, got %d", len(list.Items))
	}
	for _, item := range list.Items {
		var n int
		if _, err := fmt.Sscanf(item.DescribedObject.Name, "fleet-%d", &n); err != nil {
			t.Fatalf("unexpected pod %q", item.DescribedObject.Name)
		}
		if got, want := item.Value.MilliValue(), int64(n%50)*1000; got != want {
			t.Errorf("%s = %dm, want %dm", item.DescribedObject.Name, got, want)
		}
	}
}

func TestCustomMetricForOneNamedPod(t *testing.T) {
	client := customClient(t)
	value, err := client.NamespacedMetrics("platform").GetForObject(podsGK, "collab-a", "websocket_connections", labels.Everything())
	if err != nil {
		t.Fatalf("GetForObject: %v", err)
	}
	if value.Value.MilliValue() != 3000 || value.DescribedObject.Name != "collab-a" {
		t.Fatalf("got %s for %s, want 3 for collab-a", value.Value.String(), value.DescribedObject.Name)
	}
}

func TestUnknownMetricIsNotFound(t *testing.T) {
	client := customClient(t)
	_, err := client.NamespacedMetrics("platform").GetForObjects(podsGK, labels.Everything(), "no_such_metric", labels.Everything())
	if !errors.IsNotFound(err) {
		t.Fatalf("want a NotFound StatusError, got %v", err)
	}
}

func TestExternalQueueLength(t *testing.T) {
	client, err := external.NewForConfig(config(t))
	if err != nil {
		t.Fatal(err)
	}
	selector, err := labels.Parse("queue=render")
	if err != nil {
		t.Fatal(err)
	}
	list, err := client.NamespacedMetrics("platform").List("job_queue_length", selector)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list.Items) != 1 {
		t.Fatalf("want one item, got %d", len(list.Items))
	}
	item := list.Items[0]
	if item.MetricLabels["queue"] != "render" || item.Value.Value() != 12000 {
		t.Fatalf("got labels %v value %s, want queue=render 12k", item.MetricLabels, item.Value.String())
	}
}

func TestDiscoveryListsThePresetMetrics(t *testing.T) {
	disco, err := discovery.NewDiscoveryClientForConfig(config(t))
	if err != nil {
		t.Fatal(err)
	}
	resources, err := disco.ServerResourcesForGroupVersion(cmapi.SchemeGroupVersion.String())
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	var names []string
	for _, r := range resources.APIResources {
		names = append(names, r.Name)
		if r.Kind != "MetricValueList" || len(r.Verbs) != 1 || r.Verbs[0] != "get" {
			t.Errorf("resource %s: kind %s verbs %v", r.Name, r.Kind, r.Verbs)
		}
	}
	sort.Strings(names)
	for _, want := range []string{"pods/websocket_connections", "pods/job_queue_length"} {
		i := sort.SearchStrings(names, want)
		if i == len(names) || names[i] != want {
			t.Errorf("discovery lacks %s: %v", want, names)
		}
	}
}
