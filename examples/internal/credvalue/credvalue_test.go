package credvalue

import "testing"

// A path is a path; a URL, or settings holding a credential, is not one,
// and what the programs say of it quotes nothing of it.
func TestNotAPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/var/lib/outagecast/state.db", ""},
		{"state.db", ""},
		{"a=b.db", ""}, // settings, but none a credential
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
