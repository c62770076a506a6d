package irc

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// redacted stands in for passwords and channel keys wherever a Config or a
// Channel is printed or logged.
const redacted = "REDACTED"

func redact(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// channelList is the channels of specs with each key replaced by REDACTED.
func channelList(specs []string) []string {
	out := make([]string, len(specs))
	for i, spec := range specs {
		fields := strings.Fields(spec)
		switch len(fields) {
		case 0:
			out[i] = ""
		case 1:
			out[i] = fields[0]
		default:
			out[i] = fields[0] + " " + redacted
		}
	}
	return out
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func isSet(set bool) string {
	if set {
		return "set"
	}
	return "nil"
}

// fields lists c's fields as printed, secrets redacted.
func (c Config) fields() [][2]string {
	return [][2]string{
		{"Name", strconv.Quote(c.Name)},
		{"Server", strconv.Quote(c.Server)},
		{"TLS", c.TLS.String()},
		{"TLSConfig", isSet(c.TLSConfig != nil)},
		{"Nick", strconv.Quote(c.Nick)},
		{"User", strconv.Quote(c.User)},
		{"RealName", strconv.Quote(c.RealName)},
		{"Password", strconv.Quote(redact(c.Password))},
		{"SASLUser", strconv.Quote(c.SASLUser)},
		{"SASLPassword", strconv.Quote(redact(c.SASLPassword))},
		{"Channels", quoteAll(channelList(c.Channels))},
		{"Notice", strconv.FormatBool(c.Notice)},
		{"Templates", isSet(c.Templates != nil)},
		{"Template", strconv.Quote(c.Template)},
		{"MaxLines", strconv.Itoa(c.MaxLines)},
		{"Burst", strconv.Itoa(c.Burst)},
		{"Interval", c.Interval.String()},
		{"Timeout", c.Timeout.String()},
		{"Persistent", strconv.FormatBool(c.Persistent)},
	}
}

func printFields(typ string, fields [][2]string, sep string) string {
	var b strings.Builder
	b.WriteString(typ + "{")
	for i, f := range fields {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(f[0] + ":" + f[1])
	}
	b.WriteString("}")
	return b.String()
}

// String returns c with passwords and channel keys replaced by REDACTED.
func (c Config) String() string { return printFields("irc.Config", c.fields(), " ") }

// GoString is String in Go syntax, for %#v.
func (c Config) GoString() string { return printFields("irc.Config", c.fields(), ", ") }

// Format makes every fmt verb print String (GoString for %#v), so no verb
// can reach the secrets.
func (c Config) Format(f fmt.State, verb rune) { format(f, verb, c.String(), c.GoString()) }

// LogValue logs c with passwords and channel keys replaced by REDACTED.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", c.Name),
		slog.String("server", c.Server),
		slog.String("tls", c.TLS.String()),
		slog.String("nick", c.Nick),
		slog.String("password", redact(c.Password)),
		slog.String("sasl_user", c.SASLUser),
		slog.String("sasl_password", redact(c.SASLPassword)),
		slog.Any("channels", channelList(c.Channels)),
		slog.Bool("persistent", c.Persistent),
	)
}

func format(f fmt.State, verb rune, s, goSyntax string) {
	if verb == 'v' && f.Flag('#') {
		_, _ = fmt.Fprint(f, goSyntax)
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), s)
}

func (c *Channel) fields() [][2]string {
	names := make([]string, len(c.s.targets))
	for i, t := range c.s.targets {
		names[i] = t.name
	}
	return [][2]string{
		{"Name", strconv.Quote(c.s.name)},
		{"Server", strconv.Quote(c.s.server)},
		{"TLS", c.s.tls.String()},
		{"Nick", strconv.Quote(c.s.nick)},
		{"Channels", quoteAll(names)},
		{"Persistent", strconv.FormatBool(c.s.persistent)},
	}
}

// String describes the channel without any secret.
func (c *Channel) String() string { return printFields("irc.Channel", c.fields(), " ") }

// GoString is String in Go syntax, for %#v.
func (c *Channel) GoString() string { return printFields("&irc.Channel", c.fields(), ", ") }

// Format makes every fmt verb print String (GoString for %#v).
func (c *Channel) Format(f fmt.State, verb rune) { format(f, verb, c.String(), c.GoString()) }

// LogValue logs the channel without any secret.
func (c *Channel) LogValue() slog.Value {
	names := make([]string, len(c.s.targets))
	for i, t := range c.s.targets {
		names[i] = t.name
	}
	return slog.GroupValue(
		slog.String("name", c.s.name),
		slog.String("server", c.s.server),
		slog.Any("channels", names),
	)
}
