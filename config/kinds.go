package config

import (
	"cmp"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/channels/bluesky"
	"github.com/outagecast/outagecast/channels/console"
	"github.com/outagecast/outagecast/channels/discord"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/channels/googlechat"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/channels/mastodon"
	"github.com/outagecast/outagecast/channels/matrix"
	"github.com/outagecast/outagecast/channels/slack"
	"github.com/outagecast/outagecast/channels/statuspageio"
	"github.com/outagecast/outagecast/channels/teams"
	"github.com/outagecast/outagecast/channels/telegram"
	"github.com/outagecast/outagecast/channels/twitter"
	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/redact"
)

// Kinds returns the kinds of channel of this module, the table a Loader
// uses by default. Adding a channel is adding its line here (see the
// package documentation, "Adding a channel").
func Kinds() []Kind {
	return []Kind{
		Define("console", newConsole, Spec[consoleFile]{Schemes: []string{console.Scheme},
			ParseURL: consoleURL, URL: func(c consoleFile) redact.URL { return c.Config.URL() },
			Prepare: prepareConsole, Describe: describeConsole}),
		Define("webhook", webhook.New, Spec[webhook.Config]{Schemes: []string{webhook.SchemeHTTPS, webhook.SchemeHTTP},
			ParseURL: webhook.ParseURL, URL: webhook.Config.ChannelURL, Describe: describeWebhook}),
		Define("email", newEmail, Spec[emailFile]{Schemes: []string{email.Scheme, email.SchemeTLS},
			ParseURL: emailURL, URL: func(c emailFile) redact.URL { return c.Config.URL() },
			Prepare: prepareEmail, Describe: describeEmail, Templates: []string{"email-status"}, Enums: map[string][]any{
				"tls":  {"starttls", "implicit", "plaintext"},
				"auth": {"auto", "plain", "login", "xoauth2", "none", "AUTO", "PLAIN", "LOGIN", "XOAUTH2", "NONE"}},
			Negative: []string{"idle_timeout"}}),
		Define("x", newX, Spec[xFile]{Aliases: []string{"twitter"}, Schemes: []string{twitter.Scheme},
			ParseURL: xURL, URL: func(c xFile) redact.URL { return c.Config.URL() },
			Prepare: prepareX, Describe: describeX}),
		Define("irc", newIRC, Spec[ircFile]{Schemes: []string{irc.SchemeTLS, irc.SchemePlain},
			ParseURL: ircURL, URL: func(c ircFile) redact.URL { return c.Config.URL() },
			Prepare: prepareIRC, Describe: describeIRC, Enums: map[string][]any{"tls": {true, false, "on", "off"}}}),
		Define("statuspage", newStatuspage, Spec[statuspageFile]{Schemes: []string{"statuspage"},
			ParseURL: statuspageURL, URL: statuspageFile.URL, Prepare: prepareStatuspage, Describe: describeStatuspage}),
		Define("statuspageio", statuspageio.New, Spec[statuspageio.Config]{Schemes: []string{"statuspageio"},
			ParseURL: statuspageio.ParseURL, URL: statuspageio.Config.URL, Describe: describeStatuspageio, Templates: []string{statuspageio.Template}}),
		Define("slack", slack.New, Spec[slack.Config]{Schemes: []string{"slack", "slack+http"},
			ParseURL: slack.ParseURL, URL: slack.Config.URL, Describe: describeSlack, Templates: []string{slack.Template}}),
		Define("teams", teams.New, Spec[teams.Config]{Schemes: []string{"teams", "teams+http"},
			ParseURL: teams.ParseURL, URL: teams.Config.URL, Describe: describeTeams, Templates: []string{teams.Template}}),
		Define("discord", discord.New, Spec[discord.Config]{Schemes: []string{"discord"},
			ParseURL: discord.ParseURL, URL: discord.Config.URL, Describe: describeDiscord}),
		Define("googlechat", googlechat.New, Spec[googlechat.Config]{Schemes: []string{"googlechat"},
			ParseURL: googlechat.ParseURL, URL: googlechat.Config.URL, Describe: describeGoogleChat, Templates: []string{"googlechat"}}),
		Define("mastodon", mastodon.New, Spec[mastodon.Config]{Schemes: []string{"mastodon", "mastodon+http"},
			ParseURL: mastodon.ParseURL, URL: mastodon.Config.URL, Describe: describeMastodon,
			Enums: map[string][]any{"visibility": {"public", "unlisted", "private"}}}),
		Define("bluesky", bluesky.New, Spec[bluesky.Config]{Schemes: []string{"bluesky", "bluesky+http"},
			ParseURL: bluesky.ParseURL, URL: bluesky.Config.URL, Describe: describeBluesky}),
		Define("telegram", telegram.New, Spec[telegram.Config]{Schemes: []string{"telegram", "telegram+http"},
			ParseURL: telegram.ParseURL, URL: telegram.Config.URL, Describe: describeTelegram}),
		Define("matrix", matrix.New, Spec[matrix.Config]{Schemes: []string{"matrix", "matrix+http"},
			ParseURL: matrix.ParseURL, URL: matrix.Config.URL, Describe: describeMatrix}),
	}
}

