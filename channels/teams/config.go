package teams

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/setup"
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
	// its sig= query: the URL is the credential. On Microsoft's hosts New
	// refuses a URL without sig=, sp=, sv= or api-version=: a trigger that
	// only users of the tenant may call has no sig= and wants an OAuth
	// token, which the channel does not send. It must be https (http to
	// a loopback address is accepted, for tests). Required. It prints as
	// its scheme and host only.
	WebhookURL redact.URL `yaml:"webhook_url" json:"webhook_url"`
	// Templates renders the card's text ("teams"); default
	// templates.Default(). A Set without "teams" gets DefaultTemplate under
	// that name.
	Templates *templates.Set `yaml:"-" json:"-"`
	// HTTPClient sends the requests; the channel uses a copy that follows
	// no redirect. Default: a client of its own with 15s per request.
	// A given client without a Timeout gets the default's.
	HTTPClient *http.Client `yaml:"-" json:"-"`
}

// pkg prefixes the errors of the package.
const pkg = "teams"

// New validates cfg, without I/O, and returns a Channel. Errors name the
// field, as in "teams: Config.WebhookURL: missing", and never quote the
// URL; the error names every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	var f setup.Faults // every fault of cfg, a line each
	name, err := setup.Name(pkg, cfg.Name, DefaultName, cfg)
	named := !f.Add(err)
	raw := cfg.WebhookURL.Reveal()
	f.Add(checkWebhookURL(raw))
	tmpl, err := setup.Templates(pkg, cfg.Templates, Template, DefaultTemplate)
	if err == nil {
		// Every line is a TextRun, which shows its text as written: a
		// link destination a cut moves is written as its URL, not as a
		// CommonMark autolink with "&amp;" (see templates.Set.Plain).
		tmpl = tmpl.Plain()
	}
	if !f.Add(err) && named { // else no template, or no name, to try
		c := &Channel{name: name, s: &state{tmpl: tmpl}} // what render uses
		f.Add(setup.Try(pkg, name, func(u broadcast.Update) error { _, err := c.render(u); return err }))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	c := &Channel{name: name, s: &state{url: raw, tmpl: tmpl, rd: redactor(cfg.WebhookURL), now: time.Now}}
	c.s.client = httpx.ChannelClient(cfg.HTTPClient, httpx.ClientOptions{Closed: ErrClosed})
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

// hostname returns u's host name in lower case, without the final dot of
// a fully qualified name ("logic.azure.com." is "logic.azure.com"), for
// matching Microsoft's hosts.
func hostname(u *url.URL) string {
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// connector reports whether u is an Office 365 connector's incoming
// webhook: on its hosts, or with its path (/webhook/… or /webhookb2/…
// with an IncomingWebhook segment) on a host of another cloud's.
func connector(u *url.URL) bool {
	host := hostname(u)
	switch {
	case strings.HasSuffix(host, ".webhook.office.com") || host == "outlook.office.com" || host == "outlook.office365.com":
		return true
	}
	segs := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	return (segs[0] == "webhook" || segs[0] == "webhookb2") && slices.Contains(segs, "IncomingWebhook")
}

// checkWebhookURL checks the workflow's URL: a service URL with a query
// (see endpoint.Check) and a path. An Office 365 connector's URL is
// refused, as those connectors are retired.
func checkWebhookURL(raw string) error {
	u, err := endpoint.Check(pkg, "WebhookURL", raw, endpoint.Rules{Query: true})
	switch {
	case err != nil:
		return err
	case connector(u):
		return setup.Errorf(pkg, "WebhookURL", "an Office 365 connector's URL: those connectors are retired; "+
			"create a workflow with the Workflows app and use its HTTP trigger's URL")
	case u.Path == "" || u.Path == "/":
		return setup.Errorf(pkg, "WebhookURL", "has no path (want the workflow trigger's whole URL)")
	case workflows(u):
		return checkSignature(u.Query())
	}
	return nil
}

// workflows reports whether u is the HTTP trigger of a workflow on
// Microsoft's hosts: Azure Logic Apps' (prod-NN.<region>.logic.azure.com,
// logic.azure.us in Azure Government; a Standard logic app's
// <app>.azurewebsites.net/api/<workflow>/triggers/…) and Power Platform's
// (<environment>.environment.api.powerplatform.com/powerautomate/…).
// Other hosts (a relay of the user's, a test server) are taken as they
// are.
func workflows(u *url.URL) bool {
	host := hostname(u)
	segs := strings.Split(u.Path, "/")
	switch {
	case strings.HasSuffix(host, ".logic.azure.com") || strings.HasSuffix(host, ".logic.azure.us"):
		return true
	case strings.HasSuffix(host, ".azurewebsites.net"):
		return len(segs) > 4 && segs[1] == "api" && segs[3] == "triggers"
	}
	return strings.Contains(host, ".environment.api.") && strings.HasPrefix(u.Path, "/powerautomate/")
}

// sasParams are the query parameters a workflow trigger's URL carries when
// anyone holding it may call it: its shared access signature (sig, signed
// over sp, the permission, and sv, the signature's version) and the API
// version, without which the trigger refuses every call.
var sasParams = []string{"api-version", "sp", "sv"}

// checkSignature checks that the query of a workflow trigger's URL holds
// its shared access signature. A trigger that only users of the tenant may
// call (Power Automate's default for new flows) has a URL without one and
// wants an OAuth token, which the channel does not send: every post would
// fail 401. Errors name the parameters, never their values.
func checkSignature(q url.Values) error {
	if q.Get("sig") == "" {
		return setup.Errorf(pkg, "WebhookURL", "a workflow trigger's URL with no sig= query parameter: its "+
			"trigger wants an OAuth token this channel does not send; set the trigger's \"Who can trigger "+
			"the flow\" to Anyone and copy its whole HTTP URL, which then ends in &sig=…")
	}
	var missing []string
	for _, k := range sasParams {
		if q.Get(k) == "" {
			missing = append(missing, k+"=")
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return setup.Errorf(pkg, "WebhookURL", "a workflow trigger's URL that lacks its %s query parameter "+
			"(copy the trigger's whole HTTP URL)", missing[0])
	}
	return setup.Errorf(pkg, "WebhookURL", "a workflow trigger's URL that lacks its %s query parameters "+
		"(copy the trigger's whole HTTP URL)", strings.Join(missing, ", "))
}
