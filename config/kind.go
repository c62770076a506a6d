package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/internal/secrets"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Kind is one kind of channel a file can configure: what "kind: webhook"
// means, and which URL schemes stand for it. Make one with Define; Kinds
// lists those of this module.
type Kind struct {
	name      string
	aliases   []string
	schemes   []string
	templates []string
	impl      kindImpl
}

// Name returns the kind's name, the value of "kind:" in a file.
func (k Kind) Name() string { return k.name }

// Aliases returns other names "kind:" accepts for it.
func (k Kind) Aliases() []string { return append([]string(nil), k.aliases...) }

// Schemes returns the URL schemes of its short form; none when it has no
// short form.
func (k Kind) Schemes() []string { return append([]string(nil), k.schemes...) }

// Templates returns the names of the templates its channels render beyond
// the defaults (see Spec.Templates).
func (k Kind) Templates() []string { return append([]string(nil), k.templates...) }

// Spec says how a file configures one kind of channel whose Config (or
// file form, see Define) is C. Every field is optional.
type Spec[C any] struct {
	// Aliases are other names "kind:" accepts ("twitter" for "x").
	Aliases []string
	// Schemes are the URL schemes ParseURL reads ("slack"); a channel
	// written as a URL of one of them is of this kind.
	Schemes []string
	// ParseURL reads the channel's URL form: the channel package's
	// ParseURL. It leaves Name empty; the file sets it.
	ParseURL func(raw string) (C, error)
	// URL writes the URL form: the channel package's Config.URL. When
	// Describe is nil, the channel is described by the URL as it prints,
	// without its secrets.
	URL func(C) redact.URL
	// Prepare fills in what a file cannot say directly, after decoding and
	// before New: a TLS configuration from a CA file, a writer, a token
	// source (see Env). The file's templates and the channel's name are
	// set already. A value it refuses it leaves unmade, and makes the rest
	// all the same: newChannel then runs on c too, its faults named with
	// Prepare's error, but for those at a key that error names or at a key
	// whose "sets" tag names the field of one it names, which follow
	// from it. Its error starts with the key it refuses ("ca_file: …")
	// or names a Config field.
	Prepare func(c *C, env *Env) error
	// Describe says what is configured, in one line and without secrets,
	// for "announce -check" and start-up logs: "smtp.example.com:587
	// (starttls), from status@example.com to 2 recipients".
	Describe func(C) string
	// Enums lists the values of a key whose Go type does not say them (a
	// TLS mode decoded from text, an AuthMethod), for the JSON Schema:
	// "tls": {"starttls", "implicit", "plaintext"}.
	Enums map[string][]any
	// Negative names the keys of durations that take a negative value,
	// which means something of its own (email's idle_timeout: no
	// connection waits), for the JSON Schema: it refuses a negative
	// duration of any other key.
	Negative []string
	// Templates names the templates the kind's channels render that are
	// not among templates.Default()'s ("slack"), so that a file of the
	// file's templates directory may replace them: a file that no kind
	// renders, and no channel names in its template key, is an error (a
	// typo would otherwise be a template nobody uses).
	Templates []string
}

// Define returns the Kind named name: a file's channel entry of this kind
// is decoded into C by C's yaml tags (unknown keys are errors), then
// Spec.Prepare runs and newChannel builds the channel.
//
// C is normally the channel package's Config, whose fields carry yaml
// tags and whose New is newChannel. A kind whose file has keys that are
// not Config fields (a CA file instead of a *tls.Config) uses a struct
// that inlines the Config and adds them, with Prepare turning them into
// Config fields (see the package documentation, "Adding a channel").
//
// C must be a struct. A string field Name, if C has one, is the channel's
// name (default: the kind as the file wrote it); a field Templates of type
// *templates.Set gets the file's templates when it is nil; a string field
// Template names a template the channel renders, which the file's
// templates directory may then hold (see Spec.Templates).
//
// A newChannel that finds several faults in a Config names each by
// joining them (errors.Join): each is then a fault of Load's error of its
// own, at its key's line.
//
// newChannel may run for an entry of a file that Load then refuses (a
// fault further on; every entry is built to learn the secrets an error
// must not show), and what it built is dropped without Close: like every
// kind of this module's, it checks and keeps its Config, and opens,
// dials and starts nothing until the channel is used.
func Define[C any, Ch broadcast.Channel](name string, newChannel func(C) (Ch, error), spec Spec[C]) Kind {
	impl := &kindOf[C, Ch]{name: name, newChannel: newChannel, spec: spec}
	return Kind{name: name, aliases: spec.Aliases, schemes: spec.Schemes, templates: spec.Templates, impl: impl}
}

