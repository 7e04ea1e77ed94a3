// Package metricsclient reads the Beacon metrics adapter with the official Kubernetes clients
// the HorizontalPodAutoscaler controller uses (k8s.io/metrics), so a body that only looks right
// to our own tests still has to decode into the real Go types.
//
// The adapter under test is started by e2e/run-go.mjs, which passes:
//
//	BEACON_KUBECONFIG  a kubeconfig for the adapter (server, CA, client certificate)
package metricsclient

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// maxSampleAge bounds how old an item's timestamp may be. The adapter dates an answer with the
// oldest sample time of the series it read (not the query's evaluation time); run-go.mjs's
// Prometheus scrapes every 1 s, the adapter keeps an answer, with its time, for its
// --value-cache-ttl (5 s by default), and metav1.Time drops the fraction of a second: 7 s, plus
// 3 s for a scrape or a request that a busy machine delays.
const maxSampleAge = 10 * time.Second

// checkSampleTime fails an item whose timestamp is not a sample time of the last few seconds.
func checkSampleTime(t *testing.T, what string, ts metav1.Time) {
	t.Helper()
	now := time.Now()
	if ts.IsZero() || ts.After(now) || now.Sub(ts.Time) > maxSampleAge {
		t.Errorf("%s: timestamp %v is not a sample time within %v of now (%v)", what, ts, maxSampleAge, now.UTC())
	}
}

// checkNoWindow fails an item that carries a window: the metrics read here are gauges whose
// preset rules query them with no range (sum/max of the series), and the adapter gives a window
// only for a range in the rule's query (rate(x[2m]) → 120), omitting it otherwise.
func checkNoWindow(t *testing.T, what string, window *int64) {
	t.Helper()
	if window != nil {
		t.Errorf("%s: windowSeconds = %d, want none (the rule's query has no range)", what, *window)
	}
}

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
		checkSampleTime(t, item.DescribedObject.Name, item.Timestamp)
		checkNoWindow(t, item.DescribedObject.Name, item.WindowSeconds)
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
	checkSampleTime(t, "collab-a", value.Timestamp)
	checkNoWindow(t, "collab-a", value.WindowSeconds)
}

// The HPA's pods.metric.selector and object.metric.selector: GetForObjects(Pod, selector,
// metric, metricSelector) for a Pods metric, GetForObject(Pod, name, metric, metricSelector) for
// an Object one. video-0 exports two queues (render 12000, encode 30), which the pod rule sums.
func TestCustomMetricWithAMetricSelector(t *testing.T) {
	client := customClient(t).NamespacedMetrics("platform")
	render := labels.SelectorFromSet(labels.Set{"queue": "render"})
	wantSelector := &metav1.LabelSelector{MatchLabels: map[string]string{"queue": "render"}}
	video := labels.SelectorFromSet(labels.Set{"app": "video"})

	// Without a metric selector both queues count: what the selector below must narrow.
	all, err := client.GetForObject(podsGK, "video-0", "job_queue_length", labels.Everything())
	if err != nil {
		t.Fatalf("GetForObject with no metric selector: %v", err)
	}
	if all.Value.Value() != 12030 || all.Metric.Selector != nil {
		t.Errorf("no metric selector: got %s selector %v, want 12030 (both queues) and no selector", all.Value.String(), all.Metric.Selector)
	}

	one, err := client.GetForObject(podsGK, "video-0", "job_queue_length", render)
	if err != nil {
		t.Fatalf("GetForObject queue=render: %v", err)
	}
	if one.DescribedObject.Kind != "Pod" || one.DescribedObject.Name != "video-0" || one.Value.Value() != 12000 {
		t.Errorf("queue=render: got %s for %+v, want 12k for pod video-0", one.Value.String(), one.DescribedObject)
	}
	if !reflect.DeepEqual(one.Metric.Selector, wantSelector) {
		t.Errorf("queue=render: metric.selector = %v, want %v", one.Metric.Selector, wantSelector)
	}
	checkSampleTime(t, "video-0", one.Timestamp)
	checkNoWindow(t, "video-0", one.WindowSeconds)

	list, err := client.GetForObjects(podsGK, video, "job_queue_length", render)
	if err != nil {
		t.Fatalf("GetForObjects app=video queue=render: %v", err)
	}
	if len(list.Items) != 1 {
		t.Fatalf("app=video queue=render: want one item, got %d", len(list.Items))
	}
	if item := list.Items[0]; item.DescribedObject.Name != "video-0" || item.Value.Value() != 12000 || !reflect.DeepEqual(item.Metric.Selector, wantSelector) {
		t.Errorf("app=video queue=render: got %s for %s, selector %v; want 12k for video-0, %v", item.Value.String(), item.DescribedObject.Name, item.Metric.Selector, wantSelector)
	}

	// A queue no series has: the named pod has no value (NotFound), the picked pods none (empty).
	nope := labels.SelectorFromSet(labels.Set{"queue": "nope"})
	if _, err := client.GetForObject(podsGK, "video-0", "job_queue_length", nope); !apierrors.IsNotFound(err) {
		t.Errorf("GetForObject queue=nope: want NotFound, got %v", err)
	}
	if list, err := client.GetForObjects(podsGK, video, "job_queue_length", nope); err != nil || len(list.Items) != 0 {
		t.Errorf("GetForObjects app=video queue=nope: want no items, got %v (%v)", list, err)
	}
}

