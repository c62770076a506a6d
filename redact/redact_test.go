package redact_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type config struct {
	User     string
	Password redact.Secret
	Hook     redact.URL
	Tokens   []redact.Secret
	ByName   map[string]redact.Secret
	Ptr      *redact.Secret
}

const pw = "s3cr3t-Pa/ss+word"

func sample() config {
	p := redact.NewSecret(pw + "-ptr")
	return config{User: "ops", Password: redact.NewSecret(pw),
		Hook:   redact.NewURL("https://hooks.example.com/services/T0001/B0002/abcdefghijklmnop?token=qs-secret-42"),
		Tokens: []redact.Secret{redact.NewSecret(pw + "-1")}, ByName: map[string]redact.Secret{"a": redact.NewSecret(pw + "-2")}, Ptr: &p}
}

// secrets of sample() that must never be printed.
var secrets = []string{pw, "abcdefghijklmnop", "qs-secret-42", "T0001"}

func TestSecretNeverPrints(t *testing.T) {
	c := sample()
	var outs []string
	// Every verb, also those fmt handles without calling any method: %p,
	// and %s of a pointer inside a map or slice (fmt's "bad verb" path).
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%p"} {
		for _, arg := range []any{c, &c, c.Password, c.Hook, map[string]any{"cfg": &c}, []any{&c}, struct{ c *config }{&c}} {
			outs = append(outs, fmt.Sprintf(verb, arg))
		}
	}
	j, err := json.Marshal(c)
	require.NoError(t, err)
	y, err := yaml.Marshal(c)
	require.NoError(t, err)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("cfg", "config", c, "password", c.Password, "hook", c.Hook)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("cfg", "password", c.Password, "hook", c.Hook)
	outs = append(outs, string(j), string(y), logs.String())
	for _, out := range outs {
		for _, s := range secrets {
			assert.NotContains(t, out, s)
		}
	}
	assert.Contains(t, string(j), `"Password":"REDACTED"`)
	assert.Contains(t, string(j), `"Hook":"https://hooks.example.com/…?…"`)
	assert.Contains(t, string(y), "password: REDACTED")
	assert.Equal(t, pw, c.Password.Reveal())
	assert.Equal(t, "", redact.NewSecret("").String(), "an unset secret shows as unset")
}

func TestSecretDecodes(t *testing.T) {
	var c struct {
		Password redact.Secret `json:"password" yaml:"password"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"password":"from-json"}`), &c))
	assert.Equal(t, "from-json", c.Password.Reveal())
	require.NoError(t, yaml.Unmarshal([]byte("password: from-yaml\n"), &c))
	assert.Equal(t, "from-yaml", c.Password.Reveal())
}

func TestShowURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.slack.com/services/T/B/X":     "https://hooks.slack.com/…",
		"https://user:pw@example.com:8443/x?token=1": "https://example.com:8443/…?…",
		"https://example.com":                        "https://example.com",
		"https://example.com/":                       "https://example.com",
		"not a url":                                  "REDACTED",
		"":                                           "",
		"http://[::1":                                "REDACTED",
	} {
		assert.Equal(t, want, redact.ShowURL(raw), raw)
	}
}