// consoleFile is console.Config as a file writes it: "output" names the
// writer.
type consoleFile struct {
	console.Config `yaml:",inline"`
	// Output is stdout (default) or stderr.
	Output string `yaml:"output" json:"output" sets:"Writer"`
}

func newConsole(c consoleFile) (*console.Channel, error) { return console.New(c.Config) }

func consoleURL(raw string) (consoleFile, error) {
	c, err := console.ParseURL(raw)
	f := consoleFile{Config: c}
	if c.Writer == os.Stderr {
		f.Output = "stderr"
	}
	f.Writer = nil // Prepare sets the loader's writer
	return f, err
}

func prepareConsole(c *consoleFile, env *Env) error {
	w, err := env.Output(c.Output)
	c.Writer = w
	return err
}

func describeConsole(c consoleFile) string {
	return fmt.Sprintf("%s, template %s", cmp.Or(strings.ToLower(c.Output), "stdout"), cmp.Or(c.Template, "text"))
}

func describeWebhook(c webhook.Config) string {
	eps := c.Endpoints
	if !c.URL.IsZero() {
		eps = []webhook.Endpoint{{URL: c.URL, Secret: c.Secret}}
	}
	hosts := map[string]bool{}
	signed := 0
	for _, e := range eps {
		hosts[redact.ShowURL(e.URL.Reveal())] = true
		if !e.Secret.IsZero() {
			signed++
		}
	}
	var s string
	if len(eps) == 1 {
		s = "1 endpoint " + webhook.EndpointName(eps[0].URL.Reveal())
	} else {
		s = fmt.Sprintf("%d endpoints on %d %s", len(eps), len(hosts), plural(len(hosts), "host"))
	}
	s += fmt.Sprintf(", %d signed", signed)
	if len(c.Headers) > 0 {
		s += fmt.Sprintf(", %d extra %s", len(c.Headers), plural(len(c.Headers), "header"))
	}
	return s
}

// emailFile is email.Config as a file writes it: "ca_file" names PEM
// certificates to trust, and "oauth2_access_token" is the XOAUTH2 token.
type emailFile struct {
	email.Config `yaml:",inline"`
	// CAFile holds PEM certificates to trust besides the system's, for a
	// private CA or a local test server.
	CAFile string `yaml:"ca_file" json:"ca_file" sets:"TLSConfig"`
	// OAuth2AccessToken is an OAuth 2.0 access token for auth xoauth2
	// (with username), used as is: it is not refreshed, so it works
	// until it expires (often an hour). A program that refreshes tokens
	// sets email.Config.TokenSource from Go instead.
	OAuth2AccessToken redact.Secret `yaml:"oauth2_access_token" json:"oauth2_access_token" sets:"TokenSource"`
}

