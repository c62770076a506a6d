package email

import (
	"errors"
	"net/textproto"
	"strconv"
)

// RecipientError is one recipient's permanent failure: the server refused
// the message for them (an SMTP 5xx reply to RCPT TO or DATA), or their
// message could not be built. Send records it in the Ledger with MarkFailed
// and lists it in the Receipt's Meta["refused_recipients"]; when every
// recipient failed, Send's error wraps one per recipient (errors.As finds
// them).
type RecipientError struct {
	// Recipient is the bare address.
	Recipient string
	// Command is the SMTP command refused: "RCPT TO", "DATA" or "end of
	// DATA"; "" when the failure was ours.
	Command string
	// Code is the SMTP reply code, such as 550; 0 when the failure was ours.
	Code int
	// Reply is the server's reply, "550 5.1.1 no such user", on one line
	// and with secrets redacted, or what went wrong on our side.
	Reply string

	err error
}

func (e *RecipientError) Error() string {
	if e.Command == "" {
		return "email: recipient " + e.Recipient + ": " + e.Reply
	}
	return "email: recipient " + e.Recipient + " refused at " + e.summary()
}

// summary is the refused command and the reply.
func (e *RecipientError) summary() string {
	if e.Command == "" {
		return e.Reply
	}
	return e.Command + ": " + e.Reply
}

// Unwrap returns the server's reply, a *textproto.Error, if the server
// refused.
func (e *RecipientError) Unwrap() error { return e.err }

// newRecipientError makes a RecipientError of the server's reply to command.
func newRecipientError(rcpt, command string, reply *textproto.Error, secrets ...string) *RecipientError {
	return &RecipientError{Recipient: rcpt, Command: command, Code: reply.Code,
		Reply: replyText(reply, secrets...), err: reply}
}

// replyText is a reply as the server sent it, "550 5.1.1 no such user", on
// one line and with secrets redacted. (textproto.Error quotes the text.)
func replyText(reply *textproto.Error, secrets ...string) string {
	text := strconv.Itoa(reply.Code) + " " + reply.Msg
	return oneLine(redactError(errors.New(text), secrets...).Error())
}
