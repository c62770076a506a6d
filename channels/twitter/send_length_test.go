package twitter

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// statusLink is the part of the reported status-page URLs that X links.
const statusLink = "https://status.example.com/"

// plainWeight weighs text without links or emoji by twitter-text's v3
// ranges, independently of Weight.
func plainWeight(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r <= 0x10FF, r >= 0x2000 && r <= 0x200D, r >= 0x2010 && r <= 0x201F, r >= 0x2032 && r <= 0x2037:
			n++
		default:
			n += 2
		}
	}
	return n
}

// xWeight is the weight X gives a post holding the URL statusLink+tail,
// where only statusLink is a link and tail weighs tailWeight.
func xWeight(t *testing.T, post, tail string, tailWeight int) int {
	t.Helper()
	before, after, ok := strings.Cut(post, statusLink+tail)
	require.True(t, ok, "the URL is whole in %q", post)
	return plainWeight(before) + urlWeight + tailWeight + plainWeight(after)
}

// The reported posts: a URL whose path X does not link to the end, and a
// 420-character body. The channel must shorten the body to what X counts,
// or X refuses the post.
func TestSendURLPathAsXCounts(t *testing.T) {
	tests := []struct {
		name       string
		tail       string // what follows statusLink
		tailWeight int
	}{
		{"Japanese path", "インシデント/42", 6*2 + 3},
		{"Greek path", "περιστατικό/42", 11 + 3},
		{"Hebrew path", "תקרית/42", 5 + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, false)
			ch := newTestChannel(t, f)
			u := testUpdate()
			u.Body, u.URL = body420, statusLink+tt.tail
			_, err := ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
			require.NoError(t, err)
			post := f.Received()[0].Text
			got := xWeight(t, post, tt.tail, tt.tailWeight)
			assert.LessOrEqual(t, got, MaxWeight, "X refuses %q", post)
			assert.Greater(t, got, MaxWeight-30, "shortened no more than needed: %q", post)
			assert.Equal(t, got, Weight(post))
		})
	}
}

// A post that weighs exactly 280 as X counts it is sent whole; one more
// character and the body is shortened.
func TestSendURLPathExactFit(t *testing.T) {
	const tail, tailWeight = "インシデント/42", 15
	// "Investigating: T — " weighs 19, the URL 1 + 23 + 15 with its space.
	fit := 280 - 19 - 1 - urlWeight - tailWeight
	for _, extra := range []int{0, 1} {
		f := newFakeX(t, false)
		ch := newTestChannel(t, f)
		u := testUpdate()
		u.Title, u.URL = "T", statusLink+tail
		u.Body = strings.Repeat("b", fit-1+extra) + "."
		_, err := ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
		require.NoError(t, err)
		post := f.Received()[0].Text
		full, err := templates.Default().Render("short", u)
		require.NoError(t, err)
		if extra == 0 {
			assert.Equal(t, full, post, "sent whole")
			assert.Equal(t, MaxWeight, xWeight(t, post, tail, tailWeight))
			continue
		}
		assert.Contains(t, post, templates.Ellipsis, "shortened")
		assert.LessOrEqual(t, xWeight(t, post, tail, tailWeight), MaxWeight, post)
	}
}

// X links no URL longer than 4,096 characters, so such a URL would count
// as text and no post could hold it. The Broadcaster refuses a URL of
// more than 2,048 bytes, and so does Send, for a Message built without
// it, before posting.
func TestSendURLTooLongToLink(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.URL = statusLink + strings.Repeat("a", 4096)
	_, err := ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
	require.ErrorContains(t, err, "Update.URL: 4123 bytes, more than 2048")
	assert.True(t, broadcast.IsPermanent(err))
	assert.Zero(t, f.requestCount(), "nothing posted")
}

// The characters twitter-text calls invalid (U+FEFF, U+FFFE, U+FFFF) are
// dropped from what the update's author wrote, so that an update read from
// a file saved with a byte order mark still goes out; the post is what it
// would be without them.
func TestSendDropsCharactersXRefuses(t *testing.T) {
	clean := testUpdate()
	dirty := testUpdate()
	dirty.Title = "\uFEFF" + dirty.Title
	dirty.Body = "\uFEFF" + strings.Replace(dirty.Body, "EU", "E\uFFFFU", 1)
	dirty.Components = []broadcast.Component{{Name: "CDN\uFFFE", Status: broadcast.ComponentMajorOutage}}
	clean.Components = []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentMajorOutage}}

	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	want, err := ch.Preview(clean)
	require.NoError(t, err)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(dirty))
	require.NoError(t, err)
	got := f.Received()
	require.Len(t, got, 1)
	assert.Equal(t, want.Text, got[0].Text)

	over := testUpdate()
	over.Overrides = map[string]string{"x": "\uFEFFAll clear\uFFFE"}
	_, err = ch.Send(context.Background(), broadcast.NewMessage(over))
	require.NoError(t, err)
	got = f.Received()
	require.Len(t, got, 2)
	assert.Equal(t, "All clear", got[1].Text)
}

// Such a character in a template, not in the update, is refused before
// posting: the template is at fault, and New cannot see it in every
// variant.
func TestSendInvalidCharacterInTemplate(t *testing.T) {
	set, err := templates.Default().With("short", "{{.Title}}\uFFFE")
	require.NoError(t, err)
	f := newFakeX(t, false)
	ch := newTestChannel(t, f, func(c *Config) { c.Templates = set })
	_, err = ch.Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: 1})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "U+FFFE")
	assert.Zero(t, f.requestCount(), "nothing posted")
}
