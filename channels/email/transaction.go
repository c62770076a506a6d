package email

import (
	"fmt"
	"net/mail"
)

// The SMTP commands of a transaction, as RecipientError.Command names them.
const (
	cmdMail    = "MAIL FROM"
	cmdRcpt    = "RCPT TO"
	cmdData    = "DATA"
	cmdEndData = "end of DATA"
)

// transact sends one message on cn: MAIL FROM, RCPT TO, DATA, then head and
// body through the DATA writer, which stuffs dots and ends the data. It
// returns nil when the server accepted the message, else the command whose
// reply was an error (a *textproto.Error when the server refused) or "" for
// a write that failed.
//
// Neither a NOOP before each message nor a RSET after each delivery: a
// transaction that ended with 250 leaves the session ready for the next
// MAIL (RFC 5321, 4.1.1.4), and each costs a round trip. The caller resets
// after a refused command.
func (cn *conn) transact(from, to *mail.Address, head, body []byte) (string, error) {
	c := cn.client
	if err := c.Mail(envelope(from)); err != nil {
		return cmdMail, err
	}
	if err := c.Rcpt(envelope(to)); err != nil {
		return cmdRcpt, err
	}
	w, err := c.Data()
	if err != nil {
		return cmdData, err
	}
	if _, err = w.Write(head); err == nil {
		_, err = w.Write(body)
	}
	if err != nil {
		return "", fmt.Errorf("write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return cmdEndData, err
	}
	return "", nil
}

// envelope is a's address as MAIL FROM and RCPT TO take it: "<addr>",
// without the name, the local part quoted where it needs to be.
func envelope(a *mail.Address) string {
	return (&mail.Address{Address: a.Address}).String()
}
