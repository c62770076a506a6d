package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Endpoint is one receiver of the webhook.
type Endpoint struct {
	// URL is where the update is POSTed: an absolute http or https URL.
	// Required. Errors name it by EndpointName, without its user
	// information, path and query, and redact its path from echoed answers.
	URL string
	// Secret signs the deliveries to this endpoint. Required unless
	// Config.AllowUnsigned is set.
	Secret string
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
	shown  string   // url as EndpointName names it, for errors
	target string   // Ledger target: a hash of url, so no credential is stored
	key    []byte   // nil: unsigned
	hide   []string // what errors must not show: the secret, header credentials
}

// validate checks cfg and returns its endpoints and headers. Each endpoint
// lists what errors must not show: its secret and the configured header
// values (see credentials), in the forms receivers echo them.
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
	var shared []string
	for _, c := range credentials(cfg.Headers) {
		shared = append(shared, redactionForms(c)...)
	}
	for i := range eps {
		eps[i].hide = append(eps[i].hide, shared...)
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
	ep := endpoint{url: e.URL, shown: EndpointName(e.URL), target: targetOf(e.URL), hide: pathForms(e.URL)}
	if e.Secret == "" {
		if !cfg.AllowUnsigned {
			return endpoint{}, fmt.Errorf("webhook: %s.Secret: missing (set Config.AllowUnsigned to send unsigned)", name)
		}
		return ep, nil
	}
	key, err := decodeSecret(e.Secret)
	if err != nil {
		return endpoint{}, fmt.Errorf("webhook: %s.Secret: %w", name, err)
	}
	ep.key, ep.hide = key, append(ep.hide, redactionForms(e.Secret)...)
	return ep, nil
}

// pathForms returns what errors must not show of an endpoint URL's path and
// query, which may carry a token, should a receiver echo them: the URL
// itself, its path and query, and, as the token alone, each path segment
// and query value of at least minToken bytes. rawURL has been checked.
func pathForms(rawURL string) []string {
	u, _ := url.Parse(rawURL)
	out := []string{rawURL}
	if ru := u.RequestURI(); len(ru) > 1 {
		out = append(out, ru)
	}
	for _, part := range strings.FieldsFunc(u.EscapedPath(), func(r rune) bool { return r == '/' }) {
		if len(part) >= minToken {
			out = append(out, part)
		}
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			if len(v) >= minToken {
				out = append(out, v)
			}
		}
	}
	var forms []string
	for _, s := range out {
		forms = append(forms, redactionForms(s)...)
	}
	return forms
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
