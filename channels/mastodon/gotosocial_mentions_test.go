package mastodon

import (
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// gtsMention is GoToSocial's reading of a mention outside links: an "@"
// at the start or after white space or any punctuation (isMentionBoundary:
// unicode.IsSpace or unicode.IsPunct, "_" and "/" among them), then a
// name its accounts can have. A link without a scheme is text to it.
var gtsMention = regexp.MustCompile(`(?:^|[\s\pP])@([A-Za-z0-9_][\pL\pM\pN._-]*)`)

// GoToSocial starts a mention after any punctuation: "eu_@ops" and
// "example.com/@ops", which Mastodon reads as no mention, notify its
// local account "ops". The channel breaks them as every other mention,
// and the text reads as written.
func TestQuietMentionsGoToSocial(t *testing.T) {
	f := newFakeMastodon(t)
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.Title = "eu_@ops degraded"
	u.Body = "see example.com/@ops and mail ops_team@example.com"
	require.NotEmpty(t, gtsMention.FindAllString(u.Title+"\n"+u.Body, -1))
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	text := f.Received()[0].Text
	assert.Empty(t, gtsMention.FindAllString(text, -1), text)
	assert.Empty(t, mentioned(text), text)
	assert.Contains(t, text, "eu_@\u2060ops degraded")
	assert.Contains(t, text, "see example.com/@\u2060ops and mail ops_team@example.com")
}
