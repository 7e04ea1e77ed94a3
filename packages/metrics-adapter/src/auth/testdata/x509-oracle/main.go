// The oracle for x509-verify.oracle.test.ts: client-certificate chains built here from the
// test's descriptions, and Go's own verdict on each at given times, asked as k8s.io/apiserver's
// x509 and requestheader authenticators ask it: leaf.Verify with Roots the CA bundle,
// Intermediates the certificates the client sent after its own, KeyUsages [ClientAuth].
// Reads [{"certs": [spec…], "leaf", "intermediates", "roots", "times"}] on stdin; writes
// [{"pems": ["-----BEGIN CERTIFICATE-----…", …], "ok": [bool per time]} | {"error": "…"}].
//
// A spec names its subject (a CN under O=beacon, as PrintableString or UTF8String), its key
// (from a pool made once a run), the earlier spec whose key and subject sign it (its own index:
// self-signed), an issuer name written other than the signer's subject, basic constraints,
// key usage, extended key usages, validity, an unknown critical extension, the signature
// algorithm (those Go's CreateCertificate will not write, and every signature by the 512-bit
// RSA key, are made here over the re-encoded TBSCertificate), version 1, subject alternative
// names (DNS, IP, email, URI), name constraints (DNS, IP, email, directoryName) and certificate
// policies.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	_ "crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1"
	"crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"time"
)

type spec struct {
	Name            string      `json:"name"`
	Printable       bool        `json:"printable"`
	Key             string      `json:"key"`
	Signer          int         `json:"signer"`
	IssuerName      *string     `json:"issuerName"`
	BC              string      `json:"bc"` // "" (no extension), "ca", "leaf"
	PathLen         *int        `json:"pathLen"`
	KeyUsage        int         `json:"keyUsage"`
	EKU             []string    `json:"eku"` // null: no extension
	NotBefore       int64       `json:"notBefore"`
	NotAfter        int64       `json:"notAfter"`
	UnknownCritical bool        `json:"unknownCritical"`
	Sig             string      `json:"sig"`
	V1              bool        `json:"v1"`
	SAN             []string    `json:"san"`
	IPs             []string    `json:"ips"`
	Emails          []string    `json:"emails"`
	URIs            []string    `json:"uris"`
	OtherNameSAN    bool        `json:"otherNameSan"` // a critical SAN of one otherName
	Permitted       []string    `json:"permitted"`
	Excluded        []string    `json:"excluded"`
	PermittedIPs    []string    `json:"permittedIps"` // CIDR
	ExcludedIPs     []string    `json:"excludedIps"`
	PermittedEmails []string    `json:"permittedEmails"`
	DirConstraint   bool        `json:"dirConstraint"` // a critical directoryName constraint
	Policies        []string    `json:"policies"`
	RequireExplicit *int        `json:"requireExplicit"`
	InhibitMapping  *int        `json:"inhibitMapping"`
	InhibitAny      *int        `json:"inhibitAny"`
	Mappings        [][2]string `json:"mappings"`
}

type question struct {
	Certs         []spec  `json:"certs"`
	Leaf          int     `json:"leaf"`
	Intermediates []int   `json:"intermediates"`
	Roots         []int   `json:"roots"`
	Times         []int64 `json:"times"`
}

type answer struct {
	Error string   `json:"error,omitempty"`
	PEMs  []string `json:"pems,omitempty"`
	OK    []bool   `json:"ok,omitempty"`
}

// weakRSA is a 512-bit key, which Go's crypto/rsa refuses to make or sign with (rsa1024min); it
// is made and signs here by hand, so that Go's refusal to verify with it is what is asked.
type weakRSA struct{ n, d *big.Int }

func newWeakRSA() weakRSA {
	e := big.NewInt(65537)
	for {
		p, _ := rand.Prime(rand.Reader, 256)
		q, _ := rand.Prime(rand.Reader, 256)
		n := new(big.Int).Mul(p, q)
		phi := new(big.Int).Mul(new(big.Int).Sub(p, big.NewInt(1)), new(big.Int).Sub(q, big.NewInt(1)))
		if d := new(big.Int).ModInverse(e, phi); d != nil && n.BitLen() == 512 {
			return weakRSA{n, d}
		}
	}
}

var sha256DigestInfo = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}

