package irc

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
)

// URL schemes of the short form: "ircs://" connects with TLS (TLSOn),
// "irc://" without (TLSOff), as IRC clients read them.
const (
	SchemeTLS   = "ircs"
	SchemePlain = "irc"
)

// Default ports of the schemes, when a URL names none.
const (
	defaultTLSPort   = "6697"
	defaultPlainPort = "6667"
)

// urlParams are the query parameters of the short form, in the order URL
// writes them. URL never writes key, the IRC URL scheme's place for the
// key of the one channel a URL names: it writes the key in the path,
// after a space.
var urlParams = []string{"user", "real_name", "sasl_user", "sasl_password", "sasl_external", "notice", "template",
	"max_lines", "burst", "interval", "timeout", "persistent", "key"}

// ParseURL returns the Config of an IRC URL (see the package documentation,
// "URL form"):
//
//	ircs://NICK[:PASSWORD]@irc.libera.chat:6697/%23example-status,%23example-ops?sasl_user=…&sasl_password=…&notice=true
//
// It checks the URL's form and the parameters' types; New checks the rest.
// It refuses what a "/" or "?" in the password, not %-escaped, leaves of
// the URL: an empty port, or a port without user information followed by
// an "@" in the path or query (write such an "@" %40), and a list of
// channels with one written without its channel prefix ("ops,KEY", where
// the key would be a channel). It takes the IRC URL scheme's key option
// ("/ops?key=KEY") where the path names one channel without a key, and
// refuses it elsewhere. Errors name the part of the URL at fault and
// never quote its passwords or channel keys.
func ParseURL(raw string) (Config, error) {
	// A "#" starts a channel name or is part of a password, never a
	// fragment, which would swallow the query ("/#ops?sasl_password=…"
	// would be one channel).
	u, err := url.Parse(strings.ReplaceAll(raw, "#", "%23"))
	if err != nil {
		return Config{}, errors.New("irc: URL: does not parse as a URL")
	}
	var cfg Config
	port := defaultTLSPort
	switch u.Scheme {
	case SchemeTLS:
	case SchemePlain:
		cfg.TLS, port = TLSOff, defaultPlainPort
	default:
		return Config{}, fmt.Errorf("irc: URL: %s: want %s:// or %s://", endpoint.SchemePart(raw, u.Scheme), SchemeTLS, SchemePlain)
	}
	if u.Hostname() == "" {
		return Config{}, errors.New("irc: URL: host: missing")
	}
	if err := endpoint.CutPassword("irc", u, nil); err != nil {
		return Config{}, err
	}
	cfg.Server = net.JoinHostPort(u.Hostname(), cmp.Or(u.Port(), port))
	if u.User != nil {
		cfg.Nick = u.User.Username()
		pw, _ := u.User.Password()
		cfg.Password = redact.NewSecret(pw)
	}
	if cfg.Channels, err = channelsOf(u); err != nil {
		return Config{}, err
	}
	if err := cfg.setParams(u.RawQuery); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// channelsOf reads the channel list of u's path: names separated by
// commas, "#ops key" for a keyed channel ("ops%20key"). A path naming one
// channel may leave its "#" out; in a list each channel is written with
// its prefix ("%23ops,%23dev", or "#" as is), else a key written after a
// "," ("ops,KEY") would be a channel of its own, joined and posted to
// under the key's name. The IRC URL scheme names one channel per URL and
// puts flags after a ",", a key in a "key" option (modern.ircdocs.horse,
// "URL Schemes for IRC": ABNF Syntax, Entity Names, key Option); early
// drafts had ",needkey" there. Its error quotes no entry.
func channelsOf(u *url.URL) (ChannelList, error) {
	var names []string
	for name := range strings.SplitSeq(strings.TrimPrefix(u.Path, "/"), ",") {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	out := make(ChannelList, len(names))
	for i, name := range names {
		if !strings.ContainsAny(name[:1], "#&+!") {
			if len(names) > 1 {
				return nil, fmt.Errorf(`irc: URL: path: channel %d of %d has no channel prefix: where a path lists more than one channel, `+
					`each is written with its "#" (/%%23ops,%%23dev); a channel's key goes after a space (/ops%%20KEY), or, for a path naming one channel, `+
					`in a key option (/ops?key=KEY), never after ","`,
					i+1, len(names))
			}
			name = "#" + name
		}
		out[i] = name
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// setParams sets the fields of the query's parameters.
func (c *Config) setParams(rawQuery string) error {
	p, err := endpoint.LiteralParams(pkg, rawQuery, urlParams)
	if p == nil {
		return err
	}
	return errors.Join(err, endpoint.SetParams(pkg, p, c.setParam))
}

func (c *Config) setParam(key, val string) error {
	var err error
	switch key {
	case "user":
		c.User = val
	case "real_name":
		c.RealName = val
	case "sasl_user":
		c.SASLUser = val
	case "sasl_password":
		c.SASLPassword = redact.NewSecret(val)
	case "template":
		c.Template = val
	case "key":
		return c.setKey(val)
	case "sasl_external":
		c.SASLExternal, err = endpoint.ParseBool(val)
	case "notice":
		c.Notice, err = endpoint.ParseBool(val)
	case "persistent":
		c.Persistent, err = endpoint.ParseBool(val)
	case "max_lines":
		return atoi(val, &c.MaxLines)
	case "burst":
		return atoi(val, &c.Burst)
	case "interval":
		return parseDuration(val, &c.Interval)
	case "timeout":
		return parseDuration(val, &c.Timeout)
	}
	return err
}

// setKey gives the one channel of c, read from the path, the key of a
// "key" option, which the IRC URL scheme defines for the one channel a URL
// names (modern.ircdocs.horse, "URL Schemes for IRC": Entity Names, "key"
// Option). Its errors quote no key.
func (c *Config) setKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty (leave key out for a channel without a key)")
	case len(c.Channels) == 0:
		return errors.New("the path names no channel (key gives the key of the one channel the path names: /ops?key=KEY)")
	case len(c.Channels) > 1:
		return fmt.Errorf("the path names %d channels (key gives the key of a path naming one; in a list, "+
			"a channel's key goes after its name and a space: /%%23ops%%20KEY,%%23dev)", len(c.Channels))
	}
	if _, had := SplitChannel(c.Channels[0]); had != "" {
		return errors.New("the channel has a key already, after a space in the path (give its key once)")
	}
	c.Channels[0] += " " + key
	return nil
}

func atoi(s string, n *int) error {
	var err error
	if *n, err = strconv.Atoi(s); err != nil {
		return errors.New("want a whole number")
	}
	return nil
}

func parseDuration(s string, d *time.Duration) error {
	var err error
	if *d, err = time.ParseDuration(s); err != nil {
		return errors.New("want a duration such as 2s")
	}
	return nil
}

// URL returns the short form of c, its passwords and channel keys
// included, as a redact.URL that prints without them; ParseURL turns it
// back into c. Name, TLSConfig and Templates are not part of it; a Server
// without a port gets the scheme's.
func (c Config) URL() redact.URL {
	host, port, err := net.SplitHostPort(c.Server)
	if err != nil {
		host, port = c.Server, ""
	}
	u := url.URL{Scheme: SchemeTLS}
	if c.TLS == TLSOff {
		u.Scheme, port = SchemePlain, cmp.Or(port, defaultPlainPort)
	}
	u.Host = net.JoinHostPort(host, cmp.Or(port, defaultTLSPort))
	switch {
	case !c.Password.IsZero():
		u.User = url.UserPassword(c.Nick, c.Password.Reveal())
	case c.Nick != "":
		u.User = url.User(c.Nick)
	}
	names := make([]string, len(c.Channels))
	for i, name := range c.Channels {
		// "#" is left out only where ParseURL puts it back: of a lone
		// channel (a list writes every prefix, see channelsOf), and not
		// before another channel prefix, as in "##ops".
		if rest, ok := strings.CutPrefix(name, "#"); ok && len(c.Channels) == 1 && rest != "" && !strings.ContainsAny(rest[:1], "#&+!") {
			name = rest
		}
		names[i] = url.PathEscape(name)
	}
	u.RawPath = "/" + strings.Join(names, ",")
	u.Path, _ = url.PathUnescape(u.RawPath)
	u.RawQuery = c.query()
	return redact.NewURL(u.String())
}

// query writes the fields of the query parameters that are set.
func (c Config) query() string {
	vals := map[string]string{"user": c.User, "real_name": c.RealName, "sasl_user": c.SASLUser,
		"sasl_password": c.SASLPassword.Reveal(), "template": c.Template}
	if c.SASLExternal {
		vals["sasl_external"] = "true"
	}
	if c.Notice {
		vals["notice"] = "true"
	}
	if c.Persistent {
		vals["persistent"] = "true"
	}
	for key, n := range map[string]int{"max_lines": c.MaxLines, "burst": c.Burst} {
		if n != 0 {
			vals[key] = strconv.Itoa(n)
		}
	}
	for key, d := range map[string]time.Duration{"interval": c.Interval, "timeout": c.Timeout} {
		if d != 0 {
			vals[key] = d.String()
		}
	}
	var q []string
	for _, key := range urlParams {
		if v := vals[key]; v != "" {
			q = append(q, key+"="+strings.ReplaceAll(url.QueryEscape(v), "+", "%20"))
		}
	}
	return strings.Join(q, "&")
}

// MarshalText returns "on" or "off", as the URL form and configuration
// files write the mode.
func (m TLSMode) MarshalText() ([]byte, error) {
	if m != TLSOn && m != TLSOff {
		return nil, fmt.Errorf("irc: %s: unknown", m)
	}
	return []byte(m.String()), nil
}

// UnmarshalText sets the mode from the values the configuration schema
// lists: true or false, as YAML 1.2 writes a boolean (also True, TRUE,
// False, FALSE), so a configuration file's "tls: false" reads, or "on" or
// "off" as written. Other text is an error that speaks as a boolean key's
// does (want true or false), "ON" and "" among them: a file leaves tls
// out, or empty, for the default, TLSOn.
func (m *TLSMode) UnmarshalText(text []byte) error {
	switch string(text) {
	case "on", "true", "True", "TRUE":
		*m = TLSOn
	case "off", "false", "False", "FALSE":
		*m = TLSOff
	default:
		// Quoted as setup.Quote quotes it: a file's tls key may hold a
		// URL or a password pasted in the wrong place.
		return fmt.Errorf("want true or false, got %s", setup.Quote(string(text), nil))
	}
	return nil
}