func TestRedactorEncodings(t *testing.T) {
	const user = "bot@example.com"
	secret := "tok/en+1ü?&=\"<>"
	whsec := "whsec_" + base64.StdEncoding.EncodeToString([]byte("signing-key-bytes-0123456789"))
	unpadded := "whsec_" + base64.RawStdEncoding.EncodeToString([]byte("unpadded-signing-key-01234567")) // as webhook takes it too
	r := redact.NewRedactor(redact.NewSecret(secret), redact.NewSecret(whsec), redact.NewSecret(unpadded)).WithLogin(user, redact.NewSecret(pw))
	q, _ := json.Marshal(secret)
	echoes := map[string]string{
		"raw":                       secret,
		"query escape":              url.QueryEscape(secret),
		"path escape":               url.PathEscape(secret),
		"json":                      string(q[1 : len(q)-1]),
		"hex":                       hex.EncodeToString([]byte(secret)),
		"base64":                    base64.StdEncoding.EncodeToString([]byte(secret)),
		"base64 url raw":            base64.RawURLEncoding.EncodeToString([]byte(secret)),
		"sasl plain":                base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pw)),
		"auth plain authz":          base64.StdEncoding.EncodeToString([]byte(user + "\x00" + user + "\x00" + pw)),
		"auth login":                base64.StdEncoding.EncodeToString([]byte(pw)),
		"basic":                     base64.StdEncoding.EncodeToString([]byte(user + ":" + pw)),
		"xoauth2":                   base64.StdEncoding.EncodeToString([]byte("user=" + user + "\x01auth=Bearer " + pw + "\x01\x01")),
		"whsec key alone":           strings.TrimPrefix(whsec, "whsec_"),
		"whsec raw key":             "signing-key-bytes-0123456789",
		"unpadded whsec key in hex": hex.EncodeToString([]byte("unpadded-signing-key-01234567")),
		"json \\u escapes":          `tok\u002fen\u002b1\u00fc\u003f\u0026\u003d\u0022\u003c\u003e`,
		"html":                      html.EscapeString(secret),
		"html, named quote":         "tok/en+1ü?&amp;=&quot;&lt;&gt;",
		"html, hex entities":        "tok/en+1ü?&#x26;=&#x22;&#x3C;&#x3E;",
	}
	for name, echo := range echoes {
		out := r.String("535 5.7.8 authentication failed for " + echo + " (try again)")
		assert.NotContains(t, out, echo, name)
		assert.Contains(t, out, "REDACTED", name)
		assert.Contains(t, out, "(try again)", name)
	}
	assert.Equal(t, "nothing secret here", r.String("nothing secret here"))
	var nilR *redact.Redactor
	assert.Equal(t, secret, nilR.String(secret))
}

func TestRedactorURL(t *testing.T) {
	hook := redact.NewURL("https://hooks.example.com/services/T0001/B0002/abcdefghijklmnop?token=qs-secret-42")
	r := redact.NewRedactor().WithURL(hook)
	out := r.String(`Post "` + hook.Reveal() + `": dial tcp: i/o timeout; token qs-secret-42; path abcdefghijklmnop; see services`)
	for _, s := range secrets[1:] {
		assert.NotContains(t, out, s)
	}
	assert.Contains(t, out, `Post "https://hooks.example.com/…?…": dial tcp`)
	assert.Contains(t, out, "services", "short path words are kept elsewhere in the text")

	// Short query values are not secrets: a status code keeps its digits.
	r = redact.NewRedactor().WithURL(redact.NewURL("https://example.com/hook?api-version=1&sig=abcd&code=42"))
	assert.Equal(t, "http status 401", r.String("http status 401"))
	assert.Equal(t, "sig REDACTED", r.String("sig abcd"), "a value named like a credential is one")

	// A token as the user name, with no password (https://TOKEN@host/):
	// Go's HTTP errors keep such a user name.
	r = redact.NewRedactor().WithURL(redact.NewURL("https://sk_live_4eC39HqLyjW@api.example.com/v1"))
	assert.Equal(t, "user REDACTED refused", r.String("user sk_live_4eC39HqLyjW refused"))
	r = redact.NewRedactor().WithURL(redact.NewURL("https://sk_live_4eC39HqLyjW:@api.example.com/v1")) // curl -u TOKEN:
	assert.Equal(t, "user REDACTED refused", r.String("user sk_live_4eC39HqLyjW refused"), "an empty password is none")
	r = redact.NewRedactor().WithURL(redact.NewURL("https://bot:pw-0042-secret@irc.example.com/"))
	assert.Equal(t, "bot REDACTED", r.String("bot pw-0042-secret"), "beside a password, the user name is a name")
}

func TestRedactorError(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	plain := errors.New("connection refused")
	assert.Same(t, plain, r.Error(plain), "nothing to redact: the error itself")
	assert.Nil(t, r.Error(nil))

	orig := broadcast.RetryAfter(fmt.Errorf("server said %q: %w", pw, context.DeadlineExceeded), 3*time.Second)
	err := r.Error(orig)
	assert.NotContains(t, err.Error(), pw)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "Is still matches")
	d, ok := broadcast.RetryDelay(err)
	assert.True(t, ok)
	assert.Equal(t, 3*time.Second, d)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, err), pw, verb)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		assert.NotContains(t, fmt.Sprintf("%#v", e), pw, "no error in the chain holds the secret visibly")
	}
	assert.True(t, broadcast.IsPermanent(r.Error(broadcast.Permanent(errors.New("bad "+pw)))))
}

