// Writes the lz4 fixtures of src/ingest/testdata/lz4 made with github.com/pierrec/lz4/v4, the
// package the OpenTelemetry Collector's confighttp compresses `compression: lz4` with
// (compressor.go: lz4.NewWriter(nil), then ConcurrencyOption(1)); the others are made by the
// lz4 CLI (see the README). Run from this folder: `go run .`; it prints each file's length and
// sha256.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pierrec/lz4/v4"
)

const out = ".."

// frame compresses plain as the Collector does, with any options on top of its own.
func frame(name string, plain []byte, options ...lz4.Option) {
	var buf bytes.Buffer
	w := lz4.NewWriter(&buf)
	if err := w.Apply(append([]lz4.Option{lz4.ConcurrencyOption(1)}, options...)...); err != nil {
		panic(err)
	}
	if _, err := w.Write(plain); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	write(name, buf.Bytes())
}

func write(name string, b []byte) {
	if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
		panic(err)
	}
	fmt.Printf("%-26s %9d bytes  sha256 %x\n", name, len(b), sha256.Sum256(b))
}

func plain(name string, b []byte) {
	fmt.Printf("%-26s %9d bytes  sha256 %x (plain)\n", name, len(b), sha256.Sum256(b))
}

// batch is an OTLP/JSON request of 1,000 spans (service `lz4-batch`), repetitive as real
// batches are: it compresses to a fraction of its size.
func batch() []byte {
	type kv = map[string]any
	spans := make([]kv, 0, 1000)
	for i := 0; i < 1000; i++ {
		n := fmt.Sprintf("%04d", i+1)
		item := (i * 7919) % 1000
		spans = append(spans, kv{
			"traceId":           "1a4a00000000000000000000000b" + n,
			"spanId":            "1a4a00000000b" + n[1:],
			"name":              fmt.Sprintf("GET /items/%d", item),
			"startTimeUnixNano": fmt.Sprintf("%d", 1796293444000000000+int64(i)*1000000),
			"endTimeUnixNano":   fmt.Sprintf("%d", 1796293444000500000+int64(i)*1000000),
			"attributes": []kv{
				{"key": "correlation_id", "value": kv{"stringValue": fmt.Sprintf("lz4-batch-%d", i%10)}},
				{"key": "item.note", "value": kv{"stringValue": strings.Repeat(fmt.Sprintf("item %d of batch %d, ", item, i%10), 4)}},
			},
		})
	}
	b, err := json.Marshal(kv{"resourceSpans": []kv{{
		"resource":   kv{"attributes": []kv{{"key": "service.name", "value": kv{"stringValue": "lz4-batch"}}}},
		"scopeSpans": []kv{{"spans": spans}},
	}}})
	if err != nil {
		panic(err)
	}
	return b
}

// noise is 66,000 bytes from xorshift32 (seed 1), as snappy's noise.bin: no encoder can shorten
// them, so the lz4 CLI stores them in uncompressed blocks (README).
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
		frame(name+".lz4", b)
	}
	b := batch()
	plain("batch.json", b)
	// Written here too, for the lz4 CLI to compress (README); not kept in the tree.
	if err := os.WriteFile(filepath.Join(out, "batch.json"), b, 0o644); err != nil {
		panic(err)
	}
	n := noise()
	plain("noise.bin", n)
	if err := os.WriteFile(filepath.Join(out, "noise.bin"), n, 0o644); err != nil {
		panic(err)
	}
	frame("batch.json.lz4", b)
	// 64 KB blocks, each with its checksum, and the content size declared.
	frame("batch.json.64k-checksums.lz4", b, lz4.BlockSizeOption(lz4.Block64Kb),
		lz4.BlockChecksumOption(true), lz4.SizeOption(uint64(len(b))))
}
