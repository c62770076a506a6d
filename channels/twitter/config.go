package twitter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dghubble/oauth1"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/templates"
)

// Config configures a Channel. Set the four OAuth 1.0a fields, or
// TokenSource, not both. Printing a Config (with %v, %+v, %#v or slog)
// shows REDACTED in place of every credential.
type Config struct {
	// Name is the channel's name in a Broadcaster and the key of its entry
	// in Update.Overrides. Default "x".
	Name string

	// ConsumerKey and ConsumerSecret are the app's API key and secret, and
	// AccessToken and AccessSecret the posting account's access token and
	// secret, from the X developer portal (OAuth 1.0a user context; the
	// app needs read and write permission). All four are required unless
	// TokenSource is set.
	ConsumerKey    string
	ConsumerSecret string
	AccessToken    string
	AccessSecret   string

	// TokenSource supplies OAuth 2.0 user-context access tokens with the
	// scopes tweet.write, tweet.read and users.read (and offline.access to
	// refresh them), such as oauth2.Config.TokenSource returns after the
	// Authorization Code flow with PKCE. Tokens are reused until they
	// expire. An app-only bearer token cannot post. Required unless the
	// OAuth 1.0a fields are set.
	TokenSource oauth2.TokenSource

	// BaseURL is the API's address. Default DefaultBaseURL. It must be an
	// https URL; http is accepted for loopback hosts only, for tests.
	BaseURL string

	// HTTPClient sends the requests: the channel uses a copy whose
	// Transport adds the credentials and which follows no redirect, so
	// that no credential reaches another host. Default: a client with a
	// 30-second timeout.
	HTTPClient *http.Client

	// Templates renders the posts with its "short" template (and its
	// per-status variants). Default templates.Default().
	Templates *templates.Set
}

// defaultTimeout bounds one request of the default client.
const defaultTimeout = 30 * time.Second

// validate checks everything but BaseURL.
func (cfg Config) validate() error {
	if strings.TrimSpace(cfg.Name) != cfg.Name {
		return errors.New("twitter: Config.Name: leading or trailing white space")
	}
	fields := []struct{ name, value string }{
		{"ConsumerKey", cfg.ConsumerKey}, {"ConsumerSecret", cfg.ConsumerSecret},
		{"AccessToken", cfg.AccessToken}, {"AccessSecret", cfg.AccessSecret},
	}
	var set, missing []string
	for _, f := range fields {
		if f.value == "" {
			missing = append(missing, f.name)
			continue
		}
		if strings.TrimSpace(f.value) != f.value {
			return fmt.Errorf("twitter: Config.%s: leading or trailing white space", f.name)
		}
		set = append(set, f.name)
	}
	switch {
	case cfg.TokenSource != nil && len(set) > 0:
		return fmt.Errorf("twitter: Config.TokenSource: set together with Config.%s: "+
			"use OAuth 1.0a (ConsumerKey, ConsumerSecret, AccessToken, AccessSecret) or OAuth 2.0 (TokenSource), not both", set[0])
	case cfg.TokenSource != nil:
		return nil
	case len(set) == 0:
		return errors.New("twitter: Config: no credentials: set ConsumerKey, ConsumerSecret, AccessToken and " +
			"AccessSecret (OAuth 1.0a user context), or TokenSource (OAuth 2.0 user context)")
	case len(missing) > 0:
		return fmt.Errorf("twitter: Config.%s: missing: OAuth 1.0a needs ConsumerKey, ConsumerSecret, "+
			"AccessToken and AccessSecret", missing[0])
	}
	return nil
}

// parseBaseURL checks raw and returns it without a trailing slash.
func parseBaseURL(raw string) (string, error) {
	if raw == "" {
		return DefaultBaseURL, nil
	}
	bad := func(problem string) error { return fmt.Errorf("twitter: Config.BaseURL: %s", problem) }
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", bad("not a URL")
	case u.User != nil:
		return "", bad("must not hold credentials")
	case u.Scheme != "https" && u.Scheme != "http":
		return "", bad("not an absolute https URL")
	case u.Host == "":
		return "", bad("missing host")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return "", bad("must use https (http only for a loopback host)")
	case u.RawQuery != "" || u.Fragment != "":
		return "", bad("must not have a query or fragment")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

func (cfg Config) authName() string {
	if cfg.TokenSource != nil {
		return "OAuth 2.0"
	}
	return "OAuth 1.0a"
}

// newClient returns a copy of the configured client whose transport adds
// the credentials, and the credentials to keep out of errors.
func newClient(cfg Config) (*http.Client, *credentials) {
	base := cfg.HTTPClient
	if base == nil {
		base = httpx.NewClient(httpx.ClientOptions{Timeout: defaultTimeout})
	}
	client := *base
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	creds := &credentials{static: []string{cfg.ConsumerSecret, cfg.AccessSecret, cfg.ConsumerKey, cfg.AccessToken}}
	if cfg.TokenSource != nil {
		creds.source = oauth2.ReuseTokenSource(nil, cfg.TokenSource)
		client.Transport = &oauth2.Transport{Source: creds, Base: base.Transport}
		return &client, creds
	}
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, base)
	token := oauth1.NewToken(cfg.AccessToken, cfg.AccessSecret)
	client.Transport = oauth1.NewConfig(cfg.ConsumerKey, cfg.ConsumerSecret).Client(ctx, token).Transport
	return &client, creds
}

