package redact

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/errwalk"
	"github.com/outagecast/outagecast/internal/panictext"
)

// Redactor replaces known secrets in text with REDACTED, in every encoding
// the package doc lists. The zero Redactor, and a nil one, redact nothing.
// A Redactor is immutable and safe for concurrent use; the With methods
// return a new one.
type Redactor struct {
	forms []string         // what it replaces, longest first
	shown map[int32]string // what a form at that index is replaced by, where that is not Redacted (a URL shown)
	words []bool           // of each form: found only where it stands apart (see WithWords)
	ders  []string         // the bytes of the secrets' PEM blocks, whose parts are found in hex
	der   func() *derIndex // their index (see derIndex), built on first use, shared by a Redactor made by With without another key
	m     func() *matcher
}

// NewRedactor returns a Redactor for secrets; empty ones are ignored.
func NewRedactor(secrets ...Secret) *Redactor {
	return (&Redactor{}).With(secrets...)
}

// With returns a Redactor that also redacts secrets.
func (r *Redactor) With(secrets ...Secret) *Redactor {
	var forms, ders []string
	for _, s := range secrets {
		v := s.Reveal()
		forms = append(forms, secretForms(v)...)
		ders = append(ders, secretBytes(v)...)
	}
	out := r.add(forms, Redacted)
	if ders != nil {
		// Read by the matcher, built on first use; one made by With
		// without another key shares it.
		out.ders = append(out.ders[:len(out.ders):len(out.ders)], ders...)
		out.der = sync.OnceValue(func() *derIndex { return newDERIndex(out.ders) })
	}
	return out
}

// secretForms returns the forms in which a Redactor finds secret s: each
// of its texts (see secretTexts) in every encoding, and the bytes of its
// PEM blocks (see secretBytes) as bytes are written.
func secretForms(s string) []string {
	var forms []string
	for _, v := range secretTexts(s) {
		// A text of two lines (a part of a key: its short last line with
		// the one before or with its END line, see pemParts) is held in
		// every encoding, "\r\n" or not: it is short, and its escaped
		// forms are found where a text's decoding is not looked at (a
		// hex dump of a %-escaped key, whose last line would show).
		if strings.Count(v, "\r\n") > 1 {
			// Its twin with "\n" for each "\r\n" is among the texts
			// (secretTexts gives both), whose forms the Redactor finds
			// where a text writes "\r\n", as is or in the escapes it
			// decodes (see unbreak): this one's escaped forms would each
			// be held again, at the key's length. But for one: as
			// JSON escapes it, "\r\n" (a key of such lines that a
			// program marshalled), which a text escapes further (JSON
			// in JSON in JSON, JSON then %-escaped twice) or writes in
			// hex, where decoding stops short of reading it as "\n";
			// also with its spaces as "+", as a form body writes them
			// (see encodingsOf).
			j := jsonForm(v)
			forms = append(forms, undecodedEncodings(v)...)
			forms = append(forms, j)
			if strings.Contains(j, " ") {
				forms = append(forms, strings.ReplaceAll(j, " ", "+"))
			}
			continue
		}
		forms = append(forms, encodings(v)...)
	}
	for _, b := range secretBytes(s) {
		forms = append(forms, byteForms(b)...)
	}
	return forms
}

// WithWords returns a Redactor that also redacts each of words as it is
// written, or as a text's mixed escapes write it (%-escapes, JSON
// escapes, character references, which the Redactor decodes: "p%40ss"
// for "p@ss"), in none of the other encodings (not case-folded, nor in
// base64 or hex), wherever it stands apart, whatever its
// length, and nowhere else: where no letter or digit touches it at
// either end, or its own character at that end is none (a word that
// starts or ends with a mark, "ops!"); a word of marks alone ("+") only
// where no letter or digit touches it, so that it leaves the "+" of
// "(+k)". It is for a secret that a server repeats as a word of its own
// and that may be short enough for its letters to occur in the server's
// other words (an IRC channel key, "n" or "ops"): found inside a word,
// it would take them out of the server's text. It is found in the same
// pass as the Redactor's other secrets, so that where it touches one
// ("letmein!ops"), each is replaced as it stands in the text, the
// REDACTED of one never running on with the other. A word that is also
// a form of another secret (With) is found as that secret's form is.
func (r *Redactor) WithWords(words ...Secret) *Redactor {
	var pairs []string
	for _, w := range words {
		if v := w.Reveal(); v != "" {
			pairs = append(pairs, v, Redacted)
		}
	}
	return r.addPairsOf(pairs, true)
}

// secretTexts returns s; for one of many lines (a PEM key), s with its
// line breaks as "\r\n" and as "\n", as e-mail and protocols that send
// lines rewrite them, and the parts of its PEM blocks that a server or a
// library echoes alone (see pemParts), also of a key whose line breaks
// are written as "\n" escapes on one line; and, for a Standard Webhooks
// secret, the key without its "whsec_" and the key's decoded bytes, which
// servers may echo instead: each is redacted in every encoding.
func secretTexts(s string) []string {
	if s == "" {
		return nil
	}
	texts := []string{s}
	lf := strings.ReplaceAll(s, "\r\n", "\n")
	if strings.Contains(s, "\n") {
		for _, v := range []string{lf, strings.ReplaceAll(lf, "\n", "\r\n")} {
			if v != s {
				texts = append(texts, v)
			}
		}
	}
	// A key held on one line, its line breaks as "\n" or "\r\n" escapes
	// (a JSON string, an env file, a YAML double-quoted string, read by a
	// program that does not unescape it), has the parts of the key it
	// stands for: a parser that reads the escapes quotes its lines alone.
	if p := pemText(s); strings.Contains(p, "\n") {
		for _, v := range pemParts(p) {
			if !slices.Contains(texts, v) {
				texts = append(texts, v)
			}
		}
	}
	if key, ok := strings.CutPrefix(s, "whsec_"); ok && key != "" {
		texts = append(texts, key)
		raw, err := base64.StdEncoding.DecodeString(key)
		if err != nil { // written without its padding, which webhook accepts
			raw, err = base64.RawStdEncoding.DecodeString(key)
		}
		if err == nil && len(raw) > 0 {
			texts = append(texts, string(raw))
		}
	}
	return texts
}

// secretBytes returns the bytes that the PEM blocks of s (a key, its
// line breaks as secretTexts reads them) decode to, each block's (its
// DER), as encoding/pem decodes them: the bytes a program holds once it
// has read the key, which it may write in hex (see byteForms). Base64 of
// them is the block's body, which secretTexts gives in part and whole.
func secretBytes(s string) []string {
	if !strings.Contains(s, "-----BEGIN ") {
		return nil
	}
	var out []string
	rest := []byte(pemText(s))
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return out
		}
		if len(b.Bytes) > 0 {
			out = append(out, string(b.Bytes))
		}
	}
}

// pemText returns s, a secret that may be a PEM key, with its line breaks
// as "\n": "\r\n" ones, and "\n" and "\r\n" escapes, also escaped twice
// ("\\n", "\\r\\n": a JSON document quoted in a JSON string, a
// Kubernetes secret's manifest quoted in a log line), read as such.
func pemText(s string) string {
	// The escapes escaped twice first, of which the ones escaped once
	// are a part.
	for _, brk := range []string{`\\r\\n`, `\\n`, "\r\n", `\r\n`, `\n`} {
		s = strings.ReplaceAll(s, brk, "\n")
	}
	return s
}

// minPEMLine is the length, in characters, of the shortest line of a PEM
// block's body that pemParts gives alone: sixteen, from which the package
// takes any text for a token (see tokenLike). A line of sixteen base64
// characters holds twelve bytes of the key, which no ordinary text holds
// by chance; a shorter one may be a word, or a value that other text
// holds too ("AQAB", the common RSA public exponent, as a JWK writes it).
// Every line but the last of a body is longer: RFC 7468 section 2
// (https://www.rfc-editor.org/rfc/rfc7468#section-2) has generators write
// lines of exactly 64 characters but the last, which holds what remains
// (OpenSSH writes 70, MIME 76). A shorter last line is found with the
// lines around it, never alone: it holds fewer than twelve bytes of the
// key, and not always secret ones (an OpenSSH key's last bytes are its
// comment and the padding bytes 1, 2, 3… every unencrypted such key ends
// in, PROTOCOL.key section 3,
// https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.key;
// an EC key's are its public key's), which other text may hold.
const minPEMLine = 16

