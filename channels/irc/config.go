package irc

import (
	"cmp"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/ergochat/irc-go/ircutils"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// pkg prefixes the errors of the package.
const pkg = "irc"

// Defaults of the zero Config fields.
const (
	DefaultName     = "irc"
	DefaultRealName = "outagecast"
	DefaultMaxLines = 5
	DefaultBurst    = 4
	DefaultInterval = 2 * time.Second
	DefaultTimeout  = 30 * time.Second
)

// relayPrefix is the room kept on every line for the ":nick!user@host "
// prefix the server adds when it relays our message, when the server has
// not shown it (see learnPrefix) and in Preview: 120 bytes of hostmask is
// more than nick (up to 30), user (up to 10) and host (up to 64) together
// on common servers.
const relayPrefix = 1 + 120 + 1

// settings is a validated Config with its defaults filled in. Whatever
// holds a secret is behind a pointer of its own (secrets, each target),
// since fmt prints a struct's unexported fields without their methods, and
// even prints the struct a pointer field points to when a verb such as %s
// does not suit a pointer: one more pointer prints as an address.
type settings struct {
	name       string
	server     string // Config.Server, as given: what errors show
	addr       string // the address dialed: Server with its host in its ASCII form (see endpoint.ASCIIHost)
	host       string
	tls        TLSMode
	tlsConfig  *tls.Config
	nick       string
	user       string
	realName   string
	secrets    *secrets
	saslUser   string
	saslMech   string // "PLAIN", "EXTERNAL" or "": no SASL
	targets    []*target
	names      []string // the targets' names: the Ledger targets
	command    string   // PRIVMSG or NOTICE
	templates  *templates.Set
	template   string
	maxLines   int
	burst      int
	interval   time.Duration
	timeout    time.Duration
	persistent bool
	budget     int // bytes of message text per line, with the conservative relay prefix
	bestBudget int // the same with the shortest prefix the server could give
	redactor   *redact.Redactor
}

// secrets are the passwords of a Channel.
type secrets struct {
	password     string // server password; "" none
	saslPassword string
}

// target is one IRC channel to post to.
type target struct {
	name string
	key  string
}

func (s *settings) sasl() bool { return s.saslMech != "" }

// budgetFor returns the bytes of text a line may carry when the server
// relays it with a prefix of prefix bytes: 512, less CR LF, the prefix,
// the command and the longest channel name.
func (s *settings) budgetFor(prefix int) int {
	return maxLine - len("\r\n") - prefix - len(s.command+" ") - longestName(s.targets) - len(" :")
}

func fieldErr(field, format string, args ...any) error {
	return setup.Errorf(pkg, field, format, args...)
}

func newSettings(cfg Config) (*settings, error) {
	s := &settings{
		name: cfg.Name, nick: cfg.Nick, user: cfg.User, realName: cfg.RealName,
		secrets:   &secrets{password: cfg.Password.Reveal(), saslPassword: cfg.SASLPassword.Reveal()},
		saslUser:  cfg.SASLUser,
		templates: cfg.Templates, template: cfg.Template, maxLines: cfg.MaxLines, burst: cfg.Burst,
		interval: cfg.Interval, timeout: cfg.Timeout, persistent: cfg.Persistent,
		command: "PRIVMSG",
	}
	if cfg.Notice {
		s.command = "NOTICE"
	}
	// Every fault of cfg is named, a line each (setup.Faults); a check
	// that needs what an earlier one refused is left out.
	var f setup.Faults
	serverOK := !f.Add(checkServer(s, cfg))
	tlsOK := !f.Add(checkTLS(s, cfg))
	f.Add(checkIdentity(s, cfg))
	secretsOK := !f.Add(checkSecrets(s, cfg, tlsOK))
	targetsOK := !f.Add(checkTargets(s, cfg))
	if serverOK && tlsOK && secretsOK && targetsOK {
		f.Add(checkClear(s, cfg))
	}
	f.Add(checkLimits(s, cfg))
	if err := f.Err(); err != nil {
		return nil, err
	}
	s.budget = s.budgetFor(relayPrefix)
	s.bestBudget = s.budgetFor(len(":") + nickRoom(s.nick) + len("!u@h ")) // see session.budget
	// The channel keys as words (see serverText), in the one Redactor
	// with the passwords: found in the same pass, a key touching a
	// password or another key is hidden as it stands in the text.
	var keys []redact.Secret
	for _, t := range s.targets {
		if t.key != "" {
			keys = append(keys, redact.NewSecret(t.key))
		}
	}
	s.redactor = redact.NewRedactor(cfg.Password).WithLogin(cfg.SASLUser, cfg.SASLPassword).
		With(saslPieces(cfg.SASLUser, s.secrets.saslPassword)...).WithWords(keys...)
	return s, nil
}

// hostOrIP reports whether host is an IP address or could be a host name:
// nothing a URL would read otherwise (":", "/", "@", "[", "?", "#").
func hostOrIP(host string) bool {
	return net.ParseIP(host) != nil || !strings.ContainsAny(host, ":/@[]?#%\\")
}

// serverShape is what Config.Server wants, for its errors.
const serverShape = `host:port, as "irc.libera.chat:6697"`

// checkServer checks Config.Server. Its errors quote nothing of it: a
// value New refuses may hold a password, as a URL with user information
// pasted there does ("ircs://nick:password@host:6697"), or be one, pasted
// in the wrong field; the port is where url.Parse and SplitHostPort leave
// the password of "nick:password@host". They say what shape is wanted.
func checkServer(s *settings, cfg Config) error {
	if cfg.Server == "" {
		return fieldErr("Server", "missing")
	}
	host, port, err := net.SplitHostPort(cfg.Server)
	switch {
	case strings.Contains(cfg.Server, "://"):
		return fieldErr("Server", "a URL, not host:port: give %s (ParseURL reads the URL form)", serverShape)
	case strings.Contains(cfg.Server, "@"):
		return fieldErr("Server", `holds user information ("@"): give %s, the nick in Config.Nick and the password in Config.Password`, serverShape)
	case hasControlOrSpace(cfg.Server):
		return fieldErr("Server", "holds white space or a control character")
	case err != nil || host == "" || !hostOrIP(host):
		return fieldErr("Server", "not %s", serverShape)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fieldErr("Server", "port: not a number from 1 to 65535")
	}
	// The resolver looks up, and a certificate names, an international
	// host name in its ASCII form (RFC 5890 A-labels): the name as given
	// is "no such host" at every attempt. Errors show it as given.
	ascii, err := endpoint.ASCIIHost(host)
	if err != nil {
		return fieldErr("Server", "host: an international name with no ASCII form (IDNA A-labels), which no lookup can resolve")
	}
	if !endpoint.ValidHost(&url.URL{Host: net.JoinHostPort(ascii, port)}) {
		// "irc,libera.chat", "irc..libera.chat": a name no lookup can
		// resolve, whatever the network.
		return fieldErr("Server", "%s", endpoint.HostProblem)
	}
	s.server, s.addr, s.host = cfg.Server, net.JoinHostPort(ascii, port), host
	return nil
}

// checkTLS checks Config.TLS and Config.TLSConfig, which need no server:
// a TLS configuration without a ServerName gets the ASCII form of the
// server's host, when checkServer accepted it (s.addr is set).
func checkTLS(s *settings, cfg Config) error {
	var err error
	switch cfg.TLS {
	case TLSOn:
		s.tls = TLSOn
		s.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.TLSConfig != nil {
			s.tlsConfig = cfg.TLSConfig.Clone()
		}
		if s.tlsConfig.ServerName == "" {
			if s.addr != "" {
				s.tlsConfig.ServerName, _, _ = net.SplitHostPort(s.addr)
			}
		} else if s.tlsConfig.ServerName, err = endpoint.ASCIIHost(s.tlsConfig.ServerName); err != nil {
			return fieldErr("TLSConfig", "ServerName: an international name with no ASCII form (IDNA A-labels), which no certificate can name")
		}
		if lo, hi := clientVersions(s.tlsConfig); lo > hi {
			return fieldErr("TLSConfig", "MinVersion %s is above MaxVersion %s: no TLS version is left to connect with "+
				"(for a client, a MinVersion of 0 is TLS 1.2, a MaxVersion of 0 TLS 1.3)", tls.VersionName(lo), tls.VersionName(hi))
		}
	case TLSOff:
		if cfg.TLSConfig != nil {
			return fieldErr("TLSConfig", "set, but TLS is TLSOff")
		}
		s.tls = TLSOff
	default:
		return fieldErr("TLS", "unknown mode %d", int(cfg.TLS))
	}
	return nil
}

// clientVersions returns the lowest and highest TLS version a client
// with tc offers, as crypto/tls reads them: a MinVersion of 0 is TLS 1.2,
// a MaxVersion of 0 TLS 1.3. When the lowest is above the highest, every
// handshake fails before a byte is sent ("tls: no supported versions
// satisfy MinVersion and MaxVersion"), whatever the server.
func clientVersions(tc *tls.Config) (lo, hi uint16) {
	lo, hi = cmp.Or(tc.MinVersion, tls.VersionTLS12), cmp.Or(tc.MaxVersion, tls.VersionTLS13)
	return lo, hi
}

// Nicks start with a letter or one of []\`_^{|} and go on with those, digits
// and '-' (RFC 2812 section 2.3.1).
// defaultUser is the user name (ident) of a channel configured with
// nick and no User: the nick in lower case, in the letters, digits, '-'
// and '_' every server takes, starting with a letter or digit (Solanum
// refuses "Invalid username" otherwise, at every attempt); "outagecast"
// when nothing is left.
func defaultUser(nick string) string {
	u := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, nick)
	return cmp.Or(strings.TrimLeft(u, "-_"), "outagecast")
}

