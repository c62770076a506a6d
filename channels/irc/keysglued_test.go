package irc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A key that stands apart in the server's text is hidden also where
// another secret with punctuation at that end touches it ("plum!kiwi":
// the key "plum!" and the key "kiwi"; the server password "letmein!" and
// the key "kiwi"). Each was hidden in turn, and the REDACTED put for the
// first, a word of letters, ran on with the second, which then stood
// apart no more and showed: "bad key REDACTEDkiwi".
func TestKeyTouchingAnotherSecretNotInSendErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		password string
		other    string // another channel's key
		text     string // how the server repeats them
	}{
		{"a key ending in punctuation before it", "", "plum!", "plum!kiwi"},
		{"a key starting with punctuation after it", "", "!plum", "kiwi!plum"},
		{"a password ending in punctuation before it", "letmein!", "", "letmein!kiwi"},
		{"a password starting with punctuation after it", "!letmein", "", "kiwi!letmein"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const key = "kiwi"
			reply := "475 Cannot join channel (+k) - bad key " + tc.text
			srv := newFakeServer(t, fakeOptions{password: tc.password,
				joinReply: map[string]string{"#status": reply, "#dev": reply}})
			cfg := testConfig(srv.addr())
			cfg.Password = redact.NewSecret(tc.password)
			cfg.Channels = []string{"#status " + key}
			if tc.other != "" {
				cfg.Channels = append(cfg.Channels, "#dev "+tc.other)
			}
			_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
			require.Error(t, err)
			re, ok := replyError(err)
			require.True(t, ok, "a *irc.ReplyError in %q", err)
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), re.Text} {
				assert.NotContains(t, s, key)
				assert.NotContains(t, s, "plum")
				assert.NotContains(t, s, "letmein")
			}
			assert.Contains(t, re.Text, "Cannot join channel (+k) - bad key REDACTED", "the server's words stay readable")
		})
	}
}
