// The tracking server read by Go's official clients: errors sent by the Sentry Go SDK
// (github.com/getsentry/sentry-go) and spans by the OpenTelemetry OTLP/HTTP exporter
// (go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp, protobuf with gzip, as many
// deployments configure it), then read back through the tracker's REST API. run-go.mjs starts
// the tracker (its built CLI) with one project and passes:
//
//	BEACON_TRACKER_URL        the tracker's base URL
//	BEACON_TRACKER_DSN        the project's DSN
//	BEACON_TRACKER_KEY        the project's key (OTLP: Authorization: Bearer <key>)
//	BEACON_TRACKER_API_TOKEN  the REST API's token
package trackerclients

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The Go test package's own import path: the module sentry-go gives its frames.
const testModule = "github.com/beacon/beacon/e2e/go/trackerclients"

type tracker struct {
	url, dsn, key, apiToken string
}

func trackerFromEnv(t *testing.T) tracker {
	t.Helper()
	tr := tracker{
		url:      os.Getenv("BEACON_TRACKER_URL"),
		dsn:      os.Getenv("BEACON_TRACKER_DSN"),
		key:      os.Getenv("BEACON_TRACKER_KEY"),
		apiToken: os.Getenv("BEACON_TRACKER_API_TOKEN"),
	}
	if tr.url == "" || tr.dsn == "" || tr.key == "" || tr.apiToken == "" {
		t.Fatal("BEACON_TRACKER_URL/_DSN/_KEY/_API_TOKEN are not set: run these tests through e2e/run-go.mjs")
	}
	return tr
}

// api GETs a REST API path and decodes its JSON answer into out.
func (tr tracker) api(t *testing.T, path string, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, tr.url+"/api/v1"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tr.apiToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// recorder is an http.RoundTripper that keeps what each SDK request got back, so a refused
// request shows as the tracker's answer rather than as data that never turns up.
type recorder struct {
	mu      sync.Mutex
	answers []string
	failed  []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	what := fmt.Sprintf("%s %s (Content-Type %q, Content-Encoding %q)", req.Method, req.URL.Path,
		req.Header.Get("Content-Type"), req.Header.Get("Content-Encoding"))
	switch {
	case err != nil:
		r.failed = append(r.failed, fmt.Sprintf("%s: %v", what, err))
	case res.StatusCode >= 300:
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		res.Body = io.NopCloser(strings.NewReader(string(body)))
		r.failed = append(r.failed, fmt.Sprintf("%s: %d %s", what, res.StatusCode, body))
	default:
		r.answers = append(r.answers, fmt.Sprintf("%s: %d", what, res.StatusCode))
	}
	return res, err
}

// check waits until `want` requests have been answered (or refused), then fails on any refused or
// sent elsewhere than wantPath.
func (r *recorder) check(t *testing.T, wantPath string, want int) {
	t.Helper()
	// sentry-go 0.46's Flush can report done while its telemetry buffer's scheduler still holds
	// the event it took from the buffer: the request may come just after. Wait for it a while.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		r.mu.Lock()
		n := len(r.answers) + len(r.failed)
		r.mu.Unlock()
		if n >= want {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.failed) > 0 {
		t.Fatalf("the tracker refused requests: %s", strings.Join(r.failed, "; "))
	}
	if len(r.answers) < want {
		t.Fatalf("%d of %d requests reached %s in 10 s", len(r.answers), want, wantPath)
	}
	for _, a := range r.answers {
		if !strings.Contains(a, wantPath) {
			t.Errorf("a request went elsewhere: %s", a)
		}
	}
}

// newSentryHub is a Sentry Go SDK client of its own (not the global one), as an application's
// sentry.Init makes it, sending through rec.
func newSentryHub(t *testing.T, tr tracker, rec *recorder) *sentry.Hub {
	t.Helper()
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:           tr.dsn,
		Release:       "go-checkout@1.4.0",
		Environment:   "production",
		ServerName:    "go-checkout-7d9f-x2k4q",
		HTTPTransport: rec,
	})
	if err != nil {
		t.Fatalf("sentry.NewClient: %v", err)
	}
	scope := sentry.NewScope()
	scope.SetTag("service", "go-checkout")
	return sentry.NewHub(client, scope)
}

func flush(t *testing.T, hub *sentry.Hub) {
	t.Helper()
	if !hub.Flush(10 * time.Second) {
		t.Fatal("the Sentry Go SDK did not flush its events in 10 s")
	}
}

// cardDeclinedError is the test's own error type: its Sentry exception type is
// "*trackerclients.cardDeclinedError".
type cardDeclinedError struct{ order string }

func (e *cardDeclinedError) Error() string { return "card declined for order " + e.order }

