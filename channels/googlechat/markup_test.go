package googlechat

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Google Chat's text markup ("Format messages", Google Workspace developer
// documentation: *bold*, _italic_, ~strikethrough~, `monospace`, ```block```)
// has no escape. A marker opens a span only where it starts a word: not
// glued to a preceding letter or digit, and followed by a character that
// is not white space, as users type *bold*. defuse puts a zero-width space
// after such a marker, so it opens nothing; a marker inside a word
// (snake_case, 5*3) or standing alone (a * b) is left as written, and so
// are URLs, whose characters must stay as they are for the link to work.
func TestDefuseMarkup(t *testing.T) {
	const z = "\u200b"
	for _, tt := range []struct{ in, want string }{
		{"*bold*", "*" + z + "bold*"},
		{"_italic_ and ~struck~", "_" + z + "italic_ and ~" + z + "struck~"},
		{"run `rm -rf` now", "run `" + z + "rm -rf` now"},
		{"```block```", "`" + z + "`" + z + "`" + z + "block``" + z + "`"}, // a run of markers: each may open
		{"(*note*)", "(*" + z + "note*)"},
		{"line\n_two_", "line\n_" + z + "two_"},
		{"my_var_name and 5*3*2", "my_var_name and 5*3*2"},
		{"a * b _ c ~ d ` e", "a * b _ c ~ d ` e"},
		{"trailing *", "trailing *"},
		{"see https://example.com/_a_/*b*~c", "see https://example.com/_a_/*b*~c"},
		{"<users/all>", "<" + z + "users/all>"},
		{"plain text", "plain text"},
	} {
		assert.Equal(t, tt.want, defuse(tt.in), "defuse(%q)", tt.in)
		assert.Equal(t, tt.in, shown(defuse(tt.in)), "readers see %q as written", tt.in)
	}
}

// Through Send: the author's markers format nothing, the template's still do.
func TestUserMarkupFormatsNothing(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Title, u.Body = "*URGENT* _all_ regions", "Run `purge` and ~wait~; see my_var_name."
	send(t, ch, broadcast.NewMessage(u))

	var b body
	require.NoError(t, json.Unmarshal(f.sent()[0].raw, &b))
	for _, opener := range []string{"*URGENT", "_all", "`purge", "~wait"} {
		assert.NotContains(t, b.Text, opener)
	}
	assert.True(t, strings.HasPrefix(b.Text, "*Identified: *\u200bURGENT* _\u200ball_ regions*"), "the template's bold stays: %q", b.Text)
	assert.Contains(t, shown(b.Text), u.Body, "readers see the body as written")
}

// Google Chat reads a message's text in one of two syntaxes: its own
// (MARKUP_SYNTAX_CHAT: *bold*, <url|text>, <users/all>) or CommonMark
// (MARKUP_SYNTAX_MARKDOWN: **bold**, [text](url), # headings), the
// default of an app being set in its Cloud console, and newly created
// apps default to Markdown ("Format messages", Google Workspace developer
// documentation; Message.markupSyntax in the Chat API's reference). The
// template and defuse are written for Chat's syntax: under Markdown the
// template's *bold* heading reads as italic and an author's
// "[Status page](https://evil.example)" becomes a link with forged text.
// So every post names the syntax it is written in.
func TestTextNamesChatMarkupSyntax(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Body = "See [Status page](https://evil.example) for **details**."
	send(t, ch, broadcast.NewMessage(u))

	req := f.sent()[0]
	assert.Equal(t, "MARKUP_SYNTAX_CHAT", req.body["markupSyntax"], "the syntax the text is written in")
}