// A server may echo a secret inside a longer base64 text, at any byte
// offset: the AUTH PLAIN line of a login the Redactor was not told the user
// of, a base64 JSON body, a token in a JWT.
func TestRedactorBase64Offsets(t *testing.T) {
	const secret = "correct-horse-battery-staple"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		for _, pre := range []string{"", "a", "ab", "\x00ops\x00", "\x00ops@example.com\x00", "authz\x00ops\x00"} {
			for _, post := range []string{"", "!", "!?", "&more=1"} {
				blob := enc.EncodeToString([]byte(pre + secret + post))
				out := r.String("535 " + blob + " end")
				assert.Contains(t, out, "REDACTED", "%q+secret+%q", pre, post)
				assert.Less(t, len(out)-len("535 REDACTED end"), 4+len(pre)*4/3+len(post)*4/3+3,
					"at most the characters of the other bytes are left: %q+secret+%q gave %q", pre, post, out)
				// No run of the secret's base64, at any alignment, is left.
				for k := range 3 {
					core := enc.EncodeToString([]byte(strings.Repeat("\xff", k) + secret))[4:16]
					assert.NotContains(t, out, core, "%q+secret+%q", pre, post)
				}
			}
		}
	}
	assert.Equal(t, "YWJj ok", r.String("YWJj ok"), "other base64 is left alone")
}

// Encoders differ in what they percent-escape, in the case of the hex
// digits and in how they write a space; each of their forms is redacted.
func TestRedactorPercentForms(t *testing.T) {
	const secret = "pa ss/wörd!*'()~$&+=:@"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for name, form := range map[string]string{
		"go query":                 url.QueryEscape(secret),
		"go query lower":           strings.ToLower(url.QueryEscape(secret)),
		"go path":                  url.PathEscape(secret),
		"go path lower":            strings.ToLower(url.PathEscape(secret)),
		"js encodeURIComponent":    "pa%20ss%2Fw%C3%B6rd!*'()~%24%26%2B%3D%3A%40",
		"python quote":             "pa%20ss/w%C3%B6rd%21%2A%27%28%29~%24%26%2B%3D%3A%40",
		"python quote_plus lower":  "pa+ss%2fw%c3%b6rd%21%2a%27%28%29~%24%26%2b%3d%3a%40",
		"java URLEncoder":          "pa+ss%2Fw%C3%B6rd%21*%27%28%29%7E%24%26%2B%3D%3A%40",
		"php rawurlencode":         "pa%20ss%2Fw%C3%B6rd%21%2A%27%28%29~%24%26%2B%3D%3A%40",
		"php urlencode":            "pa+ss%2Fw%C3%B6rd%21%2A%27%28%29%7E%24%26%2B%3D%3A%40",
		"every byte escaped lower": "pa%20ss%2fw%c3%b6rd%21%2a%27%28%29%7e%24%26%2b%3d%3a%40",
	} {
		assert.Equal(t, "token=REDACTED;", r.String("token="+form+";"), name)
	}
}

// JSON encoders and Go's quoting escape differently: non-ASCII as \u
// (Python, PHP), "/" as \/ (PHP), control characters as \x (Go).
func TestRedactorQuotedForms(t *testing.T) {
	const secret = "tok/en\tü\x01\x7f\"<>😀"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for name, form := range map[string]string{
		"go %q":        strconv.Quote(secret),
		"go %+q":       strconv.QuoteToASCII(secret),
		"python json":  `"tok/en\t\u00fc\u0001` + "\x7f" + `\"<>\ud83d\ude00"`,
		"php json":     `"tok\/en\t\u00fc\u0001` + "\x7f" + `\"<>\ud83d\ude00"`,
		"python upper": `"tok/en\t\u00FC\u0001` + "\x7f" + `\"<>\uD83D\uDE00"`,
	} {
		assert.Equal(t, `said "REDACTED"`, r.String("said "+form), name)
	}
}