// pemParts returns the parts of the PEM blocks of s, a secret whose line
// breaks are "\n", that a server or a library echoes without the rest,
// each of minPEMLine characters or more: each line of base64 of a block's
// body alone (a parser's error quoting the line it failed at, or the body
// without its BEGIN and END lines, line by line), and, where the body's
// last line is shorter, that line with the one before it, with a line
// break ("\n" or "\r\n") between them or none (the body joined into one
// line of base64, as a key passed in an environment variable or a JSON
// field is), and with the END line after it, with a line break between
// them (the end of the key, as a text cut at its start shows it); each
// line without the spaces and tabs around it, which a
// parser skips; so every byte of the body is found, however it is echoed of
// these ways, each line as one REDACTED. A body wrapped at fewer than
// minPEMLine characters is found whole only, so written and so joined.
// The BEGIN and END lines, which say what the block is and nothing of the
// key, are not parts; nor are a body's headers ("Proc-Type:
// 4,ENCRYPTED"), which are not base64. A block is from a line
// "-----BEGIN …-----" to a line "-----END …" or the end of s. The parts
// are few and short, so that a Redactor of a key holds not many more
// forms than of the key whole (see BenchmarkNewRedactorPEM).
func pemParts(s string) []string {
	var parts, body []string
	add := func(v string) {
		if len(v) >= minPEMLine && !slices.Contains(parts, v) {
			parts = append(parts, v)
		}
	}
	together := func(lines []string) {
		for _, sep := range []string{"\n", "\r\n", ""} {
			add(strings.Join(lines, sep))
		}
	}
	// flush adds the parts of a body, whose END line is end ("" where s
	// ends first).
	flush := func(end string) {
		n := len(body)
		switch {
		case n == 0:
		case slices.ContainsFunc(body[:n-1], func(l string) bool { return len(l) < minPEMLine }):
			together(body)
		case len(body[n-1]) < minPEMLine:
			if n > 1 {
				together(body[n-2:])
			}
			if end != "" {
				// The END line, which says what the block is, with the
				// short line before it: the end of the key, as a text
				// that shows it without the lines before it has it.
				for _, sep := range []string{"\n", "\r\n"} {
					add(body[n-1] + sep + end)
				}
			}
		}
		body = body[:0]
	}
	in := false
	for line := range strings.Lines(s) {
		// Spaces and tabs around a line are no part of it: a parser skips
		// them (RFC 7468 section 2, https://www.rfc-editor.org/rfc/rfc7468#section-2:
		// "parsers SHOULD ignore whitespace"; Go's encoding/pem removes
		// spaces and tabs from a body), and a key copied from a
		// configuration file is often indented.
		line = strings.Trim(line, " \t\r\n")
		switch {
		case strings.HasPrefix(line, "-----BEGIN ") && strings.HasSuffix(line, "-----"):
			flush("")
			in = true
		case !in:
		case strings.HasPrefix(line, "-----END "):
			flush(line)
			in = false
		case pemBase64(line):
			body = append(body, line)
			add(line)
		}
	}
	flush("")
	return parts
}

// pemBase64 reports whether line is a line of a PEM body's base64: of
// the standard alphabet (RFC 7468 section 3), its padding at the end.
func pemBase64(line string) bool {
	b := strings.TrimRight(line, "=")
	if b == "" || len(line)-len(b) > 2 {
		return false
	}
	for i := 0; i < len(b); i++ {
		if c := b[i]; !isBase64Char(c) || c == '-' || c == '_' {
			return false
		}
	}
	return true
}

// MinNameSecret is the length, in bytes, of the shortest secret CheckName
// looks for in a name.
const MinNameSecret = 6

// ErrSecretInName is CheckName's error: a channel's name holds one of the
// channel's own secrets.
var ErrSecretInName = errors.New("holds one of the channel's secrets (a channel's name is shown in results, " +
	"events, logs and errors: choose another)")

// CheckName returns ErrSecretInName when name, a channel's name, holds one
// of secrets, or of what WithURLs redacts of urls (a URL itself, its
// password, its token-like path segments and query values, its user and
// password together as WithLogin's forms send them; for a login of
// WithLogin's own, pass LoginSecrets), in any
// encoding a Redactor redacts: when a Redactor of them would change name,
// but for secrets (and a Standard Webhooks secret's key and bytes) shorter
// than MinNameSecret bytes, which a name may hold by chance ("b" in
// "webhook"); it looks in name as written and as a Redactor decodes it
// (see nameViews). A name is shown everywhere, unredacted, so a token pasted
// as one would be. It builds no Redactor, and looks at no encoding longer
// than name can hold, so that it is quick for a short name and many
// secrets (a webhook of thousands of endpoints).
func CheckName(name string, secrets []Secret, urls []URL) error {
	var views []string
	holdsForms := func(v, except string, forms func(string) []string) bool {
		// No encoding of v is shorter than len(v)-2 (base64Forms' runs).
		if len(v) < MinNameSecret || len(v) > len(name)+2 {
			return false
		}
		if views == nil {
			views = nameViews(name)
		}
		for _, f := range forms(v) {
			if f == "" || f == except {
				continue
			}
			for _, w := range views {
				if strings.Contains(w, f) {
					return true
				}
			}
		}
		return false
	}
	holds := func(v, except string) bool { return holdsForms(v, except, encodings) }
	held := func(s string) bool {
		for _, v := range secretTexts(s) {
			if holds(v, "") {
				return true
			}
		}
		for _, b := range secretBytes(s) {
			if holdsForms(b, "", byteForms) {
				return true
			}
		}
		return false
	}
	for _, s := range secrets {
		if held(s.Reveal()) {
			return ErrSecretInName
		}
	}
	for _, u := range urls {
		raw := u.Reveal()
		if raw == "" {
			continue
		}
		if holds(raw, ShowURL(raw)) { // a URL that shows whole is no secret
			return ErrSecretInName
		}
		for _, s := range urlSecrets(raw) {
			if held(s.Reveal()) {
				return ErrSecretInName
			}
		}
		if user, pw, ok := urlLogin(raw); ok {
			for _, pair := range loginPairs(user, pw) {
				if holds(pair, "") {
					return ErrSecretInName
				}
			}
		}
	}
	return nil
}

// nameViews returns name and the texts a Redactor reads in it besides:
// name decoded (see decoded: its line breaks, character references, JSON
// and %-escapes, which mixed escapes need, as a std base64 form with its
// "+" and "/" %-escaped), and the bytes that its runs of base64 and of hex
// bytes, and those of each decoded text, write (see inBase64, inHex).
func nameViews(name string) []string {
	texts := []string{name}
	for _, st := range decoded(name, true) {
		texts = append(texts, st.j)
	}
	views := slices.Clone(texts)
	var h hexBytes
	for _, t := range texts {
		j, _, ok := unwrap(t)
		if !ok {
			j = t
		}
		for i := 0; i < len(j); {
			if !isBase64Char(j[i]) {
				i++
				continue
			}
			start := i
			for i < len(j) && isBase64Char(j[i]) {
				i++
			}
			if i-start < minBase64Run {
				continue
			}
			if run, enc := runEncoding(j[start:i]); enc != nil {
				if d, err := enc.DecodeString(run); err == nil {
					views = append(views, string(d))
				}
			}
		}
		for range hexRuns(t, &h) {
			if len(h.d) >= MinNameSecret {
				views = append(views, string(h.d))
			}
		}
	}
	return views
}

// WithLogin returns a Redactor that also redacts password and the forms in
// which protocols send user and password together: SASL PLAIN and SMTP
// AUTH PLAIN ("\x00user\x00password", with or without the authorization
// identity), SMTP AUTH LOGIN, HTTP Basic ("user:password") and XOAUTH2,
// each as is and in base64. The user name alone is not a secret.
func (r *Redactor) WithLogin(user string, password Secret) *Redactor {
	p := password.Reveal()
	if p == "" {
		return r
	}
	return r.add(append(encodings(p), loginForms(user, p)...), Redacted)
}

// LoginSecrets returns what WithLogin redacts of user and password, as
// Secrets: password, and the texts in which protocols send the two
// together (SASL and SMTP AUTH PLAIN, HTTP Basic, XOAUTH2), which
// NewRedactor redacts in every encoding as WithLogin does. It is what
// CheckName is given for a login (an IRC SASL or SMTP user and password),
// which it cannot find from the password alone: it knows no user name,
// and leaves alone a password under MinNameSecret bytes, whose forms
// with the user name ("ops:pw12", and its base64 in an Authorization
// header) are longer. Nil when password is empty.
func LoginSecrets(user string, password Secret) []Secret {
	p := password.Reveal()
	if p == "" {
		return nil
	}
	out := []Secret{password}
	for _, pair := range loginPairs(user, p) {
		out = append(out, NewSecret(pair))
	}
	return out
}

// loginForms returns the forms in which protocols send user and password
// p together (see loginPairs), each in every encoding.
func loginForms(user, p string) []string {
	var forms []string
	for _, pair := range loginPairs(user, p) {
		forms = append(forms, encodings(pair)...)
	}
	return forms
}

// loginPairs returns the texts in which protocols send user and password
// p together (see WithLogin): SASL and SMTP AUTH PLAIN, without and with
// the authorization identity, HTTP Basic and XOAUTH2.
func loginPairs(user, p string) []string {
	return []string{
		"\x00" + user + "\x00" + p,
		user + "\x00" + user + "\x00" + p,
		user + ":" + p,
		"user=" + user + "\x01auth=Bearer " + p + "\x01\x01",
	}
}

// urlLogin returns the user name and password of URL raw; ok is false
// when it has no password.
func urlLogin(raw string) (user, password string, ok bool) {
	p, err := url.Parse(raw)
	if err != nil {
		return "", "", false
	}
	if pw, _ := p.User.Password(); pw != "" {
		return p.User.Username(), pw, true
	}
	return "", "", false
}

// WithURL returns a Redactor that also redacts the secrets of u: the URL
// itself (as is and escaped) becomes what ShowURL prints, and its password
// (or, without one, a user name that looks like a token), the values of
// query parameters named like credentials (token, key, sig,
// secret, …; four characters or more), and query values (a key without
// "=", as in "?TOKEN", counts as a value) that look like tokens (eight
// characters or more with a digit, or sixteen or more), and path segments
// that do or that have eight characters or more with an upper-case letter
// ("…/services/abcDEFghij"; a CamelCase path word such as "StatusPage" is
// taken for a token too, the lower-case words of a path are not),
// become REDACTED wherever they appear alone, each as the URL writes it
// (a "+" or "/" left unescaped is sent so) and decoded; so do its user
// name and password together, in the forms WithLogin redacts (HTTP
// Basic's "user:password" in base64, which a client sends for such a URL
// and a server may echo, whatever the password's length). Shorter values,
// such as "1", are left alone, or every status code in an error would
// lose its digits.
func (r *Redactor) WithURL(u URL) *Redactor { return r.WithURLs(u) }

