package webhook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	urlcheck "github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/internal/secrets"
	"github.com/outagecast/outagecast/internal/urlcut"
	"github.com/outagecast/outagecast/redact"
)

// Endpoint is one receiver of the webhook.
type Endpoint struct {
	// URL is where the update is POSTed: an absolute http or https URL
	// whose host is an IP address or a DNS name (an internationalised one
	// too), not a link-local or cloud metadata address (see Addresses in
	// the package documentation). Required. It prints as its scheme and host only; errors and Ledger
	// targets name it by EndpointName. A "/", "?" or "#" in its password
	// is written %2F, %3F or %23: New refuses what such a character leaves
	// of a URL (an empty port, or a port without user information followed
	// by an "@", which is written %40 there).
	URL redact.URL `yaml:"url" json:"url"`
	// Secret signs the deliveries to this endpoint: "whsec_" and the
	// base64 of 24 to 64 random bytes, or that base64 alone (see
	// ParseSecret). Required unless Config.AllowUnsigned is set.
	Secret redact.Secret `yaml:"secret" json:"secret"`
	// PreviousSecret, set while Secret is being rotated, is the secret
	// the receiver verified with until now: each delivery then carries a
	// second signature, made with it (the Standard Webhooks signature
	// header holds several), so that the receiver accepts deliveries
	// whether it has moved to Secret yet or not. Remove it once the
	// receiver verifies with Secret.
	PreviousSecret redact.Secret `yaml:"previous_secret" json:"previous_secret"`
}

// reserved are the headers Config.Headers cannot set: the signature's and
// those the transport owns, the hop-by-hop ones included (net/http drops a
// Trailer set so without a word; an Upgrade or TE would ask the receiver
// to take the POST as something else).
var reserved = map[string]bool{
	"Webhook-Id": true, "Webhook-Timestamp": true, "Webhook-Signature": true,
	"Content-Type": true, "Content-Length": true, "Content-Encoding": true,
	"Transfer-Encoding": true, "Host": true, "Connection": true,
	"Trailer": true, "Te": true, "Upgrade": true, "Keep-Alive": true, "Proxy-Connection": true,
}

// endpoint is a validated Endpoint.
type endpoint struct {
	url    string
	target string   // EndpointName(url): the Ledger target, and how errors name it
	macs   *macPool // keyed with the secret; nil: unsigned
	prev   *macPool // keyed with the previous secret; nil: none

	secrets []redact.Secret  // the secret and the previous one, as given
	base    *redact.Redactor // the header values, shared by every endpoint
	once    sync.Once
	rd      *redact.Redactor // base and this endpoint's secrets; see redactor
}

// Redactor returns the Redactor of what this endpoint's receiver may echo
// in an error: its signing secret, the credentials, path and query of its
// URL, and the header values. It is built on the endpoint's first error, not in New: a
// list of thousands of endpoints would otherwise cost a quarter of a second
// and 15 MB per thousand before anything failed.
func (ep *endpoint) Redactor() *redact.Redactor {
	ep.once.Do(func() {
		rd := ep.base.With(ep.secrets...).WithURL(redact.NewURL(ep.url))
		u, _ := url.Parse(ep.url) // checked by New
		if u.User != nil {
			// Go's client sends the URL's user information as HTTP Basic.
			pw, _ := u.User.Password()
			rd = rd.WithLogin(u.User.Username(), redact.NewSecret(pw))
		}
		if p := u.EscapedPath(); p != "" && p != "/" {
			// A receiver quoting the path it was called at shows it whole.
			rd = rd.With(redact.NewSecret(u.RequestURI()), redact.NewSecret(p), redact.NewSecret(u.Path))
		}
		ep.rd = rd
	})
	return ep.rd
}

// validate checks cfg and returns its endpoints and headers. Its error
// names every fault of cfg, a line each (setup.Faults).
func (cfg Config) validate() ([]*endpoint, http.Header, error) {
	var f setup.Faults
	if cfg.Concurrency < 0 {
		f.Add(errors.New("webhook: Config.Concurrency: negative"))
	}
	_, err := setup.Name("webhook", cfg.Name, DefaultName, cfg, cfg.prefixedForms()...)
	f.Add(err)
	eps := cfg.endpoints(&f)
	h := cfg.headers(&f)
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	base := redact.NewRedactor(credentials(cfg.Headers)...)
	for _, b := range basicLogins(cfg.Headers) {
		base = base.WithLogin(b.user, b.password)
	}
	for _, ep := range eps {
		ep.base = base
	}
	return eps, h, nil
}