// A secret with characters that URL encoders escape is found escaped
// again: a Google Chat token ends in "=", which a server that quotes the
// request URL in a link escaped once more writes "%253D". Only whole
// secrets are redacted: the host of a secret DSN stays in other text.
func TestRedactorEscapedAgain(t *testing.T) {
	const token = "5jSAF7_6d-zB9MXTUXqWU8GmpF1D_r3jbwgyOoC6Ez8="
	r := redact.NewRedactor(redact.NewSecret(token), redact.NewSecret("postgres://app:pw@127.0.0.1:5432/app"))
	once := url.QueryEscape(token)
	for _, form := range []string{url.QueryEscape(once), url.QueryEscape(url.QueryEscape(once)), url.PathEscape(once),
		strings.ReplaceAll(url.QueryEscape(once), "%253D", "%253d")} {
		assert.Equal(t, "u=REDACTED;", r.String("u="+form+";"), form)
	}
	assert.Equal(t, "listening on 127.0.0.1:8080", r.String("listening on 127.0.0.1:8080"))

	// Escaped again by an encoder that escapes what the first left alone:
	// "+" for a space, "/" and "=" kept by PathEscape.
	r = redact.NewRedactor(redact.NewSecret("pass word=12345678"), redact.NewSecret("ab+cd/ef=gh12345678"))
	for _, form := range []string{
		url.QueryEscape(url.QueryEscape("pass word=12345678")),
		strings.ToLower(url.QueryEscape(url.QueryEscape("pass word=12345678"))),
		url.QueryEscape(url.PathEscape("ab+cd/ef=gh12345678")),
		url.QueryEscape(url.QueryEscape(url.PathEscape("ab+cd/ef=gh12345678"))),
	} {
		assert.Equal(t, "u=REDACTED;", r.String("u="+form+";"), form)
	}
}

// A URL's credential is found as the request sends it and as a server
// echoes it: a token that is the whole query ("?TOKEN"), a path segment
// with an escaped "/", a query value with a "+" or "/" the URL did not
// escape (the client sends it as written).
func TestRedactorURLAsSent(t *testing.T) {
	for raw, echo := range map[string]string{
		"https://api.example.com/hook?abcdef1234567890abcdef":                "abcdef1234567890abcdef",
		"https://api.example.com/hook?v=2&abcdef1234567890abcdef":            "abcdef1234567890abcdef",
		"https://api.example.com/hook/ab%2Fcd1234efgh5678":                   "ab/cd1234efgh5678",
		"https://api.example.com/hook/ab%2Fcd1234efgh5678/x":                 "ab%2Fcd1234efgh5678",
		"https://api.example.com/hook?sig=ab+cd/ef1234==&se=2030-01-01":      "ab+cd/ef1234==",
		"https://api.example.com/hook?token=Zm9v+YmFy/YmF6MTIz==":            "Zm9v+YmFy/YmF6MTIz==",
		"https://api.example.com/hook?api-version=1&code=ab+cd/ef1234==&x=1": "ab+cd/ef1234==",
	} {
		r := redact.NewRedactor().WithURL(redact.NewURL(raw))
		assert.Equal(t, "bad token REDACTED (401)", r.String("bad token "+echo+" (401)"), raw)
	}
}

// HTML writers that escape double quotes but leave single quotes alone, as
// PHP's htmlspecialchars did by default before PHP 8.1 (ENT_COMPAT) and
// Apache's error pages do.
func TestRedactorHTMLDoubleQuotesOnly(t *testing.T) {
	const secret = `it's "q" & <b>1234`
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, form := range []string{
		`it's &quot;q&quot; &amp; &lt;b&gt;1234`,
		`it's &#34;q&#34; &amp; &lt;b&gt;1234`,
	} {
		assert.Equal(t, "<p>REDACTED</p>", r.String("<p>"+form+"</p>"), form)
	}
}

// A "/", "?" or "#" in a password, not %-escaped, ends the authority:
// url.Parse takes the user name for the host and the password's digits
// before it for a port, and the rest of the password, its "@" and the real
// host for the path, query or fragment. Such a URL shows no host, which
// would be the user name and part of the password.
func TestShowURLPasswordCutShort(t *testing.T) {
	for _, raw := range []string{
		"https://bot:1234/5678@irc.example.com/",
		"https://bot:1234?5678@irc.example.com/",
		"https://bot:1234#5678@irc.example.com/",
		"https://bot:?1234@irc.example.com/",
	} {
		assert.Equal(t, "REDACTED", redact.ShowURL(raw), raw)
		assert.Equal(t, "REDACTED", redact.NewURL(raw).String(), raw)
	}
	// An "@" in the path of a URL without a port is the path's.
	assert.Equal(t, "https://example.webhook.office.com/…",
		redact.ShowURL("https://example.webhook.office.com/webhookb2/a1@b2/IncomingWebhook/c3/d4"))
	assert.Equal(t, "https://example.com:8443/…", redact.ShowURL("https://example.com:8443/a%40b"))
}

// A host that %-escapes bytes that are not UTF-8 (url.Parse takes them) is
// shown, as ShowURL shows it, in valid JSON: a Config holding such a URL
// still encodes.
func TestURLMarshalJSONInvalidUTF8(t *testing.T) {
	j, err := json.Marshal(struct{ U redact.URL }{redact.NewURL("https://%FFhost/hook/abcdef123456")})
	require.NoError(t, err)
	assert.True(t, json.Valid(j), "%s", j)
	assert.NotContains(t, string(j), "abcdef123456")
}

