package email

import (
	"strconv"
	"strings"
	"unicode"

	gomail "github.com/wneessen/go-mail"
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

// Unwrap returns go-mail's *SendError, if the server refused.
func (e *RecipientError) Unwrap() error { return e.err }

// newRecipientError makes a RecipientError of go-mail's SendError.
func newRecipientError(rcpt string, se *gomail.SendError, secrets ...string) *RecipientError {
	return &RecipientError{Recipient: rcpt, Command: command(se.Reason), Code: se.ErrorCode(),
		Reply: serverReply(se, secrets...), err: se}
}

// serverReply extracts the reply from a SendError's text, which reads
// "sending SMTP RCPT TO command: 550 5.1.1 no such user, affected
// recipient(s): …, affected message ID: …".
func serverReply(se *gomail.SendError, secrets ...string) string {
	text := redactError(se, secrets...).Error()
	text, _, _ = strings.Cut(text, ", affected recipient(s): ")
	text, _, _ = strings.Cut(text, ", affected message ID: ")
	if _, reply, ok := strings.Cut(text, ": "); ok {
		text = reply
	}
	// net/textproto quotes the server's text: 550 "5.1.1 no such user".
	if code, quoted, ok := strings.Cut(text, " "); ok && len(code) == 3 {
		if unquoted, err := strconv.Unquote(quoted); err == nil {
			text = code + " " + unquoted
		}
	}
	return strings.Join(strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

func command(r gomail.SendErrReason) string {
	switch r {
	case gomail.ErrSMTPMailFrom:
		return "MAIL FROM"
	case gomail.ErrSMTPRcptTo:
		return "RCPT TO"
	case gomail.ErrSMTPData:
		return "DATA"
	case gomail.ErrSMTPDataClose, gomail.ErrWriteContent:
		return "end of DATA"
	}
	return ""
}