// WithURLs returns a Redactor that also redacts the secrets of each of
// urls, as WithURL does, added at once: a Redactor built URL by URL
// sorts its forms once per URL.
func (r *Redactor) WithURLs(urls ...URL) *Redactor {
	var pairs []string
	var secrets []string
	for _, u := range urls {
		raw := u.Reveal()
		if raw == "" {
			continue
		}
		shown := ShowURL(raw)
		for _, f := range encodings(raw) {
			pairs = append(pairs, f, shown)
		}
		for _, s := range urlSecrets(raw) {
			secrets = append(secrets, s.Reveal())
		}
		// Its user and password together, as a client sends them (HTTP
		// Basic, SMTP AUTH PLAIN): a short password's base64 is no run
		// long enough to be found inside "user:password"'s.
		if user, pw, ok := urlLogin(raw); ok {
			for _, f := range loginForms(user, pw) {
				pairs = append(pairs, f, Redacted)
			}
		}
	}
	if pairs == nil {
		return r
	}
	// The secrets' forms after the URLs', as With would add them to a
	// Redactor of the URLs: in one sort.
	for _, s := range secrets {
		for _, f := range secretForms(s) {
			pairs = append(pairs, f, Redacted)
		}
	}
	return r.addPairs(pairs)
}

// urlSecrets returns the secrets of URL raw that WithURL redacts alone.
func urlSecrets(raw string) []Secret {
	p, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var secrets []Secret
	if pw, _ := p.User.Password(); pw != "" {
		secrets = append(secrets, NewSecret(pw))
	} else if user := p.User.Username(); tokenLike(user) {
		// A user name without a password is how many URLs carry a token
		// (https://TOKEN@host/), and HTTP errors keep the user name.
		secrets = append(secrets, NewSecret(user))
	}
	for _, part := range strings.Split(p.RawQuery, "&") {
		k, v, ok := strings.Cut(part, "=")
		if !ok { // "?TOKEN": the key alone is the value
			k, v = "", k
		}
		name, _ := url.QueryUnescape(k)
		// As written, which the client sends (a "+" or "/" left
		// unescaped), and decoded.
		for _, v := range asSentAndDecoded(v, url.QueryUnescape) {
			if tokenLike(v) || len(v) >= 4 && secretKey(name) {
				secrets = append(secrets, NewSecret(v))
			}
		}
	}
	// Segments as written and decoded, so that an escaped "/" stays
	// inside its segment.
	for _, seg := range strings.Split(p.EscapedPath(), "/") {
		for _, v := range asSentAndDecoded(seg, url.PathUnescape) {
			if pathTokenLike(v) {
				secrets = append(secrets, NewSecret(v))
			}
		}
	}
	return secrets
}

// asSentAndDecoded returns s and, when it decodes to something else, s
// decoded.
func asSentAndDecoded(s string, unescape func(string) (string, error)) []string {
	if d, err := unescape(s); err == nil && d != s {
		return []string{s, d}
	}
	return []string{s}
}

// secretKey reports query parameter names that usually carry credentials.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"token", "key", "sig", "secret", "pass", "auth", "code", "cred"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// minToken is the length, in bytes, from which a text with a digit (or,
// in a URL's path, an upper-case letter) may be a token; from
// 2*minToken, any text may be.
const minToken = 8

// tokenLike reports texts that may be credentials by their shape alone:
// 16 bytes or more, or 8 with a digit. It decides for a URL's query
// values and its user name without a password (which hold words and
// names too: "?view=StatusPage", an IRC nick "OutageBot"; a query's
// credentials are mostly named, and a value of a key named like one is a
// secret from 4 bytes), for a host that may be a user name cut short (see
// cutShort), and which secrets are also redacted upper- and lower-cased
// (encodings): a shorter secret of letters, cased otherwise, may be an
// ordinary word. A path segment has its own rule, pathTokenLike.
func tokenLike(s string) bool {
	return len(s) >= 2*minToken || len(s) >= minToken && strings.ContainsFunc(s, unicode.IsDigit)
}

// pathTokenLike reports URL path segments that may be credentials: those
// tokenLike reports, and those of 8 bytes or more that hold an upper-case
// letter, as a webhook's token of letters alone at the end of its URL
// ("…/services/abcDEFghij") does. Nothing names a path's token, so its
// shape must tell it; a path's words are lower case by convention
// (/api/webhooks/, /services/, /incidents/) and are no tokens under 16
// bytes, but a CamelCase path word ("/Incidents/", "…/acme/StatusPage")
// has a token's shape and is taken for one: hidden, never shown.
func pathTokenLike(seg string) bool {
	return tokenLike(seg) || len(seg) >= minToken && strings.ContainsFunc(seg, unicode.IsUpper)
}

// add returns a Redactor with forms replaced by with. Longer forms come
// first, so that a secret inside a longer one is never half replaced.
func (r *Redactor) add(forms []string, with string) *Redactor {
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, with)
	}
	return r.addPairs(pairs)
}

// addPairs returns a Redactor that also replaces each old of pairs (old,
// new, …) by its new, as add does.
func (r *Redactor) addPairs(pairs []string) *Redactor { return r.addPairsOf(pairs, false) }

// addPairsOf is addPairs; word says that the olds of pairs are found only
// where they stand apart (see WithWords).
func (r *Redactor) addPairsOf(pairs []string, word bool) *Redactor {
	type pair struct {
		old, new string
		added    int  // its place in the order added
		word     bool // found only where it stands apart
	}
	var had []string
	var hadWords []bool
	var hadShown map[int32]string
	if r != nil {
		had, hadWords, hadShown = r.forms, r.words, r.shown
	}
	ps := make([]pair, 0, len(had)+len(pairs)/2)
	for i, f := range had {
		with, ok := hadShown[int32(i)]
		if !ok {
			with = Redacted
		}
		ps = append(ps, pair{f, with, len(ps), hadWords[i]})
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if f, with := pairs[i], pairs[i+1]; f != "" && f != with {
			ps = append(ps, pair{f, with, len(ps), word})
		}
	}
	// Equal forms sort next to each other, the first added first, so that
	// Compact drops all but that one. (A stable sort does the same, in
	// time that grows faster with the number of forms: a Redactor of the
	// secrets of thousands of webhook endpoints holds a million.)
	slices.SortFunc(ps, func(a, b pair) int {
		return cmp.Or(cmp.Compare(len(b.old), len(a.old)), strings.Compare(a.old, b.old), cmp.Compare(a.added, b.added))
	})
	// An old added as a word and as another secret's form is found as
	// that form is: wherever the form is.
	for k := 0; k < len(ps); {
		e := k + 1
		for ; e < len(ps) && ps[e].old == ps[k].old; e++ {
			ps[k].word = ps[k].word && ps[e].word
		}
		k = e
	}
	ps = slices.CompactFunc(ps, func(a, b pair) bool { return a.old == b.old })
	// The new forms kept, written one after the other in one text, which
	// the pairs are slices of: each form written apart would be held in
	// a block of the allocator's next size up (a tenth more, on average,
	// for forms of a few KB), and a form dropped by Compact, or one
	// written in a buffer with room left, could be held by what slices
	// it. r's forms are kept as they are, shared with r (each of them is
	// kept: it was added first). A slice of pairs of its own length, for
	// the same reason.
	old := len(had) // the pairs added before this are r's
	n := 0
	for _, p := range ps {
		if p.added >= old {
			n += len(p.old)
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range ps {
		if p.added >= old {
			b.WriteString(p.old)
		}
	}
	all := b.String()
	// The forms alone, and what replaces each but Redacted apart: a
	// Redactor made by With holds its forms' index, not their text, and
	// most forms are replaced by Redacted.
	out := &Redactor{forms: make([]string, 0, len(ps)), words: make([]bool, 0, len(ps))}
	if r != nil {
		out.ders, out.der = r.ders, r.der
	}
	for _, p := range ps {
		f := p.old
		if p.added >= old {
			f, all = all[:len(f)], all[len(f):]
		}
		if p.new != Redacted {
			if out.shown == nil {
				out.shown = map[int32]string{}
			}
			out.shown[int32(len(out.forms))] = p.new
		}
		out.forms = append(out.forms, f)
		out.words = append(out.words, p.word)
	}
	if len(out.forms) > 0 {
		// Built on first use: most Redactors serve an error path that
		// never comes.
		out.m = sync.OnceValue(func() *matcher {
			m := newMatcher(out.forms, out.words, out.shown)
			if out.der != nil {
				m.ders = out.der()
			}
			return m
		})
	}
	return out
}

// encodings returns s in every form a server might echo it in.
func encodings(s string) []string { return encodingsOf(s, true) }

// undecodedEncodings returns those of encodings' forms of s that the
// Redactor does not decode from a text before it looks for a form (see
// decoded): s as is, case-folded, in hex, base64 and quoted-printable;
// not %-escaped, JSON-escaped nor HTML-escaped. It is for a text of
// "\r\n" line breaks whose twin with "\n" the Redactor holds in every
// encoding: a text's "\r\n", as is or so escaped, is found as "\n" (see
// unbreak). Its forms as is and case-folded, which a text writes as they
// are, are kept too, for the hex and base64 whose bytes the Redactor
// reads, where it does not read "\r\n" as "\n".
func undecodedEncodings(s string) []string { return encodingsOf(s, false) }

// encodingsOf is encodings, with the forms found by decoding a text
// (escaped) or without them (see undecodedEncodings).
func encodingsOf(s string, escaped bool) []string {
	if s == "" {
		return nil
	}
	forms := byteForms(s)
	if tokenLike(s) && utf8.ValidString(s) {
		// Upper- and lower-cased, as servers that fold case echo it (IRC
		// servers, a message shouted in capitals); not a shorter secret,
		// whose other case may be an ordinary word, nor bytes that are
		// not text (a key's), which have no case. Also with its ASCII
		// letters alone folded, as IRC's "ascii" and "rfc1459" casemappings
		// and C's toupper fold them: "PäSSWORT" from "pässwort".
		folds := []string{strings.ToUpper(s), strings.ToLower(s), asciiFold(s, 'a', 'z', 'A'-'a'), asciiFold(s, 'A', 'Z', 'a'-'A')}
		for i, f := range folds {
			if f != s && !slices.Contains(folds[:i], f) {
				// Also in base64, inside longer base64 wherever it starts
				// (a request upper-cased, then echoed in base64), which
				// decoding a run misses where the run starts off the
				// characters that start its bytes.
				forms = append(forms, f)
				forms = append(forms, base64Forms(f)...)
			}
		}
	}
	if escaped {
		forms = append(forms, percentForms(s)...)
		forms = append(forms, htmlForms(s)...)
		forms = append(forms, quotedForms(s)...)
	}
	forms = append(forms, base64Forms(s)...)
	forms = append(forms, mailForms(s)...)
	// Each form that holds a space also with its spaces as "+", as a form
	// body or a query writes them, which decoding its %-escapes (see
	// unpercent) leaves as "+": the secret upper-cased, quoted-printable
	// or JSON-escaped, then form-encoded.
	for _, f := range forms {
		if strings.Contains(f, " ") {
			forms = append(forms, strings.ReplaceAll(f, " ", "+"))
		}
	}
	return forms
}

// byteForms returns the bytes of s as they are and in hex, lower- and
// upper-case (Go's %x and %X, hex.EncodeToString), as a program writes
// bytes that are not text; the hex scan (see inHex) finds the bytes as
// they are in a hex dump, byte by byte ("% x") or without separators,
// as it finds every other form of six bytes or more: these hex forms
// are for s shorter than that, found only where it stands apart, and
// for a key's bytes, whose parts the scan finds too. These are the first
// of encodings' forms, and all of a PEM block's decoded bytes' (see
// secretBytes): the text forms of a key's bytes (%-escaped, JSON- or
// HTML-escaped) are written by no program, and each would cost about
// as much memory as the key.
func byteForms(s string) []string {
	h := hex.EncodeToString([]byte(s))
	return []string{s, h, strings.ToUpper(h)}
}

// asciiFold returns s with each byte from lo to hi shifted by by: its ASCII
// letters of one case in the other.
func asciiFold(s string, lo, hi byte, by int) string {
	b := []byte(s)
	for i, c := range b {
		if lo <= c && c <= hi {
			b[i] = byte(int(c) + by)
		}
	}
	return string(b)
}

// mailForms returns s as e-mail writes it: quoted-printable (RFC 2045),
// as a body or a bounce quoting one does ("=" as "=3D", bytes outside
// printable ASCII as "=XX"; its line breaks as "=0A", as binary data
// writes them, or left as line breaks, as text does), and Q-encoded in a
// MIME encoded-word (RFC 2047), as a header does, space as "_", as Go's
// mime package writes it ("=", "?" and "_" escaped) and as Python's email
// package does (all but letters, digits and "!*+-/" escaped). None when s
// is written as is.
func mailForms(s string) []string {
	printable := func(c byte) bool { return c >= '!' && c <= '~' }
	var forms []string
	for k, keep := range []func(c byte) bool{
		func(c byte) bool { return c == ' ' || c == '\t' || printable(c) && c != '=' },
		func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || printable(c) && c != '=' },
		func(c byte) bool { return printable(c) && !strings.ContainsRune("=?_", rune(c)) },
		func(c byte) bool {
			return c < utf8.RuneSelf && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))) || strings.IndexByte("!*+-/", c) >= 0
		},
	} {
		if k == 1 && !strings.Contains(s, "\n") {
			continue // a text of one line: as the form before
		}
		q := k > 1 // a Q encoding: space as "_"
		n := 0     // the form's length: see percentEscape
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == ' ' && q || keep(c) {
				n++
			} else {
				n += 3
			}
		}
		var b strings.Builder
		b.Grow(n)
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == ' ' && q:
				b.WriteByte('_')
			case keep(c):
				b.WriteByte(c)
			default:
				b.WriteByte('=')
				b.WriteByte(hexCases[0][c>>4])
				b.WriteByte(hexCases[0][c&15])
			}
		}
		if f := b.String(); f != s {
			forms = append(forms, f)
		}
	}
	return forms
}