// nickShape is what a nickname is made of, for the error of one that is
// not: the error does not quote Config.Nick, which a URL's user
// information sets, and which may be the password written there alone.
const nickShape = "a letter or one of [ ] \\ ` _ ^ { | } first, then those, digits and \"-\""

var nickPattern = regexp.MustCompile(`^[A-Za-z\[\]\\` + "`" + `_^{|}][A-Za-z0-9\[\]\\` + "`" + `_^{|}-]*$`)

// checkIdentity checks the bot's name, nick, user and real name; its
// error names the fault of each.
func checkIdentity(s *settings, cfg Config) error {
	var f setup.Faults
	var err error
	var keys []redact.Secret // the channels' keys, as a ChannelList hides them
	for _, spec := range cfg.Channels {
		if _, key := SplitChannel(spec); key != "" {
			keys = append(keys, redact.NewSecret(key))
		}
	}
	// The SASL login together, as the Redactor hides it: the name check
	// cannot find it from the password alone.
	s.name, err = setup.Name(pkg, s.name, DefaultName, cfg, append(keys, redact.LoginSecrets(cfg.SASLUser, cfg.SASLPassword)...)...)
	f.Add(err) // s.name is then "": checkLimits tries no template
	switch {
	case cfg.Nick == "":
		f.Add(fieldErr("Nick", "missing"))
	case len(cfg.Nick) > 30:
		f.Add(fieldErr("Nick", "not a valid nickname: longer than 30 bytes"))
	case !nickPattern.MatchString(cfg.Nick):
		f.Add(fieldErr("Nick", "not a valid nickname: want %s", nickShape))
	case s.user == "":
		s.user = defaultUser(cfg.Nick)
	}
	userOK := s.user != ""
	if hasControlOrSpace(s.user) || strings.ContainsAny(s.user, "@:") {
		// Not quoted: "user:password" would show the password.
		userOK = !f.Add(fieldErr("User", "contains a space, '@', ':' or a control character"))
	}
	if s.realName == "" {
		s.realName = DefaultRealName
	}
	realOK := !hasControl(s.realName)
	if !realOK {
		f.Add(fieldErr("RealName", "contains a control character"))
	}
	if userOK && realOK && !fitsLine("USER", s.user, "0", "*", s.realName) {
		field := "RealName"
		if !fitsLine("USER", s.user, "0", "*", DefaultRealName) {
			field = "User"
		}
		f.Add(fieldErr(field, "too long: the USER line would pass the %d bytes of an IRC line", maxLine))
	}
	return f.Err()
}