// endpoints returns the endpoints of cfg, adding to f the fault of each
// that is refused.
func (cfg Config) endpoints(f *setup.Faults) []*endpoint {
	list, field := cfg.Endpoints, "Config.Endpoints"
	switch {
	case !cfg.URL.IsZero() && len(cfg.Endpoints) > 0:
		f.Add(errors.New("webhook: Config.URL: set URL or Endpoints, not both"))
		// Each is checked all the same, for faults of its own: the URL
		// and secrets given, and every endpoint.
		if err := checkURL(cfg.URL.Reveal()); err != nil {
			f.Add(fmt.Errorf("webhook: Config.URL: %w", err))
		}
		if !cfg.Secret.IsZero() || !cfg.PreviousSecret.IsZero() {
			f.Add(cfg.signing("Config", Endpoint{Secret: cfg.Secret, PreviousSecret: cfg.PreviousSecret}, &endpoint{}))
		}
	case cfg.URL.IsZero() && len(cfg.Endpoints) == 0:
		if !cfg.Secret.IsZero() {
			f.Add(errors.New("webhook: Config.URL: missing (Secret is set)"))
			// The secrets need no URL: checked all the same.
			f.Add(cfg.signing("Config", Endpoint{Secret: cfg.Secret, PreviousSecret: cfg.PreviousSecret}, &endpoint{}))
			return nil
		}
		f.Add(errors.New("webhook: Config.URL: missing (set URL or Endpoints)"))
		return nil
	case !cfg.URL.IsZero():
		list, field = []Endpoint{{URL: cfg.URL, Secret: cfg.Secret, PreviousSecret: cfg.PreviousSecret}}, "Config"
	case !cfg.Secret.IsZero():
		f.Add(errors.New("webhook: Config.Secret: set only with URL (Endpoints carry their own)"))
	case !cfg.PreviousSecret.IsZero():
		f.Add(errors.New("webhook: Config.PreviousSecret: set only with URL (Endpoints carry their own)"))
	}
	out := make([]*endpoint, len(list))
	seen := make(map[string]int, len(list))    // by URL
	targets := make(map[string]int, len(list)) // by target
	for i, e := range list {
		name := field
		if field != "Config" {
			name = fmt.Sprintf("%s[%d]", field, i)
		}
		ep := cfg.endpoint(name, e, f)
		if ep == nil {
			continue
		}
		same := sameEndpoint(ep.url)
		if j, dup := seen[same]; dup {
			f.Add(fmt.Errorf("webhook: %s.URL: same as Endpoints[%d]", name, j))
			continue
		}
		if j, dup := targets[ep.target]; dup {
			// Two URLs whose names share a 48-bit hash: so unlikely that
			// refusing the list is better than a target that is not unique.
			f.Add(fmt.Errorf("webhook: %s.URL: named %s, as Endpoints[%d] is; change either URL", name, ep.target, j))
			continue
		}
		seen[same], targets[ep.target] = i, i
		out[i] = ep
	}
	return out
}

// endpoint returns the endpoint of e, named name in errors, or nil,
// adding its faults to f: that of its URL, and that of its secrets.
func (cfg Config) endpoint(name string, e Endpoint, f *setup.Faults) *endpoint {
	raw := e.URL.Reveal()
	bad := false
	if raw == "" {
		bad = f.Add(fmt.Errorf("webhook: %s.URL: missing", name))
	} else if err := checkURL(raw); err != nil {
		bad = f.Add(fmt.Errorf("webhook: %s.URL: %w", name, err))
	}
	ep := &endpoint{url: raw, target: EndpointName(raw), secrets: []redact.Secret{e.Secret, e.PreviousSecret}}
	if err := cfg.signing(name, e, ep); f.Add(err) || bad {
		return nil
	}
	return ep
}

