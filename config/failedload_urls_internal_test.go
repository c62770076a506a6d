package config

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/redact"
)

// Load's error, when it fails, hides of the URLs the file wrote what it
// hid when every one of them fed the Redactor: those of a scheme, a host
// and a path of words, which it leaves out, differ only where such a
// URL itself stands (as is or in an encoding), which the Redactor showed
// as its scheme and host. A value
// written where a URL goes that is no URL ("hunter2", a password put in
// the wrong key) was hidden whole, and must stay so.
func TestFailedLoadHidesWhatEveryURLHid(t *testing.T) {
	written := heldSecrets{urls: []string{
		"https://docs.example.com/guides/status", "https://docs.example.com/", "http://[2001:db8::1]:8080/in",
		"https://ops:pw@hooks.example.com/in", "https://Kq7vT2xN9pLm@hooks.example.com/", "https://hooks.example.com/in?token=abcd",
		"https://hooks.example.com/in?Kq7vT2xN9pLm", "https://hooks.example.com/services/abcDEFghij",
		"https://hooks.example.com/a%2FKq7vT2xN9pLm", "https://hooks.example.com/a;sig=Kq7vT2xN9pLm",
		"https://hooks.example.com/cb#access_token=abcdefgh1", "mailto:ops@example.com", "https://u:pa/ss@example.com/",
		"ircs://irc.example.com:x/ops", "https://host:/x", "file:///etc/outagecast/key", "hunter2", "relative/pw12",
	}}
	e := &expander{}
	filtered := e.hider(written)
	var all []redact.URL
	for _, raw := range written.urls {
		all = append(all, redact.NewURL(raw))
	}
	every := &hider{refs: filtered.refs, red: redact.NewRedactor().WithURLs(all...)} // as before the filter
	// The URLs left out: redact's tests prove that WithURL hides nothing of
	// them alone (no password, user name, query value or path segment),
	// and shows each as its scheme and host. Only their own forms may read
	// otherwise; one it hid whole, as REDACTED, must still be hidden.
	var left []redact.URL
	for _, u := range all {
		if !u.HoldsCredentials() && redact.ShowURL(u.Reveal()) != redact.Redacted {
			left = append(left, u)
		}
	}
	itself := redact.NewRedactor().WithURLs(left...)
	for _, raw := range written.urls {
		parts := []string{raw}
		parts = append(parts, strings.FieldsFunc(raw, func(r rune) bool { return strings.ContainsRune(":/?#[]@&=;", r) })...)
		if p, err := url.Parse(raw); err == nil {
			parts = append(parts, p.Path, p.RawQuery, p.Fragment, p.User.String())
			if pw, ok := p.User.Password(); ok {
				parts = append(parts, pw)
			}
		}
		for _, part := range parts {
			if part == "" {
				continue
			}
			j, _ := json.Marshal(part)
			for _, f := range []string{part, url.QueryEscape(part), url.PathEscape(part), string(j), strings.ToUpper(part),
				base64.StdEncoding.EncodeToString([]byte(part))} {
				text := "test.yaml:3: channels[0].url: refused " + f + " (see " + f + ")"
				want := every.Replace(text)
				got := filtered.Replace(text)
				if got != want && itself.String(got) != want {
					t.Errorf("URL %q: %q reads %q, not %q", raw, text, got, want)
				}
			}
		}
	}
}
