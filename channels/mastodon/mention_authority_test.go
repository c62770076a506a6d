package mastodon

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An "@" right after a URL's host, with no "/" between ("see
// https://status.example.com,@ops"), is where the templates' URL still runs
// but Mastodon's mention rule, which scans the whole text, finds "@ops":
// the status must not notify that account. So must an "@" in a URL's user
// information that a mention would start at ("https://a,@ops/").
func TestQuietMentionsAfterAURLsHost(t *testing.T) {
	f := newFakeMastodon(t)
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.Title = "see https://status.example.com,@ops now"
	u.Body = "and (https://a;@oncall/x) too"
	for _, text := range []string{u.Title, u.Body} {
		require.NotEmpty(t, mentioned(text), "the fake sees the mentions: %s", text)
	}
	p, err := ch.Preview(u)
	require.NoError(t, err)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	text := f.Received()[0].Text
	assert.Empty(t, mentioned(text), text)
	assert.Equal(t, p.Text, text)
	assert.Contains(t, text, "https://status.example.com,@\u2060ops", "reads as written")
}

// Mastodon matches a mention's name case-insensitively, as Ruby folds case:
// the Kelvin sign (U+212A) reads as "k" and the long s (U+017F) as "s", and
// the name is looked up in lower case, which is ASCII ("@\u212Aate" notifies
// @kate). Such an "@" is broken as any other.
func TestQuietMentionsOfFoldedLetters(t *testing.T) {
	f := newFakeMastodon(t)
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.Title = "cc @\u212Aate and @\u017Fre"
	u.Body = "see https://docs.example.com/a,@\u212Aate"
	for _, text := range []string{u.Title, u.Body} {
		require.NotEmpty(t, mentioned(text), "the fake sees the mentions: %s", text)
	}
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	text := f.Received()[0].Text
	assert.Empty(t, mentioned(text), text)
}