// htmlEscapes are the ways HTML and XML writers escape & < > " and ' (Go's
// html.EscapeString, Python's html.escape, PHP's htmlspecialchars, XML's
// named entities, quotes left alone, decimal and hex references), as a
// server's HTML error page may echo a secret. Some escape double quotes
// only: PHP's htmlspecialchars by default before PHP 8.1 (ENT_COMPAT),
// Apache's error pages, Java's escapeHtml4. Go's html/template escapes "+"
// too, as in a base64 token, and in an unquoted attribute value also "=",
// "`", space and the other space characters, and NUL (as U+FFFD).
var htmlEscapes = []*strings.Replacer{
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;"),
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;",
		"=", "&#61;", "`", "&#96;", " ", "&#32;", "\t", "&#9;", "\n", "&#10;", "\v", "&#11;", "\f", "&#12;",
		"\r", "&#13;", "\x00", "&#xfffd;"),
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;"),
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;"),
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;"),
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;"),
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;"),
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#039;"),
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;"),
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;"),
	strings.NewReplacer("&", "&#38;", "<", "&#60;", ">", "&#62;", `"`, "&#34;", "'", "&#39;"),
	strings.NewReplacer("&", "&#x26;", "<", "&#x3C;", ">", "&#x3E;", `"`, "&#x22;", "'", "&#x27;"),
	strings.NewReplacer("&", "&#x26;", "<", "&#x3c;", ">", "&#x3e;", `"`, "&#x22;", "'", "&#x27;"),
}

// htmlForms returns s as each of htmlEscapes writes it; none when s has
// nothing to escape.
func htmlForms(s string) []string {
	if !strings.ContainsAny(s, "&<>\"'+=` \t\n\v\f\r\x00") {
		return nil
	}
	forms := make([]string, len(htmlEscapes))
	for i, r := range htmlEscapes {
		forms[i] = r.Replace(s)
	}
	return forms
}

// percentKeeps are the characters besides ASCII letters and digits that
// common URL encoders leave unescaped: Go's QueryEscape and PHP's
// rawurlencode (RFC 3986), Go's PathEscape, Go's url.URL.EscapedPath (a
// whole path, as in a URL a server quotes), JavaScript's
// encodeURIComponent, Java's URLEncoder, Python's quote, .NET's
// HttpUtility.UrlEncode and WebUtility.UrlEncode, PHP's urlencode, and
// none at all.
var percentKeeps = []string{"-_.~", "-_.~$&+=:@", "-_.~$&+,/:;=@", "-_.!~*'()", "-_.*", "-_.~/", "-_.!*()", "-_.", ""}

// percentForms returns s percent-escaped as each encoder of percentKeeps
// writes it, with upper- and lower-case hex digits, and a space as "+" and
// as "%20"; each also escaped again, up to escapedAgain times, as the
// encoders of againKeeps write it. (s with its spaces as "+" alone, what
// a text with escapes mixed decodes to, encodings adds, as for every
// form.)
func percentForms(s string) []string {
	var forms []string
	seen := map[string]bool{} // a form made again, as a text without a space with either space, is left out
	for _, keep := range percentKeeps {
		for _, hexDigits := range escapeCases(s, keep) {
			for _, space := range []string{"+", "%20"} {
				if f := percentEscape(s, keep, hexDigits, space); !seen[f] {
					seen[f] = true
					forms = append(forms, f)
				}
				if !strings.Contains(s, " ") {
					break // "%20" writes no space then
				}
			}
		}
	}
	// Escaped again, as a page quoting an escaped URL in a link writes it
	// ("%3D" as "%253D", and what the first encoder kept, as "/" or "+",
	// escaped now), and once more.
	last := forms
	for range escapedAgain {
		var again []string
		for _, f := range last {
			for _, keep := range againKeeps {
				for _, hexDigits := range escapeCases(f, keep) {
					if g := percentEscape(f, keep, hexDigits, "+"); g != f && !seen[g] {
						seen[g] = true
						again = append(again, g)
					}
				}
			}
		}
		forms, last = append(forms, again...), again
	}
	return forms
}

// escapeCases returns hexCases, or its first alone when percentEscape of
// s keeping keep writes no hex letter, where the cases give one text.
func escapeCases(s, keep string) []string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && (c>>4 >= 10 || c&15 >= 10) && !percentKept(c, keep) {
			return hexCases
		}
	}
	return hexCases[:1]
}

// percentKept reports whether percentEscape keeping keep writes c as it
// is: an ASCII letter or digit, or a byte of keep.
func percentKept(c byte, keep string) bool {
	return c < utf8.RuneSelf && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || strings.IndexByte(keep, c) >= 0)
}

// escapedAgain is how many times more than once percentForms escapes.
const escapedAgain = 2

// againKeeps are what the encoders that escape a second time keep: a
// query's (Go's QueryEscape, JavaScript's encodeURIComponent without its
// marks) and a path's (Go's PathEscape).
var againKeeps = []string{"-_.~", "-_.~$&+=:@"}

var hexCases = []string{"0123456789ABCDEF", "0123456789abcdef"}

// percentEscape returns s %-escaped: a space as space, ASCII letters,
// digits and the bytes of keep as they are, every other byte as "%XX"
// with hexDigits. The text is written in a buffer of its length, which a
// Redactor holds as the form (a buffer grown as it is written would be
// held with its spare room: up to twice the form).
func percentEscape(s, keep, hexDigits, space string) string {
	kept := func(c byte) bool { return percentKept(c, keep) }
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			n += len(space)
		case kept(c):
			n++
		default:
			n += 3
		}
	}
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			b.WriteString(space)
		case kept(c):
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// minBase64Core is the shortest run of base64 characters base64Forms
// redacts inside longer base64 text: 36 bits, so that text that is not the
// secret's practically never matches.
const minBase64Core = 6