// fitsLine reports whether the line of command and params, as the bot
// sends it, fits the 512 bytes of an IRC line, CR LF included. A field
// that makes a line of registration or a JOIN too long is refused by New,
// naming it, rather than failing every Send.
func fitsLine(command string, params ...string) bool {
	m := ircmsg.MakeMessage(nil, "", command, params...)
	_, err := m.LineBytesStrict(true, maxLine)
	return err == nil
}

// checkSecrets checks the bot's password and SASL login; of
// SASLExternal, which needs the TLS settings checkTLS makes, only what
// needs none when tlsOK is false (checkTLS refused them).
func checkSecrets(s *settings, cfg Config, tlsOK bool) error {
	if hasControl(s.secrets.password) {
		return fieldErr("Password", "contains a control character")
	}
	if s.secrets.password != "" && !fitsLine("PASS", s.secrets.password) {
		return fieldErr("Password", "too long: the PASS line would pass the %d bytes of an IRC line", maxLine)
	}
	if (cfg.SASLUser == "") != (s.secrets.saslPassword == "") {
		return fieldErr("SASLUser", "SASLUser and SASLPassword go together")
	}
	if strings.ContainsRune(cfg.SASLUser, 0) {
		return fieldErr("SASLUser", "SASL PLAIN credentials cannot contain NUL")
	}
	if strings.ContainsRune(s.secrets.saslPassword, 0) {
		return fieldErr("SASLPassword", "SASL PLAIN credentials cannot contain NUL")
	}
	if cfg.SASLUser != "" {
		s.saslMech = "PLAIN"
	}
	if !cfg.SASLExternal {
		return nil
	}
	switch {
	case cfg.SASLUser != "":
		return fieldErr("SASLExternal", "set with SASLUser: log in with one SASL mechanism, EXTERNAL or PLAIN")
	case !tlsOK:
		return nil
	case s.tls != TLSOn:
		return fieldErr("SASLExternal", "needs TLSOn: the server knows the bot by its TLS client certificate")
	case len(s.tlsConfig.Certificates) == 0 && s.tlsConfig.GetClientCertificate == nil:
		return fieldErr("TLSConfig", "SASLExternal needs a client certificate (Certificates or GetClientCertificate)")
	}
	s.saslMech = "EXTERNAL"
	return nil
}

