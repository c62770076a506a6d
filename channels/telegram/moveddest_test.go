package telegram

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// TestMarkdownTemplateShowsMovedDestinationsURL: Telegram shows the text
// of any template as written (the channel escapes it into HTML), so a
// link destination that the cut of an override moves after the ellipsis
// is written as the URL the link points to, "&" as "&", whichever
// template the channel renders. Before, with the markdown template, it
// was written as a CommonMark autolink, "&amp;" for each "&" that starts
// a character reference, which the reader saw as written:
// <https://x.example/?a=1&amp;amp;b=2>, another URL.
func TestMarkdownTemplateShowsMovedDestinationsURL(t *testing.T) {
	for _, name := range []string{"markdown", "text"} {
		f := newFakeBot(t)
		ch := newTestChannel(t, f, []string{"@examplestatus"}, func(c *Config) { c.Template = name })
		u := testUpdate()
		u.Overrides = map[string]string{ch.Name(): strings.Repeat("word ", MaxLength/5) +
			"See [the page](https://x.example/?a=1&amp;amp;b=2) and more words."}
		_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
		require.NoError(t, err)
		got := f.Received()
		require.Len(t, got, 1)
		assert.True(t, strings.HasSuffix(got[0].Text, templates.Ellipsis+" <https://x.example/?a=1&amp;b=2>"),
			"template %s: %q", name, got[0].Text[max(0, len(got[0].Text)-60):])
	}
}