// kindImpl is what a loader needs of a Kind, whatever its Config type.
type kindImpl interface {
	// entryType is the type a channel entry of the full form decodes into.
	entryType() reflect.Type
	// enums are the Spec's Enums.
	enums() map[string][]any
	// negative is the Spec's Negative.
	negative() []string
	// fromNode builds the channel of a full-form entry.
	fromNode(env *Env, written string, n *yaml.Node) (built, error)
	// secretsOf returns the secrets of a full-form entry refused before
	// it was built: those of what decodes.
	secretsOf(n *yaml.Node) configSecrets
	// fromURL builds the channel of a URL; name "" means the kind's name.
	fromURL(env *Env, raw, name string) (built, error)
	// urlSecrets returns the secrets of the Config of a URL, as collect
	// finds them; ok is false when the kind refuses the URL.
	urlSecrets(raw string) (cs configSecrets, ok bool)
	// hasURL reports whether the kind has a URL form.
	hasURL() bool
}

// built is a channel built from a file.
type built struct {
	ch    broadcast.Channel
	desc  string       // what is configured, without secrets
	spec  reflect.Type // the type its keys came from, for Explain
	route *when        // its "when:", nil for none
	// template is the template its Config names (a field Template), ""
	// for none.
	template string
	// secrets are its Config's secrets, set also when Prepare or the
	// channel's package refused the Config.
	secrets configSecrets
}

// configSecrets are the secrets of a Config, revealed: the values of its
// redact.Secret fields and the keys of its IRC channels (values), its
// URLs, in redact.URL fields or in strings, which may hold credentials,
// and the parts of its redact.URLs that are secret whatever their shape
// (within).
type configSecrets struct {
	values []string
	urls   []string
	within []string
}

// entry is a channel entry of the full form: the keys every kind has, and
// those of C.
type entry[C any] struct {
	Kind   string `yaml:"kind" json:"kind"`
	Type   string `yaml:"type" json:"type"` // the older name of kind
	When   *when  `yaml:"when" json:"when"`
	Config C      `yaml:",inline"`
}

// decodeError is the YAML library's error decoding an entry (a key given
// twice in a nested mapping): about the file, not the channel's Config.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

// kindOf is the Kind of channels configured by C and built as Ch.
type kindOf[C any, Ch broadcast.Channel] struct {
	name       string
	newChannel func(C) (Ch, error)
	spec       Spec[C]
}

func (k *kindOf[C, Ch]) entryType() reflect.Type { return reflect.TypeFor[entry[C]]() }
func (k *kindOf[C, Ch]) enums() map[string][]any { return k.spec.Enums }
func (k *kindOf[C, Ch]) negative() []string      { return k.spec.Negative }
func (k *kindOf[C, Ch]) hasURL() bool            { return k.spec.ParseURL != nil }

func (k *kindOf[C, Ch]) fromNode(env *Env, written string, n *yaml.Node) (built, error) {
	var e entry[C]
	if err := n.Decode(&e); err != nil {
		var b built
		b.secrets.collect(e.Config) // what decoded
		return b, &decodeError{err}
	}
	b, err := k.build(env, e.Config, written)
	b.route = e.When
	return b, err
}

func (k *kindOf[C, Ch]) secretsOf(n *yaml.Node) configSecrets {
	var e entry[C]
	_ = n.Decode(&e) // what decodes, as fromNode collects of an entry that does not
	var cs configSecrets
	cs.collect(e.Config)
	return cs
}

