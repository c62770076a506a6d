package matrix

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// pkg prefixes the errors of the package.
const pkg = "matrix"

// Defaults of Config.
const (
	DefaultName = "matrix"
	// UserAgent is sent with every request.
	UserAgent = "outagecast-matrix/1"
)

// maxIDLength is the longest room ID or alias the specification allows,
// in bytes.
const maxIDLength = 255

// Config configures a Channel. It prints, logs and encodes without its
// access token.
type Config struct {
	// Name of the channel; default "matrix".
	Name string `yaml:"name" json:"name"`
	// Homeserver is the base URL of the homeserver's client-server API,
	// as "https://matrix.example.org": the m.homeserver base_url of the
	// server's /.well-known/matrix/client. It must be https (http is
	// accepted for loopback hosts only), without user information, query
	// or fragment, and without the API's own path ("/_matrix/…"), which
	// the channel adds. Required.
	// It must not hold one of the Config's secrets (a plain string, it
	// prints with the Config): they go in their own fields.
	Homeserver string `yaml:"homeserver" json:"homeserver"`
	// AccessToken is the access token of the account that posts, sent as
	// "Authorization: Bearer". Use one long-lived token per channel (see
	// the package documentation on idempotency). Required.
	AccessToken redact.Secret `yaml:"access_token" json:"access_token"`
	// Rooms are the rooms to post to, each a room ID ("!abc:example.org")
	// or an alias ("#ops:example.org"), distinct; the account must have
	// joined them. Required.
	Rooms []string `yaml:"rooms" json:"rooms"`
	// Notice sends updates as m.notice, the message type of bots: clients
	// show it muted and, by default, do not notify for it. Default m.text.
	Notice bool `yaml:"notice" json:"notice"`
	// Templates renders updates; the "text" template is used. Default
	// templates.Default().
	Templates *templates.Set `yaml:"-" json:"-"`
	// HTTPClient sends the requests; the channel uses a copy that follows
	// no redirect. Default: a client of its own with 15s per request.
	// A given client without a Timeout gets the default's.
	HTTPClient *http.Client `yaml:"-" json:"-"`
}

// Channel posts updates to Matrix rooms. It is safe for concurrent use.
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by matrix.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	name string
	s    *state
}

// state is what a Channel works with. The token is a redact.Secret and the
// Channel prints as its name alone (see Format), so no verb shows it.
type state struct {
	base     string // the homeserver URL without a trailing "/"
	token    redact.Secret
	targets  []string // the rooms as configured: the Ledger targets
	msgtype  string
	set      *templates.Set
	client   httpx.Client
	redactor *redact.Redactor
	now      func() time.Time

	mu    sync.Mutex
	rooms map[string]string // room ID by alias, resolved once
	user  string            // the account's user ID, once whoami told it
	// made are the edits the channel made of each post (see
	// rememberEdit), by its room and event, the oldest of them first in
	// madeOrder.
	made      map[string][]madeEdit
	madeOrder []string
	// retracted are the posts a retraction redacted (see markRedacted),
	// by the key of made, the oldest of them first in retractedOrder.
	retracted      map[string]bool
	retractedOrder []string
}

// New validates cfg, without I/O, and returns a Channel. Errors name the
// field, as in "matrix: Config.Rooms[1]: not a room ID or alias"; the
// error names every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	var f setup.Faults // every fault of cfg, a line each
	base, name := cfg.validate(&f)
	// Plain: the body is plain text, the HTML made from it escaped.
	set := cfg.Templates.Plain()
	if name != "" { // else refused: no name to try the template for
		f.Add(setup.TryText(pkg, set, name, "text", ContentLimit, templates.Bytes))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	s := &state{
		base: base, token: cfg.AccessToken, set: set,
		msgtype: msgText, redactor: redact.NewRedactor(cfg.AccessToken),
		now: func() time.Time { return time.Now().UTC().Round(0) }, rooms: map[string]string{},
		made: map[string][]madeEdit{}, retracted: map[string]bool{},
	}
	if cfg.Notice {
		s.msgtype = msgNotice
	}
	for _, r := range cfg.Rooms {
		s.targets = append(s.targets, strings.TrimSpace(r))
	}
	s.client = httpx.ChannelClient(cfg.HTTPClient, httpx.ClientOptions{Closed: ErrClosed})
	return &Channel{name: name, s: s}, nil
}

// validate checks cfg, adding the fault of each field refused to f, and
// returns the homeserver URL without a trailing "/" and the channel's
// name ("" when refused).
func (cfg Config) validate(f *setup.Faults) (base, name string) {
	name, err := setup.Name(pkg, cfg.Name, DefaultName, cfg)
	f.Add(err)
	base, err = endpoint.Base(pkg, "Homeserver", cfg.Homeserver, endpoint.Rules{Example: "https://matrix.example.org", Config: cfg})
	if !f.Add(err) {
		if u, _ := url.Parse(base); slices.Contains(strings.Split(u.Path, "/"), "_matrix") { // parsed by Base
			// Not quoted: a path may hold anything. Left in, the API's
			// path would be doubled in every request, and every room
			// fail with 404 M_UNRECOGNIZED.
			f.Add(setup.Errorf(pkg, "Homeserver",
				`must not hold the API's path "/_matrix/…" (the base URL, as "https://matrix.example.org"; the channel adds the path)`))
		}
	}
	f.Add(setup.Token(pkg, "AccessToken", cfg.AccessToken))
	if len(cfg.Rooms) == 0 {
		f.Add(errors.New("matrix: Config.Rooms: missing"))
		return base, name
	}
	rooms := make([]string, len(cfg.Rooms))
	var bad setup.Faults // of every room
	for i, r := range cfg.Rooms {
		rooms[i] = strings.TrimSpace(r)
		if err := checkRoom(rooms[i], cfg); err != nil {
			bad.Add(fmt.Errorf("matrix: Config.Rooms[%d]: %w", i, err))
		}
	}
	if !f.Add(bad.Err()) { // rooms refused are not compared
		f.Add(setup.Distinct(pkg, "Rooms", rooms, nil))
	}
	return base, name
}

// checkRoom checks a room ID or alias: a sigil, no white space or control
// characters, at most 255 bytes, and an alias names its server. Its error
// quotes r as setup.Quote does, not a secret of cfg (a token pasted in
// the wrong field) nor anything shaped as one.
func checkRoom(r string, cfg Config) error {
	switch {
	case r == "":
		return errors.New("empty")
	case len(r) > maxIDLength:
		return fmt.Errorf("longer than %d bytes", maxIDLength)
	case !utf8.ValidString(r) || strings.ContainsFunc(r, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }):
		return errors.New("contains white space, a control character or invalid UTF-8")
	case r[0] == '!' && len(r) > 1:
		return nil
	case r[0] == '#' && strings.Index(r, ":") > 1 && !strings.HasSuffix(r, ":"):
		return nil
	case r[0] == '@':
		return errors.New(`a user ID, not a room ID ("!abc:example.org") or alias ("#ops:example.org")`)
	}
	return fmt.Errorf("%s is not a room ID (\"!abc:example.org\") or alias (\"#ops:example.org\")", setup.Quote(r, cfg))
}