func (k weakRSA) signSHA256(msg []byte) []byte {
	h := sha256.Sum256(msg)
	t := append(append([]byte{}, sha256DigestInfo...), h[:]...)
	em := make([]byte, 64)
	em[1] = 1
	for i := 2; i < 64-len(t)-1; i++ {
		em[i] = 0xff
	}
	copy(em[64-len(t):], t)
	s := new(big.Int).Exp(new(big.Int).SetBytes(em), k.d, k.n)
	return s.FillBytes(make([]byte, 64))
}

type keyPair struct {
	pub    crypto.PublicKey
	signer crypto.Signer // nil for the weak key
	weak   *weakRSA
}

func makeKeys() map[string]keyPair {
	keys := map[string]keyPair{}
	ec := func(c elliptic.Curve) keyPair {
		k, _ := ecdsa.GenerateKey(c, rand.Reader)
		return keyPair{pub: k.Public(), signer: k}
	}
	for _, id := range []string{"p256a", "p256b", "p256c"} {
		keys[id] = ec(elliptic.P256())
	}
	keys["p384"] = ec(elliptic.P384())
	keys["p224"] = ec(elliptic.P224())
	for _, id := range []string{"ed25519a", "ed25519b"} {
		_, k, _ := ed25519.GenerateKey(rand.Reader)
		keys[id] = keyPair{pub: k.Public(), signer: k}
	}
	for id, bits := range map[string]int{"rsa2048": 2048, "rsa1024": 1024} {
		k, _ := rsa.GenerateKey(rand.Reader, bits)
		keys[id] = keyPair{pub: k.Public(), signer: k}
	}
	w := newWeakRSA()
	keys["rsa512"] = keyPair{pub: &rsa.PublicKey{N: w.n, E: 65537}, weak: &w}
	return keys
}

var (
	oidO          = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidCN         = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidUnknownExt = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}
	oidSAN        = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidNC         = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidPolicyMap  = asn1.ObjectIdentifier{2, 5, 29, 33}
	oidPolicyCons = asn1.ObjectIdentifier{2, 5, 29, 36}
	oidInhibitAny = asn1.ObjectIdentifier{2, 5, 29, 54}
)

// name encodes O=beacon, CN=cn with the CN as a PrintableString or a UTF8String.
func name(cn string, printable bool) []byte {
	tag := asn1.TagUTF8String
	if printable {
		tag = asn1.TagPrintableString
	}
	atv := func(oid asn1.ObjectIdentifier, tag int, v string) asn1.RawValue {
		o, _ := asn1.Marshal(oid)
		s, _ := asn1.Marshal(asn1.RawValue{Tag: tag, Bytes: []byte(v)})
		seq, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: append(o, s...)})
		return asn1.RawValue{FullBytes: seq}
	}
	set := func(v asn1.RawValue) []byte {
		b, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: v.FullBytes})
		return b
	}
	body := append(set(atv(oidO, asn1.TagPrintableString, "beacon")), set(atv(oidCN, tag, cn))...)
	out, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	return out
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func parseOID(s string) asn1.ObjectIdentifier {
	var oid asn1.ObjectIdentifier
	for _, part := range splitDots(s) {
		var n int
		fmt.Sscan(part, &n)
		oid = append(oid, n)
	}
	return oid
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// extraExtensions are those CreateCertificate is not asked to write from template fields.
func extraExtensions(s spec) []pkix.Extension {
	var out []pkix.Extension
	if s.UnknownCritical {
		out = append(out, pkix.Extension{Id: oidUnknownExt, Critical: true, Value: []byte{0x05, 0x00}})
	}
	if s.OtherNameSAN {
		// GeneralNames { otherName [0] { type-id 1.3.6.1.4.1.55555.2, value [0] { UTF8String "x" } } }
		value := mustMarshal(asn1.RawValue{Class: 2, Tag: 0, IsCompound: true, Bytes: append(
			mustMarshal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 2}),
			mustMarshal(asn1.RawValue{Class: 2, Tag: 0, IsCompound: true, Bytes: mustMarshal(asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte("x")})})...)})
		out = append(out, pkix.Extension{Id: oidSAN, Critical: true, Value: mustMarshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: value})})
	}
	if s.DirConstraint {
		// NameConstraints { permittedSubtrees [0] { GeneralSubtree { directoryName [4] Name } } }
		subtree := mustMarshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: mustMarshal(asn1.RawValue{Class: 2, Tag: 4, IsCompound: true, Bytes: name("dir", true)})})
		permitted := mustMarshal(asn1.RawValue{Class: 2, Tag: 0, IsCompound: true, Bytes: subtree})
		out = append(out, pkix.Extension{Id: oidNC, Critical: true, Value: mustMarshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: permitted})})
	}
	if len(s.Mappings) > 0 {
		var body []byte
		for _, m := range s.Mappings {
			body = append(body, mustMarshal(struct{ A, B asn1.ObjectIdentifier }{parseOID(m[0]), parseOID(m[1])})...)
		}
		out = append(out, pkix.Extension{Id: oidPolicyMap, Critical: true, Value: mustMarshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body})})
	}
	if s.RequireExplicit != nil || s.InhibitMapping != nil {
		var body []byte
		if s.RequireExplicit != nil {
			body = append(body, mustMarshal(asn1.RawValue{Class: 2, Tag: 0, Bytes: intBytes(*s.RequireExplicit)})...)
		}
		if s.InhibitMapping != nil {
			body = append(body, mustMarshal(asn1.RawValue{Class: 2, Tag: 1, Bytes: intBytes(*s.InhibitMapping)})...)
		}
		out = append(out, pkix.Extension{Id: oidPolicyCons, Critical: true, Value: mustMarshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body})})
	}
	if s.InhibitAny != nil {
		out = append(out, pkix.Extension{Id: oidInhibitAny, Critical: true, Value: mustMarshal(*s.InhibitAny)})
	}
	return out
}