func (k *kindOf[C, Ch]) fromURL(env *Env, raw, name string) (built, error) {
	c, err := k.spec.ParseURL(raw)
	if err != nil {
		return built{spec: reflect.TypeFor[entry[C]]()}, err
	}
	if name != "" {
		setString(&c, "Name", name)
	}
	return k.build(env, c, k.name)
}

func (k *kindOf[C, Ch]) urlSecrets(raw string) (configSecrets, bool) {
	var cs configSecrets
	c, err := k.spec.ParseURL(raw)
	if err != nil {
		return cs, false
	}
	cs.collect(c)
	return cs, true
}

// build sets the name and templates of c, prepares it and builds the
// channel. A nil error means b.ch is set.
func (k *kindOf[C, Ch]) build(env *Env, c C, written string) (built, error) {
	b := built{spec: reflect.TypeFor[entry[C]]()}
	named := getString(&c, "Name") != ""
	if !named {
		setString(&c, "Name", written)
	}
	if env.Templates != nil {
		if v := field(&c, "Templates"); v.IsValid() && v.Type() == reflect.TypeFor[*templates.Set]() && v.IsNil() {
			v.Set(reflect.ValueOf(env.Templates))
		}
	}
	var err error
	if k.spec.Prepare != nil {
		err = k.spec.Prepare(&c, env)
	}
	b.secrets.collect(c)
	if nameErr := checkName(getString(&c, "Name"), c); nameErr != nil {
		if !named {
			// The kind's name, which the entry did not write, held by a
			// key of secrets ("url: webhook"): what is wrong with that
			// key, when Prepare or New say it, is the fault, without
			// their faults of the name.
			if err := k.faultsBesideName(c, err); err != nil {
				return b, err
			}
		}
		// Before Prepare's error, whose message would name the channel.
		return b, fmt.Errorf("%s: Config.Name: %w", k.name, nameErr)
	}
	if err != nil {
		// New's faults too, of the Config as Prepare left it: the
		// loader names those beside Prepare's that follow from none of
		// them (see prepareError).
		_, newErr := k.newChannel(c)
		return b, &prepareError{err: err, newErr: newErr}
	}
	ch, err := k.newChannel(c)
	if err != nil {
		return b, err
	}
	b.ch, b.template = ch, getString(&c, "Template")
	switch {
	case k.spec.Describe != nil:
		b.desc = k.spec.Describe(c)
	case k.spec.URL != nil:
		b.desc = k.spec.URL(c).String()
	}
	return b, nil
}

// faultsBesideName returns the faults of c, a Config whose name holds
// one of its secrets, but those of its name: prepared, Prepare's error
// (prepared), beside New's; else New's. It returns nil when none is left.
func (k *kindOf[C, Ch]) faultsBesideName(c C, prepared error) error {
	_, newErr := k.newChannel(c)
	var others []error
	for _, e := range joined(newErr) {
		if e != nil && !errors.Is(e, redact.ErrSecretInName) {
			others = append(others, e)
		}
	}
	switch {
	case prepared != nil:
		return &prepareError{err: prepared, newErr: errors.Join(others...)}
	case len(others) > 0:
		return errors.Join(others...)
	}
	return nil
}

// prepareError is the error of a Spec.Prepare, whose text it has, with
// that of the kind's newChannel run all the same on the Config Prepare
// left (a value it could not make left as it was, empty): a file whose
// ca_file and from are both wrong is told both at once. Of New's faults,
// the loader names only those about neither a key Prepare's error names
// nor a key that sets (its "sets" tag) the Config field a key Prepare
// refused sets: Prepare left that field unmade, and what New says of it
// then follows from Prepare's fault. A fault at a key that sets another
// field (email's oauth2_access_token beside a bad ca_file) is named.
type prepareError struct {
	err    error // Prepare's
	newErr error // newChannel's, nil if none
}

func (e *prepareError) Error() string { return e.err.Error() }
func (e *prepareError) Unwrap() error { return e.err }

