package irc

import (
	"context"
	"fmt"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// setupMargin is the time allowed, on top of the pacing, for connecting,
// registering and waiting for the server's answers.
const setupMargin = 3 * time.Second

// pacing returns how long the pacer holds back the lines of a Send to
// channels channels of lines lines each: a JOIN, the lines and a PING per
// channel, and a PING that checks a kept connection first. The first Burst
// go at once.
func pacing(s *settings, channels, lines int, probe bool) time.Duration {
	n := channels * (lines + 2)
	if probe {
		n++
	}
	if s.interval <= 0 || n <= s.burst {
		return 0
	}
	return time.Duration(n-s.burst) * s.interval
}

// fits fails permanently when ctx's deadline leaves too little time for the
// pacing of a Send to channels channels: cut short, the attempt would be
// retried and the lines already posted posted again.
func (c *Channel) fits(ctx context.Context, channels, lines int) error {
	need := pacing(c.s, channels, lines, c.kept != nil && c.kept.cn != nil)
	deadline, ok := ctx.Deadline()
	if need == 0 || !ok {
		return nil
	}
	left := time.Until(deadline)
	if left >= need+setupMargin {
		return nil
	}
	return broadcast.Permanent(fmt.Errorf(
		"irc: pacing: %d lines to each of %d channels need about %v plus %v to connect, but the attempt has %v left; "+
			"raise broadcast.Options.AttemptTimeout, lower Config.MaxLines, post to fewer Config.Channels, "+
			"or raise Config.Burst or lower Config.Interval within the server's flood limit",
		lines, channels, need, setupMargin, left.Round(time.Millisecond)))
}