// .NET's System.Text.Json escapes by default, besides what JSON requires,
// what is sensitive in HTML ("+" among it, as in a base64 token) and
// everything outside ASCII, with upper-case hex; a quotation mark as
// \u0022. ASP.NET services answer so.
func TestRedactorDotNetJSON(t *testing.T) {
	for secret, form := range map[string]string{
		"ab+cd/ef12345==":            `ab\u002Bcd/ef12345==`,
		"it's <x> & \"y\" `z` ü\\ 1": `it\u0027s \u003Cx\u003E \u0026 \u0022y\u0022 \u0060z\u0060 \u00FC\\ 1`,
		"tab\there 😀 99":             `tab\there \uD83D\uDE00 99`,
	} {
		r := redact.NewRedactor(redact.NewSecret(secret))
		assert.Equal(t, `{"error":"REDACTED"}`, r.String(`{"error":"`+form+`"}`), secret)
	}
}

// Go's html/template escapes "+" as "&#43;", in text and in quoted
// attributes, as a Go server's HTML error page writes a base64 token.
func TestRedactorHTMLTemplate(t *testing.T) {
	for _, secret := range []string{"dG9rZW4+c2VjcmV0/MTIz", `it's+"q"&<b>`} {
		r := redact.NewRedactor(redact.NewSecret(secret))
		for _, text := range []string{`<p>{{.}}</p>`, `<a title="{{.}}">x</a>`} {
			var b strings.Builder
			require.NoError(t, template.Must(template.New("").Parse(text)).Execute(&b, secret))
			out := r.String(b.String())
			assert.Contains(t, out, "REDACTED", b.String())
			assert.NotContains(t, out, "MTIz", b.String())
			assert.NotContains(t, out, "&lt;b&gt;", b.String())
		}
	}
}

// Gson, Java's common JSON encoder, escapes < > & = and ' by default
// (HTML-safe), as \u003d the padding of a base64 token, and leaves the
// rest of the text as it is.
func TestRedactorGsonJSON(t *testing.T) {
	for secret, form := range map[string]string{
		"dG9r+ZW4/c2VjcmV0LTE=": `dG9r+ZW4/c2VjcmV0LTE\u003d`,
		`it's <b>&"ü"`:          `it\u0027s \u003cb\u003e\u0026\"ü\"`,
	} {
		r := redact.NewRedactor(redact.NewSecret(secret))
		assert.Equal(t, `{"error":"bad token REDACTED"}`, r.String(`{"error":"bad token `+form+`"}`), secret)
	}
}

// A token given as a user name, without a password, that a "/", "?" or
// "#" not %-escaped cut short (a base64 token holds "/") shows no part of
// itself: url.Parse takes its start for the host.
func TestShowURLUserNameCutShort(t *testing.T) {
	for _, raw := range []string{
		"https://AbCdEf/gh+ij==@api.example.com/x",
		"https://AbCdEf/gh/ij==:@api.example.com/",
		"https://AbCdEf?gh@api.example.com/",
		"https://AbCdEf#gh@api.example.com/",
	} {
		assert.Equal(t, "REDACTED", redact.ShowURL(raw), raw)
		assert.NotContains(t, fmt.Sprint(redact.NewURL(raw)), "AbCd", raw)
	}
	// An "@" that starts a path segment, or on a host with a dot, is the
	// path's.
	assert.Equal(t, "https://mastodon.social/…", redact.ShowURL("https://mastodon.social/@alice"))
	assert.Equal(t, "http://localhost/…", redact.ShowURL("http://localhost/@alice"))
	assert.Equal(t, "https://example.com/…", redact.ShowURL("https://example.com/user@example.org"))
}

