package statuspage

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/internal/credquery"
	"github.com/outagecast/outagecast/internal/urlcut"
	"github.com/outagecast/outagecast/templates"
)

// pkg prefixes the errors of the package.
const pkg = "statuspage"

// Defaults of Config.
const (
	DefaultName        = "statuspage"
	DefaultTitle       = "Service status"
	DefaultLanguage    = "en"
	DefaultHistoryDays = 90
	DefaultFeedEntries = 50
	DefaultLockTimeout = 10 * time.Second
)

// Config configures a status page Channel.
type Config struct {
	// Name of the channel; default "statuspage". It keys Update.Overrides:
	// an override replaces the update's body on the page.
	Name string
	// Dir holds the site and its state; it is created on the first Send.
	// Serve Dir/current: a symbolic link to the latest complete version of
	// the site. Required.
	Dir string
	// BaseURL is the public address of the site (of Dir/current), such as
	// "https://status.example.com/". Incident pages' stable URLs, the
	// feeds and the JSON API are made from it, with its host in lower
	// case and in ASCII (a name outside ASCII as its A-labels, "xn--…"),
	// so that the feeds' ids do not depend on how the host is written
	// (they keep the host of the page's first write, and the feeds' own
	// ids and the API's page id that write's BaseURL: see the package
	// doc). An absolute http or https URL without query or fragment.
	// Required.
	BaseURL string
	// Components are the parts of the service the page always lists, in
	// this order, operational unless an open incident says otherwise.
	// Components that updates name and this list does not are added after
	// them, in the order they first appear.
	Components []ComponentInfo
	// Branding sets the page's title, logo, links and colours.
	Branding Branding
	// Language is the BCP 47 tag of the language the pages and feeds are
	// written in, such as "de" or "pt-BR": the pages' lang attribute (and
	// dir="rtl" for a language written right to left, as "ar" or "he")
	// and the feeds' xml:lang. Default "en". Set it with templates that
	// translate the pages (updates are published as they are written).
	Language string
	// Templates holds "<name>.tmpl" files that replace the default HTML
	// template of that name or add a template (see the package doc,
	// # Templates). Nil: the defaults. A file must be a regular file of
	// at most templates.MaxFileSize bytes, in UTF-8, its leading
	// byte-order mark dropped, as the templates package reads its own;
	// hidden files, whose names start with ".", are ignored as it ignores
	// them.
	Templates fs.FS
	// HistoryDays is how many days of resolved incidents the front page
	// shows, HistoryPageIncidents of them at most; default 90: those
	// resolved in those days, by the day they started (a later edit or
	// correction of one resolved before does not bring it back). Older
	// incidents keep their pages and are listed on their month's page,
	// history-<yyyy>-<mm>.html, which history.html links to (history.html
	// lists the latest HistoryPageIncidents).
	HistoryDays int
	// FeedEntries is how many of the latest updates each Atom feed holds,
	// the entries of recently retracted updates included; default 50. A
	// component's feed holds ten at most of the updates naming more than
	// ten components (see the package's documentation).
	FeedEntries int
	// LockTimeout bounds the wait for another process writing the same Dir;
	// after it, Send fails transiently. Default 10s.
	LockTimeout time.Duration
}

// ComponentInfo describes a component the page lists.
type ComponentInfo struct {
	// Name as updates name it in Update.Components. Required.
	Name string
	// Description is shown beside the name; optional. Like the texts of
	// Branding, it has the right-to-left (or left-to-right) embeddings,
	// overrides and isolates it leaves open closed at its end, as an
	// update's texts have (templates.BalanceBidi).
	Description string
}

