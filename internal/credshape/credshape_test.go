package credshape

import "testing"

// TestShapes: each rule in one sentence, with texts that have the shape
// and texts that do not.
func TestShapes(t *testing.T) {
	for _, tt := range []struct {
		name string
		rule func(string) bool
		yes  []string
		no   []string
	}{
		{"Authorization: a scheme's word followed by more text", Authorization,
			[]string{"Bearer abc", "Authorization: Bearer abc", "token x", "BOT x", "api-key: k"},
			[]string{"Bearer", "bearer:", "Content-Type", "tokens are short"}},
		{"Colon: a colon before more text", Colon,
			[]string{"user:password", "user:pw@host", "X-Api-Key: k"},
			[]string{"plain", "trailing:", "trailing:  "}},
		{"Token: 16 or more characters of a token's alphabet with a digit", Token,
			[]string{"xoxb-1234567890ab", "a1bcdefghijklmnop", "see ghp_0123456789abcdef here"},
			[]string{"abcdefghijklmnopq", "a1bcdefghijklmn", "1234567 89abcdefgh", "über1234567890a"}},
	} {
		for _, v := range tt.yes {
			if !tt.rule(v) || !Any(v) {
				t.Errorf("%s: %q should have the shape", tt.name, v)
			}
		}
		for _, v := range tt.no {
			if tt.rule(v) {
				t.Errorf("%s: %q should not have the shape", tt.name, v)
			}
		}
	}
}
