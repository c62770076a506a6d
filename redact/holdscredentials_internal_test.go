package redact

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// holdsCredentialsCorpus is URLs of every shape WithURL reads: credentials
// in the user information, in query names and values of every kind, in
// path segments of every shape pathTokenLike takes, percent-encoded,
// IPv6 hosts, ports, odd schemes, mailto:, ";" parameters, and texts that
// do not parse or are no URL at all (a value written where a URL goes).
var holdsCredentialsCorpus = []string{
	"https://docs.example.com/", "https://docs.example.com/guides/status", "https://docs.example.com",
	"https://status.example.com/incidents/cdn-errors", "http://localhost:8080/status", "https://example.com:8443/in",
	"http://[::1]:8080/x", "http://[fe80::1%25en0]/x", "http://192.0.2.1/x", "http://[2001:db8::1]/hooks/in",
	"https://user:pw@example.com/", "https://bob@example.com/", "https://Kq7vT2xN9pLm@example.com/",
	"https://user:p%2Fw@example.com/", "https://user:pa/ss@example.com/", "https://tokenvalue/x@example.com/",
	"https://u:1234/@example.com/", "http://bot:1234/@alice", "https://u@", "https://:pw@example.com/",
	"https://example.com/in?lang=en", "https://example.com/in?token=abcd", "https://example.com/in?Kq7vT2xN9pLm",
	"https://example.com/in?x=Kq7vT2xN9pLm", "https://example.com/in?sig=a%2Bb%3D", "https://example.com/in?api_key=k1",
	"https://example.com/in?", "https://example.com/in?#", "https://example.com/cb#access_token=abc",
	"https://example.com/in#Kq7vT2xN9pLm", "https://example.com/in?a=1;token=abcdefgh1",
	"https://example.com/services/abcDEFghij", "https://example.com/hooks/Kq7vT2xN9pLm",
	"https://example.com/hooks/abcdefgh1", "https://example.com/hooks/abcdefghijklmnop",
	"https://example.com/hooks/abcdefg1", "https://example.com/hooks/abcdefg", "https://example.com/hooks/abc123x",
	"https://example.com/a%2FKq7vT2xN9pLm", "https://example.com/%4Bq7vT2xN9pLm", "https://example.com/%41bcdefgh",
	"https://example.com/a%20b%20c%20d%20e%20f", "https://example.com/StatusPage", "https://example.com/Incidents/",
	"https://example.com/path;token=abcdefgh1", "https://example.com/a;key=pw12", "https://example.com/a;k=x",
	"https://example.com/;sig=abc", "https://example.com/a;b/c", "https://example.com/v1/x.json",
	"https://example.com/%zz", "https://example.com/a%2", "https://exa mple.com/", "https://example.com:x/",
	"https://example.com:/in", "https://host:/x", "https:", "https://", "https:///x", "//example.com/x",
	"/just/a/path", "relative/path", "hunter2", "Kq7vT2xN9pLm", "pw12", "abcdefg", "file:///etc/outagecast/x",
	"unix:///run/outagecast.sock", "mailto:ops@example.com", "mailto:", "mailto:ops", "tel:+15551234567",
	"sms:+15551234567?body=hi", "urn:isbn:0451450523", "irc://irc.example.com/ops", "ircs://irc.example.com:6697/#ops",
	"ircs://nick:Kq7vT2xN9pLm@irc.example.com/ops", "ircs://irc.example.com:x/ops", "smtp://smtp.example.com:587/",
	"smtp://u:p@smtp.example.com:587/?from=a@example.com", "discord://Kq7vT2xN9pLm@123456789012",
	"slack://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
	"matrix://matrix.example.com/!room:example.com", "xmpp:ops@example.com", "HTTPS://EXAMPLE.COM/IN",
	"https://example.com/in%3Ftoken%3Dabcdefgh1", "https://example.com/%40alice", "https://example.com/@alice",
	"https://example.com/a/../b", "https://example.com/caf%C3%A9", "https://exämple.com/x", "https://example.com/\x7f",
	"https://example.com/a\nb", " https://example.com/x", "https://example.com/x ",
}

