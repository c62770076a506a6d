// Package email delivers incident updates by e-mail over SMTP, one
// individual message per recipient, through github.com/wneessen/go-mail.
//
// Every recipient gets a message of their own (To: that recipient only, so no
// recipient sees another), multipart/alternative with a plain-text and an
// HTML part rendered from the "subject", "text" and "html" templates.
// Update.Overrides[Name] replaces the rendered text after a status line
// ("Resolved: <Title>"); the HTML part then shows the same text, escaped.
// Up to Concurrency connections send in parallel, each reused for many
// messages; the limit is the Channel's, shared by all its Sends and Checks.
// The recipients' bare addresses are the Ledger targets (see Recipients): a
// retry sends only to the recipients not done yet, and broadcast.NewFanout
// keeps the books.
//
// # Connections
//
// At most Config.Concurrency connections of a Channel are open, or being
// dialed, at once, whatever the number of Sends under way (a Broadcaster's
// dispatch workers, several updates in flight) and Checks: a server that
// counts connections per account, as Microsoft 365 does, sees no more. A
// Send, or a Check, that finds them all in use waits in line, within its
// context, first come first served, for one to be done with: a Send takes
// it over, a Check closes it to dial its own. The connections kept between
// Sends (below) count too. A Send to many recipients does not hold its
// connections for its whole length while another Send waits: between two
// of its messages it hands a connection to the first Send in line, and
// waits in line itself for its next message, so that the "resolved"
// update, or another incident's, goes out between the messages of a long
// fan-out rather than after it. It hands none to a Check, which would
// close it and dial its own, and have the Send connect again: a Check
// waits for a Send to be done with a connection, or for one to close. (Pipelined, the message whose
// commands went out with the one before is sent first; with a negative
// IdleTimeout the connection is closed, and the other dials its own.)
// While nobody waits, a Send keeps its connections.
//
// The message is rendered and encoded once per Send, and only the header of
// each recipient's copy (To, List-Unsubscribe) is written per recipient.
// Once a Send is done with its connections, up to Concurrency of them wait,
// authenticated, for the next Send, for at most Config.IdleTimeout (30s by
// default), after which they say QUIT; Close closes them. A connection
// taken up again, or handed from another Send, starts with RSET, so that
// no state of an earlier Send carries over; one the server closed
// meanwhile (its idle timeout, a restart), or that answers 421, is
// replaced by a new one in the same Send without a failure and without a
// duplicate, since the message had not been accepted. The reply to that
// RSET is waited for 5 seconds at most (Config.Timeout if shorter), not
// Config.Timeout: a server that vanished without closing the connection
// (host down, a NAT or firewall that dropped the idle flow) never answers,
// and a wait of Timeout (30s by default) would use up a Broadcaster's
// whole attempt (AttemptTimeout, 30s by default) in an outage, whereas a
// server that is there answers RSET at once. Such a silent connection is
// replaced likewise, and the other kept connections, idle as long or
// longer, are closed with it rather than tried in turn; one that another
// Send gave back while the RSET went unanswered stays, since it has just
// carried a message. Only one whose
// RSET is answered 2yz (250) counts as authenticated (see Errors). Where the server offers PIPELINING
// (RFC 2920), MAIL FROM, RCPT TO and DATA go out in one write, with the
// content of the connection's message before them, and every reply is read
// in order: a message costs one round trip instead of four. A server that
// accepts DATA after refusing RSET or MAIL gets its connection closed
// rather than an empty message.
//
// Transport security is STARTTLS, required, unless Config.TLS says
// otherwise: TLSImplicit for implicit TLS (port 465), TLSPlaintext only when
// set explicitly. Authentication is PLAIN or LOGIN with Username and
// Password, or XOAUTH2 with a token from Config.TokenSource (the Token
// method of an oauth2.TokenSource). The keywords of the server's EHLO
// reply are read whatever their case ("starttls", "auth plain"), as RFC
// 5321 section 2.4 has them, where the connection is in plain text:
// before STARTTLS, and with TLSPlaintext. Inside TLS (after STARTTLS, or
// with TLSImplicit) they are read in upper case only, as the SMTP library
// (go-mail) reads them: an AUTH listed there in lower case is not seen,
// and the channel fails for good, its error saying why when the server
// wrote its keywords or AUTH mechanisms in lower case before STARTTLS. No keyword's case
// ever makes the channel send without TLS when Config.TLS asks for it,
// nor send the credentials in the clear.
//
// Header values are never written raw: CR, LF and other control characters
// in titles, bodies, overrides or names are encoded (RFC 2047) or rejected,
// so no text of an update can add a header or a recipient. A subject loses
// the terminal escape sequences its template writes ("\x1b[1mDown\x1b[0m"
// gives "Down"), whole, as the update's fields do (see
// broadcast.Update.Clean), and so does a stored one. A subject that
// holds "=?" is encoded too, even in ASCII, so that mail readers show it as
// written rather than decode text that looks like an encoded word; so is
// one with a word too long for a header line (a long URL in a title), so
// that it folds within the 78 characters of RFC 5322; so is a display
// name, of From or a recipient, with such a word. A line that holds an
// encoded word is at most 76 characters long (RFC 2047).
//
// An address whose domain is outside ASCII goes out with the domain in
// IDNA A-labels ("xn--…"), in the envelope and the header, which every
// server takes. One whose local part is outside ASCII needs a server that
// offers SMTPUTF8 (RFC 6531): without it, such a recipient is refused for
// good (a *RecipientError saying so), and such a From fails the channel.
// Only the messages whose sender or recipient needs it carry the SMTPUTF8
// parameter, so that a relay does not bounce the others at a next hop
// without SMTPUTF8.
// The Ledger targets, Recipients, RecipientError and the List-Unsubscribe
// URL keep the addresses as configured. A Config.Host outside ASCII is
// likewise dialed, and named to TLS (SNI, certificate check), in A-labels.
//
// # Threading
//
// The updates of one incident form one conversation in mail clients. Each
// update has one Message-ID, the same for every recipient (as on a mailing
// list) and on every attempt, also after a restart: it is made of
// Message.Key(""), which is stable for the update and the channel's name
// (a Message built by hand, with broadcast.NewMessage, knows no channel
// name: two e-mail channels sent it give the update one Message-ID), the
// incident's slug and the domain of From, in lower case (outagecast.invalid
// when that domain is outside ASCII or an address literal, which a
// Message-ID cannot end with as configured). A recipient sent to again on
// a retry therefore gets the same Message-ID as before, and mail clients and
// servers that drop duplicates by Message-ID show one message.
//
// E-mail chains to the latest post: In-Reply-To is the Message-ID of
// Message.Thread.Last, and References the chain from Thread.Root to
// Thread.Last, as RFC 5322 (3.6.4) builds it, at most MaxReferences IDs:
// the first and the latest ones. Each Receipt carries the chain on in
// Meta["references"], whole (up to 200 IDs, the first and the latest),
// then its own Message-ID. An update sent again whose own receipt is
// Thread.Last, or whose Message-ID is in Thread.Last's chain (a later
// update replied to it), replies to what it replied to the first time,
// with the same References: never to itself, nor to a newer message.
// (Sent again after more than 200 later updates, it may reply to an
// older one, or to the first.)
//
// Every update of an incident also has the same subject, because Gmail
// threads only messages whose subjects match. The status changes with
// every update and the title may be edited, so neither may decide it: the
// subject rendered for the incident's first message is stored in its
// receipt's Meta["subject"], and every later update reuses it, unchanged,
// from Thread.Root (from Thread.Last when Root has none; every receipt
// carries the subject on). A "subject.<status>" template therefore applies
// only to an incident's first message. A subject template that shows
// nothing for an update (white space, or a branch on a field the update
// leaves empty) gives way to the default template's subject: mail clients
// show an empty one as "(no subject)", and New cannot tell from a sample
// update which updates a template leaves blank. The default subject names no status
// ("Incident: <Title>"); the status leads the text part, the HTML part and
// the HTML part's hidden preheader (the preview line mail clients show after
// the subject), with the current title.
//
// The Receipt's ID is the Message-ID; Receipt.Meta holds "references",
// "subject", and the counts of the attempt: "sent" and "skipped" (done in an
// earlier attempt), and, when a newer update of the incident reached some
// recipients first, "superseded": those the update was not sent to, the
// Result's SupersededTargets; and "uncertain", when some recipient may have
// the message twice (see Limits).
//
// # Corrections and retractions
//
// A sent e-mail can be neither changed nor taken back, so the Channel is
// neither a broadcast.Editor nor a broadcast.Retractor. Broadcaster.Correct
// posts the correction (an update with Update.Corrects set) as a new message
// in the incident's thread, with the incident's subject, In-Reply-To and
// References; the default templates lead its text with "Correction: ", and
// so does the status line before an override text, also one of
// Config.Templates' "email-status" that does not say so (unless it starts
// with the word "correction" already). Broadcaster.Retract
// reports broadcast.ErrNotSupported for this channel: the messages are in
// the recipients' mailboxes already.
//
// # Limits
//
// A message the server accepted but whose 250 reply was lost with the
// connection is sent again on retry: SMTP cannot tell it from a message that
// never arrived (RFC 1047), and so is one whose delivery mark the Ledger
// failed to save, and one whose reply came after the attempt's context
// ended (the wait for that reply is not Config.Timeout but up to 10
// minutes: see there). A recipient whose message went out whole but got no
// reply to its end of DATA, or one that is no outcome (see Errors), has an error matching ErrDeliveryUncertain,
// also when the connection broke while the next message's pipelined
// commands went out after it; it waits for the next attempt rather than
// go out again at once. The message sent again carries the same
// Message-ID, so clients that deduplicate show it once. The Ledger keeps
// that the delivery was uncertain (broadcast.Fanout.MarkProgress), in the
// Store, so that it outlives the attempt and, with a durable Store, a
// restart: the receipt of the retry that completes the delivery names,
// in Meta["uncertain"] (bare addresses as configured, separated by
// spaces), every recipient who has the update after an earlier attempt's
// delivery to them was uncertain, who may therefore have it twice, though
// that retry got its reply. Only a retry (broadcast.Message.Attempt above
// 1, as the Broadcaster counts an attempt whose outcome is unknown, also
// a later run's) reads those marks. A process that ends between the end of
// DATA and its reply leaves no mark: its recipient's message goes out
// again, unnamed.
// Each connection re-dials at most once per attempt; connections taken up
// again from an earlier Send, or handed over by another, do not count, nor
// does the dial made again with a fresh XOAUTH2 token (see Errors), and
// a Send's connection handed to another Send starts the count again. Preview has no length
// limit, and shows the subject an incident's first message gets. Without
// Message.Thread (or with receipts that have no "subject"), the subject is
// rendered from the update: the default one then differs from the earlier
// messages' only if the title was edited. Bounces that arrive later, by
// mail, are not seen.
//
// # URL form
//
// For configuration files that list channels as URLs, ParseURL reads and
// Config.URL writes a short form (as other tools write SMTP settings):
//
//	smtp://USER:PASSWORD@HOST[:PORT]/?from=FROM&to=ADDR[,ADDR…]   (STARTTLS)
//	smtps://USER:PASSWORD@HOST[:PORT]/?from=FROM&to=ADDR            (implicit TLS)
//	smtp://HOST:25/?tls=plaintext&from=FROM&to=ADDR
//
// The other query parameters are auth, concurrency, list_unsubscribe,
// list_unsubscribe_one_click, hello_name, timeout, idle_timeout and
// retry_deferred, named and written as in a configuration file; each at
// most once (to may be repeated, its addresses added up). Values
// are %-escaped, but "+" stands for itself ("ops+status@example.com"); a
// comma in a recipient's display name is written %2C. A user name with
// "@" is written %40, and a password with "/", "?" or "#" writes them %2F,
// %3F and %23: unescaped, they end the host part early, and ParseURL fails
// without quoting what follows. Where the password's first digits became
// the port (an empty one, or one without user information followed by an
// "@" in the path, fragment or a parameter other than from, to and
// list_unsubscribe), the error names the port.
// TokenSource (XOAUTH2) and TLSConfig need the full Config.
//
// # Errors
//
// New reports configuration problems without I/O, naming the field, as in
// "email: Config.To[3]: invalid address". Send classifies per recipient:
//
//   - 250 (or another 2yz reply) to the end of DATA: delivered, marked
//     in the Ledger at once. Any 2yz to RSET, MAIL FROM or RCPT TO is
//     taken as the 250 RFC 5321 names there: a client acts on the first
//     digit of a code it did not expect (4.2.1).
//   - 452 or 552 "too many recipients" (enhanced status X.5.3) to RCPT:
//     the server's limit on recipients, which it counts over the session
//     since each message here has one; RFC 5321 (4.5.3.1.10) has clients
//     take even the 552 as temporary. The connection is given up and the
//     recipient goes out on a new one, or, when the attempt may dial no
//     more, stays pending with a wait of at least Config.RetryDeferred.
//   - Another 5xx to RCPT or DATA: that recipient failed permanently; it is marked
//     failed in the Ledger with a *RecipientError holding the server's reply
//     and never retried. But a 5xx to the end of DATA whose enhanced status
//     refuses the message, not the recipient (X.3.4, too big for the
//     system; X.6.x, its content), would be the same for every copy: it
//     fails the recipients not sent yet too, as a refused sender does
//     (below), and the message is not uploaded again (with PIPELINING,
//     the next recipient's copy, already on its way with the reply, is
//     the one more upload).
//   - A message larger than the server takes, as the SIZE keyword of its
//     EHLO reply states it (RFC 1870; SIZE 0, SIZE without a number and a
//     parameter that is not one state no limit), fails at once, before
//     MAIL FROM, for every recipient: broadcast.Permanent for the whole
//     channel, its error naming the message's size and the server's limit
//     in bytes and the field to shorten (Update.Body, or
//     Update.Overrides[Name] when the update has one, which the message
//     shows instead). The size is that of the largest
//     recipient's copy (RFC 1870 counts CR LF, not the final "." nor
//     stuffed dots), so no recipient gets the update while another's is
//     refused; with a ListUnsubscribeFunc its List-Unsubscribe fields
//     count as the function made them for this Send, whose retry makes
//     them again (a URL that grew longer since may then refuse the
//     recipients left after others got the update: see
//     Config.ListUnsubscribeFunc). No command of a transaction goes out,
//     and the connection is kept for the next Send. To a server whose EHLO
//     reply lists SIZE, with a limit or not, MAIL FROM declares the size
//     of each recipient's copy, exactly, as SIZE=n (RFC 1870, section 6):
//     a 552 to it (or a 5xx with enhanced status X.3.4 or X.6.x) refuses
//     the message for that size, also from a server that states no limit
//     or a lower one for the sender, and fails every recipient not sent
//     yet as a refused sender does (below), its error saying that the
//     message was refused and what to shorten; a 452 defers the sender
//     (below). A server that states no limit may still refuse the message
//     at the end of DATA (above). The limit and the SIZE keyword are read
//     from the EHLO reply inside TLS (after STARTTLS, RFC 3207 has the
//     client forget the one before).
//   - The context ended while the Send waited for a connection, all
//     Concurrency of the Channel's in use by other Sends: the recipients
//     not sent yet stay pending, with a transient error that says so and
//     wraps the context's error.
//   - 4xx, or a connection that broke: that recipient stays pending. A
//     broken connection is re-dialled once per attempt, and a recipient
//     whose message it had not carried whole goes out on the new one. One
//     whose message went out whole, its final "." included, and whose
//     reply to the end of DATA never came (the connection broke, or timed
//     out, after it, also while the next message's pipelined commands went
//     out with it) waits for the next attempt, its error matching
//     ErrDeliveryUncertain (see Limits); so does one whose reply to the
//     end of DATA was no outcome (see below). Send then
//     returns a transient error wrapping a *broadcast.TargetsError that
//     names the pending and the refused recipients, so the Broadcaster
//     retries only the pending ones; after a 4xx (also a 421 with which
//     the server closed the connection) it asks for a wait of at least
//     Config.RetryDeferred, or the longer wait the reply's text states,
//     at most a day (broadcast.RetryAfter). A 4xx to MAIL FROM defers the sender, not
//     one recipient: every recipient not sent yet waits for the next
//     attempt.
//   - A reply that is no outcome, neither 2yz, 4yz nor 5yz (a 1yz, which
//     another reply follows; a 3yz; a 2yz to DATA, where 354 is due), or
//     a reply line that is not one: the replies may be out of step, so
//     the connection is closed, never kept for the next message or Send.
//     The recipient goes out on another connection, as after a broken
//     one; after the end of DATA, whose message went out whole, its
//     delivery is uncertain instead (ErrDeliveryUncertain).
//   - 5xx to AUTH (535), to MAIL FROM, to EHLO and the HELO after it (the
//     error names the name sent, and Config.HelloName, which sets it; so
//     does a 4xx's, but 421), a TLS failure, a server without
//     STARTTLS when it is required, one that does not offer the AUTH
//     method Config.Auth asks for, or no AUTH with Config.Username set
//     (the error names the field), or a port that speaks TLS from the
//     first byte (465) when Config.TLS is TLSStartTLS or TLSPlaintext (a
//     silent port is asked with a TLS handshake once its greeting is 5s
//     late, and a greeting that comes meanwhile is taken), or one that
//     greets in plain text when it is TLSImplicit (the error names
//     Config.TLS in either case):
//     broadcast.Permanent for the whole channel; but a 5xx to MAIL FROM
//     after some recipients got the update (a daily quota used up), or
//     after one's delivery was left uncertain, fails the recipients not
//     sent yet, as refused ones, and the uncertain one stays pending
//     (ErrDeliveryUncertain): a permanent error would say that nothing
//     went out.
//   - Such a failure to connect (a 5xx greeting, a TLS alert, a 535) once a
//     connection of the same attempt authenticated (one dialled, or one
//     kept from an earlier Send that answered its RSET with a 2yz reply) is
//     transient instead: that connection proved the configuration good, so
//     it is more likely a server-side blip, and the recipients not sent
//     yet stay pending. So is a refused token refresh then.
//   - With XOAUTH2, a 535 to a token the attempt has not refreshed yet
//     is no failure: the token may have expired or been revoked on the
//     way, so the attempt (a Send, or a Check) calls Config.TokenSource
//     again, once, and connects anew with the fresh token, which its
//     other connections then use too. A 535 to that fresh token is
//     permanent (but see above). Whether the token was refreshed is the
//     attempt's own to know, not broadcast.Message.Attempt's, which is
//     above 1 also at a run's first attempt after an earlier run whose
//     outcome is unknown: what other attempts, Sends or Checks met does
//     not count, on this instance or another. A TokenSource that hands
//     out the refused token again (a cached one it still takes for
//     valid, as oauth2.ReuseTokenSource does until the token's expiry)
//     gave no fresh one: the 535 is then transient, the error says so,
//     and the next attempt asks the TokenSource again.
//   - The error of a 535 to AUTH, the credentials refused (RFC 4954
//     section 6), permanent or transient as above, ends in "(refused the
//     credential: check Config.Username and Config.Password)", or
//     "Config.Username and Config.TokenSource)" with XOAUTH2, as every
//     channel's refusal of its credential does. A 534 (RFC 4954: the
//     mechanism is too weak for the user; Gmail's 534 5.7.9 and 5.7.14:
//     an app password, or a web login, is required) ends in "(refused the
//     credential: check Config.Password or Config.Auth)", or "Config.Auth)"
//     with XOAUTH2. The other refusals of AUTH (538 encryption required,
//     454 temporary failure) name no credential; a 538 over a connection
//     Config.TLS (TLSPlaintext) leaves in plain text names Config.TLS.
//
// When every recipient was handled, Send succeeds even if some were refused,
// as a mailing list keeps going past a bounce, so that the update is recorded
// and the next one threads under it; the Broadcaster reports the refused
// recipients in Result.Failures, each with a *RecipientError (errors.As
// finds it). When every recipient was refused, Send returns a
// broadcast.Permanent error wrapping a *broadcast.TargetsError whose
// Failures hold them.
//
// No error, Ledger mark or Receipt contains the password or a token. Config
// holds the password as a redact.Secret, and every error that carries a
// server's text passes through one redact.Redactor that knows the password,
// the attempt's XOAUTH2 token and the forms AUTH PLAIN, LOGIN and XOAUTH2
// send them in (base64 included), so a server that quotes the credentials
// in its reply (a 535 repeating the AUTH line) is redacted too, also
// where a multi-line reply splits them between its lines.
package email

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/mail"
	"slices"
	"text/template"
	"time"

	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/redact"
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
	// AuthAuto picks XOAUTH2 when TokenSource is set, and none when
	// Username is not. With Username: PLAIN if the server offers it, else
	// LOGIN; a server that offers neither gets the first of SCRAM-SHA-256
	// (-PLUS over TLS first), SCRAM-SHA-1 (likewise), NTLM and CRAM-MD5 it
	// offers (go-mail's discovery), none of which sends the password itself.
	// A URL's or a configuration file's "auto" is AuthAuto.
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
	DefaultName = "email"
	// DefaultConcurrency is the default of Config.Concurrency: Microsoft
	// 365 takes three concurrent SMTP AUTH connections of a mailbox, and
	// refuses more ("432 4.3.2 Concurrent connections limit exceeded", or
	// "sender thread limit exceeded").
	DefaultConcurrency = 3
	DefaultTimeout     = 30 * time.Second
	// DefaultRetryDeferred is the default of Config.RetryDeferred.
	DefaultRetryDeferred = time.Minute
	// DefaultIdleTimeout is the default of Config.IdleTimeout.
	DefaultIdleTimeout = 30 * time.Second
	// MaxReferences caps the Message-IDs in the References header.
	MaxReferences = 20
)