// buildFaults returns the faults of err, a build's error for a Config of
// the entry type spec, one error each (joined): of a prepareError,
// Prepare's, then New's but those it follows from (see prepareError).
func buildFaults(spec reflect.Type, enums map[string][]any, err error) []error {
	pe, ok := err.(*prepareError)
	if !ok {
		return joined(err)
	}
	faults := joined(pe.err)
	refused := map[string]bool{}
	unmade := map[string]bool{} // the Config fields the keys refused set
	for _, e := range faults {
		if keys := faultKeys(spec, enums, e); len(keys) > 0 {
			refused[keys[0]] = true
			if f := setsField(spec, keys[0]); f != "" {
				unmade[f] = true
			}
		}
	}
	if pe.newErr == nil {
		return faults
	}
	for _, e := range joined(pe.newErr) {
		keys := faultKeys(spec, enums, e)
		if len(keys) == 0 || refused[keys[0]] || unmade[setsField(spec, keys[0])] {
			continue // not known to be about something else
		}
		faults = append(faults, e)
	}
	return faults
}

// faultKeys returns the keys of the entry type spec that err, one fault
// of a build, names: the field of a channel package's error, or the key
// a Prepare error starts with ("ca_file: open …").
func faultKeys(spec reflect.Type, enums map[string][]any, err error) []string {
	msg, keys := explainBuild(spec, enums, err.Error())
	if keys == nil {
		if key, _, ok := strings.Cut(msg, ": "); ok {
			keys = []string{key}
		}
	}
	return keys
}

// setsField returns the "sets" tag of key, a top-level key of the entry
// type spec: the Config field Prepare makes of it ("TLSConfig" of
// ca_file), "" for a key without one.
func setsField(spec reflect.Type, key string) string {
	for spec.Kind() == reflect.Pointer {
		spec = spec.Elem()
	}
	if spec.Kind() != reflect.Struct {
		return ""
	}
	for f := range spec.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case opts == "inline":
			if s := setsField(f.Type, key); s != "" {
				return s
			}
		case name == key:
			return f.Tag.Get("sets")
		}
	}
	return ""
}

var (
	secretType      = reflect.TypeFor[redact.Secret]()
	urlType         = reflect.TypeFor[redact.URL]()
	ircChannelsType = reflect.TypeFor[irc.ChannelList]()
	// textType marks, in what secretsFound returns, a value of a plain
	// string key that holds a URL (plainURL): read as a redact.URL is.
	textType = reflect.TypeFor[string]()
)

// ircKeys has the shared walker take the keys of an IRC channel list
// ("#ops key") for secrets: they are no redact.Secret.
var ircKeys = secrets.Held{Type: ircChannelsType, Secrets: func(v reflect.Value) []redact.Secret {
	var keys []redact.Secret
	for i := range v.Len() {
		if _, key := ircChannel(v.Index(i).String()); key != "" {
			keys = append(keys, redact.NewSecret(key))
		}
	}
	return keys
}}

// collect adds the secrets of c, a Config, as the channel packages find
// them (secrets.Find), and the keys of its IRC channel lists.
func (cs *configSecrets) collect(c any) {
	f := secrets.Find(c, ircKeys)
	for _, s := range f.Secrets {
		cs.values = append(cs.values, s.Reveal())
	}
	for _, u := range f.URLs {
		cs.urls = append(cs.urls, u.Reveal())
		cs.within = append(cs.within, secretParts(u.Reveal())...)
	}
	cs.urls = append(cs.urls, f.Texts...) // a plain URL field (base_url, …) with credentials
}

// checkName applies redact.CheckName to name, a channel's name, and the
// secrets of c, its Config, as collect finds them: the channel packages
// of this module do too, as New does, but a Kind of another package may
// not, and a name that holds a secret must never be quoted in an error.
// The error says which field holds the secret (secrets.CheckName). The
// logins of this module's kinds that hold a user and a password in two
// fields (an e-mail's, an IRC channel's SASL login) are checked too, as
// their New checks them (redact.LoginSecrets): a short password's
// "user:password" is no secret the fields give alone.
func checkName(name string, c any) error {
	if name == "" {
		return nil
	}
	var logins []redact.Secret
	switch c := c.(type) {
	case email.Config:
		logins = redact.LoginSecrets(c.Username, c.Password)
	case emailFile:
		logins = redact.LoginSecrets(c.Username, c.Password)
	case irc.Config:
		logins = redact.LoginSecrets(c.SASLUser, c.SASLPassword)
	case ircFile:
		logins = redact.LoginSecrets(c.SASLUser, c.SASLPassword)
	}
	return secrets.CheckName(name, c, logins, ircKeys)
}

