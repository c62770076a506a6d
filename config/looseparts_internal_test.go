package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// partsSize is the number of bytes of parts.
func partsSize(parts []string) int {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	return n
}

// The parts secretParts gives of a URL url.Parse refuses stay within a
// bound of its length, however many "@" it holds: each "@" may end the
// password, and the candidates, each a copy unescaped, grew with the
// square of the URL's length. A 64 KiB URL of "%41@" gave 768 MB of
// parts, and a file of 1 MiB would exhaust the memory of the loader.
func TestLoosePartsOfManyAtsStaySmall(t *testing.T) {
	raw := "smtp://user:" + strings.Repeat("%41@", 1<<14) + "h:x/"
	parts := secretParts(raw)
	assert.LessOrEqual(t, partsSize(parts), maxLooseSize+16*len(raw))
	// The first password and the one url.Parse would take are among them.
	assert.Contains(t, parts, "A")
	assert.Contains(t, parts, strings.Repeat("A@", 1<<14-1)+"A")
}

// FuzzSecretParts: secretParts never panics, whatever raw holds (many
// "@", bad escapes, invalid UTF-8), keeps its parts within a bound of
// raw's length, and gives no empty part of a URL written.
func FuzzSecretParts(f *testing.F) {
	for _, s := range []string{
		"smtp://user:Zq8x/Kw5v@smtp.example.com:587/?from=s@example.com&to=a@example.com",
		"ircs://bot:Qz7!k@irc.example.com:x/ops", "ircs://bot:Qz7!k@irc.example.com/ops%zz",
		"mastodon://mastodon.social:x?access_token=Qz7!k", "a://@@@:@?@#@", "x:%", "://", "%", "\xff://\xfe@\x00:x/%4",
		"a://u:" + strings.Repeat("%41@", 64) + "h:x/?q=" + strings.Repeat("@", 64),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		parts := secretParts(raw)
		if size := partsSize(parts); size > maxLooseSize+16*len(raw)+16 {
			t.Fatalf("%d bytes of parts of %d bytes", size, len(raw))
		}
		for _, p := range parts {
			if p == "" && raw != "" {
				t.Fatal("an empty part")
			}
		}
	})
}
