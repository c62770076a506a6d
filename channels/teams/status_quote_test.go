package teams

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A card that would show nothing does not repeat a Status that is not
// broadcast's, of a Message built without the Broadcaster, as long or as
// control-laden as it may be: the error stays one short line. Before, the
// error held it verbatim: thousands of bytes, escape sequences and line
// breaks.
func TestBlankCardQuotesStatus(t *testing.T) {
	f := newFakeWorkflow(t)
	// A template that shows nothing for a status it does not know.
	set := teamsTemplate(t, `{{if lt (len .Status) 20}}{{.Title}}{{end}}`)
	ch, err := New(Config{Name: "ops-teams", WebhookURL: redact.NewURL(f.url()), Templates: set})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	u := update(broadcast.Status("\x1b[2J" + strings.Repeat("degraded\n", 1000)))
	_, err = send(t, ch, u)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.Equal(t, `teams: render: templates: the text shows nothing: template "teams" rendered only white space`, err.Error())
	_, err = ch.Preview(u)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "\x1b")
	assert.Less(t, len(err.Error()), 200)
	cards, _ := f.posted()
	assert.Empty(t, cards, "nothing posted")
}