// A Namespace object metric, as the HPA's GetObjectMetric asks for one: root-scoped, which the
// client sends to /namespaces/<ns>/metrics/<metric>. platform's pods hold 3 + 1.5 + 8.
func TestCustomMetricForANamespace(t *testing.T) {
	client := customClient(t)
	value, err := client.RootScopedMetrics().GetForObject(schema.GroupKind{Kind: "Namespace"}, "platform", "websocket_connections", labels.Everything())
	if err != nil {
		t.Fatalf("GetForObject(Namespace platform): %v", err)
	}
	// apiVersion as custom-metrics-apiserver's helpers.ReferenceFor writes a core object's.
	want := corev1.ObjectReference{Kind: "Namespace", Name: "platform", APIVersion: "/v1"}
	if value.DescribedObject != want {
		t.Errorf("describedObject = %+v, want %+v", value.DescribedObject, want)
	}
	if value.Value.MilliValue() != 12500 || value.Metric.Name != "websocket_connections" {
		t.Errorf("got %s %s, want websocket_connections 12.5", value.Metric.Name, value.Value.String())
	}
	checkSampleTime(t, "namespace platform", value.Timestamp)
	checkNoWindow(t, "namespace platform", value.WindowSeconds)
}

// What custom-metrics-apiserver's NewMetricNotFoundError answers: a Status naming the metric.
// client-go turns a 404 whose body is no Status into a NotFound too, with a generic message and
// the body as an UnexpectedServerResponse cause, so the reason alone does not tell them apart.
func TestUnknownMetricIsNotFound(t *testing.T) {
	client := customClient(t)
	_, err := client.NamespacedMetrics("platform").GetForObjects(podsGK, labels.Everything(), "no_such_metric", labels.Everything())
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		t.Fatalf("want a Status error, got %T %v", err, err)
	}
	st := status.Status()
	if st.Code != http.StatusNotFound || st.Reason != metav1.StatusReasonNotFound || !strings.Contains(st.Message, "no_such_metric") {
		t.Errorf("got %d %s %q, want 404 NotFound naming no_such_metric", st.Code, st.Reason, st.Message)
	}
	if st.Details != nil {
		for _, c := range st.Details.Causes {
			if c.Type == metav1.CauseTypeUnexpectedServerResponse {
				t.Errorf("the 404's body was no Status: %q", c.Message)
			}
		}
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
	// The HPA sums every item it gets: one item, render's alone, not encode's beside it.
	if len(list.Items) != 1 {
		t.Errorf("queue=render: want one item, got %d: %+v", len(list.Items), list.Items)
	} else {
		item := list.Items[0]
		if item.MetricLabels["queue"] != "render" || item.Value.Value() != 12000 {
			t.Errorf("got labels %v value %s, want queue=render 12k", item.MetricLabels, item.Value.String())
		}
		checkSampleTime(t, "queue=render", item.Timestamp)
		checkNoWindow(t, "queue=render", item.WindowSeconds)
	}

	nope, err := labels.Parse("queue=nope")
	if err != nil {
		t.Fatal(err)
	}
	none, err := client.NamespacedMetrics("platform").List("job_queue_length", nope)
	if err != nil {
		t.Fatalf("List queue=nope: %v", err)
	}
	if len(none.Items) != 0 {
		t.Errorf("queue=nope: want no items, got %+v", none.Items)
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
	for _, want := range []string{"pods/websocket_connections", "pods/job_queue_length", "namespaces/websocket_connections", "namespaces/job_queue_length"} {
		i := sort.SearchStrings(names, want)
		if i == len(names) || names[i] != want {
			t.Errorf("discovery lacks %s: %v", want, names)
		}
	}
	// A namespace's metrics are root-scoped (/namespaces/<ns>/metrics/<metric>), a pod's namespaced.
	for _, r := range resources.APIResources {
		if (strings.HasPrefix(r.Name, "namespaces/") && r.Namespaced) || (strings.HasPrefix(r.Name, "pods/") && !r.Namespaced) {
			t.Errorf("resource %s: namespaced %v", r.Name, r.Namespaced)
		}
	}
}