func newEmail(c emailFile) (*email.Channel, error) { return email.New(c.Config) }

func emailURL(raw string) (emailFile, error) {
	c, err := email.ParseURL(raw)
	return emailFile{Config: c}, err
}

func prepareEmail(c *emailFile, env *Env) error {
	c.TokenSource = staticToken(c.OAuth2AccessToken)
	tc, err := env.TLSConfig(c.CAFile)
	if tc != nil {
		c.TLSConfig = tc
	}
	return err
}

func describeEmail(c emailFile) string {
	s := c.Host
	if c.Port != 0 {
		s = net.JoinHostPort(strings.Trim(c.Host, "[]"), strconv.Itoa(c.Port)) // [::1]:25
	}
	s += " (" + c.TLS.String() + ")"
	if c.Username != "" {
		s += " as " + c.Username
	}
	return s + fmt.Sprintf(", from %s to %d %s", c.From, len(c.To), plural(len(c.To), "recipient"))
}

// xFile is twitter.Config as a file writes it: an OAuth 2.0 access token
// instead of the OAuth 1.0a values.
type xFile struct {
	twitter.Config `yaml:",inline"`
	// OAuth2AccessToken is an OAuth 2.0 user-context access token, used as
	// is (it is not refreshed), instead of the four OAuth 1.0a values.
	OAuth2AccessToken redact.Secret `yaml:"oauth2_access_token" json:"oauth2_access_token" sets:"TokenSource"`
}

func newX(c xFile) (*twitter.Channel, error) { return twitter.New(c.Config) }

func xURL(raw string) (xFile, error) {
	c, err := twitter.ParseURL(raw)
	return xFile{Config: c}, err
}

func prepareX(c *xFile, _ *Env) error {
	c.TokenSource = staticToken(c.OAuth2AccessToken)
	return nil
}

// staticToken returns a token source that always returns token, the value
// of a file's oauth2_access_token key, or nil when token is empty. The
// closure holds the Secret, not a plain copy.
func staticToken(token redact.Secret) func() (*oauth2.Token, error) {
	if token.IsZero() {
		return nil
	}
	return func() (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: token.Reveal()}, nil
	}
}

func describeX(c xFile) string {
	auth := "OAuth 1.0a user context"
	if !c.OAuth2AccessToken.IsZero() {
		auth = "OAuth 2.0 access token"
	}
	return cmp.Or(c.BaseURL, twitter.DefaultBaseURL) + ", " + auth
}

// ircFile is irc.Config as a file writes it: "ca_file" names PEM
// certificates to trust, "client_cert" and "client_key" the bot's TLS
// client certificate (for sasl_external).
type ircFile struct {
	irc.Config `yaml:",inline"`
	// CAFile holds PEM certificates to trust besides the system's.
	CAFile string `yaml:"ca_file" json:"ca_file" sets:"TLSConfig"`
	// ClientCert and ClientKey hold the bot's TLS client certificate
	// and its private key (PEM), which it presents to the server: with
	// sasl_external, the server's services log it in by the certificate.
	ClientCert string `yaml:"client_cert" json:"client_cert" sets:"TLSConfig"`
	ClientKey  string `yaml:"client_key" json:"client_key" sets:"TLSConfig"`
}

func newIRC(c ircFile) (*irc.Channel, error) { return irc.New(c.Config) }

func ircURL(raw string) (ircFile, error) {
	c, err := irc.ParseURL(raw)
	return ircFile{Config: c}, err
}

// pasted reports a file name that is a PEM block pasted in its place.
func pasted(name string) bool { return strings.Contains(name, "-----BEGIN ") }

