package irc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A link in the body longer than a line (a dashboard's, its query
// included) cannot be posted whole: the body is shortened to leave it
// out, as it is for any text that does not fit, and the update goes out
// with its status and Update.URL. Before, every attempt failed for good
// with "a URL of 514 bytes cannot be kept whole", naming no field, and the
// update never reached IRC.
func TestBodyURLLongerThanALineIsLeftOut(t *testing.T) {
	dashboard := "https://grafana.example.com/d/cdn?" + strings.Repeat("var-pop=x&", 48)
	srv := newFakeServer(t, fakeOptions{})
	ch := newChannel(t, testConfig(srv.addr()))
	u := sampleUpdate()
	u.Body = "Error rates are up in two regions. Dashboard: " + dashboard + " shows it."

	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.NotContains(t, p.Text, "grafana", "no piece of the long link is shown")
	assert.Contains(t, p.Text, u.URL)

	_, err = ch.Send(context.Background(), message(u))
	require.NoError(t, err)
	said := srv.saidIn("#ops")
	require.NotEmpty(t, said)
	assert.Contains(t, said[0], "Investigating: Elevated CDN errors")
	assert.Contains(t, said[0], "Error rates are up in two regions.")
	assert.Contains(t, strings.Join(said, "\n"), u.URL)
	for _, line := range said {
		assert.NotContains(t, line, "grafana", "a link cut in two is a broken link")
	}
}
