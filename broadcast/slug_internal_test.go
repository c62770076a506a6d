package broadcast

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// slugReference is Slug as first written; derived IDs depend on Slug, so
// the faster one must agree with it on every title.
func slugReference(title string) string {
	const maxLen = 64
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if b.Len() > maxLen {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > maxLen {
		cut := strings.LastIndexByte(s[:maxLen+1], '-')
		if cut <= 0 {
			cut = maxLen
		}
		s = s[:cut]
	}
	if s == "" {
		sum := sha256.Sum256([]byte(title))
		return "incident-" + hex.EncodeToString(sum[:6])
	}
	return s
}

func FuzzSlugAgreesWithReference(f *testing.F) {
	for _, s := range []string{"", "CDN errors in EU", "Ünïcode Ｔｉｔｌｅ", "\u212aelvin", "İstanbul", strings.Repeat("ab-", 40), "a\xffb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		if got, want := Slug(title), slugReference(title); got != want {
			t.Fatalf("Slug(%q) = %q, the reference gives %q", title, got, want)
		}
	})
}