// secretParts returns the parts of raw, the value of a redact.URL, that
// it does not print, as they are written and unescaped: its password (or,
// without one, its user name, where URLs carry a token), path, query and
// fragment. A channel package may hold a token in any of them (the
// webhook's token is the last path segment of a Discord webhook URL), so
// config takes each for a secret, not only the parts that look like
// tokens. A URL without a host prints as REDACTED: all of it is secret;
// so does one that url.Parse refuses, and each part of it that would be
// one of those above, as far as they can be told (see looseParts).
func secretParts(raw string) []string {
	if plainHostless(raw) {
		return []string{raw} // parses, with no host: not parsed, as a file may hold thousands
	}
	p, err := url.Parse(raw)
	if err != nil {
		return append([]string{raw}, looseParts(raw)...)
	}
	if p.Host == "" {
		return []string{raw}
	}
	parts := []string{p.EscapedPath(), p.Path, p.RawQuery, p.EscapedFragment(), p.Fragment}
	if pw, ok := p.User.Password(); ok {
		parts = append(parts, pw)
	} else if p.User != nil {
		parts = append(parts, p.User.Username())
	}
	for _, vs := range p.Query() {
		parts = append(parts, vs...)
	}
	return slices.DeleteFunc(parts, func(s string) bool { return s == "" })
}

// plainHostless reports whether raw is text that url.Parse takes, without
// error, as a URL of no scheme and no host, which it tells without parsing
// it: no ":" (no scheme, nor a colon url.Parse refuses in a first path
// segment), no "//" (no host), no "%" (no escape to refuse) and no
// control character (which url.Parse refuses). Text such as "a" or
// "ops-channel" is.
func plainHostless(raw string) bool {
	if strings.ContainsAny(raw, ":%") || strings.Contains(raw, "//") {
		return false
	}
	for i := range len(raw) {
		if raw[i] < 0x20 || raw[i] == 0x7f {
			return false
		}
	}
	return true
}

// maxLooseSize bounds the bytes of the password candidates looseParts
// gives of a URL, and of their unescaped forms.
const maxLooseSize = 1 << 20

