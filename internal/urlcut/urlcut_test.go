package urlcut

import (
	"net/url"
	"strings"
	"testing"
)

// Problem finds a URL whose password a "/", "?" or "#" cut short, names
// the port and the part, quotes nothing of the URL, and lets every other
// URL pass.
func TestProblem(t *testing.T) {
	email := func(k, _ string) bool { return k == "to" }
	for _, tc := range []struct {
		raw  string
		own  func(string, string) bool
		want string // "": no problem
	}{
		{"https://bot:7319/hunter2@api.example.com/", nil, "port: followed by a path"},
		{"https://bot:7319?hunter2@api.example.com/", nil, "port: followed by a query"},
		{"https://bot:7319#hunter2@api.example.com/", nil, "port: followed by a fragment"},
		{"https://bot:/hunter2@api.example.com/", nil, "port: empty"},
		{"https://bot:?hunter2@api.example.com/", nil, "port: empty"},
		{"https://api.example.com:8443/x?to=ops@example.com", email, ""},
		{"https://api.example.com:8443/x?cc=ops@example.com", email, "port: followed by a query"},
		{"https://api.example.com:8443/%40ops", nil, ""},
		{"https://api.example.com/@ops", nil, ""},                // no port: the host is the host
		{"https://bot:hunter2@api.example.com:8443/@x", nil, ""}, // user information: the caller's to refuse
		{"https://api.example.com:8443/incidents/42", nil, ""},
	} {
		u, err := url.Parse(tc.raw)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", tc.raw, err)
		}
		got := Problem(u, tc.own)
		if tc.want == "" {
			if got != "" {
				t.Errorf("Problem(%q) = %q, want none", tc.raw, got)
			}
			continue
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("Problem(%q) = %q, want it to begin %q", tc.raw, got, tc.want)
		}
		if strings.Contains(got, "hunter2") || strings.Contains(got, "bot") {
			t.Errorf("Problem(%q) = %q quotes the URL", tc.raw, got)
		}
	}
}
