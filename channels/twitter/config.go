package twitter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/dghubble/oauth1"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// pkg prefixes the errors of the package.
const pkg = "twitter"

// Config configures a Channel. Set the four OAuth 1.0a fields, or
// TokenSource, not both. The credentials are redact.Secret values and
// TokenSource is a function, so a Config printed with any fmt verb, logged
// with log/slog or encoded as JSON shows no credential.
type Config struct {
	// Name is the channel's name in a Broadcaster and the key of its entry
	// in Update.Overrides. Default "x".
	Name string `yaml:"name" json:"name"`

	// ConsumerKey and ConsumerSecret are the app's API key and secret, and
	// AccessToken and AccessSecret the posting account's access token and
	// secret, from the X developer portal (OAuth 1.0a user context; the
	// app needs read and write permission). All four are required unless
	// TokenSource is set. New refuses a value with white space around it
	// or a control character (a line break) in it, naming the field.
	ConsumerKey    redact.Secret `yaml:"consumer_key" json:"consumer_key"`
	ConsumerSecret redact.Secret `yaml:"consumer_secret" json:"consumer_secret"`
	AccessToken    redact.Secret `yaml:"access_token" json:"access_token"`
	AccessSecret   redact.Secret `yaml:"access_secret" json:"access_secret"`

	// TokenSource returns OAuth 2.0 user-context access tokens with the
	// scopes tweet.write, tweet.read and users.read (and offline.access to
	// refresh them): the Token method of an oauth2.TokenSource, such as
	// the one oauth2.Config.TokenSource returns after the Authorization
	// Code flow with PKCE, as in "TokenSource: src.Token". A token is
	// reused until it expires, or until X refuses it (401): the channel
	// then calls TokenSource again and, when it returns another token,
	// makes the request once more with it. X rotates refresh tokens: each refresh
	// answers with a new one, and the one it used stops working, so a
	// program that keeps the token across restarts (or shares it between
	// instances) must store each token the source returns whose
	// RefreshToken changed; started again from a refresh token already
	// used, it gets 400 invalid_grant, a Permanent error, until the account
	// authorises the app anew. It takes no context, so the channel makes
	// one call at a time and a Send stops waiting for it when its context
	// ends, with the context's error (transient); the call itself runs on
	// until it returns, bounded only by the source's own HTTP client: give
	// it one with a timeout (the oauth2.HTTPClient value of the context
	// given to oauth2.Config.TokenSource). It is a function, not the
	// oauth2.TokenSource itself, so that a printed Config shows no token
	// (fmt prints a function as its address, but a TokenSource's state,
	// oauth2.StaticTokenSource's token included, as it is). An app-only
	// bearer token cannot post. Required unless the OAuth 1.0a fields are
	// set. JSON leaves it out.
	TokenSource func() (*oauth2.Token, error) `yaml:"-" json:"-"`

	// BaseURL is the API's address. Default DefaultBaseURL. It must be an
	// https URL; http is accepted for loopback hosts only, for tests.
	// It must not hold one of the Config's secrets (a plain string, it
	// prints with the Config): they go in their own fields.
	BaseURL string `yaml:"base_url" json:"base_url"`

	// HTTPClient sends the requests: the channel uses a copy that follows
	// no redirect, so that no credential reaches another host. Default: a
	// client with a 30-second timeout.
	// A given client without a Timeout gets the default's. JSON leaves it out.
	HTTPClient *http.Client `yaml:"-" json:"-"`

	// Templates renders the posts with its "short" template (and its
	// per-status variants). Default templates.Default(). JSON leaves it
	// out.
	Templates *templates.Set `yaml:"-" json:"-"`
}

// defaultTimeout bounds one request of the default client.
const defaultTimeout = 30 * time.Second

