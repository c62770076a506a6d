// Package email delivers incident updates by e-mail over SMTP, one
// individual message per recipient, through github.com/wneessen/go-mail.
//
// Every recipient gets a message of their own (To: that recipient only, so no
// recipient sees another), multipart/alternative with a plain-text and an
// HTML part rendered from the "subject", "text" and "html" templates.
// Update.Overrides[Name] replaces the rendered text after a status line
// ("Resolved: <Title>"); the HTML part then shows the same text, escaped.
// Concurrency connections send in parallel, each reused for many messages.
//
// The updates of one incident form one conversation in mail clients: every
// update has a Message-ID derived from Update.ID and Update.IncidentID, the
// same for every recipient as on a mailing list, and In-Reply-To and
// References point at the earlier updates' Message-IDs (carried in
// Message.Thread). The Receipt's ID is the Message-ID; Receipt.Meta holds
// "references" (the chain for the next update), "subject", the counts of the
// attempt "sent", "refused" and "skipped" (done in an earlier attempt), and
// "refused_recipients" (at most 20, with the server's replies).
//
// Every update of an incident also has the same subject, because Gmail
// threads only messages whose subjects match. The status changes with
// every update and the title may be edited, so neither may decide it: the
// subject rendered for the incident's first message is carried on in
// Receipt.Meta["subject"] and reused, unchanged, for every later update
// (so a "subject.<status>" template applies only to an incident's first
// message). The default subject names no status ("Incident: <Title>"); the
// status leads the text part, the HTML part and the HTML part's hidden
// preheader (the preview line mail clients show after the subject), with
// the current title.
//
// Transport security is STARTTLS, required, unless Config.TLS says
// otherwise: TLSImplicit for implicit TLS (port 465), TLSPlaintext only when
// set explicitly. Authentication is PLAIN or LOGIN with Username and
// Password, or XOAUTH2 with a token from an oauth2.TokenSource.
//
// Header values are never written raw: CR, LF and other control characters
// in titles, bodies, overrides or names are encoded (RFC 2047) or rejected,
// so no text of an update can add a header or a recipient.
//
// # Errors
//
// New reports configuration problems without I/O, naming the field, as in
// "email: Config.To[3]: invalid address". Send classifies per recipient:
//
//   - 250 after DATA: delivered, marked in the Ledger at once.
//   - 5xx to RCPT or DATA: that recipient failed permanently; it is marked
//     failed in the Ledger with the server's reply and never retried.
//   - 4xx, or a connection that broke: that recipient stays pending. A broken
//     connection is re-dialled once per attempt. Send then returns a
//     transient error, so the Broadcaster retries only the pending ones;
//     after a 4xx it asks for a wait of at least Config.RetryDeferred
//     (broadcast.RetryAfter).
//   - 5xx to AUTH (535), to MAIL FROM, a TLS failure or a server without
//     STARTTLS when it is required: broadcast.Permanent for the whole channel.
//
// When every recipient was handled, Send succeeds even if some were refused,
// as a mailing list keeps going past a bounce, so that the update is recorded
// and the next one threads under it; the Broadcaster reports the refused
// recipients in Result.Failures, each with a *RecipientError. When every
// recipient of the attempt was refused, Send returns a broadcast.Permanent
// error wrapping one *RecipientError per recipient. Errors and logs never
// contain the password or a token: Config and Channel print them REDACTED.
//
// # Limits
//
// A message the server accepted but whose 250 reply was lost with the
// connection is sent again on retry: SMTP cannot tell it from a message that
// never arrived, and so is one whose delivery mark the Ledger failed to
// save. Each connection re-dials at most once per attempt. The
// References header keeps the first and the latest Message-IDs, at most
// MaxReferences. Preview has no length limit, and shows the subject an
// incident's first message gets. Without Message.Thread (or with a receipt
// that has no "subject"), the subject is rendered from the update: the
// default one then differs from the earlier messages' only if the title was
// edited. Bounces that arrive later, by mail, are not seen.
package email