// chargeCard and checkout are the in-app frames the event's stack must show, innermost last.
func chargeCard(hub *sentry.Hub, order string) {
	hub.CaptureException(&cardDeclinedError{order: order})
}

func checkout(hub *sentry.Hub, order string) { chargeCard(hub, order) }

type issue struct {
	ID       int    `json:"id"`
	Title    string `json:"title"`
	Culprit  string `json:"culprit"`
	Service  string `json:"service"`
	Count    int    `json:"count"`
	Severity string `json:"severity"`
}

type frame struct {
	Function string `json:"function"`
	Module   string `json:"module"`
	Filename string `json:"filename"`
	AbsPath  string `json:"abs_path"`
	Lineno   int    `json:"lineno"`
	InApp    bool   `json:"in_app"`
}

type exception struct {
	Type       string `json:"type"`
	Value      string `json:"value"`
	Stacktrace struct {
		Frames []frame `json:"frames"`
	} `json:"stacktrace"`
}

type storedEvent struct {
	ID            string `json:"id"`
	CorrelationID string `json:"correlationId"`
	Event         struct {
		Platform string            `json:"platform"`
		Message  string            `json:"message"`
		Tags     map[string]string `json:"tags"`
		Contexts map[string]any    `json:"contexts"`
		// The Go SDK sends the list itself, not {"values": [...]}: both are Sentry's protocol.
		Exception []exception `json:"exception"`
		SDK       struct {
			Name string `json:"name"`
		} `json:"sdk"`
	} `json:"event"`
}

func issuesOf(t *testing.T, tr tracker, query string) []issue {
	t.Helper()
	var page struct {
		Items []issue `json:"items"`
	}
	tr.api(t, "/issues?"+query, &page)
	return page.Items
}

func TestSentryGoErrorsAreGroupedWithGoFramesAndScrubbed(t *testing.T) {
	tr := trackerFromEnv(t)
	rec := &recorder{}
	hub := newSentryHub(t, tr, rec)
	for range 2 {
		hub.WithScope(func(scope *sentry.Scope) {
			// The Go SDK has no "extra" any more; contexts carry such data.
			scope.SetContext("payment", sentry.Context{"password": "hunter2-go", "card_brand": "visa"})
			checkout(hub, "1042")
		})
	}
	flush(t, hub)
	rec.check(t, "/envelope/", 2)

	issues := issuesOf(t, tr, "service=go-checkout&q=order%201042")
	if len(issues) != 1 {
		t.Fatalf("want one issue for the two occurrences, got %+v", issues)
	}
	got := issues[0]
	if got.Title != "*trackerclients.cardDeclinedError: card declined for order 1042" {
		t.Errorf("title %q", got.Title)
	}
	if got.Culprit != "github.com/beacon/beacon/e2e/go/trackerclients in chargeCard" {
		t.Errorf("culprit %q", got.Culprit)
	}
	if got.Count != 2 || got.Service != "go-checkout" {
		t.Errorf("count %d, service %q: want 2, go-checkout", got.Count, got.Service)
	}

	var events struct {
		Items []storedEvent `json:"items"`
	}
	tr.api(t, fmt.Sprintf("/issues/%d/events", got.ID), &events)
	if len(events.Items) != 2 {
		t.Fatalf("want 2 events, got %d", len(events.Items))
	}
	for _, ev := range events.Items {
		e := ev.Event
		if e.Platform != "go" || e.SDK.Name != "sentry.go" {
			t.Errorf("platform %q, sdk %q: want go, sentry.go", e.Platform, e.SDK.Name)
		}
		if len(e.Exception) != 1 {
			t.Fatalf("want one exception, got %+v", e.Exception)
		}
		frames := e.Exception[0].Stacktrace.Frames
		var inApp []string
		for _, f := range frames {
			if f.InApp && f.Module == testModule {
				inApp = append(inApp, f.Function)
				if !strings.HasSuffix(f.AbsPath, "/e2e/go/trackerclients/trackerclients_test.go") || f.Lineno == 0 {
					t.Errorf("frame %s: abs_path %q line %d", f.Function, f.AbsPath, f.Lineno)
				}
			}
		}
		// Oldest first, as Sentry orders frames: the test, the closure WithScope ran (the SDK
		// names a closure without its enclosing function's prefix), checkout, chargeCard.
		want := []string{
			"TestSentryGoErrorsAreGroupedWithGoFramesAndScrubbed",
			"func1",
			"checkout",
			"chargeCard",
		}
		if strings.Join(inApp, ",") != strings.Join(want, ",") {
			t.Errorf("in-app frames of %s: %v, want %v (all frames %+v)", testModule, inApp, want, frames)
		}
		payment, _ := e.Contexts["payment"].(map[string]any)
		if payment["password"] != "[Filtered]" || payment["card_brand"] != "visa" {
			t.Errorf("contexts.payment %v: want the password [Filtered], the brand kept", payment)
		}
	}
}