// looseParts returns the parts of raw, a URL that url.Parse refuses, that
// secretParts returns of a URL that parses, as written and unescaped: the
// password (or, without one, the user name) of what precedes each "@"
// after the scheme, as the password may hold a "/", "?" or "@" not
// percent-encoded and a query an "@" ("to=a@example.com"); and what
// follows the host: the path, the query, the fragment and each value of
// the query. Where it cannot tell, it returns more: a part too many makes
// a name equal to it refused, one too few shows a secret. The candidates
// of n "@" add up to n² bytes, so past maxLooseSize bytes of them (a URL
// of thousands of "@") it gives, of the rest, only the last, the one
// url.Parse would take.
func looseParts(raw string) []string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		_, rest, _ = strings.Cut(raw, ":")
	}
	var parts []string
	colon, last := strings.IndexByte(rest, ':'), strings.LastIndexByte(rest, '@')
	size := 0 // of the candidates, each counted twice: unescaped below
	for i := range len(rest) {
		if rest[i] != '@' {
			continue
		}
		p := rest[:i] // the user name, without a password
		if colon >= 0 && colon < i {
			p = rest[colon+1 : i]
		}
		if size+2*len(p) > maxLooseSize && i != last {
			continue
		}
		size += 2 * len(p)
		parts = append(parts, p)
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 && !strings.ContainsAny(rest[:at], "?#") {
		rest = rest[at+1:] // the host and after; else an "@" of the query, the host and after further on
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		beforeFrag, frag, _ := strings.Cut(rest[i:], "#")
		path, query, _ := strings.Cut(beforeFrag, "?")
		parts = append(parts, path, query, frag)
		for _, kv := range strings.Split(query, "&") {
			_, v, _ := strings.Cut(kv, "=")
			parts = append(parts, v)
		}
	}
	var out []string
	for _, p := range parts {
		out = append(out, p)
		if u, err := url.PathUnescape(p); err == nil && u != p {
			out = append(out, u)
		}
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

// field returns the settable field name of *c (promoted fields of inlined
// structs included), or the zero Value.
func field[C any](c *C, name string) reflect.Value {
	v := reflect.ValueOf(c).Elem()
	if v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	f := v.FieldByName(name)
	if !f.IsValid() || !f.CanSet() {
		return reflect.Value{}
	}
	return f
}

func getString[C any](c *C, name string) string {
	if f := field(c, name); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

func setString[C any](c *C, name, val string) {
	if f := field(c, name); f.IsValid() && f.Kind() == reflect.String {
		f.SetString(val)
	}
}

// Env is what Spec.Prepare may use of the file and the program loading it.
type Env struct {
	// Dir is the file's directory: relative paths in it start there.
	Dir string
	// Templates are the file's templates ("templates:"), nil for each
	// channel package's default.
	Templates *templates.Set

	stdout, stderr io.Writer
	outputs        *[]io.Writer // the writers Output handed out
}

// Path returns p, a path written in the file, relative to the file's
// directory.
func (e *Env) Path(p string) string {
	if p == "" || e.Dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(e.Dir, p)
}

// namesHome reports whether p, a path written in the file, starts with
// "~" as a shell's home directory does ("~", "~/site", "~ops/site"): no
// shell reads the file to expand it, so it is a directory named "~" (or
// "~ops") relative to the file. "./~/site" names that directory as such.
func namesHome(p string) bool {
	first, _, _ := strings.Cut(filepath.ToSlash(p), "/")
	return strings.HasPrefix(first, "~")
}

// homeProblem says why p, a path written in the file that names a home
// directory (see namesHome), is refused, and what to write instead.
func homeProblem(p string) string {
	instead := "write the whole path"
	if first, rest, _ := strings.Cut(filepath.ToSlash(p), "/"); first == "~" {
		instead += ", or " + strings.TrimSuffix("${HOME}/"+rest, "/")
	}
	return p + ": ~ is not your home directory here (no shell reads this file): " + instead
}

// dirFS returns the directory p, written in the file, to read files
// from; its error names p, and says where a relative p that does not
// exist was looked for.
func (e *Env) dirFS(p string) (fs.FS, error) {
	if isURL(p) { // quoted by the errors below, as a path
		return nil, fmt.Errorf("%s: give a directory on this machine", urlNotQuoted)
	}
	dir := e.Path(p)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && dir != p:
		return nil, fmt.Errorf("%s does not exist (%s, relative to the configuration file)", p, dir)
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s does not exist", p)
	case err != nil:
		return nil, err
	case !st.IsDir():
		return nil, fmt.Errorf("%s is not a directory", p)
	}
	return os.DirFS(dir), nil
}

// Output returns the writer a file names: "stdout" (or "") for the
// loading program's standard output, "stderr" for its standard error
// (Loader.Stdout, Loader.Stderr).
func (e *Env) Output(name string) (io.Writer, error) {
	var w io.Writer
	switch strings.ToLower(name) {
	case "", "stdout":
		w = e.stdout
	case "stderr":
		w = e.stderr
	default:
		return nil, fmt.Errorf("output: unknown value%s (want stdout or stderr)", quoteValue(name))
	}
	*e.outputs = append(*e.outputs, w)
	return w, nil
}

// TLSConfig returns a TLS configuration that trusts the PEM certificates
// in caFile (relative to the file) besides the system's, or nil when
// caFile is "". Its errors start with "ca_file: ".
func (e *Env) TLSConfig(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := readRegular(e.Path(caFile))
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file: %s: no PEM certificate", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}
