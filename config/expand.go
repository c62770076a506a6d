package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"index/suffixarray"
	"io/fs"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/internal/regfile"
	"github.com/outagecast/outagecast/redact"
)

// envValue is a value taken from the environment (or from a file, by
// ${file:PATH}) and the reference that produced it.
type envValue struct {
	value, ref string
}

// expander replaces ${NAME}, ${NAME:-default} and ${file:PATH} in scalar
// values. It
// remembers which values each scalar took from the environment and how
// the file wrote it, so that errors can name the reference and the values
// that became secrets can be hidden.
type expander struct {
	lookup  LookupEnv
	dir     string                    // where ${file:PATH} starts a relative PATH
	data    []byte                    // the file, for errors that look at a line's text
	lines   *lineIndex                // of data, made when first needed
	used    map[*yaml.Node][]envValue // the values each scalar took
	source  map[*yaml.Node]string     // each expanded scalar as written
	secrets map[string]string         // secret value → "${NAME}"
	// hidden and hiddenURLs are the secrets and the URLs whose
	// credentials the hider redacts in their encodings too, each once:
	// a Redactor is built from them once, as one built secret by secret
	// takes time and memory that grow with the square of their number (a
	// webhook of thousands of endpoints).
	hidden     []redact.Secret
	hiddenURLs []redact.URL
	redacted   map[string]bool // the values of hidden
	urlsSeen   map[string]bool // the URLs of hiddenURLs
	total      int             // bytes of the values that held references, expanded
	work       int             // values and texts markSecrets compared, for tests
	// tree is the file, once its aliases are known to end (no alias
	// inside its own anchor, none past the limits): Load's errors hide
	// the secrets written in it (writtenSecrets).
	tree *yaml.Node
	// atSecret holds the scalars written at keys of secrets
	// (secretScalars): no check quotes one, at whatever key an alias
	// of it is.
	atSecret map[*yaml.Node]bool
	// kindTypes are the types of an entry of each kind (entryTypes), of
	// the kinds whose first is kindsOf.
	kindTypes []kindType
	kindsOf   *Kind
}

// maxExpandedBytes bounds the bytes of a file's values with their
// references expanded: as aliases cannot, references cannot multiply a
// file (a list of ${file:PATH} of one 1 MiB file) past what a program
// should hold.
const maxExpandedBytes = 16 << 20

// maxExpandErrors bounds the references one error names (and the faults
// of the file one error names): enough for every variable of the
// sample configuration with all its channels uncommented (a score), so
// that it is filled in from one run's error, while a file of thousands of
// references does not print thousands of lines.
const maxExpandErrors = 100

// joinBounded joins errs, a line each, as errors.Join does, but the first
// maxExpandErrors only, then how many more.
func joinBounded(errs []error) error {
	if len(errs) > maxExpandErrors {
		errs = append(errs[:maxExpandErrors:maxExpandErrors], fmt.Errorf("… and %d more", len(errs)-maxExpandErrors))
	}
	return errors.Join(errs...)
}

// walk expands the scalars below n, at key path, that the YAML library
// reads, adding each one's error to errs. It reads them as the library
// does: through aliases, and of a mapping, its own keys and those that its
// merges bring in and no key read before overrides (see merges.mapping),
// so that a reference in a value never read ("<<: {url: ${HOOK_URL}}"
// beside the entry's own url) is no error. A scalar is expanded once,
// where it is first read: through an alias, its fault is at the alias's
// line. It writes the path of no node but one named in a fault.
func (e *expander) walk(file, path string, n *yaml.Node, errs *[]error) {
	var at *pathStep
	if path != "" {
		at = &pathStep{key: path, isKey: true}
	}
	r := reading{e: e, file: file, errs: errs, merges: newMerges[*pathStep](), done: map[*yaml.Node]bool{}}
	r.walk(at, n, 0)
}

// reading is a walk of expander.walk.
type reading struct {
	e      *expander
	file   string
	errs   *[]error
	merges merges[*pathStep]
	done   map[*yaml.Node]bool // the scalars expanded
}