// statusTemplate names the template of the line that leads an
// Update.Overrides text; defaultStatusLine is used when Config.Templates
// has none.
const (
	statusTemplate    = "email-status"
	defaultStatusLine = "{{if .Corrects}}Correction: {{end}}{{.Headline}}: {{.Title}}"
)

// Config configures a Channel. Zero fields take the documented defaults.
type Config struct {
	// Name of the channel; default "email". It keys Update.Overrides.
	Name string `yaml:"name" json:"name"`
	// Host of the SMTP server, without port. Required. A name outside
	// ASCII (IDN) is dialed, and checked against the certificate, as its
	// A-labels ("xn--…"). New refuses a name no resolver can look up: an
	// empty label ("a..b", ".example"; a final dot is the root's), a label
	// over 63 characters, or over 253 in all.
	Host string `yaml:"host" json:"host"`
	// Port of the SMTP server; default by TLS mode: 587, 465 or 25.
	Port int `yaml:"port" json:"port"`
	// TLS selects transport security; the zero value requires STARTTLS.
	TLS TLSMode `yaml:"tls" json:"tls"`
	// TLSConfig customises TLS, for example RootCAs for a server with a
	// private certificate. ServerName defaults to Host (IDN as A-labels,
	// like Host). It is cloned. JSON
	// leaves it out: it may hold private keys. A panic in one of its
	// callbacks (VerifyConnection…) fails the channel for good; the error
	// names the panic's value only if it is a runtime error.
	TLSConfig *tls.Config `yaml:"-" json:"-"`
	// Auth selects the AUTH mechanism; default AuthAuto.
	Auth AuthMethod `yaml:"auth" json:"auth"`
	// Username for AUTH; no control characters.
	Username string `yaml:"username" json:"username"`
	// Password for PLAIN and LOGIN; no control characters (CR, LF, NUL…:
	// New refuses them without showing the value). It prints, logs and
	// encodes as REDACTED.
	Password redact.Secret `yaml:"password" json:"password"`
	// TokenSource returns the XOAUTH2 bearer token, called when an
	// attempt first dials, and once more when the server refuses that
	// token (535; see Errors in the package documentation): an attempt
	// whose kept connections do the work needs no token, and does not
	// fail when TokenSource does. It is the Token method of an oauth2.TokenSource, as in
	// "TokenSource: src.Token". It is a function, not the oauth2.TokenSource
	// itself, so that a Config printed with any verb shows no token (fmt
	// prints a function as its address, but the state of a TokenSource
	// such as oauth2.StaticTokenSource's as it is). The tokens never appear
	// in an error. JSON leaves it out.
	//
	// It takes no context, so the Channel makes one call at a time and a
	// Send stops waiting for it when its context ends, with the context's
	// error (transient); the call itself runs on until it returns. Give
	// the token source's HTTP client a Timeout, so that a token endpoint
	// that hangs does not hold that call for ever
	// (oauth2.Config.TokenSource takes it from the context it is made
	// with: context.WithValue(ctx, oauth2.HTTPClient,
	// &http.Client{Timeout: 10 * time.Second})).
	TokenSource func() (*oauth2.Token, error) `yaml:"-" json:"-"`
	// From is the sender, "Status <status@example.com>" or a bare address.
	// Required. Its domain, in lower case, also ends every Message-ID;
	// one outside ASCII ("bücher.example") or an address literal
	// ("[192.0.2.1]") gives way to "outagecast.invalid" there.
	From string `yaml:"from" json:"from"`
	// To lists the recipients, each in RFC 5322 form; at least one, no
	// duplicates. Each gets an individual message. New refuses one
	// mailbox written twice: in another letter case, the local part's too
	// ("Ops@Example.com", "ops@example.com": RFC 5321 lets a server tell
	// them apart, but nearly none does, and two would get two messages),
	// quoted or not ("\"ops\"@example.com"), a domain in Unicode or in
	// A-labels ("ops@bücher.example", "ops@xn--bcher-kva.example").
	To []string `yaml:"to" json:"to"`
	// Concurrency is the most SMTP connections the Channel has open at
	// once, across all its Sends and Checks, idle ones kept for the next
	// Send included; default 3 (DefaultConcurrency). One Send uses no more
	// connections than it has recipients. A Send or Check that finds them
	// all in use waits for one within its context. Channels, and
	// processes, that log in to the same mailbox each have their own
	// limit: a server's limit per mailbox (Microsoft 365: 3) is theirs to
	// share, by giving each a part of it. Waiting Sends and Checks are
	// served in turn: a Send hands a connection to the first other Send
	// in line between two of its messages, a Check gets one once a Send is
	// done with it (see Connections in the package documentation).
	Concurrency int `yaml:"concurrency" json:"concurrency"`
	// Templates renders "subject", "text" and "html"; default
	// templates.Default(). A "subject" that shows nothing for an update
	// gives way to the default one's. With an Update.Overrides text, the line before
	// it comes from "email-status" if the Set holds one, else from
	// "{{if .Corrects}}Correction: {{end}}{{.Headline}}: {{.Title}}"; a
	// correction's line starts with "Correction: " unless it starts with
	// the word already (templates.MarkCorrection).
	Templates *templates.Set `yaml:"-" json:"-"`
	// ListUnsubscribe, if set, is a text/template of the unsubscribe URL
	// (https: or mailto:) written into each message's List-Unsubscribe
	// header. {{.Recipient}} is the recipient's address, already escaped
	// for a URL query: "https://status.example.com/unsubscribe?email={{.Recipient}}".
	// A field longer than 78 characters is folded after its colon, so that
	// the URL, never folded itself, stands whole on a line of its own; a
	// URL over 995 characters, which no header line can hold (RFC 5322,
	// 2.1.1), is refused: by New, when the URL for a sample address is,
	// else by Send, for that recipient.
	ListUnsubscribe string `yaml:"list_unsubscribe" json:"list_unsubscribe"`
	// ListUnsubscribeFunc, instead of ListUnsubscribe, returns the URL for a
	// recipient (for example with a signed token); "" omits the header.
	// A URL that cannot go in the header, or a panic in the function,
	// refuses that recipient (a *RecipientError), as does a call that
	// ends its goroutine (runtime.Goexit) when Send made more than one
	// (with Concurrency 1, or one recipient, the call runs in the
	// goroutine of Send, which it ends). It is called once for
	// each recipient not yet sent to on every Send, from up to
	// Concurrency goroutines at once, once the Send has a connection (not
	// at all while no server answers), and before any of its messages
	// goes out: the size check counts the URLs it returned. No call
	// starts once the Send's context ends (the recipients left stay
	// pending). Sends run at once call it at once too: it must be safe
	// for concurrent use (an hmac.New hash shared by the calls is not).
	// The URL for a recipient must not grow longer from one Send of an
	// update to its retry (a token holding an expiry time with more
	// digits, say): every recipient gets the update or none does holds
	// within one Send, and a retry whose longer URLs make the message
	// larger than the server takes refuses the recipients left for good
	// (see Errors), after others got the update.
	ListUnsubscribeFunc func(recipient string) string `yaml:"-" json:"-"`
	// ListUnsubscribeOneClick adds "List-Unsubscribe-Post:
	// List-Unsubscribe=One-Click" (RFC 8058); the URL must then be https.
	ListUnsubscribeOneClick bool `yaml:"list_unsubscribe_one_click" json:"list_unsubscribe_one_click"`
	// HelloName is the name sent with EHLO: a domain name (outside ASCII:
	// sent as its A-labels) or an address literal, "[192.0.2.1]" or
	// "[IPv6:2001:db8::1]". Default: the local host name if it is fully
	// qualified (has a dot), else the address literal of the connection's
	// local address, as RFC 5321 (4.1.4) asks of a client without a
	// meaningful name; never a bare name such as a container's, which
	// servers that want a fully qualified name refuse (Postfix's
	// reject_non_fqdn_helo_hostname). Behind NAT, that literal is the
	// private address: set HelloName to the name the server should see.
	HelloName string `yaml:"hello_name" json:"hello_name"`
	// Timeout bounds connecting (TCP, greeting, EHLO, STARTTLS and AUTH
	// together) and each message (from MAIL FROM, or the RSET before it,
	// to the end of its data); default 30s. The reply to the RSET that
	// starts the first message on a kept connection is waited for at most
	// 5s (see Connections in the package documentation). The reply to the end of DATA
	// is waited for up to 10 minutes, as RFC 5321 (4.5.3.2.6) asks: a
	// server that filters the message first may take that long, and a
	// message it accepts after the client gave up would be sent again on
	// the retry. The context given to Send and Check bounds the whole
	// attempt, that wait included: under a Broadcaster, so does
	// broadcast.Options.AttemptTimeout (30s by default). A reply it cuts
	// short leaves the recipient pending with an error matching
	// ErrDeliveryUncertain, and the retry sends the message again (same
	// Message-ID). To wait as long as RFC 5321 asks, set AttemptTimeout
	// above 10 minutes plus the time the attempt's messages take; it
	// bounds every channel of the Broadcaster alike, so that a hung
	// attempt elsewhere is then found later too.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// IdleTimeout is how long a connection, authenticated, waits for the
	// next Send once a Send is done with it: at most Concurrency of them
	// wait, and Close closes them. Default 30s; negative: none waits, and
	// every Send connects anew.
	IdleTimeout time.Duration `yaml:"idle_timeout" json:"idle_timeout"`
	// RetryDeferred is the least wait Send asks for (broadcast.RetryAfter)
	// when the server deferred recipients with a 4xx reply: greylisting and
	// rate limits refuse a quick retry. A reply whose text states a longer
	// wait ("Greylisted for 297 seconds", "try again in 5 minutes") gets
	// that wait, at most a day, as an HTTP channel's Retry-After. Default 1 minute: a submission server's or relay's 4xx
	// (a rate limit, a busy server) clears within a minute, and
	// postgrey's greylisting counts its 5 minutes from the first attempt,
	// so a retry each minute passes once they are over.
	RetryDeferred time.Duration `yaml:"retry_deferred" json:"retry_deferred"`
}

