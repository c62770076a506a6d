package irc

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// joinDelay reads every delay InspIRCd can write, whatever its size, and
// never returns a wait of zero. InspIRCd 4 keeps the delay as an intptr_t
// (src/modules/m_delaymsg.cpp, DelayMsgMode::OnSet) and writes it with
// Duration::ToLongString (src/helperfuncs.cpp), so "+d
// 9223372036854775807" reads "292471208677 years, …" (4.0 to 4.6 wrote
// "9223372036854775807 seconds"): a count of more than ten digits was
// taken for a text naming no delay, a refusal for good. It sets a delay
// below 1 to 1 second (OnSet), but InspIRCd 3.6 writes the intptr_t with
// %d, whose low 32 bits can read "0 seconds", as Duration::ToLongString(0)
// does: that was a wait of zero.
func TestJoinDelayBounds(t *testing.T) {
	const prefix = "You cannot send messages to this channel until you have been a member for "
	for _, tc := range []struct {
		text string
		want time.Duration
	}{
		{prefix + "9223372036854775807 seconds.", httpx.MaxRetryAfter}, // 4.0 to 4.6: "{} seconds"
		{prefix + "292471208677 years, 27 weeks, 6 days, 15 hours, 30 minutes, and 7 seconds.", httpx.MaxRetryAfter},
		{prefix + "99999999999999999999999 seconds.", httpx.MaxRetryAfter}, // past uint64
		{prefix + "18446744073709551615 years and 1 second.", httpx.MaxRetryAfter},
		{prefix + "12345678901 seconds.", httpx.MaxRetryAfter},
		{"You must wait 12345678901 seconds after joining to send to channel (+d)", httpx.MaxRetryAfter},
		{prefix + "0 seconds.", time.Second},
		{prefix + "0 seconds and 0 minutes.", time.Second},
		{"You must wait 0 seconds after joining to send to channel (+d)", time.Second},
		{"You must wait 0 seconds after joining to send to the channel (+d is set)", time.Second},
		{prefix + "1 second.", time.Second},
	} {
		d, ok := joinDelay("404", tc.text)
		assert.True(t, ok, "%q", tc.text)
		assert.Equal(t, tc.want, d, "%q", tc.text)
	}
	// Neither a negative delay (%d of a value past 32 bits) nor a text in
	// another form reads as one: the 404 stays what it is.
	for _, text := range []string{
		prefix + "-1 seconds.",
		"You must wait -5 seconds after joining to send to channel (+d)",
		prefix + "1 minute, .",
		prefix + ".",
		prefix + "1 Minute.",
		"Vous ne pouvez pas envoyer de messages avant 60 secondes.",
	} {
		d, ok := joinDelay("404", text)
		assert.False(t, ok, "%q: %v", text, d)
	}
}
