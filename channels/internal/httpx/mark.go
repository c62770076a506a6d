package httpx

import "github.com/outagecast/outagecast/broadcast"

// MarkAs returns err marked as like is: broadcast.Permanent when like is
// permanent, broadcast.RetryAfter with like's delay when like has one,
// and unmarked (transient) otherwise; broadcast.Uncertain as well when
// like is. A channel that words the error of a response its own way keeps
// the verdict of Classify with it:
//
//	return httpx.MarkAs(fmt.Errorf("mastodon: %s: %w", op, apiErr), httpx.Classify(r))
func MarkAs(err, like error) error {
	if broadcast.IsUncertain(like) {
		err = broadcast.Uncertain(err)
	}
	if broadcast.IsPermanent(like) {
		return broadcast.Permanent(err)
	}
	if d, ok := broadcast.RetryDelay(like); ok {
		return broadcast.RetryAfter(err, d)
	}
	return err
}
