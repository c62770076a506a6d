package irc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel key of marks alone ("+") is hidden where the server repeats it
// as a word, and nowhere else: the "+" of the server's "(+k)" stays. It
// was hidden wherever it occurred, and the error read "(REDACTEDk)".
func TestMarksOnlyKeyLeavesServerWordsReadable(t *testing.T) {
	for _, key := range []string{"+", "-+"} {
		t.Run(key, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{joinReply: map[string]string{
				"#ops": "475 Cannot join channel (+k) - bad key " + key + " (" + key + ")"}})
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#ops " + key}

			_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
			require.Error(t, err)
			re, ok := replyError(err)
			require.True(t, ok, "a *irc.ReplyError in %q", err)
			assertNoKey(t, key, err.Error(), fmt.Sprintf("%+v", err), re.Text)
			assert.Contains(t, re.Text, "Cannot join channel (+k) - bad key REDACTED (REDACTED)", "the server's words stay readable")
		})
	}
}
