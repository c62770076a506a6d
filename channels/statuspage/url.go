package statuspage

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/redact"
)

// urlParams are the query parameters of the URL form.
var urlParams = []string{"base_url", "name", "title", "components", "history_days", "feed_entries", "language"}

// ParseURL reads the URL form of a Config:
//
//	statuspage:DIR?base_url=URL[&title=…&components=API,CDN&history_days=90&feed_entries=50&language=en&name=…]
//
// DIR is the site's directory, relative (statuspage:status-site) or
// absolute (statuspage:///srv/status), URL-escaped ("%20" for a space,
// "%23" for "#", "%3F" for "?", "%25" for "%"). Components are names
// separated by commas, white space around each ignored; within a name, a
// backslash makes the comma or backslash after it part of the name
// ("Storage\, EU" is one name, which URL writes escaped as
// components=Storage%5C%2C+EU). Branding beyond the title, descriptions
// and templates need the full form. A statuspage URL holds no secret:
// a base_url with credentials is refused, as New refuses it.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "statuspage" {
		return Config{}, fmt.Errorf("statuspage: URL: want statuspage:DIR?base_url=…")
	}
	if u.Host != "" || u.User != nil {
		return Config{}, errors.New("statuspage: URL: host: not allowed (an absolute directory takes three slashes, as in statuspage:///srv/status)")
	}
	if u.Fragment != "" {
		return Config{}, errors.New("statuspage: URL: fragment: not allowed (escape a \"#\" in the directory as %23)")
	}
	dir := u.Path
	if u.Opaque != "" { // a relative directory: url.Parse leaves it escaped
		if dir, err = url.PathUnescape(u.Opaque); err != nil {
			return Config{}, errors.New("statuspage: URL: directory: does not parse (escape a \"%\" as %25)")
		}
	}
	q, qErr := endpoint.Params(pkg, u.RawQuery, urlParams)
	if q == nil {
		return Config{}, qErr
	}
	var baseErr error
	if b := q["base_url"]; b != "" {
		// Checked here too: a credential in it would print with the
		// Config, where BaseURL is a plain string. Named with the other
		// parameters' faults, before them as its name sorts.
		if _, err := checkBaseURL(b); err != nil {
			baseErr = endpoint.PartError(pkg, "query base_url", err)
		}
	}
	cfg := Config{Name: q["name"], Dir: dir, BaseURL: q["base_url"], Branding: Branding{Title: q["title"]}, Language: q["language"]}
	for _, c := range splitNames(q["components"]) {
		cfg.Components = append(cfg.Components, ComponentInfo{Name: c})
	}
	err = endpoint.SetParams(pkg, q, func(key, v string) error {
		into := map[string]*int{"history_days": &cfg.HistoryDays, "feed_entries": &cfg.FeedEntries}[key]
		if into == nil || v == "" {
			return nil
		}
		var err error
		if *into, err = strconv.Atoi(v); err != nil {
			return errors.New("not a whole number")
		}
		return nil
	})
	if err = errors.Join(qErr, baseErr, err); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// URL returns the URL form of c (see ParseURL): its directory, base URL,
// name, title, component names, history and feed sizes and language.
func (c Config) URL() redact.URL {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("base_url", c.BaseURL)
	set("name", c.Name)
	set("title", c.Branding.Title)
	names := make([]string, len(c.Components))
	for i, comp := range c.Components {
		names[i] = nameEscaper.Replace(comp.Name)
	}
	set("components", strings.Join(names, ","))
	set("language", c.Language)
	if c.HistoryDays != 0 {
		set("history_days", strconv.Itoa(c.HistoryDays))
	}
	if c.FeedEntries != 0 {
		set("feed_entries", strconv.Itoa(c.FeedEntries))
	}
	u := url.URL{Scheme: "statuspage", Opaque: escapeDir(c.Dir), RawQuery: q.Encode()}
	if strings.HasPrefix(c.Dir, "/") {
		u = url.URL{Scheme: "statuspage", Path: c.Dir, RawQuery: q.Encode()}
	}
	return redact.NewURL(u.String())
}

// escapeDir escapes each segment of a relative directory, for a URL's
// opaque part, which url.URL writes as it is.
func escapeDir(dir string) string {
	segs := strings.Split(dir, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// nameEscaper escapes a component name for the comma-separated list of
// the URL form; splitNames reads it back.
var nameEscaper = strings.NewReplacer(`\`, `\\`, ",", `\,`)

// splitNames splits the URL form's list of component names at the commas
// no backslash escapes, trims white space around each name and leaves out
// empty ones. A backslash before any other character stands for itself,
// as it did before it escaped anything.
func splitNames(list string) []string {
	var names []string
	var name strings.Builder
	flush := func() {
		if n := strings.TrimSpace(name.String()); n != "" {
			names = append(names, n)
		}
		name.Reset()
	}
	for i := 0; i < len(list); i++ {
		switch c := list[i]; {
		case c == '\\' && i+1 < len(list) && (list[i+1] == ',' || list[i+1] == '\\'):
			i++
			name.WriteByte(list[i])
		case c == ',':
			flush()
		default:
			name.WriteByte(c)
		}
	}
	flush()
	return names
}
