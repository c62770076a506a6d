package email

import (
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"os"
	"strconv"
	"time"
)

// The SMTP commands of a transaction, as RecipientError.Command names them.
const (
	cmdReset   = "RSET"
	cmdMail    = "MAIL FROM"
	cmdRcpt    = "RCPT TO"
	cmdData    = "DATA"
	cmdEndData = "end of DATA"
)

// transact sends one message on cn, whose server does not offer
// PIPELINING: RSET when cn.reset asks for it, MAIL FROM, RCPT TO, DATA, each
// waiting for its reply, then head and data, which are the message ready
// for the wire (see compose), of size bytes as RFC 1870 counts them (see
// batch.size). It returns nil when the server accepted the
// message, else the command whose reply was an error (a *textproto.Error
// when the server refused) or "" for a write or read that failed. Servers
// that offer PIPELINING get their messages from batch.chain instead.
//
// It speaks through go-mail's client's textproto.Conn, which go-mail
// exports for extensions, as batch.chain does: go-mail's client stuffs the
// dots of each message byte by byte, and cannot pipeline.
//
// A transaction that ended with 250 leaves the session ready for the next
// MAIL (RFC 5321, 4.1.1.4): no RSET follows it, nor a NOOP before the next.
func (cn *conn) transact(from, to *mail.Address, head, data []byte, size int64) (string, error) {
	t := cn.client.Text
	for _, c := range cn.commands(from, to, size) {
		if err := writeLine(t, c.line); err != nil {
			return "", err
		}
		if err := cn.flush(); err != nil {
			return "", err
		}
		_, _, err := t.ReadResponse(c.code)
		if c.name == cmdReset {
			err = cn.probed(err)
			cn.reset = err != nil
		}
		if err != nil {
			return c.name, err
		}
	}
	if err := cn.writeContent(head, data); err != nil {
		return "", err
	}
	if err := cn.flush(); err != nil {
		return "", cn.unanswered(err, 0)
	}
	if err := cn.readEnd(); err != nil {
		return cmdEndData, err
	}
	return "", nil
}

// probed ends the check of a kept connection (see conn.settle) with err,
// the outcome of the reply to its RSET, and with it the probe (see
// endpoint.ProbeWait): answered, the rest of the message gets Config.Timeout; not
// answered within the probe, the connection is silent, its server taken
// for gone. It returns err, or the error of moving the deadline.
func (cn *conn) probed(err error) error {
	probing := cn.check != nil
	cn.settle(err == nil)
	switch {
	case !probing:
	case err == nil:
		err = cn.client.UpdateDeadline(cn.timeout)
	default:
		cn.silent = errors.Is(err, os.ErrDeadlineExceeded)
	}
	return err
}

// command is an SMTP command line and the reply code it expects (as
// textproto.Reader.ReadResponse takes it). RSET, MAIL and RCPT take any
// 2yz: RFC 5321 (4.3.2) names 250 (and 251 to RCPT), but a client that
// gets another code acts on its first digit (4.2.1), and a 2 says the
// action was completed. DATA takes only 354, which asks for the message:
// after another reply the server may not read what follows as one (a 2yz
// says it wants none), and the connection is given up (see refusal).
type command struct {
	name, line string
	code       int
}

// commands returns the commands of a transaction up to DATA, of a message
// of size bytes as RFC 1870 counts them. MAIL has the SMTPUTF8 parameter
// only when from or to is outside ASCII, the one case the message needs it
// (its other header fields and its body are 7-bit): RFC 6531 (3.4) says a
// client SHOULD NOT flag a message that does not, since a relay must then
// bounce it rather than pass it to a next hop without SMTPUTF8. It has
// SIZE=size when the server offers SIZE (RFC 1870, section 6,
// https://www.rfc-editor.org/rfc/rfc1870#section-6), whether or not it
// states a limit: the server may then refuse the message at MAIL FROM
// (552 over a limit, 452 short of room) rather than after its upload.
func (cn *conn) commands(from, to *mail.Address, size int64) []command {
	cmds := make([]command, 0, 4)
	if cn.reset {
		cmds = append(cmds, command{cmdReset, "RSET", 2})
	}
	utf8 := ""
	if cn.smtputf8 && !(isASCII(from.Address) && isASCII(to.Address)) {
		utf8 = " SMTPUTF8"
	}
	// The line is made in one concatenation, its size written in place:
	// declaring it costs no allocation of its own.
	var sizeParam []byte
	var digits [len(" SIZE=") + 20]byte
	if cn.sizeOffered {
		sizeParam = strconv.AppendInt(append(digits[:0], " SIZE="...), size, 10)
	}
	return append(cmds,
		command{cmdMail, "MAIL FROM:" + envelope(from) + cn.mailParams + utf8 + string(sizeParam), 2},
		command{cmdRcpt, "RCPT TO:" + envelope(to), 2},
		command{cmdData, "DATA", 354})
}

// writeCommands buffers the commands of a transaction up to DATA, for a
// server that offers PIPELINING, of a message of size bytes (see
// commands), and returns them, with the number of bytes the writer took
// of them, also when it failed (see sentWhole).
func (cn *conn) writeCommands(from, to *mail.Address, size int64) ([]command, int, error) {
	cmds := cn.commands(from, to, size)
	n := 0
	for _, c := range cmds {
		for _, s := range [...]string{c.line, "\r\n"} {
			k, err := cn.client.Text.W.WriteString(s)
			if n += k; err != nil {
				return nil, n, fmt.Errorf("write command: %w", err)
			}
		}
	}
	return cmds, n, nil
}

