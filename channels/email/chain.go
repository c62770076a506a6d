package email

import (
	"context"
	"errors"
	"net/textproto"
)

// chain sends to recipient i, then to the recipients it takes off the
// queue after it, on cn, whose server offers PIPELINING (RFC 2920): MAIL
// FROM, RCPT TO and DATA go out together, and the content of each message
// goes out in the same write as those commands of the next one (RFC 2920,
// 3.1, allows message content first in a group of commands). So a message
// costs one round trip where it would cost four in turn, and every reply is
// still read, in order, and reported as it comes, as sendOne reports it. It
// reports whether the connection can carry the next message.
func (b *batch) chain(ctx context.Context, cn *conn, i int) bool {
	head, ok := b.header(cn, i)
	if !ok {
		return true
	}
	if err := b.tooLarge(cn); err != nil {
		// Checked once for the messages chained after this one: they
		// are the same message, and the server the same.
		b.requeue(i, err) // with the others, refused with err: see run
		return true       // no command went out: the connection is as it was
	}
	if !b.deadline(cn, i) {
		return false
	}
	cmds, _, err := cn.writeCommands(b.ch.from, b.ch.to[i], b.size(head))
	if err == nil {
		err = cn.flush()
	}
	for {
		var refused string
		if err == nil {
			refused, err = cn.readReplies(cmds)
		}
		if err != nil {
			return b.failed(ctx, cn, i, refused, err)
		}
		// DATA was accepted: the message, and the next one's commands.
		err = cn.writeContent(head, b.p.data)
		var j int
		var nextHead []byte
		more := false
		if !b.ch.pool.contended(b) { // else the connection goes to another Send after this message
			j, nextHead, more = b.nextWithHeader(ctx, cn)
		}
		var next []command
		if err == nil {
			// A write that fails after the message's final "." went out,
			// in the next one's commands, leaves its outcome as unknown
			// as a reply that never comes (see unanswered).
			after := 0
			if more {
				next, after, err = cn.writeCommands(b.ch.from, b.ch.to[j], b.size(nextHead))
			}
			if err == nil {
				err = cn.flush()
			}
			err = cn.unanswered(err, after)
		}
		if err == nil {
			err = cn.readEnd()
		}
		usable := b.ended(ctx, cn, i, err)
		switch {
		case !more:
			return usable
		case !usable:
			b.requeue(j, b.lost("connection lost before the message was sent", err))
			return false
		case !b.deadline(cn, j):
			return false
		}
		i, head, cmds, err = j, nextHead, next, nil
	}
}

// ended reports the outcome of recipient i's message from err, the error
// of its end of DATA, and reports whether the connection is still usable.
func (b *batch) ended(ctx context.Context, cn *conn, i int, err error) bool {
	if err == nil {
		// The server took the message (a 2yz reply to the end of DATA):
		// Report marks it in the Ledger before anything else can go
		// wrong, so no retry sends it twice.
		b.fan.Report(i, nil)
		return true
	}
	var reply *textproto.Error
	if errors.As(err, &reply) && !errors.Is(err, errUnanswered) {
		return b.classify(cn, i, cmdEndData, err)
	}
	return b.failed(ctx, cn, i, "", err)
}

// nextWithHeader takes the next recipient off the queue whose header can
// be made, reporting those whose cannot, if the worker may go on.
func (b *batch) nextWithHeader(ctx context.Context, cn *conn) (int, []byte, bool) {
	for {
		j, ok := b.next(ctx)
		if !ok {
			return 0, nil, false
		}
		if head, ok := b.header(cn, j); ok {
			return j, head, true
		}
	}
}