// walk expands the scalars read below n, at the path at leads to;
// aliasLine is the line of the alias the walk went through, 0 for none.
// A mapping merged in is walked at the very step of the mapping that
// merges it, which merges tells by its identity.
func (r reading) walk(at *pathStep, n *yaml.Node, aliasLine int) {
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias != nil {
			r.walk(at, n.Alias, cmp.Or(aliasLine, n.Line))
		}
	case yaml.DocumentNode:
		for _, c := range n.Content {
			r.walk(at, c, aliasLine)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			r.walk(&pathStep{up: at, index: i}, c, aliasLine)
		}
	case yaml.MappingNode:
		_ = r.merges.mapping(at, n, func(k, v *yaml.Node) error {
			r.walk(&pathStep{up: at, key: k.Value, isKey: true}, v, aliasLine)
			return nil
		}, func(v *yaml.Node) error { // "<<: {…}": its keys are n's
			for m := range r.merges.items(at, v) {
				u, alias := unalias(m)
				line := aliasLine
				if alias != nil {
					line = cmp.Or(line, alias.Line)
				}
				if u.Kind == yaml.MappingNode { // else no mapping: a fault of its own
					r.walk(at, u, line)
				}
			}
			return nil
		})
	case yaml.ScalarNode:
		if r.e.total > maxExpandedBytes || r.done[n] {
			return // said once
		}
		r.done[n] = true
		if err := r.e.expandScalar(r.file, at, n); err != nil {
			if aliasLine != 0 {
				err = atLine(err, aliasLine)
			}
			*r.errs = append(*r.errs, err)
		}
	}
}

// expandScalar expands the references in scalar n, at the path at leads
// to (written only for its fault).
func (e *expander) expandScalar(file string, at *pathStep, n *yaml.Node) error {
	if !strings.Contains(n.Value, "${") {
		return nil
	}
	v, used, err := e.expand(n.Value)
	if err != nil {
		return faultf(file, n.Line, "%s%w", prefix(at.String()), err)
	}
	e.total += len(v)
	if v != n.Value && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		// A plain scalar's type was guessed from "${...}" (a string);
		// guess again from the value, so "port: ${SMTP_PORT}" is a number.
		n.Tag = ""
		if nullText(v) {
			n.Tag = "!!str"
		}
	}
	if e.used == nil {
		e.used, e.source = map[*yaml.Node][]envValue{}, map[*yaml.Node]string{}
	}
	// A default is typed and quoted in errors as a variable's value is:
	// "port: "${SMTP_PORT:-25}"" is a number whether SMTP_PORT is set or not.
	e.source[n] = n.Value
	if len(used) > 0 {
		e.used[n] = used
	}
	for _, u := range used {
		// A secret by its variable's name wherever it went: a state
		// path, a templates directory or a channel's name too, whose
		// errors and reports would otherwise show it.
		if secretByName(u.ref) {
			e.addSecret(u)
		}
	}
	n.Value = v
	return nil
}

// secretIn returns the reference of a secret from the environment that
// s, a channel's name, holds ("${API_KEY}"), as redact.CheckName decides
// (in any encoding), or "": the longest such secret's, and of two alike
// the first reference, so that an error is the same from run to run.
func (e *expander) secretIn(s string) string {
	var best, ref string
	for v, r := range e.secrets {
		if (len(v) > len(best) || len(v) == len(best) && r < ref) && redact.CheckName(s, []redact.Secret{redact.NewSecret(v)}, nil) != nil {
			best, ref = v, r
		}
	}
	return ref
}

// retag gives scalar n, quoted in the file and holding a reference, the
// type its value has unquoted, and reports whether it
// did: inside [...] and {...} a reference must be quoted, and there
// "port: "${SMTP_PORT}"" is a number all the same.
func (e *expander) retag(n *yaml.Node) bool {
	if _, ok := e.source[n]; !ok || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		return false
	}
	n.Tag = valueTag(n.Value)
	return true
}

// valueTag returns the tag of v, a value from the environment (or a
// default) in place of a reference: the type it has written there
// unquoted, but text for "null" or "~" (nullText).
func valueTag(v string) string {
	if nullText(v) {
		return "!!str"
	}
	plain := yaml.Node{Kind: yaml.ScalarNode, Value: v}
	return plain.ShortTag()
}

// nullText reports whether v, a value in place of a reference, is YAML's
// null written out ("null", "~"): text there, not the key left out,
// which only an empty value is.
func nullText(v string) bool {
	plain := yaml.Node{Kind: yaml.ScalarNode, Value: v}
	return v != "" && plain.ShortTag() == "!!null"
}

// commented reports whether n, a value written empty, is followed on its
// line by a comment that reads as the value meant: "- #ops" or
// "password: #Pa55…", which YAML reads as an empty value and the comment
// "#ops", where "# …", with a space, is a comment on purpose.
func (e *expander) commented(n *yaml.Node) bool {
	if e == nil || n.Line == 0 || n.Column == 0 {
		return false
	}
	if e.lines == nil {
		e.lines = newLineIndex(e.data)
	}
	rest, ok := e.lines.from(n.Line, n.Column) // the library counts columns in characters
	if !ok {
		return false
	}
	rest = strings.TrimLeft(rest, " \t")
	return len(rest) > 1 && rest[0] == '#' && !strings.ContainsRune(" \t#", rune(rest[1]))
}