func intBytes(n int) []byte {
	b := mustMarshal(n)
	return b[2:] // the INTEGER's content octets
}

var ekus = map[string]x509.ExtKeyUsage{"client": x509.ExtKeyUsageClientAuth, "server": x509.ExtKeyUsageServerAuth, "any": x509.ExtKeyUsageAny}

func template(s spec, serial int64) (*x509.Certificate, error) {
	t := &x509.Certificate{
		SerialNumber:                big.NewInt(serial),
		RawSubject:                  name(s.Name, s.Printable),
		NotBefore:                   time.Unix(s.NotBefore, 0),
		NotAfter:                    time.Unix(s.NotAfter, 0),
		KeyUsage:                    x509.KeyUsage(s.KeyUsage),
		DNSNames:                    s.SAN,
		ExtraExtensions:             extraExtensions(s),
		EmailAddresses:              s.Emails,
		PermittedDNSDomains:         s.Permitted,
		ExcludedDNSDomains:          s.Excluded,
		PermittedEmailAddresses:     s.PermittedEmails,
		PermittedDNSDomainsCritical: true,
	}
	for _, ip := range s.IPs {
		t.IPAddresses = append(t.IPAddresses, net.ParseIP(ip))
	}
	for _, u := range s.URIs {
		parsed, err := url.Parse(u)
		if err != nil {
			return nil, err
		}
		t.URIs = append(t.URIs, parsed)
	}
	for _, ranges := range []struct {
		cidrs []string
		into  *[]*net.IPNet
	}{{s.PermittedIPs, &t.PermittedIPRanges}, {s.ExcludedIPs, &t.ExcludedIPRanges}} {
		for _, cidr := range ranges.cidrs {
			_, n, err := net.ParseCIDR(cidr)
			if err != nil {
				return nil, err
			}
			*ranges.into = append(*ranges.into, n)
		}
	}
	switch s.BC {
	case "ca":
		t.BasicConstraintsValid, t.IsCA = true, true
		t.MaxPathLen = -1
		if s.PathLen != nil {
			t.MaxPathLen, t.MaxPathLenZero = *s.PathLen, *s.PathLen == 0
		}
	case "leaf":
		t.BasicConstraintsValid = true
		t.MaxPathLen = -1
	}
	if s.EKU != nil {
		t.ExtKeyUsage = []x509.ExtKeyUsage{}
		for _, e := range s.EKU {
			if u, ok := ekus[e]; ok {
				t.ExtKeyUsage = append(t.ExtKeyUsage, u)
			} else {
				t.UnknownExtKeyUsage = append(t.UnknownExtKeyUsage, asn1.ObjectIdentifier{1, 2, 3, 4, 5})
			}
		}
		if len(s.EKU) == 0 {
			// An empty SEQUENCE, which CreateCertificate does not write from an empty list.
			t.ExtraExtensions = append(t.ExtraExtensions, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Value: []byte{0x30, 0x00}})
		}
	}
	for _, p := range s.Policies {
		oid, err := x509.ParseOID(p)
		if err != nil {
			return nil, err
		}
		t.Policies = append(t.Policies, oid)
	}
	return t, nil
}