// checkClear is the one rule for every secret the bot sends (the server
// password, the SASL password, each channel key): in plaintext only to a
// loopback host, where no one on the way can read it.
func checkClear(s *settings, _ Config) error {
	sent := s.sentSecrets()
	if len(sent) == 0 || s.tls == TLSOn || endpoint.Loopback(s.host) {
		return nil
	}
	return fieldErr("TLS", "TLSOff would send %s in the clear to %q; "+
		"use TLSOn (plaintext with a password or channel key is allowed to a loopback host only)", sent[0], s.host)
}

// sentSecrets names the secrets the bot sends to the server, never quoting
// them.
func (s *settings) sentSecrets() []string {
	var out []string
	if s.secrets.password != "" {
		out = append(out, "the server password")
	}
	if s.secrets.saslPassword != "" {
		out = append(out, "the SASL password")
	}
	for _, t := range s.targets {
		if t.key != "" {
			out = append(out, "the key of "+t.name)
		}
	}
	return out
}

func checkTargets(s *settings, cfg Config) error {
	if len(cfg.Channels) == 0 {
		return fieldErr("Channels", "missing")
	}
	var f setup.Faults // of every entry, and two the same beside them
	names := make([]string, len(cfg.Channels))
	refused := make([]bool, len(cfg.Channels))
	for i, spec := range cfg.Channels {
		t, err := parseTarget(spec)
		if err != nil {
			refused[i] = f.Add(fieldErr(fmt.Sprintf("Channels[%d]", i), "%v", err))
			continue
		}
		s.targets = append(s.targets, t)
		names[i] = t.name
	}
	f.Add(setup.DistinctBeside(pkg, "Channels", names, refused, foldEvery))
	if err := f.Err(); err != nil {
		return err
	}
	s.names = names
	return nil
}

