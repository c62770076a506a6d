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
		assert.Equal(t, want, s.serverText(text), text)
	}
}

// serverText hides a key in the text as it is shown, once the formatting
// codes are gone: a colour code right before a key ("\x0304sesame") ends
// in digits, which run on with the key until the code is removed.
func TestServerTextHidesKeyAfterColourCode(t *testing.T) {
	s, err := newSettings(Config{Server: "127.0.0.1:6667", TLS: TLSOff, Nick: "bot",
		Channels: []string{"#a n", "#c sesame", "#d 1234"}})
	require.NoError(t, err)
	for text, want := range map[string]string{
		"Cannot join channel: key \x0304sesame\x03":     "Cannot join channel: key REDACTED",
		"the key is \x0304,01n":                         "the key is REDACTED",
		"key:\x04FF0000sesame":                          "key:REDACTED",
		"key \x03121234":                                "key REDACTED",
		"Cannot join channel (+k) \x02\x0304\x02sesame": "Cannot join channel (+k) REDACTED",
	} {
		assert.Equal(t, want, s.serverText(text), "%q", text)
	}
}

// A key that starts or ends with punctuation stands apart at that end
// whatever touches it there, as redact.Redactor reads a secret's edge: its
// own first or last character is no letter or digit, so no word runs on
// through it. A server that glues its words to such a key ("ops!1",
// "key.sesame") showed the key whole.
func TestServerTextHidesKeyWithPunctuationAtItsEdge(t *testing.T) {
	s, err := newSettings(Config{Server: "127.0.0.1:6667", TLS: TLSOff, Nick: "bot",
		Channels: []string{"#a .sesame", "#b ops!", "#c n", "#d -x-"}})
	require.NoError(t, err)
	for text, want := range map[string]string{
		"bad key.sesame":     "bad keyREDACTED",
		"bad key ops!1":      "bad key REDACTED1",
		"bad key n, not ünö": "bad key REDACTED, not ünö", // a key of letters keeps the rule
	} {
		assert.Equal(t, want, s.serverText(text), "%q", text)
	}
}

// Keys of one or two characters: one of letters or digits is hidden only
// where it stands as a word, so the server's other words stay readable;
// one with punctuation at an end is hidden wherever that end touches a
// word too; one of punctuation alone is hidden, as one of letters is,
// where no letter or digit touches it, so that "(+k)" keeps its "+".
func TestHideKeysOfOneOrTwoCharacters(t *testing.T) {
	for _, tc := range []struct{ key, text, want string }{
		{"s", "Cannot join channel (+k) - bad key s, not sesame", "Cannot join channel (+k) - bad key REDACTED, not sesame"},
		{"7", "404 wait 7 seconds, not 17 or 70", "404 wait REDACTED seconds, not 17 or 70"},
		{"ab", "bad key ab, not abc or cab", "bad key REDACTED, not abc or cab"},
		{"a!", "bad key a!1, not ba! (a!)", "bad key REDACTED1, not ba! (REDACTED)"},
		{"!a", "bad key 1!a, not !ab", "bad key 1REDACTED, not !ab"},
		{"!", "Cannot join channel (+k) - bad key! ! (!)", "Cannot join channel (+k) - bad key! REDACTED (REDACTED)"},
		{"+", "Cannot join channel (+k) - bad key +", "Cannot join channel (+k) - bad key REDACTED"},
		{"-+", "bad key -+, (-+k)", "bad key REDACTED, (-+k)"},
	} {
		s, err := newSettings(Config{Server: "127.0.0.1:6667", TLS: TLSOff, Nick: "bot",
			Channels: []string{"#a " + tc.key}})
		require.NoError(t, err, tc.key)
		assert.Equal(t, tc.want, s.serverText(tc.text), "key %q in %q", tc.key, tc.text)
	}
}
