package irc_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A channel key of marks alone ("+") is hidden where the server repeats it
// as a word, and nowhere else: the "+" of the server's "(+k)" stays. It
// was hidden wherever it occurred, and the error read "(REDACTEDk)".
func TestMarksOnlyKeyLeavesServerWordsReadable(t *testing.T) {
	for _, key := range []string{"+", "-+"} {
		t.Run(key, func(t *testing.T) {
			re, err := joinRefused(t, key, "475 Cannot join channel (+k) - bad key "+key+" ("+key+")")
			assertNoKey(t, key, err.Error(), fmt.Sprintf("%+v", err), re.Text)
			assert.Contains(t, re.Text, "Cannot join channel (+k) - bad key REDACTED (REDACTED)", "the server's words stay readable")
		})
	}
}
