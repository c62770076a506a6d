package statuspageio

import (
	"math"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Defaults and limits of Config.
const (
	// DefaultName is the name of a Channel whose Config has none.
	DefaultName = "statuspageio"
	// DefaultBaseURL is the Statuspage REST API, version 1.
	DefaultBaseURL = "https://api.statuspage.io/v1"
	// DefaultRateLimit is the API's documented limit: one request a second
	// per API key.
	DefaultRateLimit = 1.0
	// DefaultMaintenanceWindow is the length of the window of a maintenance
	// the channel creates (see Config.MaintenanceWindow).
	DefaultMaintenanceWindow = time.Hour
	// Template is the name of the template the incident update's body is
	// rendered with; a Config.Templates Set without one gets
	// DefaultTemplate under that name.
	Template = "statuspageio"
	// maxPageID bounds a page id; Statuspage's are 12 characters.
	maxPageID = 64
)

// Config configures a Channel. It prints, logs and encodes without the API
// key.
type Config struct {
	// Name of the channel; default "statuspageio". It keys
	// Update.Overrides.
	Name string `yaml:"name" json:"name"`
	// APIKey is a Statuspage API key (Statuspage: your avatar, "API info"),
	// sent as "Authorization: OAuth <key>". Required.
	APIKey redact.Secret `yaml:"api_key" json:"api_key"`
	// PageID is the id of the page to post to, as in
	// https://manage.statuspage.io/pages/<page id>. Required.
	PageID string `yaml:"page_id" json:"page_id"`
	// BaseURL is the API's address; default DefaultBaseURL. It must be
	// https, or http to a loopback address (for tests).
	// It must not hold one of the Config's secrets (a plain string, it
	// prints with the Config): they go in their own fields.
	BaseURL string `yaml:"base_url" json:"base_url"`
	// SkipNotifications posts without notifying the page's subscribers
	// (deliver_notifications false), and edits an incident update (a
	// correction) without notifying them either. Default false: subscribers are
	// notified of each update, as the Statuspage dashboard does.
	SkipNotifications bool `yaml:"skip_notifications" json:"skip_notifications"`
	// MaintenanceWindow is the length of a scheduled maintenance the
	// channel creates: an Update has a start (see the package
	// documentation) but no end. Default DefaultMaintenanceWindow (1h).
	MaintenanceWindow time.Duration `yaml:"maintenance_window" json:"maintenance_window"`
	// RateLimit is how many requests a second the channel makes at most;
	// default DefaultRateLimit, the API's limit per key. A page whose
	// limit Atlassian raised can set more. Channels sharing one API key
	// share its limit: give them one Limiter instead.
	RateLimit float64 `yaml:"rate_limit" json:"rate_limit"`
	// Limiter, when set, paces the requests instead of RateLimit; share
	// one between the Channels that use the same API key. Its rate must
	// be positive and its burst at least 1
	// (rate.NewLimiter(rate.Every(time.Second), 1)).
	Limiter *rate.Limiter `yaml:"-" json:"-"`
	// Templates renders the incident update's body with its
	// "statuspageio" template; default templates.Default(). A Set without
	// one gets DefaultTemplate under that name.
	Templates *templates.Set `yaml:"-" json:"-"`
	// HTTPClient sends the requests; the channel uses a copy that follows
	// no redirect. Default: a client of its own with 15s per request.
	// A given client without a Timeout gets the default's.
	HTTPClient *http.Client `yaml:"-" json:"-"`
}

// pkg prefixes the errors of the package.
const pkg = "statuspageio"

// fieldErr is an error about a Config field. It never quotes a secret.
func fieldErr(field, format string, args ...any) error {
	return setup.Errorf(pkg, field, format, args...)
}

// New validates cfg, without I/O, and returns a Channel. Errors name the
// field, as in "statuspageio: Config.PageID: missing", and never quote the
// API key; the error names every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	var f setup.Faults // every fault of cfg, a line each
	_, err := setup.Name(pkg, cfg.Name, DefaultName, cfg)
	named := !f.Add(err)
	cfg.check(&f)
	tmpl, err := setup.Templates(pkg, cfg.Templates, Template, DefaultTemplate)
	if !f.Add(err) && named { // else no template, or no name, to try
		c := &Channel{name: cfg.Name, s: &state{tmpl: tmpl}} // what render uses
		f.Add(setup.Try(pkg, c.name, func(u broadcast.Update) error { _, err := c.render(u); return err }))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	s := newState(cfg)
	s.tmpl = tmpl
	return &Channel{name: cfg.Name, s: s}, nil
}

// validate checks cfg without I/O. Its error names every fault of cfg, a
// line each (setup.Faults).
func (cfg Config) validate() error {
	var f setup.Faults
	_, err := setup.Name(pkg, cfg.Name, DefaultName, cfg)
	f.Add(err)
	cfg.check(&f)
	return f.Err()
}

// check checks the fields of cfg but its name, adding the fault of each
// that is refused to f.
func (cfg Config) check(f *setup.Faults) {
	f.Add(setup.Token(pkg, "APIKey", cfg.APIKey))
	f.Add(checkPageID(cfg.PageID, cfg))
	_, err := endpoint.Base(pkg, "BaseURL", cfg.BaseURL, endpoint.Rules{Default: DefaultBaseURL, Config: cfg})
	f.Add(err)
	if cfg.MaintenanceWindow < 0 {
		f.Add(fieldErr("MaintenanceWindow", "negative"))
	}
	switch {
	case cfg.RateLimit < 0:
		f.Add(fieldErr("RateLimit", "negative"))
	case math.IsNaN(cfg.RateLimit):
		// rate.Limiter paces nothing at a rate that is not a number.
		f.Add(fieldErr("RateLimit", "not a number"))
	}
	switch {
	case cfg.Limiter != nil && cfg.Limiter.Burst() < 1 && cfg.Limiter.Limit() != rate.Inf:
		// Its Wait refuses every request at once.
		f.Add(fieldErr("Limiter", "burst %d lets no request through (want a burst of at least 1)", cfg.Limiter.Burst()))
	case cfg.Limiter != nil && !(cfg.Limiter.Limit() > 0):
		// At rate 0 its Wait lets the burst through, then none: every
		// Send after the first waits until its context ends.
		f.Add(fieldErr("Limiter", "rate %v: want a positive rate, as rate.Every(time.Second) "+
			"(at rate 0 no request passes once the burst is spent)", float64(cfg.Limiter.Limit())))
	}
}

// newState returns the state of a Channel of cfg, validated, without
// templates.
func newState(cfg Config) *state {
	base, _ := endpoint.Base(pkg, "BaseURL", cfg.BaseURL, endpoint.Rules{Default: DefaultBaseURL}) // checked
	s := &state{key: cfg.APIKey, page: base + "/pages/" + cfg.PageID, pageID: cfg.PageID,
		notify: !cfg.SkipNotifications, window: cfg.MaintenanceWindow, limiter: cfg.Limiter,
		rd: redact.NewRedactor(cfg.APIKey), comps: newComponentCache(), unknown: newUnknownCreates(),
		lost: newLostPatches(),
		now:  time.Now}
	s.client = httpx.ChannelClient(cfg.HTTPClient, httpx.ClientOptions{Closed: ErrClosed})
	if s.window == 0 {
		s.window = DefaultMaintenanceWindow
	}
	if s.limiter == nil {
		perSecond := cfg.RateLimit
		if perSecond == 0 {
			perSecond = DefaultRateLimit
		}
		// A burst of one: the API counts requests over a rolling minute,
		// so a burst now is a refusal later.
		s.limiter = rate.NewLimiter(rate.Limit(perSecond), 1)
	}
	return s
}

// checkPageID accepts ASCII letters and digits, as Statuspage's page ids
// are: the id goes into every path. An id refused is quoted as
// setup.Quote quotes it, never a secret of cfg (nil: none).
func checkPageID(id string, cfg any) error {
	switch {
	case id == "":
		return fieldErr("PageID", "missing")
	case len(id) > maxPageID:
		return fieldErr("PageID", "longer than %d characters", maxPageID)
	case !alnum(id):
		return fieldErr("PageID", "%s holds a character other than ASCII letters and digits (want the id in the page's API address, as %q)",
			setup.Quote(id, cfg), "kctbh9vrtdwd")
	}
	return nil
}

// alnum reports whether s is ASCII letters and digits only.
func alnum(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
}