// expanded reports whether scalar n held a reference (or a "$${"), now
// expanded.
func (e *expander) expanded(n *yaml.Node) bool {
	if e == nil {
		return false
	}
	_, ok := e.source[n]
	return ok
}

// quoted returns the value of scalar n quoted for an error, as %q would;
// a value that held a reference is quoted as the file wrote it
// ("${SMTP_PORT}"), so that the error names the variable and
// does not show its value, which may be a secret put in the wrong key.
func (e *expander) quoted(n *yaml.Node) string {
	if src, ok := e.source[n]; ok {
		return `"` + src + `"`
	}
	return strconv.Quote(n.Value)
}

// requote returns msg, an error about scalar n, with n's value quoted as
// %q quotes it replaced by quoted(n): a value from the environment by its
// reference. The value is found in any case: a channel may quote it as it
// reads it, in upper or lower case (email's auth).
func (e *expander) requote(msg string, n *yaml.Node) string {
	if !e.expanded(n) || n.Value == "" {
		return msg // quoted(n) is the value quoted
	}
	q := regexp.MustCompile("(?i)" + regexp.QuoteMeta(strconv.Quote(n.Value)))
	return q.ReplaceAllLiteralString(msg, e.quoted(n))
}

// expand replaces the references in s, and returns the values it took from
// the environment. In a run of "$" before "{", as in Docker Compose, "$$"
// stands for one literal "$" and an odd last "$" starts a reference:
// "$${" is a literal "${", "$$${NAME}" a "$" before NAME's value.
// Elsewhere "$" is itself.
func (e *expander) expand(s string) (string, []envValue, error) {
	var b strings.Builder
	var used []envValue
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), used, nil
		}
		text := strings.TrimRight(s[:i], "$")
		run := i + 1 - len(text) // the "$"s before "{"
		b.WriteString(text)
		b.WriteString(strings.Repeat("$", run/2))
		if run%2 == 0 { // "$${" → "${"
			b.WriteString("{")
			s = s[i+2:]
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			// Not quoted: the text may be part of a password.
			return "", nil, errors.New(`"${" without a closing "}" (write $${ for a literal ${)`)
		}
		v, fromEnv, err := e.value(s[i+2 : i+end])
		if err != nil {
			return "", nil, err
		}
		if fromEnv {
			used = append(used, v)
		}
		if e.total+b.Len()+len(v.value) > maxExpandedBytes {
			e.total = maxExpandedBytes + 1 // no more expanded
			return "", nil, fmt.Errorf("references expand the file's values to more than %d bytes", maxExpandedBytes)
		}
		b.WriteString(v.value)
		s = s[i+end+1:]
	}
}

// unescape returns s, the text of a default, read as text outside a
// reference is: in a run of "$" before "{" each "$$" is one "$", other
// "$" are themselves. ok is false when a run is odd: its last "$" would
// start a reference.
func unescape(s string) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		text := strings.TrimRight(s[:i], "$")
		run := i + 1 - len(text)
		if run%2 == 1 {
			return "", false
		}
		b.WriteString(text)
		b.WriteString(strings.Repeat("$", run/2))
		b.WriteString("{")
		s = s[i+2:]
	}
}

