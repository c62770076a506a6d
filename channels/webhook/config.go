package webhook

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// Secret is a Standard Webhooks signing secret: "whsec_" followed by the
// base64 of 24 to 64 random bytes. It prints as REDACTED.
type Secret string

// Secret sizes allowed by the Standard Webhooks specification, in bytes.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

const secretPrefix = "whsec_"

// String returns REDACTED, or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return httpx.Redacted
}

// GoString returns REDACTED in quotes, or "" in quotes for an empty secret.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// LogValue returns REDACTED, or "" for an empty secret.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText returns REDACTED, so that encoding a configuration as JSON
// or YAML never writes the secret out; decoding reads secrets as usual.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// key decodes the secret into the HMAC key.
func (s Secret) key() ([]byte, error) {
	b64, ok := strings.CutPrefix(string(s), secretPrefix)
	if !ok {
		return nil, errors.New("not a whsec_ secret")
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(b64)
	}
	if err != nil {
		return nil, errors.New("whsec_ secret is not valid base64")
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return nil, fmt.Errorf("whsec_ secret decodes to %d bytes, want %d to %d",
			len(key), MinSecretBytes, MaxSecretBytes)
	}
	return key, nil
}

// Endpoint is one receiver of the webhook.
type Endpoint struct {
	// URL is where the update is POSTed: an absolute http or https URL.
	// Required. Its user information and query values are redacted in
	// errors; its path is not.
	URL string
	// Secret signs the deliveries to this endpoint. Required unless
	// Config.AllowUnsigned is set.
	Secret Secret
}

// String prints the endpoint with its URL redacted and its secret hidden.
func (e Endpoint) String() string {
	return fmt.Sprintf("{URL:%s Secret:%s}", httpx.RedactURL(e.URL), e.Secret)
}

// GoString is String in Go syntax.
func (e Endpoint) GoString() string {
	return fmt.Sprintf("webhook.Endpoint{URL:%q, Secret:%#v}", httpx.RedactURL(e.URL), e.Secret)
}

// LogValue logs the endpoint with its URL redacted and its secret hidden.
func (e Endpoint) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", httpx.RedactURL(e.URL)), slog.Any("secret", e.Secret))
}

// reserved are the headers Config.Headers cannot set: the signature's and
// those the transport owns.
var reserved = map[string]bool{
	"Webhook-Id": true, "Webhook-Timestamp": true, "Webhook-Signature": true,
	"Content-Type": true, "Content-Length": true, "Content-Encoding": true,
	"Transfer-Encoding": true, "Host": true, "Connection": true,
}

// endpoint is a validated Endpoint.
type endpoint struct {
	url    string
	shown  string // url, redacted, for errors
	target string // Ledger target: a hash of url, so no credential is stored
	secret Secret
	key    []byte // nil: unsigned
}

// validate checks cfg and returns its endpoints and headers.
func (cfg Config) validate() ([]endpoint, http.Header, error) {
	if cfg.Concurrency < 0 {
		return nil, nil, errors.New("webhook: Config.Concurrency: negative")
	}
	if strings.TrimSpace(cfg.Name) != cfg.Name {
		return nil, nil, errors.New("webhook: Config.Name: leading or trailing white space")
	}
	eps, err := cfg.endpoints()
	if err != nil {
		return nil, nil, err
	}
	h, err := cfg.headers()
	if err != nil {
		return nil, nil, err
	}
	return eps, h, nil
}

func (cfg Config) endpoints() ([]endpoint, error) {
	list, field := cfg.Endpoints, "Config.Endpoints"
	switch {
	case cfg.URL != "" && len(cfg.Endpoints) > 0:
		return nil, errors.New("webhook: Config.URL: set URL or Endpoints, not both")
	case cfg.URL == "" && len(cfg.Endpoints) == 0:
		if cfg.Secret != "" {
			return nil, errors.New("webhook: Config.URL: missing (Secret is set)")
		}
		return nil, errors.New("webhook: Config.URL: missing (set URL or Endpoints)")
	case cfg.URL != "":
		list, field = []Endpoint{{URL: cfg.URL, Secret: cfg.Secret}}, "Config"
	case cfg.Secret != "":
		return nil, errors.New("webhook: Config.Secret: set only with URL (Endpoints carry their own)")
	}
	out := make([]endpoint, len(list))
	seen := make(map[string]int, len(list))
	for i, e := range list {
		name := field
		if field != "Config" {
			name = fmt.Sprintf("%s[%d]", field, i)
		}
		ep, err := cfg.endpoint(name, e)
		if err != nil {
			return nil, err
		}
		if j, dup := seen[ep.url]; dup {
			return nil, fmt.Errorf("webhook: %s.URL: same as Endpoints[%d]", name, j)
		}
		seen[ep.url] = i
		out[i] = ep
	}
	return out, nil
}

func (cfg Config) endpoint(name string, e Endpoint) (endpoint, error) {
	if e.URL == "" {
		return endpoint{}, fmt.Errorf("webhook: %s.URL: missing", name)
	}
	if err := checkURL(e.URL); err != nil {
		return endpoint{}, fmt.Errorf("webhook: %s.URL: %w", name, err)
	}
	ep := endpoint{url: e.URL, shown: httpx.RedactURL(e.URL), target: targetOf(e.URL), secret: e.Secret}
	if e.Secret == "" {
		if !cfg.AllowUnsigned {
			return endpoint{}, fmt.Errorf("webhook: %s.Secret: missing (set Config.AllowUnsigned to send unsigned)", name)
		}
		return ep, nil
	}
	key, err := e.Secret.key()
	if err != nil {
		return endpoint{}, fmt.Errorf("webhook: %s.Secret: %w", name, err)
	}
	ep.key = key
	return ep, nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("not an absolute http or https URL")
	case u.Host == "":
		return errors.New("missing host")
	case u.Fragment != "":
		return errors.New("has a fragment")
	case strings.ContainsAny(s, " \t\r\n"):
		return errors.New("contains white space")
	}
	return nil
}

func (cfg Config) headers() (http.Header, error) {
	h := make(http.Header, len(cfg.Headers)+1)
	h.Set("User-Agent", UserAgent)
	for k, v := range cfg.Headers {
		ck := http.CanonicalHeaderKey(k)
		switch {
		case !validHeaderName(k):
			return nil, fmt.Errorf("webhook: Config.Headers: invalid header name %q", k)
		case reserved[ck]:
			return nil, fmt.Errorf("webhook: Config.Headers[%q]: reserved, set by the channel", k)
		case strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }):
			// The value is not quoted: it may be a credential.
			return nil, fmt.Errorf("webhook: Config.Headers[%q]: control character in value", k)
		}
		h.Set(ck, v)
	}
	return h, nil
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

// The types holding secrets implement fmt.Formatter, so that no verb (%d,
// %x and %#v included) prints their fields: String and GoString give the
// redacted text.

// Format prints REDACTED for every verb.
func (s Secret) Format(f fmt.State, verb rune) { format(f, verb, s) }

// Format prints e as String or GoString do, for every verb.
func (e Endpoint) Format(f fmt.State, verb rune) { format(f, verb, e) }

// Format prints cfg as String or GoString do, for every verb.
func (cfg Config) Format(f fmt.State, verb rune) { format(f, verb, cfg) }

// Format prints c as String does, for every verb.
func (c *Channel) Format(f fmt.State, verb rune) { format(f, verb, c) }

// Format prints v as String does, for every verb.
func (v *Verifier) Format(f fmt.State, verb rune) { format(f, verb, v) }

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
