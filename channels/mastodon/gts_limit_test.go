package mastodon

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// GoToSocial reports characters_reserved_per_url (25) in its instance
// limits but counts a status in code points with every URL whole
// (validateStatusContent), refusing a longer one with 400: a long update
// whose status-page URL is longer than 25 characters is fitted to what
// GoToSocial counts, so that it is posted, not refused for good.
func TestSendFitsGoToSocialCount(t *testing.T) {
	f := newFakeMastodon(t)
	f.set(func(f *fakeMastodon) { f.gts, f.perURL = true, 25 })
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.URL = "https://status.example.com/incidents/01J9ZQ4T7K3M8N2P5R6S9V0W1X"
	u.Body = strings.Repeat("Requests for static files fail in some regions 🌍. ", 20)

	r, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	posted := f.received(http.MethodPost, "/api/v1/statuses")
	require.Len(t, posted, 1)
	got := f.Received()
	require.Len(t, got, 1)
	assert.LessOrEqual(t, utf8.RuneCountInString(got[0].Text), 500)
	assert.Contains(t, got[0].Text, u.URL)
	assert.NotEmpty(t, r.ID)

	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, utf8.RuneCountInString(p.Text), p.Length, "Preview counts as the instance does")
}