// validate checks cfg without I/O, adding the fault of each field refused
// to f, and returns the API's base URL and the channel's name ("" when
// refused).
func (cfg Config) validate(f *setup.Faults) (base, name string) {
	name, err := setup.Name(pkg, cfg.Name, DefaultName, cfg)
	f.Add(err)
	fields := []struct {
		name  string
		value redact.Secret
	}{
		{"ConsumerKey", cfg.ConsumerKey}, {"ConsumerSecret", cfg.ConsumerSecret},
		{"AccessToken", cfg.AccessToken}, {"AccessSecret", cfg.AccessSecret},
	}
	var set, missing []string
	for _, field := range fields {
		if field.value.IsZero() {
			missing = append(missing, field.name)
			continue
		}
		f.Add(setup.Line("twitter", field.name, "X's keys and tokens are", field.value))
		set = append(set, field.name)
	}
	switch {
	case cfg.TokenSource != nil && len(set) > 0:
		f.Add(fmt.Errorf("twitter: Config.TokenSource: set together with Config.%s: "+
			"use OAuth 1.0a (ConsumerKey, ConsumerSecret, AccessToken, AccessSecret) or OAuth 2.0 (TokenSource), not both", set[0]))
	case cfg.TokenSource != nil:
	case len(set) == 0:
		f.Add(errors.New("twitter: Config: no credentials: set ConsumerKey, ConsumerSecret, AccessToken and " +
			"AccessSecret (OAuth 1.0a user context), or TokenSource (OAuth 2.0 user context)"))
	default:
		for _, m := range missing {
			f.Add(fmt.Errorf("twitter: Config.%s: missing: OAuth 1.0a needs ConsumerKey, ConsumerSecret, "+
				"AccessToken and AccessSecret", m))
		}
	}
	base, err = endpoint.Base(pkg, "BaseURL", cfg.BaseURL, endpoint.Rules{Default: DefaultBaseURL, Config: cfg})
	f.Add(err)
	return base, name
}

// newClient returns a copy of the configured client that follows no
// redirect and, for OAuth 1.0a, signs every request, and the client it
// sends through (base: the channel's own when cfg.HTTPClient is nil, whose
// idle connections Close releases; its Close ends the requests of both).
// OAuth 2.0 requests get their token from the channel, per attempt.
func newClient(cfg Config) (client, base httpx.Client) {
	base = httpx.ChannelClient(cfg.HTTPClient, httpx.ClientOptions{Closed: ErrClosed, Timeout: defaultTimeout})
	if cfg.TokenSource != nil {
		return base, base
	}
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, base.Client)
	token := oauth1.NewToken(cfg.AccessToken.Reveal(), cfg.AccessSecret.Reveal())
	signing := *base.Client // the signing transport sends through base
	signing.Transport = oauth1.NewConfig(cfg.ConsumerKey.Reveal(), cfg.ConsumerSecret.Reveal()).Client(ctx, token).Transport
	return base.Through(&signing), base
}

// newRedactor returns the Redactor of every credential in cfg. The OAuth
// 1.0a header carries the consumer key and the access token
// percent-encoded as RFC 5849 says (a space as %20, "+" as %2B), which is
// neither url.QueryEscape's nor url.PathEscape's encoding, so that form is
// added too.
func newRedactor(cfg Config) *redact.Redactor {
	secrets := []redact.Secret{cfg.ConsumerKey, cfg.ConsumerSecret, cfg.AccessToken, cfg.AccessSecret}
	for _, s := range []redact.Secret{cfg.ConsumerKey, cfg.AccessToken} {
		if !s.IsZero() {
			secrets = append(secrets, redact.NewSecret(oauth1.PercentEncode(s.Reveal())))
		}
	}
	return redact.NewRedactor(secrets...)
}

// tokens returns the channel's source of OAuth 2.0 tokens, called within
// each attempt's context, and the cache of its token; nil, nil without
// Config.TokenSource.
func tokens(cfg Config) (*httpx.TokenCall, *tokenReuse) {
	if cfg.TokenSource == nil {
		return nil, nil
	}
	r := &tokenReuse{source: cfg.TokenSource}
	return httpx.NewTokenCall(r.Token), r
}

// tokenReuse reuses the source's token until it expires, as
// oauth2.ReuseTokenSource does, or until X refuses it (forget): a token
// without Expiry, or one the source has replaced, is not sent for ever.
// httpx.TokenCall makes one Token call at a time.
type tokenReuse struct {
	source func() (*oauth2.Token, error)
	mu     sync.Mutex
	tok    *oauth2.Token
}

// Token returns the token in use, or the source's when it has none or it
// expired.
func (r *tokenReuse) Token() (*oauth2.Token, error) {
	r.mu.Lock()
	t := r.tok
	r.mu.Unlock()
	if t.Valid() {
		return t, nil
	}
	t, err := r.source() // not under mu: forget must not wait for a source that hangs
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.tok = t
	r.mu.Unlock()
	return t, nil
}

// forget drops t, a token X refused, unless another replaced it already.
// It reports whether Token may give another token than t.
func (r *tokenReuse) forget(t *oauth2.Token) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tok == t {
		r.tok = nil
	}
	return r.tok == nil || r.tok.AccessToken != t.AccessToken
}
