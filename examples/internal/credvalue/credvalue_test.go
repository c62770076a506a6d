package credvalue

import (
	"strings"
	"testing"
)

// A path is a path; a URL, or settings holding a credential, is not one,
// and what the programs say of it quotes nothing of it.
func TestNotAPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/var/lib/outagecast/state.db", ""},
		{"state.db", ""},
		{"a=b.db", ""}, // settings, but none a credential
		// Paths with a "=" in a directory's name: what precedes the first
		// "=" holds a directory separator, which no key of a connection
		// string does.
		{"/data/a=b/state.db", ""},
		{`C:\x=y\state.db`, ""},
		{"./token=abcdef0123456789abcdef/state.db", ""},
		{"/data/build=3f9a1c2e7b5d4a6f8e0c1b2a3d4e5f60/state.db", ""},
		{`D:\keys\api_token=abcdef0123456789abcdef\state.db`, ""},
		{"host=/var/run/postgresql password=Hunter2xyz", "key=value settings (not quoted: they may hold credentials)"},
		{"postgres://ops:Hunter2xyz@db/status", "a URL (not quoted: it may hold credentials)"},
		{"host=db password=Hunter2xyz", "key=value settings (not quoted: they may hold credentials)"},
		{"host=db password='Hunter 2xyz'", "key=value settings (not quoted: they may hold credentials)"},
		{"host = db  sslpassword = Hunter2xyz", "key=value settings (not quoted: they may hold credentials)"},
	} {
		if got := NotAPath(tc.in); got != tc.want {
			t.Errorf("NotAPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A receipt's link keeps what is no credential and loses what is, though
// no secret of the configuration is in it: a platform's answer may carry
// one of its own.
func TestLink(t *testing.T) {
	for link, want := range map[string]string{
		"": "",
		"https://x.com/acme/status/1790000000000000000":      "https://x.com/acme/status/1790000000000000000",
		"https://chat.example.com/p/1?thread=7&page=2":       "https://chat.example.com/p/1?thread=7&page=2",
		"https://bot:hunter22@chat.example.com/p/1":          "https://chat.example.com/p/1",
		"https://TOKEN0123456789ab@chat.example.com/p/1":     "https://chat.example.com/p/1",
		"https://chat.example.com/p/1?access_token=abcd&x=1": "https://chat.example.com/p/1?access_token=REDACTED&x=1",
		"https://chat.example.com/p/1?sig=Zm9vYmFyYmF6cXV4":  "https://chat.example.com/p/1?sig=REDACTED",
		"https://chat.example.com/p/1?a1b2c3d4e5f6g7h8":      "https://chat.example.com/p/1?REDACTED",
		"https://bot:1234/x@chat.example.com/p/1":            "REDACTED", // user information cut short: where does it end?
		"https://chat.example.com/%zz":                       "REDACTED",
		// A fragment of name=value pairs (OAuth's implicit grant answers
		// #access_token=…) is judged as a query is; an anchor is left alone.
		"https://chat.example.com/cb#access_token=abcd&expires_in=3600": "https://chat.example.com/cb#access_token=REDACTED&expires_in=3600",
		"https://chat.example.com/p/1#state=x&code=a1b2c3d4e5f6":        "https://chat.example.com/p/1#state=x&code=REDACTED",
		"https://github.com/o/r/issues/1#issuecomment-1234567890":       "https://github.com/o/r/issues/1#issuecomment-1234567890",
	} {
		if got := Link(link); got != want {
			t.Errorf("Link(%q) = %q, want %q", link, got, want)
		}
	}
}

// A relative path whose first directory's name looks like a credential
// setting ("token=<token>/state.db") cannot be told from a setting whose
// value holds a "/": it is still refused, unquoted, and the error says
// how to write it as a path.
func TestNotAPathSaysHowToWriteAPath(t *testing.T) {
	for _, in := range []string{"token=abcdef0123456789abcdef/state.db", `api_token=abcdef0123456789abcdef\state.db`} {
		got := NotAPath(in)
		if !strings.HasPrefix(got, "key=value settings (not quoted: they may hold credentials") ||
			!strings.Contains(got, `a path whose first directory's name holds a "=" starts with ./`) ||
			strings.Contains(got, "abcdef0123456789abcdef") {
			t.Errorf("NotAPath(%q) = %q", in, got)
		}
	}
	if got := NotAPath("host=db password=Hunter2xyz"); strings.Contains(got, "./") {
		t.Errorf("settings that are no path: %q", got)
	}
	if got := NotAPath("./token=abcdef0123456789abcdef/state.db"); got != "" {
		t.Errorf("written with ./: %q", got)
	}
}
