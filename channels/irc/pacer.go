package irc

import "time"

// pacer is a token bucket: it holds up to burst tokens, gains one every
// interval and every line sent takes one. It keeps a connection under the
// server's flood limit, which disconnects clients that send too fast.
// A pacer belongs to one connection and is used by one Send at a time.
type pacer struct {
	burst    int
	interval time.Duration
	tokens   float64   // may go negative: lines already promised a later slot
	last     time.Time // when tokens was last brought up to date
}

func newPacer(burst int, interval time.Duration, now time.Time) *pacer {
	return &pacer{burst: burst, interval: interval, tokens: float64(burst), last: now}
}

// reserve takes a token at time now and returns how long the caller must wait
// before sending its line.
func (p *pacer) reserve(now time.Time) time.Duration {
	if p.interval <= 0 {
		return 0
	}
	if now.After(p.last) {
		p.tokens += float64(now.Sub(p.last)) / float64(p.interval)
		p.tokens = min(p.tokens, float64(p.burst))
		p.last = now
	}
	p.tokens--
	if p.tokens >= 0 {
		return 0
	}
	return time.Duration(-p.tokens * float64(p.interval))
}
