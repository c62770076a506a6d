package email

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/guard"
)

// The server's limit on a message's size: the SIZE keyword of its EHLO
// reply (RFC 1870, https://www.rfc-editor.org/rfc/rfc1870). Its number is
// the largest message the server takes (section 3), and it refuses a
// larger one with a permanent failure, 552 (section 4), at the end of
// DATA when the client did not declare the size in MAIL FROM: after the
// whole message went out. The channel compares the size of its message
// with the limit itself, before MAIL FROM, and sends nothing of a message
// that will never fit; and it declares the size in MAIL FROM (section 6,
// see conn.commands), at which a server may refuse it too.

// sizeLimit returns the limit the SIZE keyword of an EHLO reply sets, from
// what go-mail's Client.Extension("SIZE") returns: offered, and its
// parameter. 0 is no limit: SIZE not offered, SIZE 0 or SIZE without a
// parameter (RFC 1870, section 3: 0 says no fixed maximum is in force, and
// without a number no limit is stated). A parameter that is not the
// digits RFC 1870 writes it in (size-param ::= [1*DIGIT], section 3),
// "10 MB", "-1" or "0x10", is ignored as if there were none: it states no
// limit the channel could keep to, and refusing every message for it would
// stop the channel for a fault in the server's configuration, whereas the
// server still refuses, at the end of DATA, a message it finds too large.
// A number past what an int64 holds is no limit a message reaches.
func sizeLimit(offered bool, param string) int64 {
	param = strings.TrimSpace(param)
	if !offered || param == "" || strings.Trim(param, "0123456789") != "" {
		return 0
	}
	n, err := strconv.ParseUint(param, 10, 64)
	if err != nil || n > math.MaxInt64 {
		return 0 // out of range: digits, but too many
	}
	return int64(n)
}

// contentSize returns the size, as RFC 1870 (section 5) counts it, of
// data, a message as DATA sends it (see compose): its bytes, CR LF
// included, without the final "." line and without the dots stuffed
// before lines that start with one. The message's first line is a header
// field's, never stuffed.
func contentSize(data []byte) int64 {
	const end = ".\r\n"
	stuffed := bytes.Count(data, []byte("\r\n.")) - 1 // the final "." is one
	return int64(len(data) - len(end) - max(stuffed, 0))
}

// size returns the size, as RFC 1870 counts it, of the message whose
// recipient's header fields are head: they are written as they are, no
// line of them starting with a dot (see recipientHeader).
func (b *batch) size(head []byte) int64 { return b.p.size + int64(len(head)) }

// maxHeader returns the most bytes the header fields of one recipient's
// message take (see recipientHeader), without a ListUnsubscribeFunc: the
// longest of them. Made once, on the first Send that needs it.
func (c *Channel) maxHeader() int64 {
	n := 0
	for _, h := range c.heads() {
		if h.err == nil {
			n = max(n, len(h.fields))
		}
	}
	return int64(n)
}

// makeHeads makes, with a ListUnsubscribeFunc, whose URLs may change from
// one call to the next (a signed token, say), the header fields of the
// message of each recipient of the batch, once, and reports whether they
// are made: the size check counts them as they go out (see tooLarge), the
// function called once per recipient and Send. A worker calls it once it
// has a connection, before its first message: the server's SIZE is known
// then, and while no server answers (it is down) the function is not
// called at all. The first caller makes them, from up to Concurrency
// goroutines at once (the function may be slow: a signing service it
// asks), while the other workers wait for them; none of the goroutines
// outlives the call. A recipient whose fields cannot be made is refused
// when its turn comes (see header), and counts for nothing: so is one
// whose call ended its goroutine (errNoReturn), the recipients that
// goroutine would have taken made in another round. Once ctx
// ends, the function is called no more: the fields are not made, no
// recipient's turn comes (see next), and run leaves them all pending.
func (b *batch) makeHeads(ctx context.Context) bool {
	if b.ch.cfg.ListUnsubscribeFunc == nil {
		return true
	}
	b.headsMu.Lock()
	defer b.headsMu.Unlock()
	if b.heads != nil {
		return true
	}
	heads := make([]recipientFields, len(b.ch.to))
	var next atomic.Int64
	fill := func() {
		for ctx.Err() == nil {
			k := int(next.Add(1) - 1)
			if k >= len(b.todo) {
				return
			}
			h := &heads[b.todo[k]]
			h.err = errNoReturn // until the call returns
			h.fields, h.err = b.ch.makeRecipientHeader(b.todo[k])
		}
	}
	if n := min(b.ch.cfg.Concurrency, len(b.todo)); n <= 1 {
		fill()
	} else {
		// A panic in a goroutine here is raised in the worker, which
		// run's raises in turn (see run), once every call ended. A
		// goroutine the function ended (errNoReturn) leaves the
		// recipients it did not take to another round.
		for int(next.Load()) < len(b.todo) && ctx.Err() == nil {
			guard.Go(n, "email", fill)
		}
	}
	if ctx.Err() != nil {
		return false // some recipients' fields are not made
	}
	for _, i := range b.todo {
		if h := heads[i]; h.err == nil {
			b.maxHead = max(b.maxHead, int64(len(h.fields)))
		}
	}
	b.heads = heads
	return true
}

// tooLarge returns the error of a message larger than cn's server takes,
// or nil when it fits. The size is that of the largest of its copies,
// whose recipients' header fields differ (see maxHeader, makeHeads), so
// that every recipient gets the update or none does: the limit is the
// server's, the same on every connection to it. The error is permanent:
// the message will never fit.
func (b *batch) tooLarge(cn *conn) error {
	if cn.maxSize == 0 {
		return nil
	}
	head := b.maxHead
	if b.ch.cfg.ListUnsubscribeFunc == nil {
		head = b.ch.maxHead()
	}
	size := b.p.size + head
	if size <= cn.maxSize {
		return nil
	}
	return broadcast.Permanent(fmt.Errorf("email: the message is %d bytes, over the %d the server takes "+
		"(SIZE %d in its EHLO reply, RFC 1870): nothing was sent; %s",
		size, cn.maxSize, cn.maxSize, b.shorten()))
}

// shorten says what makes a message too large for the server smaller: the
// text the message shows, Update.Body, or the override that replaces it
// for this channel, which the message shows instead.
func (b *batch) shorten() string {
	field := fmt.Sprintf("Update.Overrides[%q]", b.ch.cfg.Name)
	if _, ok := b.p.update.Override(b.ch.cfg.Name); ok {
		return "shorten the update's text for this channel (" + field + ", which the message shows " +
			"instead of Update.Body), or have the server take larger messages"
	}
	return "shorten the update's text (Update.Body, or " + field + " for this channel alone), " +
		"or have the server take larger messages"
}
