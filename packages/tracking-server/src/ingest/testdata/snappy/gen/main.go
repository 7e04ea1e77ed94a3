// Writes the snappy fixtures of src/ingest/testdata/snappy (see its README) with
// github.com/golang/snappy, the package the OpenTelemetry Collector's confighttp compresses
// with: snappy.Encode for the block format (Content-Encoding `snappy`) and
// snappy.NewBufferedWriter for the framed format (`x-snappy-framed`, and `snappy` from older
// Collectors). Run from this folder: `go run .`; it prints each file's length and sha256.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/golang/snappy"
)

const out = ".."

func block(name string, plain []byte) {
	write(name+".snappy", snappy.Encode(nil, plain))
}

func framed(name string, plain []byte) {
	var buf bytes.Buffer
	w := snappy.NewBufferedWriter(&buf)
	if _, err := w.Write(plain); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	write(name+".sz", buf.Bytes())
}

func write(name string, b []byte) {
	if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
		panic(err)
	}
	fmt.Printf("%-22s %9d bytes  sha256 %x\n", name, len(b), sha256.Sum256(b))
}

func plain(name string, b []byte) {
	fmt.Printf("%-22s %9d bytes  sha256 %x (plain, not written)\n", name, len(b), sha256.Sum256(b))
}

// batch is an OTLP/JSON request of 1,000 spans (service `snappy-batch`), repetitive as real
// batches are: it compresses to a fraction of its size.
func batch() []byte {
	type kv = map[string]any
	spans := make([]kv, 0, 1000)
	for i := 0; i < 1000; i++ {
		n := fmt.Sprintf("%04d", i+1)
		item := (i * 7919) % 1000
		spans = append(spans, kv{
			"traceId":           "5c5c00000000000000000000000b" + n,
			"spanId":            "5c5c00000000b" + n[1:],
			"name":              fmt.Sprintf("GET /items/%d", item),
			"startTimeUnixNano": fmt.Sprintf("%d", 1796293444000000000+int64(i)*1000000),
			"endTimeUnixNano":   fmt.Sprintf("%d", 1796293444000500000+int64(i)*1000000),
			"attributes": []kv{
				{"key": "correlation_id", "value": kv{"stringValue": fmt.Sprintf("snappy-batch-%d", i%10)}},
				{"key": "item.note", "value": kv{"stringValue": strings.Repeat(fmt.Sprintf("item %d of batch %d, ", item, i%10), 4)}},
			},
		})
	}
	b, err := json.Marshal(kv{"resourceSpans": []kv{{
		"resource":   kv{"attributes": []kv{{"key": "service.name", "value": kv{"stringValue": "snappy-batch"}}}},
		"scopeSpans": []kv{{"spans": spans}},
	}}})
	if err != nil {
		panic(err)
	}
	return b
}

// noise is 66,000 bytes from xorshift32 (seed 1): snappy cannot shorten them, so the framed
// writer stores them in uncompressed chunks (type 0x01), 65,536 bytes and then 464.
func noise() []byte {
	b := make([]byte, 66000)
	x := uint32(1)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func main() {
	for _, name := range []string{"traces.json", "traces.pb"} {
		b, err := os.ReadFile(filepath.Join(out, "..", "zstd", name))
		if err != nil {
			panic(err)
		}
		block(name, b)
		framed(name, b)
	}
	b := batch()
	plain("batch.json", b)
	block("batch.json", b)
	framed("batch.json", b)
	n := noise()
	plain("noise.bin", n)
	framed("noise.bin", n)
	// One chunk of 64 KiB of zeros: the tests repeat its chunk to build a body past 100 MB.
	framed("zeros-64kib", make([]byte, 65536))
}