// Signature algorithms Go's CreateCertificate writes itself; the others are re-signed here.
var goSigs = map[string]x509.SignatureAlgorithm{"sha384-rsa": x509.SHA384WithRSA, "pss-rsa": x509.SHA256WithRSAPSS, "sha384-ecdsa": x509.ECDSAWithSHA384, "sha512-ecdsa": x509.ECDSAWithSHA512}

type resign struct {
	alg  []byte // the AlgorithmIdentifier's DER
	hash crypto.Hash
	pss  *rsa.PSSOptions
}

func algID(oid asn1.ObjectIdentifier, params []byte) []byte {
	body := mustMarshal(oid)
	body = append(body, params...)
	return mustMarshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
}

var null = []byte{0x05, 0x00}

// pssParams encodes RSASSA-PSS-params for SHA-256 with MGF1-SHA-256 and the given salt length.
func pssParams(salt int) []byte {
	sha256ID := algID(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, null)
	mgf := algID(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}, sha256ID)
	body := mustMarshal(asn1.RawValue{Class: 2, Tag: 0, IsCompound: true, Bytes: sha256ID})
	body = append(body, mustMarshal(asn1.RawValue{Class: 2, Tag: 1, IsCompound: true, Bytes: mgf})...)
	body = append(body, mustMarshal(asn1.RawValue{Class: 2, Tag: 2, IsCompound: true, Bytes: mustMarshal(salt)})...)
	return mustMarshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
}

func resignFor(sig string, pub crypto.PublicKey) *resign {
	rsaOID := func(last int) asn1.ObjectIdentifier { return asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, last} }
	switch pub.(type) {
	case *rsa.PublicKey:
		switch sig {
		case "sha1":
			return &resign{algID(rsaOID(5), null), crypto.SHA1, nil}
		case "md5":
			return &resign{algID(rsaOID(4), null), crypto.MD5, nil}
		case "sha224":
			return &resign{algID(rsaOID(14), null), crypto.SHA224, nil}
		case "pss-salt":
			return &resign{algID(rsaOID(10), pssParams(20)), crypto.SHA256, &rsa.PSSOptions{SaltLength: 20, Hash: crypto.SHA256}}
		}
	case *ecdsa.PublicKey:
		switch sig {
		case "sha1":
			return &resign{algID(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, nil), crypto.SHA1, nil}
		case "sha224":
			return &resign{algID(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}, nil), crypto.SHA224, nil}
		}
	}
	return nil
}

// reencode rebuilds der's TBSCertificate with a new signature algorithm (when alg is set) and,
// for v1, without its version and extensions, and signs it with sign.
func reencode(der []byte, alg []byte, v1 bool, sign func([]byte) ([]byte, error)) ([]byte, error) {
	var outer struct {
		TBS asn1.RawValue
		Alg asn1.RawValue
		Sig asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &outer); err != nil {
		return nil, err
	}
	var fields [][]byte
	for rest := outer.TBS.Bytes; len(rest) > 0; {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			return nil, err
		}
		fields = append(fields, f.FullBytes)
	}
	if alg == nil {
		alg = outer.Alg.FullBytes
	}
	var tbsBody []byte
	for i, f := range fields {
		context := f[0]&0xc0 == 0x80
		switch {
		case v1 && context:
			continue
		case i == 2: // signature AlgorithmIdentifier, after the version and the serial
			tbsBody = append(tbsBody, alg...)
		default:
			tbsBody = append(tbsBody, f...)
		}
	}
	tbs := mustMarshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: tbsBody})
	sig, err := sign(tbs)
	if err != nil {
		return nil, err
	}
	body := append(append(append([]byte{}, tbs...), alg...), mustMarshal(asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)})...)
	return mustMarshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body}), nil
}

func signWith(k keyPair, r *resign) func([]byte) ([]byte, error) {
	return func(msg []byte) ([]byte, error) {
		if k.weak != nil {
			return k.weak.signSHA256(msg), nil
		}
		if _, ok := k.signer.(ed25519.PrivateKey); ok {
			return k.signer.Sign(rand.Reader, msg, crypto.Hash(0))
		}
		h := crypto.SHA256
		switch k.pub.(type) {
		case *ecdsa.PublicKey:
			if k.pub.(*ecdsa.PublicKey).Curve == elliptic.P384() {
				h = crypto.SHA384
			}
		}
		var opts crypto.SignerOpts = h
		if r != nil {
			h = r.hash
			opts = h
			if r.pss != nil {
				opts = r.pss
			}
		}
		d := h.New()
		d.Write(msg)
		return k.signer.Sign(rand.Reader, d.Sum(nil), opts)
	}
}

