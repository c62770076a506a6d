package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenAutolinkWholeOrDropped: an autolink, "<scheme:…>"
// (CommonMark 0.31.2, 6.5), is kept whole or left out whole, as a link
// is, its URL then moved after the ellipsis. Before, a cut fell after its
// "<" where the text before it had no word end, as in Japanese, and the
// host no dot: "障害が発生しています<…", a "<" shown as written.
func TestShortenAutolinkWholeOrDropped(t *testing.T) {
	for _, tt := range []struct{ s, link string }{
		{"障害が発生しています<http://localhost/s>詳細は後ほどお知らせします", "<http://localhost/s>"},
		{"障害が発生しています<https://例え.テスト/状況>詳細は後ほどお知らせします", "<https://例え.テスト/状況>"},
		{"障害が発生しています<irc://irc/ops>詳細は後ほどお知らせします", "<irc://irc/ops>"},
	} {
		for limit := 1; limit <= len(tt.s); limit++ {
			got := templates.Shorten(tt.s, limit, templates.Runes)
			head, _, _ := strings.Cut(got, templates.Ellipsis)
			if strings.Contains(head, "<") {
				assert.Contains(t, head, tt.link, "%q at %d: an autolink cut", got, limit)
			}
		}
	}
	// Left out, its URL moves as any other.
	assert.Equal(t, "障害が発生しています… http://localhost/s",
		templates.Shorten("障害が発生しています<http://localhost/s>詳細は後ほどお知らせします", 30, templates.Runes))
}