// base64Forms returns s in base64, standard and URL alphabets, padded or
// not, and the runs of characters that encode s alone wherever it starts
// inside longer base64 text (at a byte offset of 0, 1 or 2 modulo 3), as
// in the SASL PLAIN line "\x00user\x00password".
func base64Forms(s string) []string {
	var forms []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		forms = append(forms, enc.EncodeToString([]byte(s)))
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for k := range 3 {
			// With k bytes before s, characters up to bit 8k hold some of
			// theirs and those past bit 8(k+len(s)) some of what follows.
			b := enc.EncodeToString([]byte(strings.Repeat("\x00", k) + s))
			if core := b[(8*k+5)/6 : 8*(k+len(s))/6]; len(core) >= minBase64Core {
				forms = append(forms, core)
			}
		}
	}
	return forms
}

// quotedForms returns s as the contents of a JSON string, as encoders
// write it: as encoding/json does (with and without HTML escaping), with
// every character outside ASCII letters and digits as a \u escape, with
// characters outside ASCII as \u escapes (Python, PHP), each also with "/"
// escaped (PHP), \u escapes with lower- and upper-case hex; as Java's Gson
// does by default (< > & = and ' as \u escapes, "=" of a base64 token
// among them); as .NET's System.Text.Json does by default; and as Go's %q
// and %+q quote it.
func quotedForms(s string) []string {
	forms := []string{jsonForm(s)}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	plain := strings.TrimSuffix(buf.String(), "\n")
	plain = plain[1 : len(plain)-1]
	for _, upper := range []bool{false, true} {
		forms = append(forms, uEscape(s, upper, func(c rune) bool { return c >= utf8.RuneSelf || !unicode.IsLetter(c) && !unicode.IsDigit(c) }))
	}
	for _, f := range []string{plain, uEscape(plain, false, nonASCII), uEscape(plain, true, nonASCII)} {
		forms = append(forms, f, strings.ReplaceAll(f, "/", `\/`))
	}
	forms = append(forms, uEscape(plain, false, func(c rune) bool { return strings.ContainsRune("<>&='", c) }))
	forms = append(forms, dotNetJSON(s, false), dotNetJSON(s, true))
	q, qa := strconv.Quote(s), strconv.QuoteToASCII(s)
	return append(forms, q[1:len(q)-1], qa[1:len(qa)-1])
}

