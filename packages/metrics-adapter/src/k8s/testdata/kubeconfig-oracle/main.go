// The oracle for kubeconfig.oracle.test.ts: a kubeconfig read as client-go v0.32 reads one for a
// client (clientcmd.RESTConfigFromKubeConfig: decoding, the current context, validation), with
// the URL its requests go to (rest.DefaultServerUrlFor) and the TLS setup made from it
// (rest.TLSConfigFor, which parses the certificates and keys).
// Reads ["<kubeconfig>", ...] on stdin; writes [{"error": "..."} | {"config": {...}}], with
// "tlsError" in a config that decodes but whose TLS setup fails.
package main

import (
	"encoding/json"
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

type connection struct {
	URL          string `json:"url"`
	ServerName   string `json:"serverName"`
	Insecure     bool   `json:"insecure"`
	CA           string `json:"ca"`
	Cert         string `json:"cert"`
	Key          string `json:"key"`
	Token        string `json:"token"`
	Exec         bool   `json:"exec"`
	AuthProvider bool   `json:"authProvider"`
	Proxy        bool   `json:"proxy"`
	Username     string `json:"username"`
	Password     string `json:"password"`
	Impersonate  bool   `json:"impersonate"`
	TLSError     string `json:"tlsError,omitempty"`
}

type answer struct {
	Error  *string     `json:"error,omitempty"`
	Config *connection `json:"config,omitempty"`
}

func read(text string) answer {
	fail := func(err error) answer {
		message := err.Error()
		return answer{Error: &message}
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig([]byte(text))
	if err != nil {
		return fail(err)
	}
	url, _, err := rest.DefaultServerUrlFor(cfg)
	if err != nil {
		return fail(err)
	}
	c := connection{
		URL:          url.String(),
		ServerName:   cfg.TLSClientConfig.ServerName,
		Insecure:     cfg.TLSClientConfig.Insecure,
		CA:           string(cfg.TLSClientConfig.CAData),
		Cert:         string(cfg.TLSClientConfig.CertData),
		Key:          string(cfg.TLSClientConfig.KeyData),
		Token:        cfg.BearerToken,
		Exec:         cfg.ExecProvider != nil,
		AuthProvider: cfg.AuthProvider != nil,
		Proxy:        cfg.Proxy != nil,
		Username:     cfg.Username,
		Password:     cfg.Password,
		Impersonate: cfg.Impersonate.UserName != "" || cfg.Impersonate.UID != "" ||
			len(cfg.Impersonate.Groups) > 0 || len(cfg.Impersonate.Extra) > 0,
	}
	if _, err := rest.TLSConfigFor(cfg); err != nil {
		c.TLSError = err.Error()
	}
	return answer{Config: &c}
}

func main() {
	var texts []string
	if err := json.NewDecoder(os.Stdin).Decode(&texts); err != nil {
		panic(err)
	}
	answers := make([]answer, len(texts))
	for i, text := range texts {
		answers[i] = read(text)
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		panic(err)
	}
}