// credentials knows every secret a channel holds or has been handed, so
// that errors can be cleaned of them. As an oauth2.TokenSource it passes
// tokens through and remembers the latest.
type credentials struct {
	static []string
	source oauth2.TokenSource

	mu     sync.Mutex
	tokens []string // the latest token's access and refresh tokens
}

// Token returns the source's token and remembers its secrets.
func (c *credentials) Token() (*oauth2.Token, error) {
	t, err := c.source.Token()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.tokens = []string{t.AccessToken, t.RefreshToken}
	c.mu.Unlock()
	return t, nil
}

func (c *credentials) secrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append(append([]string(nil), c.static...), c.tokens...)
}

// String prints cfg with REDACTED in place of every credential.
func (cfg Config) String() string {
	return fmt.Sprintf("{Name:%s ConsumerKey:%s ConsumerSecret:%s AccessToken:%s AccessSecret:%s "+
		"TokenSource:%s BaseURL:%s HTTPClient:%s Templates:%s}",
		cfg.Name, hide(cfg.ConsumerKey), hide(cfg.ConsumerSecret), hide(cfg.AccessToken), hide(cfg.AccessSecret),
		hideSource(cfg.TokenSource), httpx.RedactURL(cfg.BaseURL), setOrNil(cfg.HTTPClient != nil),
		setOrNil(cfg.Templates != nil))
}

// GoString prints cfg like String, in Go syntax.
func (cfg Config) GoString() string {
	return fmt.Sprintf("twitter.Config{Name:%q, ConsumerKey:%q, ConsumerSecret:%q, AccessToken:%q, "+
		"AccessSecret:%q, TokenSource:%s, BaseURL:%q, HTTPClient:%s, Templates:%s}",
		cfg.Name, hide(cfg.ConsumerKey), hide(cfg.ConsumerSecret), hide(cfg.AccessToken), hide(cfg.AccessSecret),
		hideSource(cfg.TokenSource), httpx.RedactURL(cfg.BaseURL), setOrNil(cfg.HTTPClient != nil),
		setOrNil(cfg.Templates != nil))
}

// Format makes every fmt verb print String (GoString for %#v), so that no
// verb, %d or %x included, can reach a credential.
func (cfg Config) Format(f fmt.State, verb rune) { format(f, verb, cfg.String(), cfg.GoString()) }

// LogValue logs cfg with REDACTED in place of every credential.
func (cfg Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", cfg.Name),
		slog.String("consumer_key", hide(cfg.ConsumerKey)),
		slog.String("consumer_secret", hide(cfg.ConsumerSecret)),
		slog.String("access_token", hide(cfg.AccessToken)),
		slog.String("access_secret", hide(cfg.AccessSecret)),
		slog.String("token_source", hideSource(cfg.TokenSource)),
		slog.String("base_url", httpx.RedactURL(cfg.BaseURL)),
	)
}

// String prints the channel's name, authentication method and base URL.
func (c *Channel) String() string {
	return fmt.Sprintf("twitter.Channel{Name:%q, Auth:%q, BaseURL:%q}", c.name, c.auth, c.baseURL)
}

// GoString is String: the channel holds nothing else worth printing.
func (c *Channel) GoString() string { return c.String() }

// Format makes every fmt verb print String.
func (c *Channel) Format(f fmt.State, verb rune) { format(f, verb, c.String(), c.GoString()) }

// format prints s for verb with f's flags, width and precision, or goSyntax
// for %#v.
func format(f fmt.State, verb rune, s, goSyntax string) {
	if verb == 'v' && f.Flag('#') {
		_, _ = fmt.Fprint(f, goSyntax)
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), s)
}

// LogValue logs the channel's name, authentication method and base URL.
func (c *Channel) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", c.name), slog.String("auth", c.auth),
		slog.String("base_url", c.baseURL))
}

func hide(s string) string {
	if s == "" {
		return ""
	}
	return httpx.Redacted
}

func hideSource(ts oauth2.TokenSource) string {
	if ts == nil {
		return "nil"
	}
	return httpx.Redacted
}

func setOrNil(set bool) string {
	if set {
		return "set"
	}
	return "nil"
}
