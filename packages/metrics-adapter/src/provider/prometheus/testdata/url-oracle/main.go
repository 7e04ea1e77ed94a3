// The oracle for base-url.oracle.test.ts: a --prometheus-url as prometheus-adapter reads and
// uses it (cmd/adapter makePromClient: url.Parse; pkg/client api.go Do: path.Join of the URL's
// path and the endpoint, the call's own query for a GET, http.NewRequest), sent by Go's own
// http.Client. Its transport dials through a pipe, so the address Go would dial and the request
// head it writes are what is answered, and no network is needed; the address is then checked as
// its dial would check it (a port up to 65535, and a name the pure-Go resolver, which the
// published images use, would look up at all).
// Reads ["<url>", ...] on stdin; writes [{"error": "..."} | {"dial": "host:port", "head": "..."}].
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path"
	"strings"
	"time"
)

type answer struct {
	Error string `json:"error,omitempty"`
	Dial  string `json:"dial,omitempty"`
	Head  string `json:"head,omitempty"`
}

// ask sends upstream's series call to text and answers with what went over the pipe.
func ask(text string) answer {
	baseURL, err := url.Parse(text)
	if err != nil {
		return answer{Error: "parse: " + err.Error()}
	}
	u := *baseURL
	u.Path = path.Join(baseURL.Path, "/api/v1/series")
	u.RawQuery = url.Values{"match[]": {"up"}}.Encode()
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return answer{Error: "request: " + err.Error()}
	}

	var dialled string
	heads := make(chan string, 1)
	dial := func(_ context.Context, _, addr string) (net.Conn, error) {
		dialled = addr
		client, server := net.Pipe()
		go func() {
			defer server.Close()
			reader := bufio.NewReader(server)
			var head strings.Builder
			for {
				line, err := reader.ReadString('\n')
				head.WriteString(line)
				if err != nil || line == "\r\n" {
					break
				}
			}
			heads <- head.String()
			io.WriteString(server, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
		}()
		return client, nil
	}
	transport := &http.Transport{DialContext: dial, DialTLSContext: dial}
	client := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return answer{Error: "send: " + err.Error()}
	}
	resp.Body.Close()
	transport.CloseIdleConnections()
	if err := dialable(dialled); err != nil {
		return answer{Error: "dial: " + err.Error()}
	}
	return answer{Dial: dialled, Head: <-heads}
}

var errOffline = errors.New("offline")

// offline resolves names as the pure-Go resolver does, with no DNS server to ask.
var offline = &net.Resolver{
	PreferGo: true,
	Dial:     func(context.Context, string, string) (net.Conn, error) { return nil, errOffline },
}

// dialable fails where net.Dial would fail before it sends a packet: a port past 65535, or a
// name the resolver will not look up (no such host without asking, as for "a..b" or "1.2.3").
func dialable(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return err
	}
	// An empty host (http://:9090) Dial reads as this machine.
	if _, err := netip.ParseAddr(host); err == nil || host == "" {
		return nil
	}
	_, err = offline.LookupHost(context.Background(), host)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return err
	}
	return nil
}

func main() {
	var texts []string
	if err := json.NewDecoder(os.Stdin).Decode(&texts); err != nil {
		panic(err)
	}
	answers := make([]answer, len(texts))
	for i, text := range texts {
		answers[i] = ask(text)
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		panic(err)
	}
}