// parseTarget reads "#name" or "#name key". Its errors quote nothing of
// spec, which the index in the field names: a name New refuses may hold
// the key, joined to it by something other than a space ("#ops:key",
// "#ops,key"), or be a key given as an entry of its own.
func parseTarget(spec string) (*target, error) {
	fields := strings.Fields(spec)
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty")
	}
	name := fields[0]
	switch {
	case len(fields) > 2:
		return nil, fmt.Errorf("want %q or %q", "#name", "#name key")
	case !strings.ContainsRune("#&+!", rune(name[0])):
		return nil, fmt.Errorf("does not start with a channel prefix (# & + !)")
	case len(name) < 2:
		return nil, fmt.Errorf("a channel prefix alone: no name after it")
	case hasControl(name):
		return nil, fmt.Errorf("not a valid channel name: it holds a control character")
	case strings.Contains(name, ","):
		return nil, fmt.Errorf(`not a valid channel name: it holds "," (give each channel an entry of its own, a key after a space)`)
	case strings.Contains(name, ":"):
		return nil, fmt.Errorf(`not a valid channel name: it holds ":" (a key goes after a space)`)
	case len(name) > 50:
		return nil, fmt.Errorf("not a valid channel name: longer than 50 bytes")
	}
	t := &target{name: name}
	if len(fields) == 2 {
		t.key = fields[1]
		if t.key == "" || hasControl(t.key) || strings.ContainsAny(t.key, ",") || t.key[0] == ':' {
			return nil, fmt.Errorf("the key of %s is empty or contains ',', a leading ':' or a control character", name)
		}
		if !fitsLine("JOIN", name, t.key) {
			return nil, fmt.Errorf("the key of %s is too long: the JOIN line would pass the %d bytes of an IRC line", name, maxLine)
		}
	}
	return t, nil
}

// checkLimits checks the numbers and the template; its error names the
// fault of each.
func checkLimits(s *settings, _ Config) error {
	var faults setup.Faults
	for _, f := range []struct {
		field string
		v     *int
		def   int
	}{{"MaxLines", &s.maxLines, DefaultMaxLines}, {"Burst", &s.burst, DefaultBurst}} {
		if *f.v < 0 {
			faults.Add(fieldErr(f.field, "negative"))
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	for _, f := range []struct {
		field string
		v     *time.Duration
		def   time.Duration
	}{{"Interval", &s.interval, DefaultInterval}, {"Timeout", &s.timeout, DefaultTimeout}} {
		if *f.v < 0 {
			faults.Add(fieldErr(f.field, "negative"))
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	s.templates = s.templates.Plain() // IRC shows text as written, whichever template renders it
	if s.template == "" {
		s.template = "short"
	}
	if faults.Add(setup.Template(pkg, "Template", s.templates, s.template)) || s.name == "" {
		return faults.Err() // no template to try, or no name (refused) to try it for
	}
	faults.Add(setup.TryText(pkg, s.templates, s.name, s.template, 0, nil))
	return faults.Err()
}

func longestName(ts []*target) int {
	n := 0
	for _, t := range ts {
		n = max(n, len(t.name))
	}
	return n
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

func hasControlOrSpace(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0
}

// saslPieces returns what the redactor needs, beyond the password and the
// whole SASL PLAIN payload, to hide the AUTHENTICATE lines that carry a
// payload longer than one line (see registration.authenticate): each line
// that holds some of the password, as sent, and the characters in it that
// encode the password's bytes alone. A server echoing one line (its 904,
// an ERROR) shows a piece of the password, which the forms of the whole
// do not match. Runs shorter than 6 characters (4 bytes of the password
// at most) are left out, as the redactor leaves them in longer base64
// text: they would take as much out of the server's other words.
func saslPieces(user, password string) []redact.Secret {
	if password == "" {
		return nil
	}
	raw := user + "\x00" + user + "\x00" + password
	from := len(raw) - len(password) // where the password starts in raw
	var pieces []redact.Secret
	start := 0 // the offset in raw of the bytes the line encodes
	for _, line := range ircutils.EncodeSASLResponse([]byte(raw)) {
		n := len(line) / 4 * 3 // 400 characters hold 300 bytes; the last line's padding is cut off below
		lo, hi := max(from, start)-start, min(len(raw), start+n)-start
		start += n
		if line == "+" || lo >= hi {
			continue
		}
		pieces = append(pieces, redact.NewSecret(line))
		if alone := line[(8*lo+5)/6 : 8*hi/6]; len(alone) >= 6 {
			pieces = append(pieces, redact.NewSecret(alone))
		}
	}
	return pieces
}
