package webhook

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// The types holding secrets print them as REDACTED whichever way they are
// printed: fmt (every verb, through Format), log/slog (LogValue),
// encoding/json (MarshalJSON) and YAML encoders (MarshalYAML). URLs print
// as EndpointName gives them, header values as REDACTED, and HTTPClient not
// at all.

// String prints cfg with secrets and header values REDACTED and URLs named
// by EndpointName.
func (cfg Config) String() string {
	return fmt.Sprintf("webhook.Config{Name:%q URL:%q Secret:%s Endpoints:%v AllowUnsigned:%t Headers:%v Concurrency:%d}",
		cfg.Name, redactIfSet(cfg.URL), hide(cfg.Secret), cfg.Endpoints, cfg.AllowUnsigned,
		redactHeaders(cfg.Headers), cfg.Concurrency)
}

// GoString is String: a Config is never printed with its secrets.
func (cfg Config) GoString() string { return cfg.String() }

// Format prints cfg as String or GoString do, for every verb.
func (cfg Config) Format(f fmt.State, verb rune) { format(f, verb, cfg) }

// LogValue logs cfg without secrets.
func (cfg Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", cfg.Name), slog.String("url", redactIfSet(cfg.URL)),
		slog.String("secret", hide(cfg.Secret)), slog.Int("endpoints", len(cfg.Endpoints)),
		slog.Int("concurrency", cfg.Concurrency))
}

// configView is what a Config encodes as: its fields, redacted, without
// HTTPClient.
type configView struct {
	Name          string
	URL           string
	Secret        string
	Endpoints     []Endpoint
	AllowUnsigned bool
	Headers       map[string]string
	Concurrency   int
}

func (cfg Config) view() configView {
	return configView{Name: cfg.Name, URL: redactIfSet(cfg.URL), Secret: hide(cfg.Secret),
		Endpoints: cfg.Endpoints, AllowUnsigned: cfg.AllowUnsigned,
		Headers: redactHeaders(cfg.Headers), Concurrency: cfg.Concurrency}
}

// MarshalJSON encodes cfg as String prints it, without HTTPClient. Such a
// Config cannot be decoded back into a working one: it is meant for logs
// and diagnostics.
func (cfg Config) MarshalJSON() ([]byte, error) { return json.Marshal(cfg.view()) }

// MarshalYAML is MarshalJSON for YAML encoders.
func (cfg Config) MarshalYAML() (any, error) { return cfg.view(), nil }

// String prints the endpoint with its URL named by EndpointName and its
// secret hidden.
func (e Endpoint) String() string {
	return fmt.Sprintf("{URL:%s Secret:%s}", EndpointName(e.URL), hide(e.Secret))
}

// GoString is String in Go syntax.
func (e Endpoint) GoString() string {
	return fmt.Sprintf("webhook.Endpoint{URL:%q, Secret:%q}", EndpointName(e.URL), hide(e.Secret))
}

// Format prints e as String or GoString do, for every verb.
func (e Endpoint) Format(f fmt.State, verb rune) { format(f, verb, e) }

// LogValue logs the endpoint as String prints it.
func (e Endpoint) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", EndpointName(e.URL)), slog.String("secret", hide(e.Secret)))
}

// endpointView is what an Endpoint encodes as.
type endpointView struct {
	URL    string
	Secret string
}

// MarshalJSON encodes e as String prints it.
func (e Endpoint) MarshalJSON() ([]byte, error) {
	return json.Marshal(endpointView{URL: EndpointName(e.URL), Secret: hide(e.Secret)})
}

// MarshalYAML is MarshalJSON for YAML encoders.
func (e Endpoint) MarshalYAML() (any, error) {
	return endpointView{URL: EndpointName(e.URL), Secret: hide(e.Secret)}, nil
}

// String names the channel and counts its endpoints; it prints no secret.
func (c *Channel) String() string {
	return fmt.Sprintf("webhook.Channel{name: %q, endpoints: %d}", c.name, len(c.endpoints))
}

// GoString is String.
func (c *Channel) GoString() string { return c.String() }

// Format prints c as String does, for every verb.
func (c *Channel) Format(f fmt.State, verb rune) { format(f, verb, c) }

// LogValue logs the channel without secrets.
func (c *Channel) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", c.name), slog.Int("endpoints", len(c.endpoints)))
}

// Format prints v as String does, for every verb.
func (v *Verifier) Format(f fmt.State, verb rune) { format(f, verb, v) }

// format prints v with GoString for %#v and String otherwise, so that no
// verb (%d and %x included) reaches the fields.
func format(f fmt.State, verb rune, v interface {
	fmt.Stringer
	fmt.GoStringer
}) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, v.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", v.String())
	default:
		_, _ = io.WriteString(f, v.String())
	}
}

func redactIfSet(u string) string {
	if u == "" {
		return ""
	}
	return EndpointName(u)
}

// EndpointName is how errors, the Ledger's failure texts and the printed
// Config and Endpoint name an endpoint: its scheme and host[:port], "/…"
// when the URL has a path or query, and "#" and a short hash of the whole
// URL that tells endpoints apart, as in "https://hooks.example.com/…#3f2a9c01".
// It never shows user information, path or query, where webhook URLs keep
// their tokens. A URL that does not parse gives "REDACTED".
func EndpointName(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return httpx.Redacted
	}
	name := u.Scheme + "://" + u.Host + "/"
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Opaque != "" {
		name += "…"
	}
	return name + "#" + strings.TrimPrefix(targetOf(rawURL), "ep_")[:8]
}

func redactHeaders(h map[string]string) map[string]string {
	if h == nil {
		return nil
	}
	out := make(map[string]string, len(h))
	for k := range h {
		out[k] = httpx.Redacted
	}
	return out
}