// urlProbes returns texts that hold raw and its parts, each in the
// encodings a server or an error may write them in: every text from
// which WithURL might hide something of raw.
func urlProbes(raw string) []string {
	parts := []string{raw}
	if p, err := url.Parse(raw); err == nil {
		parts = append(parts, p.Scheme, p.Host, p.Hostname(), p.Port(), p.User.Username(), p.Opaque, p.Path,
			p.EscapedPath(), p.RawQuery, p.Fragment, p.EscapedFragment(), p.User.String())
		if pw, ok := p.User.Password(); ok {
			parts = append(parts, pw, p.User.Username()+":"+pw)
		}
		for _, seg := range strings.Split(p.EscapedPath(), "/") {
			parts = append(parts, asSentAndDecoded(seg, url.PathUnescape)...)
		}
		for _, kv := range strings.FieldsFunc(p.RawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
			k, v, _ := strings.Cut(kv, "=")
			parts = append(parts, kv, k, v)
			parts = append(parts, asSentAndDecoded(v, url.QueryUnescape)...)
		}
	}
	parts = append(parts, strings.FieldsFunc(raw, func(r rune) bool { return strings.ContainsRune(":/?#[]@&=;", r) })...)
	var probes []string
	for _, p := range parts {
		if p == "" {
			continue
		}
		j, _ := json.Marshal(p)
		for _, f := range []string{p, url.QueryEscape(p), url.PathEscape(p), string(j), html.EscapeString(p),
			base64.StdEncoding.EncodeToString([]byte(p)), strings.ToUpper(p), strings.ToLower(p)} {
			probes = append(probes, f, "refused "+f+" here", `"`+f+`"`)
		}
	}
	slices.Sort(probes)
	return slices.Compact(probes)
}

// A URL that HoldsCredentials drops is one from which WithURL hides
// nothing but the URL itself, which becomes its scheme and host ("https://
// docs.example.com/…": the path of words is all it leaves out): no
// password, user name, query value or path segment alone, in any
// encoding, and never the whole text as REDACTED. Over a corpus of every
// shape, every text holding the URL or a part of it reads the same
// through a Redactor with the URL as through one without, once the URL's
// own forms are shown as ShowURL shows them.
func TestHoldsCredentialsDropsNothingHidden(t *testing.T) {
	for _, raw := range holdsCredentialsCorpus {
		u := NewURL(raw)
		if u.HoldsCredentials() {
			continue
		}
		if got := urlSecrets(raw); len(got) > 0 {
			t.Errorf("%q: dropped, but WithURL hides %d secrets of it", raw, len(got))
		}
		if _, _, ok := urlLogin(raw); ok {
			t.Errorf("%q: dropped, but WithURL hides its login", raw)
		}
		shown := ShowURL(raw)
		if shown == Redacted {
			t.Errorf("%q: dropped, but WithURL hides it whole, as REDACTED", raw)
			continue
		}
		withURL := NewRedactor().WithURL(u)
		var pairs []string
		for _, f := range encodings(raw) {
			pairs = append(pairs, f, shown)
		}
		itself := NewRedactor().addPairs(pairs) // the URL's forms, as ShowURL shows them, alone
		for _, probe := range urlProbes(raw) {
			if got, want := withURL.String(probe), itself.String(probe); got != want {
				t.Errorf("%q: dropped, but WithURL hides more of %q: %q, not %q", raw, probe, got, want)
			}
		}
	}
}

// Every URL of the corpus that holds a secret WithURL would hide is kept.
func TestHoldsCredentialsKeepsSecretURLs(t *testing.T) {
	for _, raw := range holdsCredentialsCorpus {
		if (len(urlSecrets(raw)) > 0 || ShowURL(raw) == Redacted) && !NewURL(raw).HoldsCredentials() {
			t.Errorf("%q: holds what WithURL hides, but is dropped", raw)
		}
	}
}

// FuzzHoldsCredentials checks, for any text, that a URL HoldsCredentials
// drops has nothing WithURL hides alone, and a scheme and host to show.
func FuzzHoldsCredentials(f *testing.F) {
	for _, raw := range holdsCredentialsCorpus {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if NewURL(raw).HoldsCredentials() {
			return
		}
		if len(urlSecrets(raw)) > 0 {
			t.Errorf("%q: dropped, but WithURL hides secrets of it", raw)
		}
		if _, _, ok := urlLogin(raw); ok {
			t.Errorf("%q: dropped, but WithURL hides its login", raw)
		}
		if raw != "" && ShowURL(raw) == Redacted {
			t.Errorf("%q: dropped, but WithURL hides it whole", raw)
		}
	})
}
