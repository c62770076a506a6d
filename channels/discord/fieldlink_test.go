package discord

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Discord links a URL in a field's value up to white space, but for the
// sentence's punctuation at its end: what follows a URL without a space
// ("」#1_b", "»") is part of its link, and a backslash there would show
// in the link and change its address. Around it, text is escaped.
func TestFieldLinkKeepsWhatDiscordLinks(t *testing.T) {
	for in, want := range map[string]string{
		"see https://x.example/a」#1_b now":      "see https://x.example/a」#1_b now",
		"«https://x.example/a_b»":               "«https://x.example/a_b»",
		"[https://x.example/c]. #2":             `\[https://x.example/c\]. \#2`,
		"(https://x.example/Mars_(planet)) _x_": `(https://x.example/Mars_(planet)) \_x\_`,
		"https://x.example/a[1]] *b*":           `https://x.example/a[1]\] \*b\*`,
		"https://x.example/q?a=1!?' -":          `https://x.example/q?a=1!?' \-`,
		"https://x.example/)))":                 `https://x.example/)))`,
		"no link_here":                          `no link\_here`,
	} {
		assert.Equal(t, want, escapeLinked(in), in)
	}
}
