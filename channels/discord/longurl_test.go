package discord

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An update whose URL is valid (up to broadcast.MaxURLLength bytes) but
// longer than a message's content holds is posted without the URL in the
// content: the card's title links to it whole. Before, every attempt
// failed for good with templates.ErrTooLong.
func TestLongURLLeftToTheCard(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	long := "https://status.example.com/incidents/" + strings.Repeat("a", 2000)
	u := broadcast.Update{ID: "u-long", IncidentID: "inc", Title: "CDN outage", Status: broadcast.StatusInvestigating,
		Body: "Requests fail in Europe.", URL: long}
	require.NoError(t, u.Validate())
	_, err := ch.Preview(u)
	require.NoError(t, err)

	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	require.Len(t, f.messages, 1)
	m := f.messages[0]
	require.LessOrEqual(t, utf8.RuneCountInString(m.content), MaxContent)
	require.Contains(t, m.content, "Requests fail in Europe.")
	require.NotContains(t, m.content, "https://status.example.com/incidents/aaa")
	require.Len(t, m.embeds, 1)
	require.Equal(t, long, m.embeds[0].URL)
}