// Branding is how the page looks. Zero fields keep the defaults.
type Branding struct {
	// Title names the page: "Example Status". Default "Service status".
	// An embedding, override or isolate it leaves open is closed at its
	// end, as in Links' texts and an update's texts.
	Title string
	// LogoURL is an image shown before the title: an absolute http or
	// https URL, or a path relative to the site's root. The channel writes
	// only its own files into the site, each version anew, and copies no
	// image in: a relative path must be served by the web server beside
	// the site (an alias for that path), or the image shows broken, and
	// the site's link check (ParseSite) reports it missing. Like every URL of
	// Branding, it is published, so it may not hold credentials: user
	// information, or a query parameter named as one (token=, sig=,
	// X-Amz-Signature=, …), which New refuses. It is the only
	// thing the page loads from elsewhere; leave it empty for a page that
	// makes no request outside the site.
	LogoURL string
	// HomeURL is where the title and logo link to, such as the company's
	// main site. Default: the status page itself.
	HomeURL string
	// Links are shown in the page header, in order: "Support", "Docs".
	Links []Link
	// Light and Dark are the colours of the light and the dark colour
	// scheme; the reader's system setting (prefers-color-scheme) picks one.
	Light, Dark Palette
}

// Link is a link in the page header.
type Link struct {
	Text string // required
	URL  string // absolute http, https or mailto URL; required
}

// settings is a validated Config with its defaults filled in.
type settings struct {
	name        string
	dir         string
	base        *url.URL // ends in "/"
	components  []ComponentInfo
	branding    Branding
	language    string // a BCP 47 tag in its canonical form
	historyDays int
	feedEntries int
	lockTimeout time.Duration
	pageUpdates int // IncidentPageUpdates; tests lower it
}

// validate checks cfg and returns the settings of the channel. Its error
// names every fault of cfg, a line each (setup.Faults); a check that needs
// what an earlier one refused is left out.
func (cfg Config) validate() (settings, error) {
	s := settings{
		name: cfg.Name, dir: cfg.Dir, branding: cfg.Branding,
		historyDays: cfg.HistoryDays, feedEntries: cfg.FeedEntries, lockTimeout: cfg.LockTimeout,
		pageUpdates: IncidentPageUpdates,
	}
	var f setup.Faults
	var err error
	if s.name, err = setup.Name(pkg, s.name, DefaultName, cfg); !f.Add(err) {
		f.Add(checkText("Config.Name", s.name, 100))
	}
	if strings.TrimSpace(s.dir) == "" {
		f.Add(errors.New("statuspage: Config.Dir: missing"))
	}
	s.base, err = checkBaseURL(cfg.BaseURL)
	f.Add(err)
	s.components, err = checkComponents(cfg.Components)
	f.Add(err)
	f.Add(s.numbers())
	s.language, err = checkLanguage(cfg.Language)
	f.Add(err)
	s.branding, err = checkBranding(cfg.Branding)
	f.Add(err)
	return s, f.Err()
}

// numbers checks the numbers of s and sets their defaults; its error
// names each that is negative.
func (s *settings) numbers() error {
	var faults setup.Faults
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"HistoryDays", int64(s.historyDays)}, {"FeedEntries", int64(s.feedEntries)},
		{"LockTimeout", int64(s.lockTimeout)},
	} {
		if f.v < 0 {
			faults.Add(fmt.Errorf("statuspage: Config.%s: negative", f.name))
		}
	}
	if s.historyDays == 0 {
		s.historyDays = DefaultHistoryDays
	}
	if s.feedEntries == 0 {
		s.feedEntries = DefaultFeedEntries
	}
	if s.lockTimeout == 0 {
		s.lockTimeout = DefaultLockTimeout
	}
	return faults.Err()
}

// checkBaseURL checks the site's address and returns it ending in "/",
// its host in lower case: the feeds' and entries' ids are made from it,
// and ids compare character by character (RFC 4287, section 4.2.6.1).
func checkBaseURL(raw string) (*url.URL, error) {
	u, err := endpoint.Check(pkg, "BaseURL", raw, endpoint.Rules{PlainHTTP: true, Example: "https://status.example.com/"})
	if err != nil {
		return nil, err
	}
	// A name outside ASCII as its A-labels: url.URL would write it
	// %-escaped, a link that link finders cut at the "%" and resolvers
	// outside browsers do not look up. endpoint.Check made sure it has
	// them.
	if host := u.Hostname(); !isASCII(host) {
		a, err := endpoint.ASCIIHost(host)
		if err != nil {
			return nil, fmt.Errorf("statuspage: Config.BaseURL: %s", endpoint.HostProblem)
		}
		if port := u.Port(); port != "" {
			a = net.JoinHostPort(a, port)
		}
		u.Host = a
	}
	u.Host = strings.ToLower(u.Host)
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" { // "%2F" in a segment stays escaped: another path otherwise
			u.RawPath += "/"
		}
	}
	return u, nil
}

