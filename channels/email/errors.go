package email

import (
	"errors"
	"net/textproto"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
)

// ErrDeliveryUncertain is matched by the error of a recipient whose
// message went out whole, its final "." included, but whose reply to the
// end of DATA never came: the attempt's context ended first, or the
// connection broke or timed out, also while the commands of the next
// message, pipelined after it, went out; or what came was no outcome (a
// 1yz, which another reply follows; a 3yz; a line that is no reply). The server may have accepted it
// (RFC 1047's duplicate message problem). The recipient stays pending, and
// the next attempt sends the message again, with the same Message-ID; the
// receipt of the attempt that completes the delivery names the recipient
// in Meta["uncertain"] (see Limits in the package documentation). Under a
// Broadcaster, errors.As finds the *broadcast.TargetsError that matches
// it. See Config.Timeout.
var ErrDeliveryUncertain = errors.New("email: delivery uncertain: the message went out, " +
	"but the server did not say whether it took it; a retry sends it again")

// errUnanswered marks the failure of the wait for the reply to the end of
// DATA, the message sent whole, or a reply to it that is no outcome: see
// readEnd.
var errUnanswered = errors.New("the end of DATA got no outcome")

// RecipientError is one recipient's permanent failure: the server refused
// the message for them (an SMTP 5xx reply to RCPT TO or DATA), or their
// message could not be built. Send records it in the Ledger with
// MarkFailed, and the Broadcaster lists it in Result.Failures (errors.As
// finds it there, and in a *broadcast.TargetsError's Failures).
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

// Error names the recipient, the SMTP command and the server's reply.
func (e *RecipientError) Error() string {
	if e.Command == "" {
		return "email: recipient " + e.Recipient + ": " + e.Reply
	}
	return "email: recipient " + e.Recipient + " refused at " + e.Command + ": " + e.Reply
}

// Unwrap returns the server's reply, a *textproto.Error with secrets
// redacted, if the server refused.
func (e *RecipientError) Unwrap() error { return e.err }

// scrubber removes the channel's secrets from the errors of one attempt:
// the password, and the attempt's XOAUTH2 token. It is the one place a
// server's text enters the channel's errors; it runs on the error path
// only, and builds the token's Redactor only when an error needs it.
type scrubber struct {
	redactor func() *redact.Redactor
	tokens   []string // the XOAUTH2 tokens it removes
}

func (c *Channel) scrubber() *scrubber {
	return &scrubber{redactor: func() *redact.Redactor { return c.redactor }}
}

// with returns a scrubber that removes token too, in the forms XOAUTH2
// sends it in, besides what s removes.
func (s *scrubber) with(c *Channel, token string) *scrubber {
	return &scrubber{redactor: sync.OnceValue(func() *redact.Redactor {
		return s.redactor().WithLogin(c.cfg.Username, redact.NewSecret(token))
	}), tokens: append(slices.Clip(s.tokens), token)}
}

// error returns err with every secret redacted. The result keeps the
// Permanent and RetryAfter marks and what errors.Is matches, but does not
// unwrap to err when err held a secret.
func (s *scrubber) error(err error) error { return redact.ReplaceError(err, s.text) }

// reply returns the server's reply with every secret redacted, on one line.
func (s *scrubber) reply(r *textproto.Error) *textproto.Error {
	return &textproto.Error{Code: r.Code, Msg: oneLine(s.text(r.Msg))}
}

// text returns t with every secret redacted, also one that a multi-line
// reply (RFC 5321, 4.2.1) splits between its lines: a server that wraps
// its text, each line after the reply code and the enhanced status code
// (RFC 2034, section 3), may cut a password it quotes, or its base64
// form, in two, neither of which the Redactor knows. Where the lines, read
// on (see joinLines), hold a secret, t is given so joined, redacted; else
// as it is, redacted.
func (s *scrubber) text(t string) string {
	r := s.redactor()
	out := r.String(t)
	joined := joinLines(out)
	if joined == out {
		return out
	}
	if hidden := r.String(joined); hidden != joined {
		return hidden
	}
	return out
}

// lineBreak is a line break of a multi-line reply as an error's text holds
// it: LF, as textproto joins the lines, or a backslash and "n", as %q
// writes it; with
// the reply code and the enhanced status code (RFC 3463) that may start
// the next line, and the white space after them.
var lineBreak = regexp.MustCompile(`(?:\r?\n|(?:\\r)?\\n)(?:[2-5][0-9]{2}[ -])?(?:[245]\.[0-9]{1,3}\.[0-9]{1,3}[ \t])?[ \t]*`)

// joinLines returns t with its line breaks, and what starts each next line
// of a reply (see lineBreak), taken out: the lines read on as one text.
func joinLines(t string) string {
	if !strings.Contains(t, "\n") && !strings.Contains(t, `\n`) {
		return t
	}
	return lineBreak.ReplaceAllString(t, "")
}

// refused makes the RecipientError of the server's reply to command.
func (s *scrubber) refused(rcpt, command string, r *textproto.Error) *RecipientError {
	r = s.reply(r)
	return &RecipientError{Recipient: rcpt, Command: command, Code: r.Code,
		Reply: strconv.Itoa(r.Code) + " " + r.Msg, err: r}
}

// statedWait finds the wait a 4xx reply's text states: "Greylisted for 297
// seconds" (postgrey), "try again in 5 minutes", "retry in 90s". A number
// not after such a word ("100 messages per 60 seconds") is not one, nor is
// one after a count of things ("100 messages in 1 hour": see countBefore).
var statedWait = regexp.MustCompile(`(?i)\b(?:for|in|after|wait)\s+(\d{1,6})(?:\s*(sec|secs|seconds?|min|mins|minutes?|hours?)|([smh]))\b`)

// countBefore matches the text before a stated wait that makes it a rate
// ("100 messages in 1 hour"), not a wait. The count is a number of its
// own: the enhanced status code that starts a reply ("4.7.1 Greylisted
// for 297 seconds") is none.
var countBefore = regexp.MustCompile(`(?:^|[^\d.])\d+\s+\pL+\s+$`)

// deferral is the least wait before the next attempt that a 4xx reply asks
// for: Config.RetryDeferred, or the wait its text states when longer. A
// stated wait is capped as an HTTP channel's Retry-After is
// (httpx.MaxRetryAfter): "try again in 999999 hours" is a day.
func (c *Channel) deferral(r *textproto.Error) time.Duration {
	for _, m := range statedWait.FindAllStringSubmatchIndex(r.Msg, -1) {
		if countBefore.MatchString(r.Msg[:m[0]]) {
			continue
		}
		n, _ := strconv.Atoi(r.Msg[m[2]:m[3]]) // at most 6 digits
		var unit string
		if m[4] >= 0 {
			unit = r.Msg[m[4]:m[5]]
		} else {
			unit = r.Msg[m[6]:m[7]] // "90s"
		}
		secs := 1.0
		switch strings.ToLower(unit[:1]) {
		case "m":
			secs = 60
		case "h":
			secs = 3600
		}
		d, _ := httpx.Seconds(float64(n) * secs) // n is not negative
		return max(c.cfg.RetryDeferred, d)
	}
	return c.cfg.RetryDeferred
}