// prepareIRC makes the TLS configuration of ca_file, client_cert and
// client_key, and names every one of them refused (joined): each is read
// whatever the others' faults, and what is made of those accepted is set.
func prepareIRC(c *ircFile, env *Env) error {
	var tc *tls.Config
	var caErr error
	if c.CAFile != "" && c.TLS == irc.TLSOff {
		// Said here, as of client_cert: New's fault of TLSConfig would
		// be dropped beside a client_cert refused, which sets it too.
		caErr = errors.New("ca_file: set, but TLS is false")
	} else {
		tc, caErr = env.TLSConfig(c.CAFile)
	}
	cert, certErr := clientCert(c, env)
	if cert != nil {
		if tc == nil {
			tc = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tc.Certificates = []tls.Certificate{*cert}
	}
	if tc != nil {
		c.TLSConfig = tc
	}
	return errors.Join(caErr, certErr)
}

// clientCert returns the bot's client certificate of client_cert and
// client_key, nil when neither is set, and the faults of both (joined).
func clientCert(c *ircFile, env *Env) (*tls.Certificate, error) {
	switch {
	case c.ClientCert == "" && c.ClientKey == "":
		if c.SASLExternal {
			return nil, errors.New("client_cert: missing (sasl_external logs in by the TLS client certificate, which client_cert and client_key name)")
		}
		return nil, nil
	case c.ClientCert == "":
		return nil, errors.New("client_cert: missing (client_key is set)")
	case c.ClientKey == "":
		return nil, errors.New("client_key: missing (client_cert is set)")
	case c.TLS == irc.TLSOff:
		return nil, errors.New("client_cert: set, but tls is false")
	}
	certPEM, certErr := readPEMFile("client_cert", "certificate", c.ClientCert, env)
	if certErr == nil && !hasPEM(certPEM, "CERTIFICATE") {
		// Said beside the key's fault, which leaves no pair to check.
		certErr = fmt.Errorf("client_cert: %s: no PEM certificate", c.ClientCert)
	}
	keyPEM, keyErr := readPEMFile("client_key", "key", c.ClientKey, env)
	if keyErr == nil && !hasPEM(keyPEM, "PRIVATE KEY") {
		// Else tls.X509KeyPair's "no PEM data in key input" would be
		// said of client_cert.
		keyErr = fmt.Errorf("client_key: %s: no PEM private key", c.ClientKey)
	}
	if certErr != nil || keyErr != nil {
		return nil, errors.Join(certErr, keyErr)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("client_cert: %w", err)
	}
	return &cert, nil
}

// hasPEM reports whether data holds a PEM block of type typ, or of a
// type that ends with " "+typ ("RSA PRIVATE KEY" for "PRIVATE KEY").
func hasPEM(data []byte, typ string) bool {
	for {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			return false
		}
		if b.Type == typ || strings.HasSuffix(b.Type, " "+typ) {
			return true
		}
	}
}

// readPEMFile reads the file name of key, which holds the bot's what. A
// PEM block pasted in place of the name is refused unread and not quoted:
// a "no such file" error would print it, a private key perhaps.
func readPEMFile(key, what, name string, env *Env) ([]byte, error) {
	if pasted(name) {
		return nil, fmt.Errorf("%s: holds a PEM block, not the name of a file (give the path of the file that holds the %s)", key, what)
	}
	b, err := readRegular(env.Path(name))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return b, nil
}

func describeIRC(c ircFile) string {
	tls := "TLS"
	if c.TLS == irc.TLSOff {
		tls = "no TLS"
	}
	names := make([]string, len(c.Channels))
	for i, ch := range c.Channels {
		names[i], _ = ircChannel(ch) // never the key
	}
	s := fmt.Sprintf("%s (%s), nick %s", c.Server, tls, c.Nick)
	if c.SASLUser != "" {
		s += ", SASL as " + c.SASLUser
	}
	return s + ", " + plural(len(names), "channel") + " " + strings.Join(names, ", ")
}

// ircChannel splits an IRC channel, "#name" or "#name key", as the irc
// package does (irc.SplitChannel): the key is also what follows the name
// after a separator the package refuses ("#ops:key", "#ops,key"), and an
// entry with no channel prefix is a key whole, with no name.
func ircChannel(spec string) (name, key string) { return irc.SplitChannel(spec) }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