// checkLanguage returns the BCP 47 tag lang in its canonical form
// ("EN-gb" is "en-GB"); "" is DefaultLanguage.
func checkLanguage(lang string) (string, error) {
	if lang == "" {
		return DefaultLanguage, nil
	}
	tag, err := language.Parse(lang)
	if err != nil {
		return "", fmt.Errorf("statuspage: Config.Language: %q is not a BCP 47 language tag, as \"en\" or \"pt-BR\"", lang)
	}
	return tag.String(), nil
}

// rtlScripts are the scripts in use that are written right to left.
var rtlScripts = []string{"Adlm", "Arab", "Hebr", "Mand", "Nkoo", "Rohg", "Samr", "Syrc", "Thaa", "Yezi"}

// direction is "rtl" for lang, a BCP 47 tag, when its script (given, or
// the language's usual one) is written right to left, else "ltr".
func direction(lang string) string {
	script, _ := language.Make(lang).Script()
	if slices.Contains(rtlScripts, script.String()) {
		return "rtl"
	}
	return "ltr"
}

// checkComponents checks list and returns it with its texts' bidi
// closed; its error names the fault of each component.
func checkComponents(list []ComponentInfo) ([]ComponentInfo, error) {
	var f setup.Faults
	seen := map[string]bool{}
	out := make([]ComponentInfo, len(list))
	for i, c := range list {
		field := fmt.Sprintf("Config.Components[%d]", i)
		if !f.Add(checkLine(field+".Name", c.Name, 255)) { // a name refused is not compared
			// As an update's names are stored (see Channel.entry), so
			// that both name one component.
			c.Name = templates.BalanceBidi(c.Name)
			if seen[broadcast.ComponentKey(c.Name)] {
				f.Add(fmt.Errorf("statuspage: %s.Name: %q listed twice (names that differ only in case, spacing or invisible characters are one component)",
					field, c.Name))
			}
			seen[broadcast.ComponentKey(c.Name)] = true
		}
		if !f.Add(checkText(field+".Description", c.Description, 1000)) {
			c.Description = templates.BalanceBidi(c.Description)
		}
		out[i] = c
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// checkBranding checks b and returns it with its defaults set and its
// texts' bidi closed; its error names the fault of each field.
func checkBranding(b Branding) (Branding, error) {
	var f setup.Faults
	if b.Title == "" {
		b.Title = DefaultTitle
	}
	if !f.Add(checkLine("Config.Branding.Title", b.Title, 255)) {
		// Closed as an update's texts are (see Channel.entry): the page
		// puts words after them.
		b.Title = templates.BalanceBidi(b.Title)
	}
	if b.LogoURL != "" {
		f.Add(checkLinkURL("Config.Branding.LogoURL", b.LogoURL, true, false))
	}
	if b.HomeURL != "" {
		f.Add(checkLinkURL("Config.Branding.HomeURL", b.HomeURL, false, false))
	}
	b.Links = append([]Link(nil), b.Links...)
	for i, l := range b.Links {
		field := fmt.Sprintf("Config.Branding.Links[%d]", i)
		if !f.Add(checkLine(field+".Text", l.Text, 100)) {
			b.Links[i].Text = templates.BalanceBidi(l.Text)
		}
		f.Add(checkLinkURL(field+".URL", l.URL, false, true))
	}
	b.Light = b.Light.withDefaults(defaultLight)
	b.Dark = b.Dark.withDefaults(defaultDark)
	f.Add(b.Light.check("Config.Branding.Light"))
	f.Add(b.Dark.check("Config.Branding.Dark"))
	return b, f.Err()
}

// checkLinkURL accepts absolute http(s) URLs without credentials (user
// information, or a query parameter named as one), mailto URLs when mail
// is set, and paths relative to the site root when relative is set.
func checkLinkURL(field, raw string, relative, mail bool) error {
	u, err := url.Parse(raw)
	if err != nil || strings.ContainsAny(raw, " \t\r\n") {
		return fmt.Errorf("statuspage: %s: not a URL", field)
	}
	if credquery.Holds(u.RawQuery) || credquery.HoldsFragment(u.EscapedFragment()) { // every reader of the page would get it
		return fmt.Errorf("statuspage: %s: %s", field, credquery.Problem)
	}
	switch {
	case u.Scheme == "http" || u.Scheme == "https":
		if u.Hostname() == "" { // "https://:8443/" has a port but no host
			return fmt.Errorf("statuspage: %s: missing host", field)
		}
		if !endpoint.ValidPort(u.Port()) {
			return fmt.Errorf("statuspage: %s: a port that is not a number from 1 to 65535", field)
		}
		if u.User != nil { // every reader of the page would get them
			return fmt.Errorf("statuspage: %s: must not hold credentials", field)
		}
		if cut := urlcut.Problem(u, nil); cut != "" { // credentials too
			return fmt.Errorf("statuspage: %s: %s", field, cut)
		}
		return nil
	case u.Scheme == "mailto" && mail:
		return nil
	case u.Scheme == "" && u.Host == "" && relative && u.Path != "" && !strings.HasPrefix(u.Path, "/"):
		return nil
	}
	what := "an absolute http or https URL"
	if mail {
		what += ", or a mailto URL"
	}
	if relative {
		what += ", or a path relative to the site's root"
	}
	return fmt.Errorf("statuspage: %s: must be %s", field, what)
}

// checkLine checks a required one-line text field: something shown
// (see broadcast.Blank), no line break.
func checkLine(field, v string, maxRunes int) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("statuspage: %s: missing", field)
	}
	if strings.TrimSpace(v) != v {
		return fmt.Errorf("statuspage: %s: leading or trailing white space", field)
	}
	// CR, LF and Unicode's line and paragraph separators; a tab, and the
	// other line breaks, which are control characters (VT, FF, NEL), are
	// refused as such.
	if strings.ContainsAny(v, "\r\n\u2028\u2029") {
		return fmt.Errorf("statuspage: %s: more than one line", field)
	}
	if err := checkText(field, v, maxRunes); err != nil {
		return err
	}
	// Invisible characters only (a zero-width space, a bidi mark): as
	// Update.Validate calls such an update's names missing.
	if broadcast.Blank(v) {
		return fmt.Errorf("statuspage: %s: missing", field)
	}
	return nil
}

// checkText checks an optional text field: valid UTF-8, no control
// characters but line breaks, no noncharacters, at most maxRunes
// characters.
func checkText(field, v string, maxRunes int) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("statuspage: %s: not valid UTF-8", field)
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }) {
		return fmt.Errorf("statuspage: %s: contains a control character", field)
	}
	// Update.Clean removes them from an update's texts: the HTML and the
	// feeds may not carry them, and a component's name with one would
	// never be the name an update gives it.
	if i := strings.IndexFunc(v, nonCharacter); i >= 0 {
		r, _ := utf8.DecodeRuneInString(v[i:])
		return fmt.Errorf("statuspage: %s: contains a noncharacter (%U)", field, r)
	}
	if n := utf8.RuneCountInString(v); n > maxRunes {
		return fmt.Errorf("statuspage: %s: %d characters, more than %d", field, n, maxRunes)
	}
	return nil
}

// nonCharacter reports Unicode's noncharacters: U+FDD0–U+FDEF, and
// U+FFFE and U+FFFF in every plane.
func nonCharacter(r rune) bool { return r >= 0xfdd0 && r <= 0xfdef || r&0xfffe == 0xfffe }