// jsonForm returns s as the contents of a JSON string as encoding/json
// writes it, the first of quotedForms'.
func jsonForm(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// dotNetJSON returns s as the contents of a JSON string as .NET's
// System.Text.Json writes it by default (JavaScriptEncoder.Default):
// besides what JSON requires, what is sensitive in HTML, "+" and "`"
// among it, and everything outside ASCII as \u escapes, a quotation mark
// too; \b \t \n \f \r and \\ short.
func dotNetJSON(s string, upper bool) string {
	var plain strings.Builder
	for _, c := range s {
		switch c {
		case '\\':
			plain.WriteString(`\\`)
		case '\b':
			plain.WriteString(`\b`)
		case '\t':
			plain.WriteString(`\t`)
		case '\n':
			plain.WriteString(`\n`)
		case '\f':
			plain.WriteString(`\f`)
		case '\r':
			plain.WriteString(`\r`)
		default:
			plain.WriteRune(c)
		}
	}
	return uEscape(plain.String(), upper, func(c rune) bool {
		return c >= 0x7f || c < ' ' || strings.ContainsRune(`"&'+<>`+"`", c)
	})
}

func nonASCII(c rune) bool { return c >= utf8.RuneSelf }

// uEscape writes the characters of s that esc selects as JSON \u escapes
// (a surrogate pair above U+FFFF), with lower- or upper-case hex.
func uEscape(s string, upper bool, esc func(rune) bool) string {
	format := `\u%04x`
	if upper {
		format = `\u%04X`
	}
	n := 0 // the text's length: see percentEscape
	for _, c := range s {
		switch {
		case !esc(c):
			n += utf8.RuneLen(c)
		case c > 0xffff:
			n += 12
		default:
			n += 6
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, c := range s {
		switch {
		case !esc(c):
			b.WriteRune(c)
		case c > 0xffff:
			r1, r2 := utf16Pair(c)
			fmt.Fprintf(&b, format+format, r1, r2)
		default:
			fmt.Fprintf(&b, format, c)
		}
	}
	return b.String()
}

func utf16Pair(c rune) (rune, rune) {
	c -= 0x10000
	return 0xd800 + (c>>10)&0x3ff, 0xdc00 + c&0x3ff
}

// String returns s with every known secret replaced: every byte of every
// occurrence, also where occurrences overlap (secrets "abcXYZ" and
// "cXYZ123" in "abcXYZ123" give one REDACTED).
func (r *Redactor) String(s string) string {
	if r == nil || r.m == nil || s == "" {
		return s
	}
	m := r.m()
	// The forms in base64 are looked for first, before acrossBreaks and
	// replaceWith, whose REDACTED in a run would misalign the bytes after
	// it (see replaceWith): acrossBreaks replaces them with its own, where
	// it finds one (a line of a key in wrapped base64, at an offset). They
	// are looked for again after replaceWith, where it replaced one: a
	// form written whole around a run is so replaced as that form.
	inner := m.base64Spans(s)
	s, across := m.acrossBreaks(s, inner)
	s, inHex := m.withinHex(s)
	inner = m.spansAfter(s, inner, inHex, across)
	out := m.replaceWith(s, false, inner)
	if out != s {
		out, _ = m.withinBase64(out)
	}
	return out
}

// Truncated is String for s, the start of a longer text that was cut short
// (a response body read up to a limit): it also leaves out what s ends with
// when that is the start of a secret, in any encoding, which String cannot
// tell from text that is no secret, also when line breaks split it or
// character references write it as String finds them, and when the cut
// left a line break, a reference or a %- or JSON escape unfinished. The text returned may so be
// shorter than s by less than the longest encoding of a secret (with its
// line breaks and references).
func (r *Redactor) Truncated(s string) string {
	if r == nil || r.m == nil || s == "" {
		return s
	}
	m := r.m()
	// Where s writes "\r\n" to a Redactor of a key, the start of a secret
	// that s ends with is cut first, before acrossBreaks: reading "\r\n"
	// as "\n" (see unbreak), it finds the key's lines split by a line
	// break (its short last line with the one before) and replaces them,
	// and what is left is no longer seen as the start of the key. A form
	// that a cut leaves in part is itself a start, cut in turn.
	// A start found at the end of what a cut left is one only where the
	// form goes on in what followed (see goesOn, and base64Head for the
	// bytes of a run of base64): otherwise it is text a form's start only
	// resembles (the end of wrapped base64 before a key's line, read as a
	// soft line break or a wrapped line going on).
	whole := s
	more := func(k int) bool {
		return k >= 0 && (len(s) == len(whole) || !strings.HasPrefix(whole, s) || m.goesOn(whole, k, len(s)))
	}
	if m.breaks && strings.Contains(s, "\r\n") {
		for k := m.crlfHead(s); more(k); k = m.crlfHead(s) {
			s = s[:k]
			for k := m.splitHead(s); more(k); k = m.splitHead(s) {
				s = s[:k]
			}
		}
	}
	// As String does, the forms in base64 and the start of one that a run
	// of it ends with are looked for before acrossBreaks and replaceWith,
	// whose REDACTED in a run would misalign the bytes after it; and again
	// before replaceWith where the text changed. The forms are looked for
	// before the start is cut: the character that holds a start's first
	// byte may hold the last bits of a form just before it, which, so cut,
	// would no longer be found whole.
	inner := m.base64Spans(s)
	if k := m.base64Head(s, whole); k >= 0 {
		s, inner = s[:k], cutSpans(inner, k)
	}
	s, across := m.acrossBreaks(s, inner)
	if k := m.splitHead(s); more(k) {
		s = s[:k]
	}
	// The forms in hex are looked for before the start of one is cut,
	// for the same reason: read from a run's second digit, the start may
	// begin at the second digit of a form's last byte.
	hexSpans := m.inHex(s)
	if k := m.hexHead(s); k >= 0 {
		s = s[:k]
		slices.SortFunc(hexSpans, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
		hexSpans = cutSpans(hexSpans, k)
	}
	inHex := len(hexSpans) > 0
	if inHex {
		s = redactSpans(s, hexSpans)
	}
	inner = m.spansAfter(s, inner, inHex, across)
	if k := m.base64Head(s, whole); k >= 0 {
		s, inner = s[:k], cutSpans(inner, k)
	}
	s = m.replaceWith(s, true, inner)
	if k := m.base64Head(s, whole); k >= 0 {
		s = s[:k]
	}
	s, _ = m.withinBase64(s)
	return s
}

// spansAfter returns inner, the spans of the forms in base64 found in a
// text before acrossBreaks and withinHex (see String), as they are in s,
// what those and a cut made of the text: found again where withinHex
// replaced hex (inHex), whose Redacted moves what follows; none where
// acrossBreaks replaced forms (across), and them with it; otherwise
// those that start in s, cut at its end.
func (m *matcher) spansAfter(s string, inner [][2]int, inHex, across bool) [][2]int {
	switch {
	case inHex:
		return m.base64Spans(s)
	case across:
		return nil
	}
	return cutSpans(inner, len(s))
}

// crlfHead returns where the start of a form that s ends with starts: in
// s as it is (a "\r" ending s starts the "\r\n" of a form held with
// them), or with its "\r\n" read as "\n" (see unbreak); the first of
// the two, -1 when there is none. Not in s's other decodings, which
// Truncated looks at after acrossBreaks: their forms, replaced first,
// leave no start to cut (wrapped base64 joined with a word after it).
func (m *matcher) crlfHead(s string) int {
	k := -1
	for i := max(0, len(s)-m.maxLen+1); i < len(s); i++ {
		if m.head(s[i:]) {
			k = i
			break
		}
	}
	// Only s's last bytes, which hold a start in the last maxLen bytes
	// of it read so, are read so.
	base := max(0, len(s)-2*m.maxLen)
	if j, from, _, ok := unbreak(s[base:]); ok {
		for i := max(0, len(j)-m.maxLen+1); i < len(j) && (k < 0 || base+from[i] < k); i++ {
			if m.head(j[i:]) {
				return base + from[i]
			}
		}
	}
	return k
}

// goesOn reports whether a form starts at s[p], in s as it is or as one
// of decoded's steps reads it, that s holds whole and that ends past k,
// or that s ends in the start of: what s[:k] ends in from p is a part of
// it, which a cut at k would leave.
//
// What s ends in when a cut left a line break, a reference or an escape
// unfinished (see cutStub) counts as the start of a form that goes on,
// as splitHead counts it.
func (m *matcher) goesOn(s string, p, k int) bool {
	t := cutStub(s)
	if p >= len(t) || m.head(s[p:]) {
		return true
	}
	if f := m.longest(s, p); f >= 0 && p+len(m.form(f)) > k {
		return true
	}
	for _, st := range decoded(t, m.breaks) {
		i := sort.SearchInts(st.from, p)
		if i == len(st.j) || st.from[i] != p {
			continue
		}
		if m.head(st.j[i:]) || i < len(cutStub(st.j)) && m.head(cutStub(st.j)[i:]) {
			return true
		}
		if f := m.longest(st.j, i); f >= 0 && st.to[i+len(m.form(f))-1] > k {
			return true
		}
	}
	return false
}

// Holds reports whether s holds a secret r knows, in any of the
// encodings it knows: what String would change. A channel asks it of an
// answer it is about to keep (a 2xx that echoed the request would carry
// a credential into a Receipt, where no error redaction reaches), and a
// caller of whether a value came from a credential.
func (r *Redactor) Holds(s string) bool {
	if r == nil || r.m == nil {
		return false
	}
	m := r.m()
	if m.holds(s) {
		return true
	}
	if _, across := m.acrossBreaks(s, nil); across {
		return true
	}
	if m.inHex(s) != nil {
		return true
	}
	_, inside := m.withinBase64(s)
	return inside
}

// Redactor returns r, so that a *Redactor serves where a source of a
// Redactor is asked for, beside one that builds its Redactor only when it
// is needed (an error path): see the channels' HTTP helpers.
func (r *Redactor) Redactor() *Redactor { return r }

// Error returns err with its text redacted. When the text holds no secret,
// err itself is returned. Otherwise the result still matches, with
// errors.Is, whatever err matched (context.Canceled, for one), keeps the
// broadcast.Permanent, broadcast.RetryAfter and broadcast.Uncertain marks,
// and prints the redacted text under every fmt verb; it never unwraps to
// err, which holds the secret. A join (err, or the first error its chain
// of Unwrap() error reaches, has Unwrap() []error: errors.Join, a
// validation's FieldErrors) unwraps to its parts, each redacted, so that
// errors.As finds a part in whose tree nothing prints a secret (a join
// under a wrapper through a copy of the join, as the original is built:
// see ReplaceError); one that
// holds a *broadcast.TargetsError unwraps to a copy of it, each target's
// error so redacted, one that holds a *broadcast.DeliveryError or
// *broadcast.PreviewError to a copy of it naming the channel, its error
// so redacted, and one that holds a *url.Error to a copy of it, its URL
// as r shows it, its error so redacted; one that held a net.Error is one
// whose Timeout answers as that one's did (see ReplaceError). Error(nil)
// is nil.
func (r *Redactor) Error(err error) error {
	return ReplaceError(err, r.String)
}

// ReplaceError is Redactor.Error with replace in place of the Redactor's
// String, for a caller that hides secrets its own way (replacing each by
// the name it came from, say): the result, when replace changed the text,
// prints replace's text under every fmt verb, matches with errors.Is what
// err matched, keeps the Permanent, RetryAfter and Uncertain marks
// (broadcast.MarkAs: a server error that asks to wait stays one whose
// outcome is unknown, and so does a join or a fan-out's error whose
// outcome is unknown in part, which gains the Uncertain mark that its flat
// text can no longer show), and never unwraps to err. errors.As does not
// reach err's chain, which would hand out the text that holds the secret,
// but for a join's parts (and a TargetsError's, below): when err, or the
// first error its chain of Unwrap() error reaches, has Unwrap() []error,
// the result's Unwrap() []error (for a join that the chain reaches under
// a wrapper, that of the copy of the join the result unwraps to, with
// Unwrap() error, as the wrapper does: its text the join's, replaced, or
// Redacted where that, in its place in err's text, would hold a secret the
// wrapper's text shares, and matching with errors.Is what the join
// matched) gives each part itself when nothing in its
// tree prints a secret (its text, its %+v or %#v, the errors its own
// Unwrap reaches: errors.As then finds its type), redacted as ReplaceError
// redacts it otherwise, its chain hidden even when its own text holds
// none, with the marks it carries (a part does not gain the Uncertain mark
// MarkAs gives an outcome unknown in part: the whole is judged by the
// marks above them). Where the parts' texts, so replaced and then put in
// their place in err's text, or put together (as errors.Join does, or as
// they are), still hold a secret (one a part shares with a wrapper's text
// or another part), each part is given hidden instead: its text
// Redacted, matching with errors.Is what it matched, with its marks, and
// unwrapping, where it is or holds (first in its chain) a
// *broadcast.TargetsError, a *broadcast.DeliveryError or
// *broadcast.PreviewError, or a join, to a copy of that TargetsError whose
// targets' names and errors show as REDACTED (their marks kept), to a copy
// of that DeliveryError or PreviewError naming its channel (and its
// attempts) whose error is hidden so, or to that join's parts, each
// hidden so; only where even those texts would hold one is no part
// given. A hidden part never unwraps to the part itself, nor to anything
// in its tree: its text holds a piece of the secret, which a caller that
// found it with errors.As and printed it (a log line of the channel's
// error) would print; so errors.As finds none of its other types. A secret a wrapper's text holds whole is no
// such secret. A *broadcast.TargetsError, when it comes first
// where a join would (errors.As finds it there, through an As method too),
// is kept so: the result unwraps (Unwrap() error) to a copy of it whose
// targets' errors are each given as a join's parts are (but for a pending
// target's, which the Broadcaster judges alone, and which gains the
// Uncertain mark as the whole does), so that errors.As finds the copy,
// which says what the original says of each target (pending, refused,
// done), by its name: a name holding a secret is shown redacted in the
// copy's text, not changed (see broadcast.TargetsError.ShowingTargets).
// Where the copy so made would still print a secret, or its text, in the
// place of the original's in err's text, would hold one that the text
// around it shares, each target's name and error show as REDACTED, their
// marks kept; only where even that text would, is no copy given. A
// *broadcast.DeliveryError or *broadcast.PreviewError, when it comes first
// so, is kept likewise (a Send's or a Preview's error joins one per
// channel, whose failure a caller tells apart with errors.As): the result
// unwraps to a copy of it that names its channel (and its attempts), whose
// error is given as a join's part is; no copy is given where its text
// would print a secret (a channel's name holding one), or, in the place
// of the original's in err's text, would hold one that the text around it
// shares. A *url.Error (net/http's client's error, whose URL may carry a
// token) is kept so too: its copy has its Op, its URL given by replace
// (REDACTED in a hidden part) and its error given as a join's part is, so
// that errors.Is matches through it what the original matched. Where err,
// or a part given redacted or hidden, held a net.Error (errors.As finds
// one), the result is, or wraps, one whose Timeout and Temporary answer as
// the one errors.As finds in the original did, though its text is the
// redacted one and the net.Error itself is not given: so a *url.Error's
// copy, which asks its error, times out as the original did. A method of
// err, or of an error in its tree, that panics (a typed nil in an error,
// (*net.OpError)(nil), or a nil field it reads) does not make
// ReplaceError panic: err's text, where its Error panics, is what fmt
// prints of it, but for the panic's value, shown by its type only unless
// it is a runtime error ("%!v(PANIC=Error method: a string)"), and so is
// such a value where err's text quotes it (a *url.Error's of its Err);
// err is then redacted, not returned, however little replace changes; a part, a target's error or a copy's error whose tree
// panics when read is given redacted, never as it is; what cannot be read
// is left out (a join whose Unwrap panics gives no parts, a net.Error
// whose Timeout panics answers false, a mark that cannot be read is not
// given).
func ReplaceError(err error, replace func(string) string) error {
	if err == nil {
		return nil
	}
	msg, read := text(err)
	clean := replace(msg)
	if clean == msg && read {
		return err
	}
	return replaced(err, msg, clean, replace, broadcast.MarkAs)
}

// replaced returns err, whose text msg replace made clean, redacted and
// given err's marks by mark: see ReplaceError.
func replaced(err error, msg, clean string, replace func(string) string, mark func(err, like error) error) error {
	red := redactedError{msg: clean, orig: err}
	parts, c := kept(err, msg, replace)
	switch {
	case parts != nil:
		return judged(&redactedJoin{red, parts}, err, mark)
	case c != nil:
		return judged(&redactedCopy{red, c}, err, mark)
	}
	return judged(&red, err, mark)
}

// replacePart returns p, a part of a join or a target's error of a
// *broadcast.TargetsError, as it is when nothing in its tree prints a
// secret (see shows); redacted as ReplaceError redacts it otherwise, also
// when its own text holds none: its chain, or its %+v, would hand the
// secret out; with the marks p carries, given by mark
// (broadcast.MarkPartAs, or broadcast.MarkAs for an error judged alone).
func replacePart(p error, replace func(string) string, mark func(err, like error) error) error {
	if !shows(p, replace) {
		return p
	}
	msg, _ := text(p)
	return replaced(p, msg, replace(msg), replace, mark)
}

// shows reports whether an error in err's tree (through Unwrap() error
// and Unwrap() []error, and the targets' errors of a
// *broadcast.TargetsError that one is or finds with an As method, which
// errors.As hands out) prints a secret: its Error(), or fmt's %v, %+v,
// %#v, %s, %q, %+q, %#q, %d, %x or %X of it (a Format method may print
// more under any), changed by replace. A target's name is looked at as
// its TargetsError's text shows it: the name itself is no text but what
// the Broadcaster records the target's outcome by (see
// broadcast.TargetsError.ShowingTargets). An error whose Error or Unwrap
// panics (see errwalk.Try) counts as one that does: what it hides is not known,
// and a caller would reach it.
func shows(err error, replace func(string) string) bool {
	if err == nil {
		return false
	}
	if s, read := text(err); !read || replace(s) != s {
		return true
	}
	for _, verb := range [...]string{"%v", "%+v", "%#v", "%s", "%q", "%+q", "%#q", "%d", "%x", "%X"} {
		if s, read := errwalk.Try(func() string { return fmt.Sprintf(verb, err) }); !read || replace(s) != s {
			return true
		}
	}
	if te := targetsOf(err); te != nil {
		for _, list := range [][]broadcast.TargetFailure{te.Pending, te.Failures} {
			for _, f := range list {
				if shows(f.Err, replace) {
					return true
				}
			}
		}
	}
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		next, read := errwalk.Try(e.Unwrap)
		return !read || shows(next, replace)
	case interface{ Unwrap() []error }:
		parts, read := errwalk.Try(e.Unwrap)
		if !read {
			return true
		}
		for _, p := range parts {
			if shows(p, replace) {
				return true
			}
		}
	}
	return false
}

// kept returns what the redaction of err, whose text is msg, keeps of its
// structure: the first join (an error with Unwrap() []error),
// *broadcast.TargetsError (as errors.As finds it, through an As method
// too), *broadcast.DeliveryError, *broadcast.PreviewError or *url.Error
// that err, or its chain of Unwrap() error, reaches; its parts through
// replaceJoin (for a join under a wrapper, a copy of the join that gives
// them: see joinCopy), a copy of the TargetsError through replaceTargets, or a
// copy naming the channel, or the URL replaced, whose error is given
// through replacePart (see partCopy).
// Both are nil when there is none, or when what it gives would let a
// secret out (its text, in the place of the original's in msg, too).
func kept(err error, msg string, replace func(string) string) ([]error, error) {
	for e, top := err, true; e != nil; top = false {
		if te := targetsOf(e); te != nil {
			if c := replaceTargets(te, msg, replace); c != nil {
				return nil, c
			}
			return nil, nil
		}
		if c, ok := partCopy(e, replace, func(err error) error {
			return replacePart(err, replace, broadcast.MarkPartAs)
		}); ok {
			orig, _ := text(e)
			if shows(c, replace) || !fits(msg, []string{orig}, []string{c.Error()}, replace) {
				return nil, nil
			}
			return nil, c
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			ps, read := errwalk.Try(u.Unwrap)
			if !read {
				return nil, nil
			}
			parts := replaceJoin(ps, msg, replace)
			if parts == nil || top {
				return parts, nil
			}
			orig, _ := text(e)
			for _, t := range []string{replace(orig), Redacted} {
				if fits(msg, []string{orig}, []string{t}, replace) {
					return nil, joinCopy(e, t, parts)
				}
			}
			return parts, nil
		case interface{ Unwrap() error }:
			e, _ = errwalk.Try(u.Unwrap)
		default:
			return nil, nil
		}
	}
	return nil, nil
}

// targetsOf returns e when it is a *broadcast.TargetsError, or the one
// its As method finds; nil otherwise.
func targetsOf(e error) *broadcast.TargetsError {
	if te, ok := e.(*broadcast.TargetsError); ok {
		return te
	}
	if a, ok := e.(interface{ As(any) bool }); ok {
		te := (*broadcast.TargetsError)(nil)
		if found, _ := errwalk.Try(func() bool { return a.As(&te) }); found {
			return te
		}
	}
	return nil
}

// replaceJoin returns ps, the parts of a join in err, whose text is msg,
// each through replacePart; where their texts so replaced still hold a
// secret that none holds alone (see partsFit: a wrapper's text around
// them may hold the rest of a secret a part begins or ends), each through
// hidePart instead; nil when there is none, or when even those texts
// hold one.
func replaceJoin(ps []error, msg string, replace func(string) string) []error {
	var parts []error
	var origs, texts []string
	for _, p := range ps {
		if p == nil {
			continue
		}
		part := replacePart(p, replace, broadcast.MarkPartAs)
		orig, _ := text(p)
		parts = append(parts, part)
		origs, texts = append(origs, orig), append(texts, part.Error())
	}
	if parts == nil {
		return nil
	}
	if partsFit(msg, origs, texts, replace) {
		return parts
	}
	// A secret the parts share: each is given hidden, so that none prints
	// a piece of it, and what errors.Is, the marks and a TargetsError say
	// is kept.
	parts = parts[:0]
	texts = texts[:0]
	for _, p := range ps {
		if p != nil {
			parts = append(parts, hidePart(p, replace, broadcast.MarkPartAs))
			texts = append(texts, Redacted)
		}
	}
	if partsFit(msg, origs, texts, replace) {
		return parts
	}
	return nil
}

// partsFit reports whether texts, the redacted texts of a join's parts
// origs in an error whose text is msg, hold no secret that none holds
// alone: put in their place in msg (see fits), or put together (as
// errors.Join does, or as they are).
func partsFit(msg string, origs, texts []string, replace func(string) string) bool {
	if !fits(msg, origs, texts, replace) {
		return false
	}
	for _, sep := range []string{"\n", ""} {
		if all := strings.Join(texts, sep); replace(all) != all {
			return false
		}
	}
	return true
}

// hidePart returns p, a part of a join whose parts share a secret, as an
// error whose text is Redacted, which matches with errors.Is what p
// matched and has the marks p carries, given by mark. What p's structure
// says is kept as kept keeps it, hidden: the first *broadcast.TargetsError,
// *broadcast.DeliveryError, *broadcast.PreviewError, *url.Error or join
// that p, or its chain of Unwrap() error, reaches is given (it unwraps to
// it) as a copy whose targets' names and errors show as Redacted (see
// hiddenTargets), as a copy naming its channel, or with its URL Redacted,
// whose error is hidden so (see hiddenChannel), or as its parts, each
// hidden so (under a wrapper, through a copy of the join whose text is
// Redacted: see joinCopy). It never unwraps to p, nor to anything in p's tree: p's text
// holds a piece of the secret, which a caller that found p with errors.As
// and printed it would print. So errors.As finds no other type of p's,
// but a net.Error answering as p's did (see keepNet).
func hidePart(p error, replace func(string) string, mark func(err, like error) error) error {
	red := redactedError{msg: Redacted, orig: p}
	for e, top := p, true; e != nil; top = false {
		if te := targetsOf(e); te != nil {
			if c := hiddenTargets(te, replace); c != nil {
				return judged(&redactedCopy{red, c}, p, mark)
			}
			break
		}
		if c, ok := hiddenChannel(e, replace); ok {
			if c != nil {
				return judged(&redactedCopy{red, c}, p, mark)
			}
			break
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			qs, _ := errwalk.Try(u.Unwrap)
			var parts []error
			for _, q := range qs {
				if q != nil {
					parts = append(parts, hidePart(q, replace, broadcast.MarkPartAs))
				}
			}
			switch {
			case parts != nil && top:
				return judged(&redactedJoin{red, parts}, p, mark)
			case parts != nil:
				return judged(&redactedCopy{red, joinCopy(e, Redacted, parts)}, p, mark)
			}
			e = nil
		case interface{ Unwrap() error }:
			e, _ = errwalk.Try(u.Unwrap)
		default:
			e = nil
		}
	}
	return judged(&red, p, mark)
}

// hiddenChannel returns, when e is a *broadcast.DeliveryError, a
// *broadcast.PreviewError or a *url.Error (ok), a copy of it whose Err is
// hidden (see hidePart), which names the channel as e does (a Send's or
// a Preview's error joins one per channel, which errors.As tells apart),
// or whose URL is Redacted. c is nil when even that copy prints a secret
// (a channel's name holding one).
func hiddenChannel(e error, replace func(string) string) (c error, ok bool) {
	c, ok = partCopy(e, func(string) string { return Redacted }, func(err error) error {
		return hidePart(err, replace, broadcast.MarkPartAs)
	})
	if !ok || shows(c, replace) {
		return nil, ok
	}
	return c, true
}

// partCopy returns, when e is a *broadcast.DeliveryError, a
// *broadcast.PreviewError or a *url.Error (ok), a copy of it whose Err is
// e's given by redo (a nil Err stays nil): one that names the channel
// (and the attempts) as e does; or one whose Op is e's and whose URL is
// e's given by show, as a Redactor shows a URL it knows (a URL of net/http's
// client error may carry a token). The copy of a *url.Error is a net.Error
// answering as e did where redo's error answers as e's Err did: see
// keepNet. A nil one (a typed nil in an error) is none: ok is false.
func partCopy(e error, show func(string) string, redo func(error) error) (c error, ok bool) {
	give := func(err error) error {
		if err == nil {
			return nil
		}
		return redo(err)
	}
	switch e := e.(type) {
	case *broadcast.DeliveryError:
		if f, read := errwalk.Try(func() broadcast.DeliveryError { return *e }); read {
			return &broadcast.DeliveryError{Channel: f.Channel, Attempts: f.Attempts, Err: give(f.Err)}, true
		}
	case *broadcast.PreviewError:
		if f, read := errwalk.Try(func() broadcast.PreviewError { return *e }); read {
			return &broadcast.PreviewError{Channel: f.Channel, Err: give(f.Err)}, true
		}
	case *url.Error:
		if f, read := errwalk.Try(func() url.Error { return *e }); read {
			return &url.Error{Op: f.Op, URL: show(f.URL), Err: give(f.Err)}, true
		}
	}
	return nil, false
}

// replaceTargets returns a copy of te, a *broadcast.TargetsError in an
// error whose text is msg, that keeps what te says of each target (its
// name, pending or failed, its error's marks and what errors.Is matches,
// the targets done and whether it is a Retract's), so that the
// Broadcaster records each target's outcome as from te; its text holds
// no secret. Each target's error is given through replacePart and its
// name is shown replaced (see broadcast.TargetsError.ShowingTargets);
// where the copy so made still prints a secret, or its text, put in the
// place of te's in msg, holds one that msg's text around it begins or
// ends (see fits), each target's name and error show as Redacted
// instead (see hideFailures); nil when even that copy's text does not
// fit. The marks te carries are not its targets' (errors.As does not
// reach them), and the Broadcaster judges each pending target's error
// alone: whether it is a definite answer, or one after which that
// target's post may be up (a rate limit joined to a timeout). A pending
// target's error is so marked as a whole is (broadcast.MarkAs): with its
// marks above it, it would otherwise read as a definite one. A failed
// target's error is judged by its own Uncertain mark only, and gains
// none (broadcast.MarkPartAs).
func replaceTargets(te *broadcast.TargetsError, msg string, replace func(string) string) *broadcast.TargetsError {
	orig, _ := text(te)
	holds := func(c *broadcast.TargetsError) bool {
		return shows(c, replace) || !fits(msg, []string{orig}, []string{c.Error()}, replace)
	}
	// A copy keeps what the package's own fields say (a Retract's, the
	// targets a Fanout did).
	c := te.ShowingTargets(replace)
	c.Pending = replaceFailures(te.Pending, replace, broadcast.MarkAs)
	c.Failures = replaceFailures(te.Failures, replace, broadcast.MarkPartAs)
	if !holds(c) {
		return c
	}
	if c := hiddenTargets(te, replace); c != nil && !holds(c) {
		return c
	}
	return nil
}

// hiddenTargets returns a copy of te whose targets' names and errors show
// as Redacted (see hideFailures), which keeps what te says of each
// target, as replaceTargets' copy does; nil when even it prints a secret.
func hiddenTargets(te *broadcast.TargetsError, replace func(string) string) *broadcast.TargetsError {
	c := te.ShowingTargets(func(string) string { return Redacted })
	c.Pending = hideFailures(te.Pending, broadcast.MarkAs)
	c.Failures = hideFailures(te.Failures, broadcast.MarkPartAs)
	if shows(c, replace) {
		return nil
	}
	return c
}

// hideFailures returns list with each target's error replaced by one
// whose text is Redacted, which matches with errors.Is what the error
// matched and has its marks, given by mark (and is a net.Error where it
// was: see keepNet).
func hideFailures(list []broadcast.TargetFailure, mark func(err, like error) error) []broadcast.TargetFailure {
	if list == nil {
		return nil
	}
	out := make([]broadcast.TargetFailure, len(list))
	for i, f := range list {
		out[i] = broadcast.TargetFailure{Target: f.Target}
		if f.Err != nil {
			out[i].Err = judged(&redactedError{msg: Redacted, orig: f.Err}, f.Err, mark)
		}
	}
	return out
}

// replaceFailures returns list with each target's error through
// replacePart, marked by mark.
func replaceFailures(list []broadcast.TargetFailure, replace func(string) string, mark func(err, like error) error) []broadcast.TargetFailure {
	if list == nil {
		return nil
	}
	out := make([]broadcast.TargetFailure, len(list))
	for i, f := range list {
		out[i] = broadcast.TargetFailure{Target: f.Target, Err: f.Err}
		if f.Err != nil {
			out[i].Err = replacePart(f.Err, replace, mark)
		}
	}
	return out
}

// fits reports whether texts, the redacted texts of origs, each found in
// msg in order after the one before, may stand in their places there:
// msg with them so put in holds no secret but those the rest of msg (a
// wrapper's text) holds whole, which replace finds in each piece of that
// rest alone and the redacted error's text hides: replace changes msg so
// put together as it changes each of those pieces. A secret that a piece
// shares with one of texts (a wrapper's text ending in the start of a
// secret that a part's text ends, also where it ends in a secret that
// overlaps that one) makes it change the whole otherwise: what holds a
// piece of it is not to be reached. When one of origs is not found in
// msg, fits reports true: msg does not print it.
func fits(msg string, origs, texts []string, replace func(string) string) bool {
	var whole, apart strings.Builder // msg with texts in place; and with its pieces replaced each
	rest := msg
	for k, o := range origs {
		i := strings.Index(rest, o)
		if i < 0 {
			return true
		}
		whole.WriteString(rest[:i])
		apart.WriteString(replace(rest[:i]))
		whole.WriteString(texts[k])
		apart.WriteString(texts[k])
		rest = rest[i+len(o):]
	}
	whole.WriteString(rest)
	apart.WriteString(replace(rest))
	return replace(whole.String()) == apart.String()
}

// redactedError is a redacted error: its text msg, as panictext.ErrorText
// read it and redacted, shows the values of panics as that package's
// rule does (panictext.Made).
type redactedError struct {
	panictext.Mark
	msg  string
	orig error
}

// redactedJoin is a redactedError of a join, which unwraps to the join's
// parts, each redacted.
type redactedJoin struct {
	redactedError
	parts []error
}

// Unwrap returns the join's parts, each redacted.
func (e *redactedJoin) Unwrap() []error { return e.parts }

// joinCopy returns the copy of j, a join under a wrapper, that the
// redaction of the wrapper unwraps to (Unwrap() error), so that it keeps
// the original's shape: its text msg (j's redacted, or Redacted), which
// matches with errors.Is what j matched and unwraps (Unwrap() []error) to
// parts, j's redacted.
func joinCopy(j error, msg string, parts []error) error {
	return &redactedJoin{redactedError{msg: msg, orig: j}, parts}
}

// redactedCopy is a redactedError of an error holding a
// *broadcast.TargetsError, which unwraps to a copy of it, each target's
// error redacted; of one holding a *broadcast.DeliveryError,
// *broadcast.PreviewError or *url.Error, which unwraps to a copy of it
// whose error is redacted (hidden, for a hidden part of a join: see
// hidePart); or of a wrapper of a join, which unwraps to a copy of the
// join (see joinCopy).
type redactedCopy struct {
	redactedError
	c error
}

// Unwrap returns the copy.
func (e *redactedCopy) Unwrap() error { return e.c }

func (e *redactedError) Error() string { return e.msg }

// Format prints the redacted text for every verb, %#v and %d included: the
// fields hold the original error.
func (e *redactedError) Format(f fmt.State, verb rune) { printText(f, verb, e.msg) }

// printText prints msg, an error's redacted text, for verb: quoted for
// %q, as it is for every other.
func printText(f fmt.State, verb rune, msg string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", msg)
		return
	}
	_, _ = io.WriteString(f, msg)
}

// keepNet returns red, the redaction of orig, as it is when orig's tree
// holds no net.Error (errors.As finds none); otherwise wrapped in a
// net.Error whose Timeout and Temporary answer as the one errors.As finds
// in orig did, so that a caller asking whether a redacted error timed out
// (a *url.Error's Timeout asks its Err so) is told as it was, without the
// net.Error itself, whose text may hold the secret: red's tree holds it
// where it printed none (see replacePart), and its type is then found
// too. A *url.Error, a *net.OpError, a *net.DNSError, an
// *os.SyscallError and the deadline errors of net and os are net.Errors,
// or delegate to one.
// It is looked for as errwalk.AsType looks: past a part whose methods
// panic, never a typed nil; where its Timeout or Temporary panics, the
// answer is false.
func keepNet(red, orig error) error {
	ne, ok := errwalk.AsType[net.Error](orig)
	if !ok {
		return red
	}
	n := &redactedNet{err: red}
	n.timeout, _ = errwalk.Try(ne.Timeout)
	// Temporary is deprecated, yet net.Error has it, and a caller may ask.
	if t, ok := ne.(interface{ Temporary() bool }); ok {
		n.temporary, _ = errwalk.Try(t.Temporary)
	}
	return n
}

// redactedNet is a redacted error of one that held a net.Error: see
// keepNet. It unwraps to the redacted error, so that errors.Is and the
// marks are as that one's.
type redactedNet struct {
	panictext.Mark     // as redactedError
	err                error
	timeout, temporary bool
}

func (e *redactedNet) Error() string { return e.err.Error() }

// Format prints the redacted text for every verb, as redactedError does.
func (e *redactedNet) Format(f fmt.State, verb rune) { printText(f, verb, e.err.Error()) }

// Unwrap returns the redacted error.
func (e *redactedNet) Unwrap() error { return e.err }

// Timeout reports what the original's net.Error did.
func (e *redactedNet) Timeout() bool { return e.timeout }

// Temporary reports what the original's net.Error did.
func (e *redactedNet) Temporary() bool { return e.temporary }

// Is reports a match of the original chain without exposing it; no match
// where walking it panics (see errwalk.Try).
func (e *redactedError) Is(target error) bool {
	return errwalk.Is(e.orig, target)
}

// text returns err's Error(), and true; where that panics (see
// errwalk.Try), or quotes, as fmt does, the value of a panic (of an error
// in err's tree whose Error panics, a *url.Error's of its Err; of a
// Stringer's String method), what panictext.ErrorText shows instead
// ("<nil>" for a nil pointer, "%!v(PANIC=Error method: a string)", "a
// value not shown"; not the value, which may quote a secret the Redactor
// does not know) and false: then a text holding no secret does not tell
// that err's tree holds none. A redacted error's text is panictext.Made:
// its quotes are shown already.
func text(err error) (string, bool) {
	return panictext.ErrorText(err)
}

// judged returns red, the redaction of orig, with orig's marks given by
// mark, as a net.Error where orig held one (see keepNet). The marks are
// read as broadcast reads them, past a part whose methods panic.
func judged(red, orig error, mark func(err, like error) error) error {
	return keepNet(mark(red, orig), orig)
}