func TestSentryGoMessageBearerTokenIsScrubbed(t *testing.T) {
	tr := trackerFromEnv(t)
	rec := &recorder{}
	hub := newSentryHub(t, tr, rec)
	hub.CaptureMessage("upstream refused Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWdv.sig-9f8e7d")
	flush(t, hub)
	rec.check(t, "/envelope/", 1)

	issues := issuesOf(t, tr, "service=go-checkout&q=upstream%20refused")
	if len(issues) != 1 {
		t.Fatalf("want one issue, got %+v", issues)
	}
	if want := "upstream refused Authorization: Bearer [Filtered]"; issues[0].Title != want {
		t.Errorf("title %q, want %q", issues[0].Title, want)
	}
	var events struct {
		Items []storedEvent `json:"items"`
	}
	tr.api(t, fmt.Sprintf("/issues/%d/events", issues[0].ID), &events)
	if len(events.Items) != 1 {
		t.Fatalf("want 1 event, got %d", len(events.Items))
	}
	raw, _ := json.Marshal(events.Items[0].Event)
	if strings.Contains(string(raw), "eyJhbGciOiJIUzI1NiJ9") {
		t.Errorf("the token is stored: %s", raw)
	}
	if got := events.Items[0].Event.Message; got != "upstream refused Authorization: Bearer [Filtered]" {
		t.Errorf("message %q", got)
	}
}

type session struct {
	ID            string   `json:"id"`
	CorrelationID string   `json:"correlationId"`
	Services      []string `json:"services"`
	TraceIDs      []string `json:"traceIds"`
	Operations    int      `json:"operations"`
	Errors        int      `json:"errors"`
	Timeline      []struct {
		TraceID      string         `json:"traceId"`
		SpanID       string         `json:"spanId"`
		ParentSpanID string         `json:"parentSpanId"`
		Name         string         `json:"name"`
		Service      string         `json:"service"`
		Status       string         `json:"status"`
		StatusMsg    string         `json:"statusMessage"`
		DurationMs   float64        `json:"durationMs"`
		Attributes   map[string]any `json:"attributes"`
	} `json:"timeline"`
	ErrorEvents []struct {
		Title   string `json:"title"`
		Service string `json:"service"`
		IssueID int    `json:"issueId"`
	} `json:"errorEvents"`
	Memory []struct {
		Service  string  `json:"service"`
		RSS      float64 `json:"rss"`
		HeapUsed float64 `json:"heapUsed"`
	} `json:"memory"`
}

// sendSpans sends one request's spans through the OTLP/HTTP exporter: a server span and its
// child, both with the correlation id, the child failing and with a memory snapshot event.
func sendSpans(t *testing.T, tr tracker, key, correlation string, rec *recorder, opts ...otlptracehttp.Option) (trace.SpanContext, error) {
	t.Helper()
	ctx := context.Background()
	exporter, err := otlptracehttp.New(ctx, append([]otlptracehttp.Option{
		otlptracehttp.WithEndpointURL(tr.url + "/v1/traces"),
		otlptracehttp.WithHeaders(map[string]string{"Authorization": "Bearer " + key}),
		otlptracehttp.WithCompression(otlptracehttp.GzipCompression),
		otlptracehttp.WithHTTPClient(&http.Client{Transport: rec}),
		// A refused request fails at once, not after the exporter's retries.
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
	}, opts...)...)
	if err != nil {
		t.Fatalf("otlptracehttp.New: %v", err)
	}
	provider := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "go-checkout"))),
	)
	tracer := provider.Tracer("beacon-e2e-go")
	corr := attribute.String("correlation_id", correlation)
	ctx, root := tracer.Start(ctx, "POST /checkout", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(corr, attribute.String("http.request.method", "POST")))
	_, child := tracer.Start(ctx, "charge card", trace.WithAttributes(corr,
		// Scrubbed as events are: a sensitive key's value.
		attribute.String("payment.password", "hunter2-span")))
	child.AddEvent("memory", trace.WithAttributes(
		attribute.Int64("process.memory.rss", 52_428_800),
		attribute.Int64("process.memory.heap_used", 20_971_520),
	))
	child.SetStatus(codes.Error, "card declined")
	child.End()
	root.End()
	flushErr := provider.ForceFlush(ctx)
	if err := provider.Shutdown(ctx); err != nil && flushErr == nil {
		flushErr = err
	}
	return root.SpanContext(), flushErr
}

