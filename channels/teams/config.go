package teams

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Defaults of Config.
const (
	// DefaultName is the name of a Channel whose Config has none.
	DefaultName = "teams"
	// Template is the name of the template Send renders the card's text
	// with; a Config.Templates Set without one gets DefaultTemplate.
	Template = "teams"
)

// Config configures a Channel. It prints, logs and encodes without its
// secret.
type Config struct {
	// Name of the channel; default "teams". It keys Update.Overrides.
	Name string `yaml:"name" json:"name"`
	// WebhookURL is the HTTP trigger of a Power Automate workflow that
	// posts the card it receives to a Teams channel or chat (the Workflows
	// app's "Post to a channel when a webhook request is received"), with
	// its sig= query: the URL is the credential. It must be https (http to
	// a loopback address is accepted, for tests). Required. It prints as
	// its scheme and host only.
	WebhookURL redact.URL `yaml:"webhook_url" json:"webhook_url"`
	// Templates renders the card's text ("teams"); default
	// templates.Default(). A Set without "teams" gets DefaultTemplate under
	// that name.
	Templates *templates.Set `yaml:"-" json:"-"`
	// HTTPClient sends the requests. Default: a client of its own with 15s
	// per request and no redirects followed.
	HTTPClient *http.Client `yaml:"-" json:"-"`
}

// fieldErr is an error about a Config field.
func fieldErr(field, format string, args ...any) error {
	return fmt.Errorf("teams: Config.%s: %s", field, fmt.Sprintf(format, args...))
}

// New validates cfg, without I/O, and returns a Channel. Errors name the
// field, as in "teams: Config.WebhookURL: missing", and never quote the
// URL.
func New(cfg Config) (*Channel, error) {
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if strings.TrimSpace(cfg.Name) != cfg.Name {
		return nil, fieldErr("Name", "leading or trailing white space")
	}
	raw := cfg.WebhookURL.Reveal()
	if raw == "" {
		return nil, fieldErr("WebhookURL", "missing")
	}
	if err := checkWebhookURL(raw); err != nil {
		return nil, fieldErr("WebhookURL", "%v", err)
	}
	tmpl, err := withTemplate(cfg.Templates)
	if err != nil {
		return nil, err
	}
	c := &Channel{name: cfg.Name, s: &state{url: raw, tmpl: tmpl, client: cfg.HTTPClient,
		rd: redactor(cfg.WebhookURL), now: time.Now}}
	if err := c.checkTemplates(); err != nil {
		return nil, err
	}
	if c.s.client == nil {
		c.s.client = httpx.NewClient(httpx.ClientOptions{})
		c.s.ownClient = true
	}
	return c, nil
}

// minSecret is the length from which a query value or path segment of
// the webhook URL is taken for a credential (sig=, the workflow's ID):
// shorter ones (api-version=1, sv=1.0) are not, and redacting them would
// blank out every "1" of an error.
const minSecret = 16

// redactor returns the Redactor of the webhook URL: the URL itself, its
// path and query as a server may quote them, and its long query values
// and path segments.
func redactor(u redact.URL) *redact.Redactor {
	p, _ := url.Parse(u.Reveal()) // checked
	secrets := []redact.Secret{redact.NewSecret(u.Reveal()), redact.NewSecret(p.RequestURI()),
		redact.NewSecret(p.RawQuery), redact.NewSecret(p.EscapedPath())}
	for _, vs := range p.Query() {
		for _, v := range vs {
			if len(v) >= minSecret {
				secrets = append(secrets, redact.NewSecret(v))
			}
		}
	}
	for _, seg := range strings.Split(p.Path, "/") {
		if len(seg) >= minSecret {
			secrets = append(secrets, redact.NewSecret(seg))
		}
	}
	return redact.NewRedactor(secrets...)
}

// checkWebhookURL accepts an absolute https URL with a path and a query,
// or http to a loopback address; an Office 365 connector's URL is refused,
// as those connectors are retired.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("not a URL")
	case u.Host == "" || u.Scheme != "https" && u.Scheme != "http":
		return errors.New("not an absolute https URL")
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return errors.New("http to a host other than a loopback address; use https")
	case u.Fragment != "" || u.User != nil || strings.ContainsAny(raw, " \t\r\n"):
		return errors.New("has a fragment, user information or white space")
	case strings.HasSuffix(u.Hostname(), ".webhook.office.com") || u.Hostname() == "outlook.office.com":
		return errors.New("an Office 365 connector's URL: those connectors are retired; " +
			"create a workflow with the Workflows app and use its HTTP trigger's URL")
	case u.Path == "" || u.Path == "/":
		return errors.New("has no path (want the workflow trigger's whole URL)")
	}
	if _, err := url.ParseQuery(u.RawQuery); err != nil {
		return errors.New("a badly escaped query")
	}
	return nil
}

// loopback reports whether host is localhost or a loopback IP address.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// withTemplate returns set (nil: the defaults) with Template added unless
// it has one.
func withTemplate(set *templates.Set) (*templates.Set, error) {
	if set == nil {
		set = templates.Default()
	}
	if slices.Contains(set.Names(), Template) {
		return set, nil
	}
	out, err := set.With(Template, DefaultTemplate)
	if err != nil {
		return nil, fieldErr("Templates", "%v", err)
	}
	return out, nil
}

// checkTemplates renders a sample update, plain, overridden and as a
// correction, so that a template failing on every update fails here
// rather than at send time.
func (c *Channel) checkTemplates() error {
	u := broadcast.Update{Title: "Sample", Status: broadcast.StatusInvestigating, Body: "Sample body.",
		Advice: "No action needed.", URL: "https://status.example.com/incidents/sample"}
	u = u.WithDefaults(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	for _, v := range []func(*broadcast.Update){
		func(*broadcast.Update) {},
		func(u *broadcast.Update) { u.Corrects = "u_sample" },
		func(u *broadcast.Update) { u.Overrides = map[string]string{c.name: "Sample override."} },
	} {
		v(&u)
		if _, err := c.render(u); err != nil {
			return fieldErr("Templates", "%v", err)
		}
	}
	return nil
}