import (
	"crypto/tls"
	"fmt"
	"net/mail"
	"text/template"
	"time"

	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// TLSMode says how a connection to the SMTP server is secured.
type TLSMode int

// TLS modes. The zero value, TLSStartTLS, is the safe default.
const (
	// TLSStartTLS connects in plain text and upgrades with STARTTLS; a server
	// that does not offer STARTTLS is an error. Default port 587.
	TLSStartTLS TLSMode = iota
	// TLSImplicit speaks TLS from the first byte (SMTPS). Default port 465.
	TLSImplicit
	// TLSPlaintext never encrypts. Use it only for a relay on the same host
	// or network; credentials are then allowed to a loopback host only.
	// Default port 25.
	TLSPlaintext
)

// String returns the mode's name.
func (m TLSMode) String() string {
	switch m {
	case TLSStartTLS:
		return "starttls"
	case TLSImplicit:
		return "implicit"
	case TLSPlaintext:
		return "plaintext"
	}
	return fmt.Sprintf("TLSMode(%d)", int(m))
}

// AuthMethod is an SMTP AUTH mechanism.
type AuthMethod string

// Authentication methods.
const (
	// AuthAuto picks XOAUTH2 when TokenSource is set, PLAIN or LOGIN (the
	// first the server offers) when Username is set, and none otherwise.
	AuthAuto AuthMethod = ""
	// AuthPlain is SASL PLAIN (RFC 4616) with Username and Password.
	AuthPlain AuthMethod = "PLAIN"
	// AuthLogin is the LOGIN mechanism with Username and Password.
	AuthLogin AuthMethod = "LOGIN"
	// AuthXOAUTH2 sends Username and a bearer token from TokenSource.
	AuthXOAUTH2 AuthMethod = "XOAUTH2"
	// AuthNone sends no AUTH command.
	AuthNone AuthMethod = "NONE"
)

// Defaults used for zero Config fields.
const (
	DefaultName        = "email"
	DefaultConcurrency = 4
	DefaultTimeout     = 30 * time.Second
	// DefaultRetryDeferred is the default of Config.RetryDeferred.
	DefaultRetryDeferred = time.Minute
	// MaxReferences caps the Message-IDs in the References header.
	MaxReferences = 20
)

// statusTemplate names the template of the line that leads an
// Update.Overrides text; defaultStatusLine is used when Config.Templates
// has none.
const (
	statusTemplate    = "email-status"
	defaultStatusLine = "{{.Headline}}: {{.Title}}"
)

// Config configures a Channel. Zero fields take the documented defaults.
type Config struct {
	// Name of the channel; default "email". It keys Update.Overrides.
	Name string
	// Host of the SMTP server, without port. Required.
	Host string
	// Port of the SMTP server; default by TLS mode: 587, 465 or 25.
	Port int
	// TLS selects transport security; the zero value requires STARTTLS.
	TLS TLSMode
	// TLSConfig customises TLS, for example RootCAs for a server with a
	// private certificate. ServerName defaults to Host. It is cloned.
	TLSConfig *tls.Config
	// Auth selects the AUTH mechanism; default AuthAuto.
	Auth AuthMethod
	// Username for AUTH.
	Username string
	// Password for PLAIN and LOGIN. Secret: printed as REDACTED.
	Password string
	// TokenSource provides XOAUTH2 bearer tokens, one per attempt. Secret.
	TokenSource oauth2.TokenSource
	// From is the sender, "Status <status@example.com>" or a bare address.
	// Required. Its domain also ends every Message-ID.
	From string
	// To lists the recipients, each in RFC 5322 form; at least one, no
	// duplicates. Each gets an individual message.
	To []string
	// Concurrency is the number of SMTP connections used in parallel;
	// default 4, never more than there are recipients.
	Concurrency int
	// Templates renders "subject", "text" and "html"; default
	// templates.Default(). With an Update.Overrides text, the line before
	// it comes from "email-status" if the Set holds one, else from
	// "{{.Headline}}: {{.Title}}".
	Templates *templates.Set
	// ListUnsubscribe, if set, is a text/template of the unsubscribe URL
	// (https: or mailto:) written into each message's List-Unsubscribe
	// header. {{.Recipient}} is the recipient's address, already escaped
	// for a URL query: "https://status.example.com/unsubscribe?email={{.Recipient}}".
	ListUnsubscribe string
	// ListUnsubscribeFunc, instead of ListUnsubscribe, returns the URL for a
	// recipient (for example with a signed token); "" omits the header.
	ListUnsubscribeFunc func(recipient string) string
	// ListUnsubscribeOneClick adds "List-Unsubscribe-Post:
	// List-Unsubscribe=One-Click" (RFC 8058); the URL must then be https.
	ListUnsubscribeOneClick bool
	// HelloName is the name sent with EHLO; default the local host name.
	HelloName string
	// Timeout bounds each SMTP command and reply; default 30s. The context
	// given to Send and Check bounds the whole attempt.
	Timeout time.Duration
	// RetryDeferred is the least wait Send asks for (broadcast.RetryAfter)
	// when the server deferred recipients with a 4xx reply: greylisting and
	// rate limits refuse a quick retry. Default 1 minute.
	RetryDeferred time.Duration
}

// Channel sends updates by e-mail. It is safe for concurrent use.
type Channel struct {
	cfg    Config // defaults applied; TLSConfig cloned
	from   *mail.Address
	to     []*mail.Address // Address is the Ledger's target
	domain string          // of From, for Message-IDs
	unsub  *template.Template
	tmpl   *templates.Set
	status *templates.Set // tmpl, with statusTemplate
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
)

// New checks cfg and returns a Channel. It does no I/O.
func New(cfg Config) (*Channel, error) {
	return newChannel(cfg)
}

// Name returns Config.Name.
func (c *Channel) Name() string { return c.cfg.Name }

// Recipients returns the bare addresses of Config.To, in order. They are the
// targets the Channel records in the Ledger.
func (c *Channel) Recipients() []string {
	out := make([]string, len(c.to))
	for i, a := range c.to {
		out[i] = a.Address
	}
	return out
}