// readReplies reads the replies to cmds, sent together, in order, every
// one of them, and returns the first command refused and its reply (a
// *textproto.Error), also when the connection broke after it (then marked
// broken); another error means the connection broke. When DATA
// was accepted although an earlier command was refused, which a server
// that refused RSET or MAIL should not do, it marks the connection broken
// rather than end the data with a lone dot as RFC 2920 (3.1) suggests: a
// recipient the server accepted would get an empty message, where a
// connection closed in the middle of DATA delivers nothing.
func (cn *conn) readReplies(cmds []command) (string, error) {
	var failed string
	var refused error
	for _, c := range cmds {
		_, _, err := cn.client.Text.ReadResponse(c.code)
		if c.name == cmdReset {
			err = cn.probed(err)
		}
		reply, ok := err.(*textproto.Error)
		if err != nil && !ok {
			if refused != nil {
				// Closed after a refusal, as after a 421: the refusal says why.
				cn.broken = true
				return failed, refused
			}
			return "", err
		}
		if ok && !refusal(reply) {
			// Out of step: the replies that follow may answer anything.
			cn.broken = true
			if refused != nil {
				return failed, refused
			}
			return c.name, err
		}
		switch {
		case err != nil && refused == nil:
			failed, refused = c.name, err
		case err == nil && c.name == cmdReset:
			cn.reset = false
		case err == nil && c.name == cmdData && refused != nil:
			cn.broken = true
		}
	}
	return failed, refused
}

// writeContent buffers the message: head, the recipient's header fields,
// and data, the rest of it as DATA sends it.
func (cn *conn) writeContent(head, data []byte) error {
	w := cn.client.Text.W
	if _, err := w.Write(head); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	return nil
}

// sentWhole reports, after writing what followed a message failed,
// whether the message went out whole, its final "." included: after is how
// many bytes the writer took after the message. A failed write leaves
// what it did not send in the buffer, the latest bytes taken; so the
// message is out when no more than those after it are left.
func (cn *conn) sentWhole(after int) bool { return cn.client.Text.W.Buffered() <= after }

// unanswered returns err, a failure to write what followed a message
// (after bytes of it, see sentWhole), as one that matches errUnanswered
// when the message went out whole: its reply can then not be read, and the
// server may have accepted it.
func (cn *conn) unanswered(err error, after int) error {
	if err == nil || !cn.sentWhole(after) {
		return err
	}
	return fmt.Errorf("%w: %w", errUnanswered, err)
}

// flush sends what was buffered.
func (cn *conn) flush() error {
	if err := cn.client.Text.W.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// endOfDataWait bounds the wait for the reply to the end of DATA: the 10
// minutes RFC 5321 (4.5.3.2.6) asks clients to wait, since the server may
// filter or pass on the message before it answers. A shorter wait can make
// a duplicate: a message the server accepts after the client gave up is
// sent again on the retry. The context the connection is bound to still
// ends the wait at once.
const endOfDataWait = 10 * time.Minute

// readEnd reads the reply to the end of DATA, waiting for it up to
// endOfDataWait (or Config.Timeout, if longer) rather than the
// Config.Timeout of the other steps. Go-mail bounds a connection's
// reads and writes by one deadline, which UpdateDeadline moves: the next
// message's moves it back.
//
// An error other than the server's refusal (a 4yz or 5yz reply: see
// refusal) matches errUnanswered: the message went out whole, and the
// server may have accepted it. So does a reply that is no outcome, a 1yz
// say, which another reply follows, and which may accept the message.
func (cn *conn) readEnd() error {
	err := cn.client.UpdateDeadline(max(cn.timeout, endOfDataWait))
	if err == nil {
		// Any 2yz: RFC 5321 names 250, but every positive completion
		// (4.2.1) says the server has the message, and taking another
		// for a failure would send it again.
		_, _, err = cn.client.Text.ReadResponse(2)
	}
	reply, ok := err.(*textproto.Error)
	switch {
	case err == nil || ok && refusal(reply):
		return err
	case ok:
		return fmt.Errorf("%w: the reply was %w", errUnanswered, reply)
	}
	return fmt.Errorf("%w: %w", errUnanswered, err)
}

// refusal reports whether r, a reply other than the one a command or the
// end of DATA expects, refuses it: 4yz or 5yz (RFC 5321, 4.2.1). Any other
// is no outcome, and leaves client and server out of step: a 1yz says
// another reply follows, which the next command would take for its own; a
// 3yz, or a 2yz where 354 was due, that the server took what came before
// otherwise than the client; a class SMTP does not define, nothing. The
// connection is then given up, not kept for the next message.
func refusal(r *textproto.Error) bool {
	class := r.Code / 100
	return class == 4 || class == 5
}

// writeLine buffers line and CRLF.
func writeLine(t *textproto.Conn, line string) error {
	if _, err := t.W.WriteString(line); err != nil {
		return fmt.Errorf("write command: %w", err)
	}
	if _, err := t.W.WriteString("\r\n"); err != nil {
		return fmt.Errorf("write command: %w", err)
	}
	return nil
}

// envelope is a's address as MAIL FROM and RCPT TO take it: "<addr>",
// without the name, the local part quoted where it needs to be.
func envelope(a *mail.Address) string {
	return (&mail.Address{Address: a.Address}).String()
}
