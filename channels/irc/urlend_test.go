package irc_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An Update.URL longer than a line that ends in what ends a sentence
// (".", a ")" it did not open), or holds what ends a link in one ("«"),
// which Validate takes, is refused as any URL longer than a line is,
// saying so: before, the rule for a link in a sentence counted it without
// its final "." or only up to its "«", as a URL that fits, and the error
// said the URL would be left out of the lines Config.MaxLines allows,
// advising to raise it, which could not help.
func TestLongUpdateURLEndingInPunctuationIsTooLong(t *testing.T) {
	for _, raw := range []string{
		longURL(374) + ".",
		longURL(374) + ")",
		longURL(100) + "«" + longURL(300),
	} {
		t.Run(raw[len(raw)-1:], func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{})
			ch := newChannel(t, testConfig(srv.addr()))
			u := sampleUpdate()
			u.URL = raw
			require.NoError(t, u.Validate())
			_, err := ch.Preview(u)
			require.Error(t, err)
			assert.ErrorContains(t, err, fmt.Sprintf("a URL of %d bytes cannot be kept whole: one line has room for 374 bytes", len(raw)))
			assert.NotContains(t, err.Error(), "MaxLines")
		})
	}
}