// A token given as a user name whose one "/" (or "?", "#") is its last
// character leaves the "@" at the start of a path segment (or of the
// query): url.Parse takes all the token but that character for the host.
// An "@" there followed by a host name (a dot, a port) is the user
// information's, and the URL prints as REDACTED; one followed by a name
// alone (http://localhost/@alice) is the path's.
func TestShowURLUserNameEndingInSlash(t *testing.T) {
	for _, raw := range []string{
		"https://AbCdEfGhIjKl0123/@api.example.com/v1",
		"https://AbCdEfGhIjKl0123?@api.example.com/v1",
		"https://AbCdEfGhIjKl0123#@api.example.com/v1",
		"http://AbCdEfGhIjKl0123/@localhost:8080/v1",
	} {
		assert.Equal(t, "REDACTED", redact.ShowURL(raw), raw)
		assert.NotContains(t, fmt.Sprint(redact.NewURL(raw)), "AbCd", raw)
	}
	for raw, want := range map[string]string{
		"http://localhost/@alice":            "http://localhost/…",
		"http://intranet/team/@ops?tab=2":    "http://intranet/…?…",
		"http://[::1]/@alice":                "http://[::1]/…",
		"https://mastodon.social/@alice.bob": "https://mastodon.social/…",
	} {
		assert.Equal(t, want, redact.ShowURL(raw), raw)
	}
}

// A URL on localhost or an IP address with a port and an "@" that starts
// a path segment followed by a name alone is a path's (a profile, as
// Mastodon writes it): it shows. On another host, that host and port may
// be a user name and a password's digits (see
// TestShowURLCutBeforeHostNameAlone). One whose "@" may end a password cut short by a "/", "?" or "#" (inside
// a segment, or followed by a host name) does not; nor does one whose
// user name, an e-mail address, holds an "@" unescaped, which url.Parse
// takes for the end of the user information, the password's digits for
// a port.
func TestShowURLPortAndAtInPath(t *testing.T) {
	for raw, want := range map[string]string{
		"http://localhost:8080/@alice":                         "http://localhost:8080/…",
		"https://social.example:8443/@alice/12345":             "REDACTED",
		"http://[::1]:8080/@alice?tab=2":                       "http://[::1]:8080/…?…",
		"https://example.com:8443/a%40b":                       "https://example.com:8443/…",
		"https://user:pw@example.com:8443/x?token=1":           "https://example.com:8443/…?…",
		"https://bot:1234/@irc.example.com/":                   "REDACTED",
		"https://bot:1234/@localhost/":                         "REDACTED",
		"https://bot:1234/@[::1]/":                             "REDACTED",
		"https://bot:1234/5678@ircserver/":                     "REDACTED",
		"smtp://ops@example.com:1234/abc@smtp.example.com:587": "REDACTED",
		"https://ops@example.com:1234?x@smtp.example.com/":     "REDACTED",
		"http://AbCdEfGhIjKl0123/@localhost/v1":                "REDACTED",
	} {
		assert.Equal(t, want, redact.ShowURL(raw), raw)
	}
}

// A password of digits that a "/", "?" or "#" not %-escaped ends, or a
// token given as a user name that one ends, followed by a host name alone
// (http://bot:1234/@alice: user "bot", password "1234/", host "alice"),
// leaves url.Parse a host and port that are the user information and a
// path, query or fragment that is "@" and a name, as a profile's path
// is: with a port, such a URL shows only on a host that cannot be a user
// name (localhost, an IP address), and without one only when the host is
// no token; neither ShowURL nor a Redactor's error shows the password.
func TestShowURLCutBeforeHostNameAlone(t *testing.T) {
	for _, raw := range []string{
		"http://bot:1234/@alice",
		"http://bot:1234?@alice",
		"http://bot:1234#@alice",
		"http://bot:1234/@alice/x",
		"https://first.last:2024/@alice",
		"https://social.example:8443/@alice/12345",
		"smtp://ops@example.com:1234/@mail",
		"http://:1234/@alice",
		"http://AbCdEfGhIjKl0123/@alice",
		"http://AbCdEfGhIjKl0123?@alice",
		"http://AbCdEfGh12#@alice",
	} {
		assert.Equal(t, "REDACTED", redact.ShowURL(raw), raw)
		r := redact.NewRedactor().WithURL(redact.NewURL(raw))
		err := r.Error(&url.Error{Op: "Post", URL: raw, Err: io.EOF})
		assert.Equal(t, `Post "REDACTED": EOF`, err.Error(), raw)
	}
	for raw, want := range map[string]string{
		"http://localhost:8080/@alice":   "http://localhost:8080/…",
		"http://127.0.0.1:8080/@alice":   "http://127.0.0.1:8080/…",
		"http://[::1]:8080/@alice?tab=2": "http://[::1]:8080/…?…",
		"http://intranet/team/@ops":      "http://intranet/…",
		"https://mastodon.social/@alice": "https://mastodon.social/…",
	} {
		assert.Equal(t, want, redact.ShowURL(raw), raw)
	}
}