// shellForm returns the error of ref, the inside of a ${...}, when it is
// a shell's or Compose's form this file does not read (${NAME:?msg},
// ${NAME-default}, ${NAME:+alt}…), saying what to write instead; nil
// otherwise. The text after the operator is not quoted: it may be part of
// a password.
func shellForm(ref string) error {
	i := strings.IndexFunc(ref, func(r rune) bool { return r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if i <= 0 || !validName(ref[:i]) {
		return nil
	}
	name, rest := ref[:i], ref[i:]
	for _, op := range []string{":?", "?", ":+", "+", ":=", "=", "-"} {
		if !strings.HasPrefix(rest, op) {
			continue
		}
		switch op {
		case ":?", "?":
			return fmt.Errorf("${%s%s…}: not needed: ${%s} is already an error when %s is not set or empty", name, op, name, name)
		case "-":
			return fmt.Errorf("${%s-…}: write ${%s:-default}, the one default form (it also covers an empty %s)", name, name, name)
		}
		return fmt.Errorf("${%s%s…}: not read here: want ${NAME}, ${NAME:-default} or ${file:PATH}", name, op)
	}
	return nil
}

// value resolves the inside of one ${...}; fromEnv is false for a default.
// A value from a file counts as one from the environment.
func (e *expander) value(ref string) (v envValue, fromEnv bool, err error) {
	if path, ok := strings.CutPrefix(ref, "file:"); ok && !strings.HasPrefix(path, "-") {
		v, err := e.file(path)
		return v, err == nil, err
	}
	name, def, hasDef := strings.Cut(ref, ":-")
	if !validName(name) {
		if err := shellForm(ref); err != nil {
			return v, false, err
		}
		// Not quoted: the text may be part of a password.
		return v, false, errors.New(`"${" starts no reference: want ${NAME}, ${NAME:-default} or ${file:PATH}, ` +
			`NAME of letters, digits and _, not starting with a digit (write $${ for a literal ${)`)
	}
	def, ok := unescape(def)
	if !ok {
		// The first "}" ends the reference: ${A:-${B}} would be the text
		// "${B}", never B's value.
		return v, false, fmt.Errorf("${%s}}: a default cannot hold a reference (write $${ for a literal ${)", ref)
	}
	val, ok := e.lookup(name)
	switch {
	case (!ok || val == "") && hasDef:
		return envValue{value: def}, false, nil
	case !ok:
		return v, false, fmt.Errorf("${%s}: environment variable %s is not set (use ${%s:-default} for a default)",
			name, name, name)
	case val == "":
		// As ${NAME:?} in a shell: Compose passes a variable the host
		// lacks as empty, and an empty value reads as a key left out.
		return v, false, fmt.Errorf("${%s}: environment variable %s is empty (use ${%s:-default}, or ${%s:-} for an empty value)",
			name, name, name, name)
	case strings.HasSuffix(val, "\r"):
		// Read from an env file with Windows line endings: no value
		// ends so on purpose, and a platform would refuse it unexplained.
		return v, false, fmt.Errorf("${%s}: environment variable %s ends in a carriage return (from a file with Windows line endings?)",
			name, name)
	}
	return envValue{value: val, ref: "${" + name + "}"}, true, nil
}

// file returns the value of ${file:PATH}: the content of the file at path
// (relative to the configuration's directory) without a leading UTF-8
// byte-order mark and one trailing newline, as Docker, Kubernetes and
// systemd mount secrets. A content that ends in more than one newline,
// or in a carriage return, is an error. Its errors
// name the path, never the content.
func (e *expander) file(path string) (envValue, error) {
	ref := "${file:" + path + "}"
	switch {
	case path == "":
		return envValue{}, fmt.Errorf("%s: no path", ref)
	case strings.Contains(path, "${"):
		// The first "}" ends the reference, as in a default.
		return envValue{}, fmt.Errorf("%s}: a path cannot hold a reference", ref)
	case isURL(path):
		// Quoted in every error of the file, as the path.
		return envValue{}, fmt.Errorf("${file:…}: %s: give the path of a file on this machine", urlNotQuoted)
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(e.dir, path)
	}
	data, err := readRegular(path)
	if err != nil {
		if namesHome(strings.TrimPrefix(ref, "${file:")) && errors.Is(err, fs.ErrNotExist) {
			// No shell reads the file to expand "~".
			return envValue{}, fmt.Errorf("%s: %w (~ is not your home directory here: write the whole path)", ref, err)
		}
		return envValue{}, fmt.Errorf("%s: %w", ref, err)
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		// Windows editors' "Unicode": every other byte a NUL.
		return envValue{}, fmt.Errorf("%s: %s is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8", ref, path)
	}
	// Windows editors start a UTF-8 file with a byte-order mark, which
	// is no part of the value.
	v := strings.TrimPrefix(string(data), "\uFEFF")
	if strings.HasSuffix(v, "\r\n") {
		v = v[:len(v)-2]
	} else {
		v = strings.TrimSuffix(v, "\n")
	}
	switch {
	case v == "":
		return envValue{}, fmt.Errorf("%s: %s is empty", ref, path)
	case strings.HasSuffix(v, "\n"):
		// No value ends in a blank line on purpose ("echo" after a
		// value that had its newline): kept, it is a password that
		// fails every login without saying why.
		return envValue{}, fmt.Errorf("%s: %s ends in a blank line (one final newline is left out, not more): remove it", ref, path)
	case strings.HasSuffix(v, "\r"):
		return envValue{}, fmt.Errorf("%s: %s ends in a carriage return: end it with one newline, or none", ref, path)
	}
	return envValue{value: v, ref: ref}, nil
}

// readRegular returns the content of the regular file at path (symbolic
// links followed), at most MaxFileSize bytes: a named pipe would block
// until a writer comes, a device may never end. Its errors name the path,
// never the content.
func readRegular(path string) ([]byte, error) {
	return regfile.ReadFile(path, MaxFileSize)
}

func validName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// minHidden is the shortest secret from the environment that is hidden:
// shorter ones would mangle every message that happens to hold them.
const minHidden = 6

// markSecrets records which values from the environment below n, a
// channel's entry, went into cs, the secrets of the Config built from it,
// whichever key or part of a URL held them (mastodon://TOKEN@host has the
// token in the URL's user part): a value that a secret holds, that went
// into a part of a redact.URL that does not print (user part, path,
// query), whatever its shape, or that holds the credentials of one of its
// URLs, is a secret. Where a value from the environment holds more than a
// secret (a whole channel URL, a "#channel key"), that secret is hidden
// too. So is the value of a variable whose name says it holds a secret
// (secretByName), wherever it went. Other values from the environment are
// not secrets.
//
// Its work grows with the size of the values and secrets, not with the
// product of their numbers: a webhook of thousands of endpoints has
// thousands of each, and comparing each value with each secret and URL
// took seconds.
func (e *expander) markSecrets(n *yaml.Node, cs configSecrets) {
	// Each value once: thousands of endpoints may share one ${SECRET}.
	used := slices.DeleteFunc(compact(e.usedBelow(n, nil)), func(v envValue) bool { return v.value == "" })
	if len(used) == 0 {
		return
	}
	values := slices.DeleteFunc(compact(cs.values), func(s string) bool { return len(s) < minHidden })
	// A value that a secret holds, or a part of a URL: a secret itself.
	holders := newTextIndex(append(slices.Clone(values), cs.within...))
	for _, v := range used {
		e.work++
		if len(v.value) >= minHidden && (holders.holds(v.value) || secretByName(v.ref)) {
			e.addSecret(v)
		}
	}
	// A secret that a value holds: hidden too.
	vals := make([]string, len(used))
	for i, v := range used {
		vals[i] = v.value
	}
	inValues := newTextIndex(vals)
	for _, s := range values {
		e.work++
		if inValues.holds(s) {
			e.redact(s)
		}
	}
	e.markURLs(compact(cs.urls), used)
}

// secretWords are the words of an environment variable's name that say
// it holds a secret (SMTP_PASSWORD, SMTP_PASS, DB_PWD, SLACK_BOT_TOKEN,
// GITHUB_PAT, WEBHOOK_SECRET, DB_CREDENTIALS, API_KEY, SMTP_APIKEY, …);
// ending: also at the end of a longer word (AUTHTOKEN, CLIENTSECRET,
// DBPASSWORD). The others count only as a word of their own, for
// MONKEY, KEYCLOAK, BYPASS, COMPASS and COMPAT hold none.
var secretWords = []secretWord{
	{"PASSWORD", true}, {"PASSWD", true}, {"PASSPHRASE", true}, {"SECRET", true}, {"TOKEN", true}, {"CREDENTIAL", true},
	{"PASS", false}, {"PWD", false}, {"PAT", false},
	{"KEY", false}, {"APIKEY", false}, {"APPKEY", false}, {"ACCESSKEY", false}, {"AUTHKEY", false},
	{"PRIVATEKEY", false}, {"SECRETKEY", false}, {"SIGNINGKEY", false},
}

// secretWord is a word of secretWords.
type secretWord struct {
	word   string
	ending bool // also at the end of a longer word
}

// aboutSecret are the last words of a name that holds something about a
// secret, not the secret: API_KEY_ID, TOKEN_URL, SMTP_PASSWORD_FILE.
var aboutSecret = []string{"ID", "URL", "HOST", "FILE", "PATH", "NAME", "USER", "USERNAME"}

// secretByName reports whether ref, "${NAME}", names an environment
// variable whose name says it holds a secret: its value is one wherever it
// went, also in a key that holds none (host: ${SMTP_PASSWORD}, the
// variable written in the wrong place), which would otherwise show it in
// Describe and in errors. The name's words (between "_" and digits) say
// so (secretWords), not letters inside a word: ${KEYCLOAK_HOST} is a host.
// ${PWD} alone is the shell's working directory.
func secretByName(ref string) bool {
	name, ok := strings.CutPrefix(ref, "${")
	if !ok || strings.HasPrefix(name, "file:") {
		return false // ${file:PATH}: by what it went into
	}
	words := strings.FieldsFunc(strings.ToUpper(strings.TrimSuffix(name, "}")), func(r rune) bool { return r < 'A' || r > 'Z' })
	if len(words) == 0 || slices.Contains(aboutSecret, words[len(words)-1]) || slices.Equal(words, []string{"PWD"}) {
		return false
	}
	return slices.ContainsFunc(words, func(w string) bool {
		one := strings.TrimSuffix(w, "S") // TOKENS, CREDENTIALS, KEYS, PATS
		return slices.ContainsFunc(secretWords, func(s secretWord) bool {
			if s.ending {
				return strings.HasSuffix(w, s.word) || strings.HasSuffix(one, s.word)
			}
			return w == s.word || one == s.word
		})
	})
}

// textIndex finds a string inside any of a list of texts in time that
// grows with the string's length and the logarithm of the texts' size.
type textIndex struct {
	texts []string // the texts holding sep, looked at one by one
	index *suffixarray.Index
}

// sep joins the texts of a textIndex: no value from the environment holds
// it, and a string that does is looked for text by text.
const sep = "\x00"

func newTextIndex(texts []string) textIndex {
	var x textIndex
	var joined []byte
	for _, t := range texts {
		if strings.Contains(t, sep) {
			x.texts = append(x.texts, t)
			continue
		}
		joined = append(append(joined, t...), sep...)
	}
	x.index = suffixarray.New(joined)
	return x
}

// holds reports whether one of the texts holds s, not empty.
func (x textIndex) holds(s string) bool {
	for _, t := range x.texts {
		if strings.Contains(t, s) {
			return true
		}
	}
	if strings.Contains(s, sep) {
		return false // no text of the index holds sep
	}
	return len(x.index.Lookup([]byte(s), 1)) > 0
}

// markURLs records the credentials of each of urls that took a value from
// the environment (used, none empty): redact.Redactor.WithURL hides its
// password, its query values named like credentials and its token-like
// path segments, and shows the URL itself without path and query. The
// parts of a password ("hook:T0-B0-secret") count too, as a channel may
// send them apart, and a value from the environment that holds any of
// these is a secret itself.
//
// A URL took a value when it holds one, or when the value holds one of
// its credentials. Each is found for all URLs at once: one Replacer of
// the values, run over each URL, and one Redactor of every URL's
// credentials, run over each value. Only a value that holds credentials
// (rare: a URL from the environment written again in another key) is
// then matched with each URL that holds no value.
func (e *expander) markURLs(urls []string, used []envValue) {
	if len(urls) == 0 {
		return
	}
	parts := make([][]redact.Secret, len(urls))
	var all []redact.Secret
	allURLs := make([]redact.URL, len(urls))
	for i, raw := range urls {
		parts[i] = passwordParts(raw)
		all = append(all, parts[i]...)
		allURLs[i] = redact.NewURL(raw)
	}
	creds := redact.NewRedactor(all...).WithURLs(allURLs...)
	var holding []envValue // the values that hold credentials of a URL
	for _, v := range used {
		e.work++
		if creds.Holds(v.value) {
			e.addSecret(v)
			holding = append(holding, v)
		}
	}
	pairs := make([]string, 0, 2*len(used))
	for _, v := range used {
		pairs = append(pairs, v.value, "")
	}
	values := strings.NewReplacer(pairs...)
	for i, raw := range urls {
		e.work++
		took := values.Replace(raw) != raw // holds a value
		if !took && len(holding) > 0 {
			own := redact.NewRedactor(parts[i]...).WithURL(allURLs[i])
			for _, v := range holding {
				e.work++
				if took = own.Holds(v.value); took {
					break
				}
			}
		}
		if took && !e.urlsSeen[raw] {
			if e.urlsSeen == nil {
				e.urlsSeen = map[string]bool{}
			}
			e.urlsSeen[raw] = true
			e.hiddenURLs = append(e.hiddenURLs, allURLs[i])
			e.hidden = append(e.hidden, parts[i]...)
		}
	}
}

// passwordParts returns the runs of letters and digits, of minHidden
// characters or more, of URL raw's password: a channel may send them
// apart.
func passwordParts(raw string) []redact.Secret {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	pw, _ := u.User.Password()
	var parts []redact.Secret
	for _, part := range strings.FieldsFunc(pw, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(part) >= minHidden {
			parts = append(parts, redact.NewSecret(part))
		}
	}
	return parts
}

// redact records s as a secret the hider redacts in its encodings too.
func (e *expander) redact(s string) {
	if e.redacted == nil {
		e.redacted = map[string]bool{}
	}
	if !e.redacted[s] {
		e.redacted[s] = true
		e.hidden = append(e.hidden, redact.NewSecret(s))
	}
}

// compact returns list without its repeated values, in the order first
// seen.
func compact[T comparable](list []T) []T {
	seen := make(map[T]bool, len(list))
	out := make([]T, 0, len(list))
	for _, v := range list {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// unsecret returns desc, what a channel is configured with, without the
// secrets of its Config, cs, where a key that is no secret holds one too
// (Postmark's SMTP takes the server token as user name and password): a
// secret from the environment becomes its reference, one written in the
// file REDACTED.
func (e *expander) unsecret(desc string, cs configSecrets) string {
	vals := slices.Clone(cs.values)
	slices.SortFunc(vals, func(a, b string) int { return len(b) - len(a) }) // the longest first
	var pairs []string
	for _, s := range vals {
		if len(s) < minHidden || !strings.Contains(desc, s) {
			continue
		}
		ref, ok := e.secrets[s]
		if !ok {
			ref = redact.Redacted
		}
		pairs = append(pairs, s, ref)
	}
	if pairs == nil {
		return desc
	}
	return strings.NewReplacer(pairs...).Replace(desc)
}

// usedBelow appends the values from the environment of n and the nodes
// below it to used.
func (e *expander) usedBelow(n *yaml.Node, used []envValue) []envValue {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return e.usedBelow(n.Alias, used)
	}
	used = append(used, e.used[n]...)
	for _, c := range n.Content {
		used = e.usedBelow(c, used)
	}
	return used
}

func (e *expander) addSecret(v envValue) {
	if len(v.value) < minHidden {
		return
	}
	if e.secrets == nil {
		e.secrets = map[string]string{}
	}
	e.secrets[v.value] = v.ref
	e.redact(v.value) // its encodings: base64, hex, …
}

// tooShortToHide reports whether raw, a URL the file wrote or took from
// the environment, is left out of the hider: under minHidden bytes and of
// no password. Such a URL holds nothing WithURL would hide but its whole
// text (no user name, query value or path segment so short is taken for
// one), which is, like a secret so short, left as it is: hidden wherever
// it stands apart, "a" or "to" would take those words out of every
// explanation. A password WithURL hides whatever its length, and one
// fits in 5 bytes ("//:p@"): such a URL is kept.
func tooShortToHide(raw string) bool {
	if len(raw) >= minHidden {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	pw, _ := u.User.Password()
	return pw == ""
}

// hider hides the secrets a file took from the environment.
type hider struct {
	refs *strings.Replacer // each secret, as is and as %q writes it, by its reference
	red  *redact.Redactor  // URL credentials, and secrets in other encodings
	// quoted hides, in every encoding, the URLs refused whole that are
	// plain words (heldSecrets.words), inside quotes only: nil when
	// there are none.
	quoted *redact.Redactor
}

// Replace returns s with the secrets hidden.
func (h *hider) Replace(s string) string {
	if h == nil {
		return s
	}
	s = h.red.String(h.refs.Replace(s))
	if h.quoted != nil {
		s = inQuotes(s, h.quoted.String)
	}
	return s
}

// inQuotes returns s with the text inside each pair of quotes of a line
// ("…", as %q writes a value, or `…`) replaced by f of it. A quote that
// a backslash escapes does not end the text; one left open runs to the
// end of its line, so that a value whose closing quote a hider took is
// still inside.
func inQuotes(s string, f func(string) string) string {
	var b strings.Builder
	for {
		i := strings.IndexAny(s, "\"`")
		if i < 0 {
			break
		}
		q := s[i]
		end := i + 1
		for end < len(s) && s[end] != q && s[end] != '\n' {
			if q == '"' && s[end] == '\\' && end+1 < len(s) && s[end+1] != '\n' {
				end++
			}
			end++
		}
		b.WriteString(s[:i+1])
		b.WriteString(f(s[i+1 : end]))
		if end < len(s) && s[end] == q {
			end++
			b.WriteByte(q)
		}
		s = s[end:]
	}
	b.WriteString(s)
	return b.String()
}

// heldElsewhere reports whether a scalar of the file whose top level is
// root holds word, ignoring case, other than as a channel's URL (the
// value of a url key, or a channel entry of text): a key or a value that
// a fault may write without quotes ("templates: channel does not
// exist"). A word refused as a URL that no other scalar holds is written
// by no error but in a value an alias of it put elsewhere, which the
// error quotes (`unknown value "…"`); outside quotes, it is a word the
// error writes itself.
func heldElsewhere(root *yaml.Node, word string) bool {
	if root == nil {
		return true // not parsed: where the word stands is not known
	}
	// asURL: n is a channel's URL, or a list of them (the top level's
	// channels); top: n is the top level; headers: n's keys are a
	// webhook's header names, the file's text.
	var walk func(n *yaml.Node, asURL, top, headers bool) bool
	walk = func(n *yaml.Node, asURL, top, headers bool) bool {
		switch n.Kind {
		case yaml.ScalarNode:
			return !(asURL && n.Value == word) && strings.Contains(strings.ToLower(n.Value), word)
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				// A key spelled as the file's own keys are (channels,
				// webhook_url) is the error's word, not a header's name.
				if (headers || !ownKey(k.Value)) && walk(k, false, false, false) {
					return true
				}
				if k.Value == "kind" || k.Value == "type" {
					continue // a kind's name, the error's word; an unknown one it quotes
				}
				if walk(v, k.Value == "url" || top && k.Value == "channels", false, k.Value == "headers") {
					return true
				}
			}
			return false
		}
		for _, c := range n.Content {
			if walk(c, asURL && n.Kind == yaml.SequenceNode, top && n.Kind == yaml.DocumentNode, false) {
				return true
			}
		}
		return false
	}
	return walk(root, false, true, false)
}

// errorsVocabulary is the text of the words Load's errors may write
// themselves, lower case: the schema of the file, which names every key,
// kind, value and template of the package's kinds and describes them in
// the errors' words.
var errorsVocabulary = sync.OnceValue(func() string { return strings.ToLower(string(schemaJSON)) })

// errorsWord reports whether word, a URL refused whole that is a plain
// word, is one that Load's errors may write themselves ("channel" of
// "channels[0]", "webhook" of a kind): only such a word is hidden inside
// quotes only (see hider). Any other word ("url: hunterpassword") is a
// secret that no error has a use for, hidden wherever it stands: a fault
// may write it without quotes where an alias puts it ("templates: … does
// not exist (…)", a file's path a kind's New reports) or where the file
// names it otherwise than in YAML (a templates file of that name).
func errorsWord(word string) bool {
	return strings.Contains(errorsVocabulary(), word)
}

// ownKey reports whether key is spelled as the file's own keys are: lower
// case, digits and "_".
func ownKey(key string) bool {
	for i := range len(key) {
		if c := key[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return key != ""
}

// hider returns the hider of the secrets marked so far: each secret is
// replaced by the reference that produced it, longest first, as it is and
// as %q writes it inside its quotes (a message may quote a value, and
// quoting escapes `"`, `\` and control characters); other encodings of it
// and the credentials of URLs become REDACTED. So do written, secrets
// that the file wrote (writtenSecrets), as they are and as %q writes
// them, those of minHidden bytes or more, and the secrets of its URLs that
// may hold credentials (redact.URL.HoldsCredentials), as those of a URL
// from the environment; of those URLs, as of the secrets, none under
// minHidden bytes but one of a password (tooShortToHide): text so short
// that is no URL ("a", "to") is hidden nowhere, as no secret so short is.
func (e *expander) hider(written ...heldSecrets) *hider {
	forms := map[string]string{} // form → reference
	add := func(v, ref string) {
		forms[v] = ref
		if q := strconv.Quote(v); q[1:len(q)-1] != v {
			forms[q[1:len(q)-1]] = ref
		}
	}
	urls := slices.DeleteFunc(slices.Clone(e.hiddenURLs), func(u redact.URL) bool { return tooShortToHide(u.Reveal()) })
	// The URLs refused whole that are plain words, each held only so
	// (as often among the values and URLs as among the words): hidden
	// inside quotes only, where an error quotes a value (a password put
	// in the wrong key, quoted by another key's fault), not in the
	// words the errors write themselves ("channels[0]: want a channel
	// URL"). One held otherwise too (a password's value), or that no
	// error writes itself (errorsWord), is hidden wherever it stands,
	// as every other secret.
	words := map[string]int{} // each word, as often as the words hold it less as often as the values and URLs do
	for _, w := range written {
		for _, v := range w.words {
			words[v]++
		}
	}
	for _, w := range written {
		for _, v := range slices.Concat(w.values, w.urls) {
			if _, ok := words[v]; ok {
				words[v]--
			}
		}
	}
	var quoted []redact.Secret
	for v, n := range words {
		if n >= 0 && errorsWord(v) && !heldElsewhere(e.tree, v) {
			quoted = append(quoted, redact.NewSecret(v))
		} else {
			delete(words, v)
		}
	}
	for _, w := range written {
		for _, v := range w.values {
			if _, ok := words[v]; !ok && len(v) >= minHidden {
				add(v, redact.Redacted)
			}
		}
		for _, raw := range w.urls {
			// A URL of a host and a path of words holds nothing to
			// hide, and a Redactor holding it would hold every
			// encoding of it: a status page's thousands of links.
			// One under minHidden bytes of no password is left as it
			// is (see tooShortToHide).
			if _, ok := words[raw]; ok {
				continue
			}
			if u := redact.NewURL(raw); !tooShortToHide(raw) && u.HoldsCredentials() {
				urls = append(urls, u)
			}
		}
	}
	for v, ref := range e.secrets { // a value from the environment too: by its reference
		add(v, ref)
	}
	vals := make([]string, 0, len(forms))
	for v := range forms {
		vals = append(vals, v)
	}
	sort.Slice(vals, func(i, j int) bool {
		return len(vals[i]) > len(vals[j]) || len(vals[i]) == len(vals[j]) && vals[i] < vals[j]
	})
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, forms[v])
	}
	h := &hider{refs: strings.NewReplacer(pairs...), red: redact.NewRedactor(e.hidden...).WithURLs(urls...)}
	if quoted != nil {
		h.quoted = redact.NewRedactor(quoted...)
	}
	return h
}