func build(q question, keys map[string]keyPair) ([][]byte, error) {
	ders := make([][]byte, len(q.Certs))
	placeholder, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for i, s := range q.Certs {
		if s.Signer < 0 || s.Signer > i {
			return nil, fmt.Errorf("cert %d: signer %d is not an earlier certificate or itself", i, s.Signer)
		}
		key, ok := keys[s.Key]
		signer := keys[q.Certs[s.Signer].Key]
		if !ok || (signer.pub == nil) {
			return nil, fmt.Errorf("cert %d: unknown key", i)
		}
		t, err := template(s, int64(1000+i))
		if err != nil {
			return nil, err
		}
		issuer := q.Certs[s.Signer]
		parent := &x509.Certificate{RawSubject: name(issuer.Name, issuer.Printable)}
		if s.IssuerName != nil {
			parent.RawSubject = name(*s.IssuerName, issuer.Printable)
		}
		// The weak key signs only SHA256WithRSA; a v1 certificate is signed again by its
		// signer's default algorithm.
		r := resignFor(s.Sig, signer.pub)
		if signer.weak != nil {
			r = nil
		}
		priv := signer.signer
		if priv == nil || r != nil {
			priv = placeholder // signed again below
		} else if alg, ok := goSigs[s.Sig+"-"+keyKind(signer.pub)]; ok && !s.V1 {
			t.SignatureAlgorithm = alg
		}
		der, err := x509.CreateCertificate(rand.Reader, t, parent, key.pub, priv)
		if err != nil {
			return nil, fmt.Errorf("cert %d: %w", i, err)
		}
		if priv == placeholder || s.V1 {
			var alg []byte
			if r != nil {
				alg = r.alg
			} else if signer.weak != nil {
				alg = algID(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, null)
			} else if priv == placeholder {
				return nil, errors.New("unreachable")
			}
			if der, err = reencode(der, alg, s.V1, signWith(signer, r)); err != nil {
				return nil, fmt.Errorf("cert %d: %w", i, err)
			}
		}
		ders[i] = der
	}
	return ders, nil
}

func keyKind(pub crypto.PublicKey) string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return "rsa"
	case *ecdsa.PublicKey:
		return "ecdsa"
	}
	return "ed25519"
}

func verdicts(q question, ders [][]byte) ([]bool, error) {
	parse := func(i int) (*x509.Certificate, error) {
		if i < 0 || i >= len(ders) {
			return nil, fmt.Errorf("no certificate %d", i)
		}
		c, err := x509.ParseCertificate(ders[i])
		if err != nil {
			return nil, fmt.Errorf("Go cannot parse certificate %d: %w", i, err)
		}
		return c, nil
	}
	leaf, err := parse(q.Leaf)
	if err != nil {
		return nil, err
	}
	roots, intermediates := x509.NewCertPool(), x509.NewCertPool()
	for _, i := range q.Roots {
		c, err := parse(i)
		if err != nil {
			return nil, err
		}
		roots.AddCert(c)
	}
	for _, i := range q.Intermediates {
		c, err := parse(i)
		if err != nil {
			return nil, err
		}
		intermediates.AddCert(c)
	}
	out := make([]bool, len(q.Times))
	for i, t := range q.Times {
		_, err := leaf.Verify(x509.VerifyOptions{
			Roots:         roots,
			Intermediates: intermediates,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			CurrentTime:   time.Unix(t, 0),
		})
		out[i] = err == nil
	}
	return out, nil
}

func main() {
	var questions []question
	if err := json.NewDecoder(os.Stdin).Decode(&questions); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	keys := makeKeys()
	answers := make([]answer, len(questions))
	for i, q := range questions {
		ders, err := build(q, keys)
		if err != nil {
			answers[i] = answer{Error: err.Error()}
			continue
		}
		ok, err := verdicts(q, ders)
		if err != nil {
			answers[i] = answer{Error: err.Error()}
			continue
		}
		for _, der := range ders {
			answers[i].PEMs = append(answers[i].PEMs, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
		}
		answers[i].OK = ok
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