// signing sets the keys ep signs with from e's secrets, or returns what is
// wrong with them.
func (cfg Config) signing(name string, e Endpoint, ep *endpoint) error {
	if e.Secret.IsZero() {
		switch {
		case !e.PreviousSecret.IsZero():
			return fmt.Errorf("webhook: %s.PreviousSecret: set without Secret", name)
		case !cfg.AllowUnsigned:
			return fmt.Errorf("webhook: %s.Secret: missing (set Config.AllowUnsigned to send unsigned)", name)
		}
		return nil
	}
	key, err := decodeSecret(e.Secret)
	if err != nil {
		return fmt.Errorf("webhook: %s.Secret: %w", name, err)
	}
	ep.macs = &macPool{key: key}
	ep.redactPrefixed(e.Secret, key)
	if e.PreviousSecret.IsZero() {
		return nil
	}
	prev, err := decodeSecret(e.PreviousSecret)
	if err != nil {
		return fmt.Errorf("webhook: %s.PreviousSecret: %w", name, err)
	}
	if bytes.Equal(prev, key) {
		return fmt.Errorf("webhook: %s.PreviousSecret: the same key as Secret", name)
	}
	ep.prev = &macPool{key: prev}
	ep.redactPrefixed(e.PreviousSecret, prev)
	return nil
}

// redactPrefixed adds to the secrets ep's Redactor redacts the whsec_
// form of key, decoded from s, unless s is written so: a Redactor knows a
// Standard Webhooks secret, and redacts its key's bytes too, by that
// prefix.
func (ep *endpoint) redactPrefixed(s redact.Secret, key []byte) {
	if p := prefixed(key); p.Reveal() != s.Reveal() {
		ep.secrets = append(ep.secrets, p)
	}
}

// prefixedForms returns the whsec_ form of each secret of cfg that
// decodes and is written otherwise (without its prefix), as
// redactPrefixed adds it: the name may hold nothing that an endpoint's
// Redactor hides, its key's bytes in any encoding among them, which
// redact.CheckName finds of a secret by its prefix.
func (cfg Config) prefixedForms() []redact.Secret {
	var forms []redact.Secret
	add := func(s redact.Secret) {
		if key, err := decodeSecret(s); err == nil {
			if p := prefixed(key); p.Reveal() != s.Reveal() {
				forms = append(forms, p)
			}
		}
	}
	add(cfg.Secret)
	add(cfg.PreviousSecret)
	for _, e := range cfg.Endpoints {
		add(e.Secret)
		add(e.PreviousSecret)
	}
	return forms
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	cut := urlcut.Problem(u, nil)
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("not an absolute http or https URL")
	case u.Host == "":
		return errors.New("missing host")
	case !urlcheck.ValidPort(u.Port()):
		return errors.New("a port that is not a number from 1 to 65535")
	case cut != "":
		return errors.New(cut)
	case !urlcheck.ValidHost(u):
		return errors.New(urlcheck.HostProblem)
	case linkLocalHost(u.Hostname()):
		return errLinkLocal
	case u.Fragment != "":
		return errors.New("has a fragment")
	case strings.ContainsAny(s, " \t\r\n"):
		return errors.New("contains white space")
	}
	return nil
}

// sameEndpoint returns rawURL, checked by checkURL, in a form that two
// URLs of one endpoint share: the host in lower case and, for a name, in
// its IDNA ASCII form without the final "." of a fully qualified name, as
// net/http dials it; an IP address as netip writes it, an IPv4-mapped
// IPv6 address as its IPv4 one; the port without leading zeros, and no
// default port; "/" for an empty path, which net/http
// sends for it (RFC 9110 makes them equivalent). Two such URLs would each
// get every update, under webhook-ids of their own, which no receiver can
// tell for repeats.
func sameEndpoint(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	host, port := u.Hostname(), u.Port()
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.Unmap().String()
	} else {
		// "hooks.example.com." is the same name, fully qualified.
		host = strings.TrimSuffix(host, ".")
		if a, err := urlcheck.ASCIIHost(host); err == nil {
			host = a
		}
	}
	host = strings.ToLower(host)
	if n, err := strconv.Atoi(port); err == nil {
		port = strconv.Itoa(n) // net dials "0443" as 443
	}
	if port == map[string]string{"http": "80", "https": "443"}[u.Scheme] {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	return u.String()
}

// EndpointName is how Ledger targets, errors and Results name the endpoint
// at rawURL: its scheme and host[:port] as redact.ShowURL shows them, with
// "/…" for a path and "?…" for a query, then "#" and 12 hex digits of a
// SHA-256 of the whole URL, which tell apart endpoints on one host, as in
// "https://hooks.example.com/…#3f2a9c01b7e4". It never shows the user
// information, path or query, where webhook URLs keep their tokens. A URL
// that does not parse gives "REDACTED".
func EndpointName(rawURL string) string {
	shown := redact.ShowURL(rawURL)
	if shown == redact.Redacted || shown == "" {
		return redact.Redacted
	}
	sum := sha256.Sum256([]byte("outagecast-webhook-endpoint\x00" + rawURL))
	return shown + "#" + hex.EncodeToString(sum[:6])
}

