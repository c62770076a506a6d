package irc

import (
	"time"

	"golang.org/x/time/rate"
)

// newLimiter returns the flood limiter of one connection: a token bucket
// that starts full with burst tokens, gains one every interval and gives
// one to every line sent (an interval of 0 paces nothing). It keeps the
// connection under the server's flood limit, which disconnects clients that
// send too fast. Lines take their slots with ReserveN, so a line that must
// wait still counts from the slot it was given, and the waiting is left to
// the session (see session.paced).
func newLimiter(burst int, interval time.Duration) *rate.Limiter {
	return rate.NewLimiter(rate.Every(interval), burst)
}
