package irc

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHideKeys(t *testing.T) {
	s, err := newSettings(Config{Server: "127.0.0.1:6667", TLS: TLSOff, Nick: "bot",
		Channels: []string{"#a n", "#b n-b", "#c sesame"}})
	require.NoError(t, err)
	for text, want := range map[string]string{
		"Cannot join channel (+k) - bad key n":   "Cannot join channel (+k) - bad key REDACTED",
		"(key: n) key=n 'n'":                     "(key: REDACTED) key=REDACTED 'REDACTED'",
		"bad key n-b":                            "bad key REDACTED", // the longer key first, whole
		"bad key sesame, not sesame2 or Xsesame": "bad key REDACTED, not sesame2 or Xsesame",
		"n":                                      "REDACTED",
		"ünö":                                    "ünö",          // letters beyond ASCII are letters too
		"sesamesesame":                           "sesamesesame", // the second one follows a letter too
	} {
		assert.Equal(t, want, s.hideKeys(text), text)
	}
}