func TestSentryGoErrorAndOTLPSpansJoinOneDebugSession(t *testing.T) {
	tr := trackerFromEnv(t)
	for _, c := range []struct {
		name, correlation string
		opts              []otlptracehttp.Option
	}{
		{"protobuf+gzip", "req-go-checkout-proto", nil},
		{"json+gzip", "req-go-checkout-json", []otlptracehttp.Option{otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			otlpRec := &recorder{}
			sc, err := sendSpans(t, tr, tr.key, c.correlation, otlpRec, c.opts...)
			if err != nil {
				t.Fatalf("exporting spans: %v", err)
			}
			otlpRec.check(t, "/v1/traces", 1)

			rec := &recorder{}
			hub := newSentryHub(t, tr, rec)
			hub.WithScope(func(scope *sentry.Scope) {
				scope.SetTag("correlation_id", c.correlation)
				hub.CaptureException(&cardDeclinedError{order: "2077"})
			})
			flush(t, hub)
			rec.check(t, "/envelope/", 1)

			var s session
			tr.api(t, "/sessions/"+url.PathEscape(c.correlation), &s)
			if s.CorrelationID != c.correlation {
				t.Errorf("correlationId %q", s.CorrelationID)
			}
			if strings.Join(s.Services, ",") != "go-checkout" {
				t.Errorf("services %v", s.Services)
			}
			// The Sentry event has a trace id of its own (the SDK's propagation context): both
			// are listed, the spans' among them.
			if !slices.Contains(s.TraceIDs, sc.TraceID().String()) {
				t.Errorf("traceIds %v lack the spans' %s", s.TraceIDs, sc.TraceID())
			}
			if len(s.Timeline) != 2 {
				t.Fatalf("want the 2 spans on the timeline, got %+v", s.Timeline)
			}
			root, child := s.Timeline[0], s.Timeline[1]
			if root.Name != "POST /checkout" || child.Name != "charge card" {
				t.Fatalf("timeline %q, %q: want POST /checkout, charge card", root.Name, child.Name)
			}
			if root.SpanID != sc.SpanID().String() || child.ParentSpanID != root.SpanID ||
				root.TraceID != sc.TraceID().String() || child.TraceID != root.TraceID {
				t.Errorf("ids: root %s/%s, child %s parent %s; want root %s/%s",
					root.TraceID, root.SpanID, child.TraceID, child.ParentSpanID, sc.TraceID(), sc.SpanID())
			}
			if child.Status != "error" || child.StatusMsg != "card declined" || root.Status != "unset" {
				t.Errorf("status: root %q, child %q %q", root.Status, child.Status, child.StatusMsg)
			}
			if child.Attributes["payment.password"] != "[Filtered]" {
				t.Errorf("span attribute payment.password %v: want [Filtered]", child.Attributes["payment.password"])
			}
			if root.Attributes["http.request.method"] != "POST" || root.Service != "go-checkout" {
				t.Errorf("root attributes %v, service %q", root.Attributes, root.Service)
			}
			if len(s.ErrorEvents) != 1 ||
				s.ErrorEvents[0].Title != "*trackerclients.cardDeclinedError: card declined for order 2077" ||
				s.ErrorEvents[0].Service != "go-checkout" {
				t.Errorf("errorEvents %+v", s.ErrorEvents)
			}
			if len(s.Memory) != 1 || s.Memory[0].RSS != 52_428_800 || s.Memory[0].HeapUsed != 20_971_520 ||
				s.Memory[0].Service != "go-checkout" {
				t.Errorf("memory %+v: want one snapshot, rss 52428800, heapUsed 20971520", s.Memory)
			}
		})
	}
}

// The exporter with a key the tracker does not know: the export fails with the tracker's 401,
// and nothing of it is stored, so the session test above cannot pass on spans that went nowhere.
func TestOTLPExporterWithAnUnknownKeyIsRefused(t *testing.T) {
	tr := trackerFromEnv(t)
	rec := &recorder{}
	_, err := sendSpans(t, tr, "not-a-project-key", "req-go-unknown-key", rec)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("export with an unknown key: %v, want the tracker's 401", err)
	}
	rec.mu.Lock()
	failed := strings.Join(rec.failed, "; ")
	rec.mu.Unlock()
	if !strings.Contains(failed, "401") || !strings.Contains(failed, "unknown project key") {
		t.Errorf("the tracker's answer: %q, want 401 unknown project key", failed)
	}
	var sessions struct {
		Items []session `json:"items"`
	}
	tr.api(t, "/sessions?q=req-go-unknown-key", &sessions)
	if len(sessions.Items) != 0 {
		t.Errorf("spans of an unknown key were stored: %+v", sessions.Items)
	}
}