// Channel sends updates by e-mail. It is safe for concurrent use.
//
// It prints as its name only (see Format), since fmt would show the
// password it holds.
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by email.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	cfg      *Config         // defaults applied; TLSConfig cloned
	from     *mail.Address   // as it goes on the wire: see wireAddress
	to       []*mail.Address // as they go on the wire
	targets  []string        // to's bare addresses as configured: the Ledger targets
	domain   string          // of From, for Message-IDs
	unsub    *template.Template
	tmpl     *templates.Set           // Config.Templates, with statusTemplate
	redactor *redact.Redactor         // the password, in every form AUTH sends it
	tokens   *httpx.TokenCall         // Config.TokenSource, bounded by each attempt's context; nil without one
	pool     *pool                    // connections waiting for the next Send
	probe    time.Duration            // the wait for a kept connection's RSET: see endpoint.ProbeWait
	heads    func() []recipientFields // see recipientHeader
	maxHead  func() int64             // see maxHeader
	wrapRaw  func(net.Conn) net.Conn  // tests: the connections go through it once dialled; nil in use
}

// Format prints the Channel as "email.Channel(<Name>)" under every verb:
// fmt would print the Config it holds, password included, through the
// pointer (%s and %q follow pointers in unexported fields, and reach
// values whose own Format methods fmt may not call).
func (c *Channel) Format(f fmt.State, _ rune) {
	if !c.made() {
		_, _ = fmt.Fprint(f, "email.Channel(not made)")
		return
	}
	_, _ = fmt.Fprintf(f, "email.Channel(%s)", c.cfg.Name)
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
	_ io.Closer           = (*Channel)(nil)
)

// New checks cfg and returns a Channel. It does no I/O. Its error names
// every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	return newChannel(cfg)
}

// Close closes the connections waiting for the next Send (see
// Config.IdleTimeout), saying QUIT, and returns once no timer or goroutine
// of theirs is left. Sends under way close theirs when they are done with
// them; a Send after Close connects anew, and keeps no connection. The
// Broadcaster calls Close from its own. It returns nil.
func (c *Channel) Close() error {
	if !c.made() {
		return errNotMade
	}
	c.pool.close()
	return nil
}

// Name returns Config.Name.
func (c *Channel) Name() string {
	if !c.made() {
		return ""
	}
	return c.cfg.Name
}

// Recipients returns the bare addresses of Config.To, in order. They are the
// targets the Channel records in the Ledger.
func (c *Channel) Recipients() []string {
	if !c.made() {
		return nil
	}
	return slices.Clone(c.targets)
}

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("email.Channel", "email.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.cfg != nil && c.cfg.Name != "" }
