package email

import (
	"fmt"
	"net/mail"
	"net/textproto"
)

// The SMTP commands of a transaction, as RecipientError.Command names them.
const (
	cmdReset   = "RSET"
	cmdMail    = "MAIL FROM"
	cmdRcpt    = "RCPT TO"
	cmdData    = "DATA"
	cmdEndData = "end of DATA"
)

// transact sends one message on cn: RSET when cn.reset asks for it, MAIL
// FROM, RCPT TO, DATA, then head and data, which are the message ready for
// the wire (see compose). It returns nil when the server accepted the
// message, else the command whose reply was an error (a *textproto.Error
// when the server refused) or "" for a write or read that failed.
//
// It speaks through go-mail's client's textproto.Conn, which go-mail
// exports for extensions, because go-mail's client waits for the reply to
// each command, and stuffs the dots of each message byte by byte. Where the
// server offers PIPELINING (RFC 2920), the commands up to DATA go out in
// one write and their replies are read in order after it: a message costs
// two round trips instead of four. Otherwise each command waits for its
// reply, as go-mail's would.
//
// A transaction that ended with 250 leaves the session ready for the next
// MAIL (RFC 5321, 4.1.1.4): no RSET follows it, nor a NOOP before the next.
func (cn *conn) transact(from, to *mail.Address, head, data []byte) (string, error) {
	cmds := cn.commands(envelope(from), envelope(to))
	var command string
	var err error
	if cn.pipelining {
		command, err = cn.pipeline(cmds)
	} else {
		command, err = cn.inTurn(cmds)
	}
	if err != nil {
		return command, err
	}
	w := cn.client.Text.W
	if _, err := w.Write(head); err != nil {
		return "", fmt.Errorf("write message: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return "", fmt.Errorf("write message: %w", err)
	}
	if err := w.Flush(); err != nil {
		return "", fmt.Errorf("write message: %w", err)
	}
	if _, _, err := cn.client.Text.ReadResponse(250); err != nil {
		return cmdEndData, err
	}
	return "", nil
}

// command is an SMTP command line and the reply code it expects (as
// textproto.Reader.ReadResponse takes it).
type command struct {
	name, line string
	code       int
}

// commands returns the commands of a transaction up to DATA.
func (cn *conn) commands(from, to string) []command {
	cmds := make([]command, 0, 4)
	if cn.reset {
		cmds = append(cmds, command{cmdReset, "RSET", 250})
	}
	return append(cmds,
		command{cmdMail, "MAIL FROM:" + from + cn.mailParams, 250},
		command{cmdRcpt, "RCPT TO:" + to, 25},
		command{cmdData, "DATA", 354})
}

// inTurn sends each command and waits for its reply.
func (cn *conn) inTurn(cmds []command) (string, error) {
	t := cn.client.Text
	for _, c := range cmds {
		if err := writeLine(t, c.line); err != nil {
			return "", err
		}
		if err := t.W.Flush(); err != nil {
			return "", fmt.Errorf("write command: %w", err)
		}
		if _, _, err := t.ReadResponse(c.code); err != nil {
			return c.name, err
		}
		if c.name == cmdReset {
			cn.reset = false
		}
	}
	return "", nil
}

// pipeline sends the commands in one write and reads their replies in
// order, every one of them. It returns the first command refused. When
// DATA was accepted although an earlier command was refused, which a
// server that refused RSET or MAIL should not do, it marks the connection
// broken rather than end the data with a lone dot as RFC 2920 (3.1)
// suggests: a recipient the server accepted would get an empty message,
// where a connection closed in the middle of DATA delivers nothing.
func (cn *conn) pipeline(cmds []command) (string, error) {
	t := cn.client.Text
	for _, c := range cmds {
		if err := writeLine(t, c.line); err != nil {
			return "", err
		}
	}
	if err := t.W.Flush(); err != nil {
		return "", fmt.Errorf("write commands: %w", err)
	}
	var failed string
	var refusal error
	for _, c := range cmds {
		_, _, err := t.ReadResponse(c.code)
		if _, ok := err.(*textproto.Error); err != nil && !ok {
			return "", err // the connection broke
		}
		switch {
		case err != nil && refusal == nil:
			failed, refusal = c.name, err
		case err == nil && c.name == cmdReset:
			cn.reset = false
		case err == nil && c.name == cmdData && refusal != nil:
			cn.broken = true
		}
	}
	return failed, refusal
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