// headers returns the headers of cfg, adding to f the fault of each
// that is refused.
func (cfg Config) headers(f *setup.Faults) http.Header {
	h := make(http.Header, len(cfg.Headers)+1)
	h.Set("User-Agent", UserAgent)
	given := make(map[string]string, len(cfg.Headers)) // canonical name: as given
	for _, k := range slices.Sorted(maps.Keys(cfg.Headers)) {
		v := cfg.Headers[k].Reveal()
		ck := http.CanonicalHeaderKey(k)
		first, twice := given[ck]
		given[ck] = k
		// A name is quoted as setup.Quote quotes it: a curl header pasted
		// as one ("Authorization: Bearer …") or a token would show, also
		// one that is another header's value, whatever that header's
		// name ("X-Source: <token>" beside <token>): every value may be
		// a credential.
		name := setup.Quote(k, cfg)
		switch {
		case twice:
			// Which value a request carried would depend on the map's order.
			f.Add(fmt.Errorf("webhook: Config.Headers[%s]: the same header as %s (names ignore case)", name, setup.Quote(first, cfg)))
		case !validHeaderName(k):
			f.Add(fmt.Errorf("webhook: Config.Headers: invalid header name %s (want the name alone, as %q, its value as the value)", name, "X-Api-Key"))
		case reserved[ck]:
			f.Add(fmt.Errorf("webhook: Config.Headers[%s]: reserved, set by the channel", name))
		case ck == "Proxy-Authorization":
			// net/http sends a proxy the credentials of its URL, and the
			// request's header to the receiver (through the tunnel, for
			// https): every receiver would get the proxy's credential.
			f.Add(fmt.Errorf("webhook: Config.Headers[%s]: a proxy's credential, which would reach the receivers, "+
				"not the proxy: give it in the proxy's URL (HTTPS_PROXY=http://user:password@host:port)", name))
		case strings.TrimSpace(v) == "" && ck != "User-Agent":
			// Mostly an unset environment variable: sent empty, an
			// Authorization would have every delivery refused. An empty
			// User-Agent is net/http's way of sending none.
			f.Add(fmt.Errorf("webhook: Config.Headers[%s]: empty value (set it, or leave the header out)", name))
		case ck == "Authorization" && bareScheme(v):
			// "Bearer " + an unset variable: net/http sends "Bearer".
			f.Add(fmt.Errorf("webhook: Config.Headers[%s]: an authorization scheme without its credentials", name))
		case strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }):
			// The value is not quoted: it may be a credential.
			f.Add(fmt.Errorf("webhook: Config.Headers[%s]: control character in value", name))
		default:
			h.Set(ck, v)
		}
	}
	return h
}

// bareScheme reports whether v, an Authorization value, is one of the
// schemes that always carry a credential, alone.
func bareScheme(v string) bool {
	v = strings.TrimSpace(v)
	return slices.ContainsFunc([]string{"Bearer", "Basic", "Token", "Bot"}, func(s string) bool { return strings.EqualFold(v, s) })
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

// minHidden is the length from which a header value is taken for a
// credential and redacted from errors: shorter ones would blank out
// ordinary words and digits.
const minHidden = 4

// credentials returns the header values that errors must not show: every
// value of at least minHidden bytes and, of a value with an authorization
// scheme as in "Bearer <token>", the token alone too.
func credentials(headers map[string]redact.Secret) []redact.Secret {
	var out []redact.Secret
	for _, s := range headers {
		v := strings.TrimSpace(s.Reveal())
		if len(v) < minHidden {
			continue
		}
		out = append(out, redact.NewSecret(v))
		if _, token, ok := strings.Cut(v, " "); ok && len(strings.TrimSpace(token)) >= minHidden {
			out = append(out, redact.NewSecret(strings.TrimSpace(token)))
		}
	}
	return out
}

// login is a user and password from an HTTP Basic header value.
type login struct {
	user     string
	password redact.Secret
}

// basicLogins returns the logins of the "Basic <base64>" header values, so
// that a receiver echoing the decoded "user:password", or the password
// alone, is redacted too.
func basicLogins(headers map[string]redact.Secret) []login {
	var out []login
	for _, s := range headers {
		if user, pw, ok := secrets.BasicLogin(s); ok {
			out = append(out, login{user: user, password: pw})
		}
	}
	return out
}
