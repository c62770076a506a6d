package credvalue

import "testing"

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
