package statuspage

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A link on the page ends with the URL when the sentence goes on without
// a space: at a CJK bracket, a guillemet, an ideographic full stop.
func TestRichTextLinkEndsWithTheURL(t *testing.T) {
	got := string(richText("詳細はhttps://s.example/i/1」をご覧ください。«https://s.example/a» (see https://s.example/b)。"))
	assert.Equal(t, `<p>詳細は<a href="https://s.example/i/1" rel="nofollow">https://s.example/i/1</a>」をご覧ください。`+
		`«<a href="https://s.example/a" rel="nofollow">https://s.example/a</a>» `+
		`(see <a href="https://s.example/b" rel="nofollow">https://s.example/b</a>)。</p>`, got)
}
