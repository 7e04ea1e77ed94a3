// The bench's measuring client (../measure.ts starts it): the adapter's callers are Go programs
// (the HPA controller through kube-apiserver's aggregator), and so is what measures it. Node's
// own client added its garbage collection to the tail of every 290 KB answer: against a bare
// node:https server on an idle machine, p99 4.2–4.6 ms read by Node and 1.0–2.8 ms read by Go.
//
// Standard input: one line with the plan (clients and cases), then one line per batch of
// rounds, {"rounds": N}; each batch answers one line on standard output, {"times": [[ms…]…]}
// (per case, in case order) or {"error": "…"}. Every case runs once per round, one request at a
// time, each round in an order of its own: a fixed rotation had each case always follow the same
// other one, so the bare server always came after a light answer and its p99 looked ~1.5 ms better
// than it is (BENCHMARKS.md).
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"time"
)

// Client is one server's caller: a CA to trust, a client certificate, headers for every request.
type Client struct {
	CA      string            `json:"ca,omitempty"`
	Cert    string            `json:"cert,omitempty"`
	Key     string            `json:"key,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
}

// Case is one path measured: which client GETs which URL, and how the answer is read.
type Case struct {
	Name   string `json:"name"`
	Client string `json:"client"`
	URL    string `json:"url"`
	// Gzip asks for gzip as client-go's transport does, and fails when the answer is not gzipped.
	Gzip bool `json:"gzip,omitempty"`
	// Parse decodes the whole answer as JSON (what a caller that reads it would do).
	Parse bool `json:"parse,omitempty"`
	// Expect is text the answer's last KiB must hold (the last pod's item), if given.
	Expect string `json:"expect,omitempty"`
}

type Plan struct {
	Clients map[string]Client `json:"clients"`
	Cases   []Case            `json:"cases"`
}

// caller has one kept-alive connection to its server, as the Node client had.
func caller(c Client) (*http.Client, error) {
	cfg := &tls.Config{}
	if c.CA != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(c.CA)) {
			return nil, errors.New("no certificate in the CA")
		}
		cfg.RootCAs = pool
	}
	if c.Cert != "" {
		pair, err := tls.X509KeyPair([]byte(c.Cert), []byte(c.Key))
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:     cfg,
		DisableCompression:  true, // gzip is asked for and read by hand, per case
		MaxConnsPerHost:     1,
		MaxIdleConnsPerHost: 1,
		ForceAttemptHTTP2:   false,
	}}, nil
}

type runner struct {
	clients map[string]*http.Client
	headers map[string]map[string]string
	buf     []byte
	tail    []byte
	zr      *gzip.Reader
	whole   bytes.Buffer
	// order shuffles each round; seeded, so every run asks in the same orders.
	order *rand.Rand
}

// get runs one case: the request, the whole answer read, checked.
func (r *runner) get(c Case) error {
	req, err := http.NewRequest(http.MethodGet, c.URL, nil)
	if err != nil {
		return err
	}
	for k, v := range r.headers[c.Client] {
		req.Header.Set(k, v)
	}
	if c.Gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	res, err := r.clients[c.Client].Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var body io.Reader = res.Body
	if c.Gzip {
		if res.Header.Get("Content-Encoding") != "gzip" {
			return fmt.Errorf("%s: the answer was not gzipped", c.Name)
		}
		if r.zr == nil {
			if r.zr, err = gzip.NewReader(res.Body); err != nil {
				return err
			}
		} else if err = r.zr.Reset(res.Body); err != nil {
			return err
		}
		body = r.zr
	}
	r.tail = r.tail[:0]
	r.whole.Reset()
	for {
		n, err := body.Read(r.buf)
		if n > 0 {
			if c.Parse || res.StatusCode != http.StatusOK {
				r.whole.Write(r.buf[:n])
			}
			r.tail = append(r.tail, r.buf[:n]...)
			if len(r.tail) > 1024 {
				r.tail = append(r.tail[:0], r.tail[len(r.tail)-1024:]...)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d: %s", c.URL, res.StatusCode, r.whole.String())
	}
	if c.Parse {
		var v any
		if err := json.Unmarshal(r.whole.Bytes(), &v); err != nil {
			return fmt.Errorf("%s: %v", c.Name, err)
		}
	}
	if c.Expect != "" && !bytes.Contains(r.tail, []byte(c.Expect)) {
		return fmt.Errorf("%s: incomplete answer", c.Name)
	}
	return nil
}

func (r *runner) rounds(cases []Case, n int) ([][]float64, error) {
	times := make([][]float64, len(cases))
	order := make([]int, len(cases))
	for i := range order {
		order[i] = i
	}
	for round := 0; round < n; round++ {
		r.order.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, i := range order {
			started := time.Now()
			if err := r.get(cases[i]); err != nil {
				return nil, err
			}
			times[i] = append(times[i], float64(time.Since(started).Nanoseconds())/1e6)
		}
	}
	return times, nil
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	out := json.NewEncoder(os.Stdout)
	fail := func(err error) {
		_ = out.Encode(map[string]string{"error": err.Error()})
		os.Exit(1)
	}
	if !in.Scan() {
		fail(errors.New("no plan on standard input"))
	}
	var plan Plan
	if err := json.Unmarshal(in.Bytes(), &plan); err != nil {
		fail(fmt.Errorf("the plan: %v", err))
	}
	r := &runner{
		clients: map[string]*http.Client{},
		headers: map[string]map[string]string{},
		buf:     make([]byte, 64<<10),
		order:   rand.New(rand.NewPCG(1, 2)),
	}
	for name, c := range plan.Clients {
		hc, err := caller(c)
		if err != nil {
			fail(fmt.Errorf("client %s: %v", name, err))
		}
		r.clients[name], r.headers[name] = hc, c.Headers
	}
	for _, c := range plan.Cases {
		if r.clients[c.Client] == nil {
			fail(fmt.Errorf("case %q: no client %q", c.Name, c.Client))
		}
	}
	_ = out.Encode(map[string]bool{"ready": true})
	for in.Scan() {
		var batch struct {
			Rounds int `json:"rounds"`
		}
		if err := json.Unmarshal(in.Bytes(), &batch); err != nil {
			fail(fmt.Errorf("a batch: %v", err))
		}
		times, err := r.rounds(plan.Cases, batch.Rounds)
		if err != nil {
			fail(err)
		}
		_ = out.Encode(map[string]any{"times": times})
	}
}
