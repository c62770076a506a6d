// Package channeltest checks that an implementation of broadcast.Channel
// keeps the contract the Broadcaster relies on. Every adapter in this module
// runs it, and so can an adapter written elsewhere, from a short harness: a
// fake of the platform's back end that records what it accepted and can be
// told to fail, and a function wiring a fresh channel to a fresh fake.
//
//	func TestConformance(t *testing.T) {
//		channeltest.Run(t, channeltest.Harness{
//			New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
//				fake := newFakeAPI(t) // an httptest server, closed with t.Cleanup
//				ch, err := chat.New(chat.Config{Token: "tok-123", BaseURL: fake.URL})
//				require.NoError(t, err)
//				return ch, fake
//			},
//			Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
//				// a new process: a new channel on the same fake
//				ch, err := chat.New(chat.Config{Token: "tok-123", BaseURL: be.(*fakeAPI).URL})
//				require.NoError(t, err)
//				return ch
//			},
//			Secrets:   []string{"tok-123"},
//			Config:    chat.Config{Token: "tok-123"},
//			MaxLength: 500,
//			ThreadsTo: channeltest.Root,
//			Keyed:     true,
//			Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
//				channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
//				channeltest.FailForeign},
//			ServerField: "Config.BaseURL",
//		})
//	}
//
// Each rule is a named subtest, so one can be run alone with
// go test -run 'TestConformance/OverrideWins'. When a subtest fails, it logs
// the rule it checks in one line. Rules that need something the harness does
// not declare (a Failure, MaxLength, ThreadsTo, Targets, Keyed, Secrets,
// OwnClient, Untrusted, TLS, Reopen), or
// an optional interface the channel does not implement (broadcast.Editor,
// broadcast.Retractor, broadcast.Checker, broadcast.Previewer, io.Closer,
// found with broadcast.As on a first channel from New, as the Broadcaster
// finds them: a wrapper is tested as the channel it unwraps to), or a
// channel whose type is not a pointer to a struct (NilOrZeroChannelFails),
// are not run; Run logs "not applicable" and the reason for each instead.
//
// The rules, by subtest name:
//
//   - NameIsStable: Name is non-empty and never changes.
//   - DeliversOncePerSend: one Send, one Delivery per target.
//   - TitleStatusURLArrive: the Title, the status and the whole URL are shown.
//   - UnicodeSurvives: flags, emoji sequences, combining marks, CJK and RTL
//     text arrive byte-identical.
//   - LengthLimitHolds (MaxLength > 0): with a 25,000-character body every
//     part fits and the URL arrives whole.
//   - BadURLRefused: an Update.URL the Broadcaster would refuse (see
//     broadcast.CheckURL), in a Message built without it, fails Send and
//     (Editor) Edit for good naming the field without quoting the URL,
//     fails Preview (Previewer), whose Preview names the Channel, Limit
//     and Unit all the same, and nothing is posted or edited. A channel that renders with
//     templates.Set.Text has it refused there.
//   - OverrideWins: Update.Overrides[Name()] is sent instead of the body.
//   - ThreadReceiptUsed (ThreadsTo): with a Thread whose Root and Last
//     differ, a delivery replies to the end the platform threads to (with
//     Targets, to that end's post on the delivery's own target).
//   - UnthreadedIgnoresThread (no ThreadsTo): a Send with a Thread naming
//     an earlier post replies to nothing; a channel that threads fails
//     here until its harness sets Harness.ThreadsTo, so that the thread
//     rules run.
//   - ThreadSurvivesRestart (ThreadsTo): through a Broadcaster whose
//     broadcast/boltstore is closed and opened again after update 1, and
//     a new channel from Harness.Reopen (the one from New closed first),
//     update 2 of the incident and a correction of update 1 posted in the
//     thread reply, byte for byte, to the posts' Receipt.IDs the Store
//     kept. Without Reopen, the same channel object serves both sides,
//     and the rule logs that a thread kept in memory goes unnoticed.
//   - EditAndRetractAfterRestart (Reopen; Editor or Retractor): with the
//     channel from New closed, a new channel from Harness.Reopen edits
//     (Editor) in place, and retracts (Retractor), a post the one from
//     New made, through the receipt as the Store keeps it: a channel that
//     needs what the first one held (a handle of each post, a connection
//     the new channel shared while the first was open) cannot after a
//     restart. EditOfGonePost's deletion by hand, made while New's
//     channel is open, does not tell.
//   - UpdateNotModified: the Update, its slice and map included, is left alone.
//   - TenConcurrentSends: Send is safe for concurrent use.
//   - CancelledContextReturnsPromptly: a done ctx fails Send with its error.
//   - OneHitPerSend: nothing is delivered twice, also after a failed Send.
//   - NilOrZeroChannelFails: a nil or zero value of the channel's type (a
//     pointer to a struct; its constructor's error dropped) fails every
//     call of every exported method with an error, and none panics.
//   - IdempotencyKeyStable (Keyed): the key sent is Message.Key of the
//     target, the same on a retry and for a new Message of the same update.
//   - HandBuiltMessages: Messages built by hand, not with NewMessage (no
//     Update.ID, no Time, no Ledger), are each delivered, and (Keyed) under
//     Message.Key, a key of their own.
//   - SendAfterCloseFailsForGood (io.Closer): Close may be called twice,
//     and a Send after Close delivers once or fails with an error marked
//     Permanent, never a transient one the Broadcaster would retry in vain,
//     that matches broadcast.ErrChannelClosed, so that the Broadcaster
//     leaves the update pending there rather than failed for good.
//   - CloseDuringSends (io.Closer): Close while Sends are under way is
//     race-free and panics nowhere: each Send returns, having delivered
//     its update once to each target, or failed (an error marked
//     Permanent or RetryAfter of one that posted is marked Uncertain too,
//     for a channel without Targets; one that matches
//     broadcast.ErrChannelClosed marks no target failed in the Ledger);
//     no goroutine started since the Sends began outlives Close and them
//     (but those of HTTP connections a client given in the Config keeps);
//     and a Send after them delivers once or fails with an error marked
//     Permanent that matches broadcast.ErrChannelClosed, posting nothing.
//   - CloseReleasesConnections (OwnClient): after a Send, Close leaves no
//     connection of the channel's own client, and no goroutine of one.
//   - RetryReachesOnlyPendingTargets (Targets, FailTransient): after one
//     target failed transiently, a retry with the same Ledger reaches it and
//     no other.
//   - RateLimitedTargetGivesRetryAfter (Targets, FailRateLimited): when
//     one target is rate-limited and the others deliver, Send's error
//     carries the target's RetryAfter hint.
//   - FailedTargetNotRetried (Targets, FailRejected): a target refused for
//     good is marked failed in the Ledger and not tried again by a retry
//     with the same Ledger (a later Send of the update tries it again).
//   - PostsKeptInLedger (Targets, Posts, FailTransient): each target's post
//     is in the Ledger once made, the receipt of the retry that completes
//     the delivery names the posts of both attempts, and (Retractor)
//     Retract with it deletes every one.
//   - EditChangesPost (Editor): Edit changes the delivered post in place,
//     again through the receipt it returns, posts nothing new, and changes
//     no other post of the incident (Thread.Root or Thread.Last).
//   - EditErrorsLikeSend (Editor): Edit's errors are marked as Send's, and a
//     failed Edit changes nothing.
//   - RetractRemovesPost (Retractor): Retract deletes that post and no
//     other; retracting it again is not an error.
//   - RetractErrorsLikeSend (Retractor): Retract's errors are marked as
//     Send's, and a failed Retract deletes nothing.
//   - EditOfGonePost (Editor, Retractor): Edit of a post gone from the
//     platform fails, changing nothing, or posts the correction as a new
//     post, which its receipt names. A post deleted by hand (the suite
//     deletes it with the Retract of a channel from Harness.Reopen, which
//     did not make it; skipped without Reopen) fails with an error wrapping
//     broadcast.ErrPostGone and neither broadcast.ErrNotEditable nor
//     broadcast.ErrRetracted, so that Broadcaster.Correct posts the
//     correction anew; a post the channel's own Retract deleted fails
//     with one wrapping broadcast.ErrPostGone, or broadcast.ErrRetracted
//     marked permanent (the channel knows it retracted the post, and the
//     Broadcaster refuses the correction of an update it retracted).
//   - ReplyToGonePost (ThreadsTo, Retractor): a Send whose Thread names
//     posts gone from the platform (deleted by hand) delivers the update
//     once, or fails, posting nothing, with an error that does not wrap
//     broadcast.ErrPostGone.
//   - UnauthorizedNamesCredential (FailUnauthorized, CredentialField): the
//     error of a credentials failure names the field that holds the
//     credential, as "(refused the credential: check Config.Token)"
//     (CredentialRefused), never the credential itself: once, or once
//     for each of the Targets (a refusal marked again says it twice),
//     and naming fields the Harness's Config has.
//   - LargeIDSurvives: a post id the back end answers is the receipt's
//     Receipt.ID byte for byte (for a channel without Targets), and a
//     reply in its Thread (ThreadsTo), an Edit (Editor) and a Retract
//     (Retractor) through that receipt reach that very post, so that an
//     id read as a float64 (JSON decoded into an any), which above 2^53
//     names another post, fails. A fake answers ids as large as its
//     platform's; with Harness.LargeIDs (X's, Discord's and Mastodon's
//     snowflakes, above 2^53) each post id it names must be an integer
//     above 2^53, and it must name them. Without it, an integer id within
//     2^53 proves nothing about the decoding, and the test log says so; a
//     back end that names no post ids passes.
//   - CheckPostsNothing (Checker): Check with a working back end returns
//     nil (or an error wrapping broadcast.ErrNotSupported); an error it
//     returns while the back end fails with a listed Failure is marked as
//     Send's would be, and with a done ctx it returns one wrapping the
//     ctx's error; it posts nothing.
//   - PreviewShowsWhatSendPosts (Previewer): Preview shows the Title (in
//     Subject or Text) and the whole URL, the override instead of the body,
//     a positive Length, within its Limit (when it has one) and with the
//     URL whole for a 25,000-character body, and posts nothing.
//   - TransientIsNotPermanent, RateLimitedGivesRetryAfter,
//     UnauthorizedIsPermanent, RejectedIsPermanent (each when its Failure is
//     listed): errors are marked as the Broadcaster's retries need. In
//     these and the other rules injecting a failure, no error of Send or Retract
//     wraps broadcast.ErrNotEditable, and none of Send wraps
//     broadcast.ErrPostGone.
//   - NoSecretLeaks (Secrets): no secret, in any encoding, in errors (and
//     every error they wrap, as errors.As reaches it), receipts (of Send
//     and Edit), previews, the name, what Send writes in the Ledger (the
//     targets, the errors it marks them failed with, the posts), the
//     channel and its Config printed with any verb, logged with slog or
//     marshalled to JSON or YAML, or the posts the back end received (each
//     Delivery's Text: what the audience sees).
//   - NoSecretInEchoedErrors (Secrets, FailEcho): the same of the errors
//     and the Ledger when the back end echoes every credential it received
//     in its error answers.
//   - NoSecretInEchoedSuccess (Secrets, FailEchoDelivered): when the back
//     end answers with a success in the platform's shape whose string
//     fields quote every credential it received, no secret, in any
//     encoding, appears in the receipts of Send and Edit, the errors of
//     Send, Edit, Retract and Check, or the Ledger marks and posts of Send:
//     the channel may refuse the answer or drop those fields, never copy
//     them.
//   - RefusedSuccessIsUncertain (FailEchoDelivered): a Send whose post the
//     back end kept but whose success answer the channel refuses fails
//     with an error that, marked Permanent or RetryAfter, is marked
//     broadcast.Uncertain too (the post may exist); a fan-out's error is
//     judged by each failed or pending target's error.
//   - ForeignAnswerIsPermanent (FailForeign): an answer of another server
//     (a captive portal's or a proxy's page) fails Send, Edit, Retract and
//     Check for good, not marked broadcast.Uncertain, nor is any target of
//     a fan-out's error (its page shows that nothing reached the
//     platform), names the configuration to check
//     (ServerField), reaches no target, and quotes no secret.
//   - UntrustedCertificateIsPermanent (Untrusted): a server whose
//     certificate the channel's own client does not trust fails Send (and
//     Check, for a Checker) at once and for good, says the certificate did
//     not verify, reaches no target, and quotes no secret.
//   - UntrustedTLSServerRefused (TLS): the same of a back end speaking
//     TLS as the channel's protocol has it (SMTP STARTTLS or implicit TLS,
//     IRC over TLS), the channel's Config verifying certificates; with the
//     Config skipping the verification, the same server gets the update.
//
// The suite builds every Message with broadcast.NewMessage, as a caller
// without a Broadcaster does: the Update with its defaults filled in for a
// fixed time, Attempt 1 (2 when it retries), a zero Thread unless it checks
// threading, and the in-memory Ledger of NewMessage. A retry reuses the
// Message, and so its Ledger. Receipts it passes back (in a Thread, to Edit
// or Retract) are completed as the Broadcaster stores them.
//
// AssertNoSecret is the secret check of the suite, for adapters' own tests;
// Ledger is an in-memory broadcast.Ledger that lists its marks; ForeignPage
// is the FailForeign answer of an HTTP back end, and EchoAnswer makes its
// FailEchoDelivered answer (EchoAnswerWhile, while the failure is injected).
//
// # Limits
//
// The suite sees what the back end accepted, never what it refused: a Send
// that retries on its own while the back end keeps failing goes unnoticed;
// one that repeats an earlier failed message later does not. A certificate
// that does not verify is judged by the errors' mark and text: a Send that
// tries the handshake again itself before it gives up goes unnoticed (a
// count of handshakes cannot tell it from a second request, as Mastodon's
// read of its limits before the post). Cancellation is
// checked with a context that is already done, not one that ends while a
// request is in flight. Each call must return within 30 seconds, and within
// 10 seconds when its context is already cancelled: these bounds detect
// hangs, they do not measure speed. The texts the suite sends are fixed and
// short enough for a 280-character limit, URLs counted whole; the Unicode
// texts are in NFC. A secret is found in the encodings AssertNoSecret lists,
// not in every encoding there is (not encrypted, hashed or compressed).
//
// # Errors
//
// Failures are reported through t. Run fails at once when Harness.New is
// nil or returns a nil Channel or Backend.
package channeltest

import (
	"crypto/tls"
	"fmt"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// Harness tells Run how to make the channel under test and what its platform
// can do. Its zero values mean "not used": no secrets to look for, no length
// limit, no threading, a single target, no idempotency key, no failures to
// inject.
type Harness struct {
	// New returns a fresh channel wired to a fresh fake back end. It is
	// called once per subtest, and once more by Run to find which optional
	// interfaces the channel implements; it should register any cleanup
	// (closing a server) with t.Cleanup. Required.
	New func(t *testing.T) (broadcast.Channel, Backend)
	// Reopen returns a new channel made from the same configuration as
	// the one New made with be, wired to be, the same back end: the
	// channel of a new process after a restart. ThreadSurvivesRestart
	// sends the updates after its restart through it, having closed the
	// channel New made first (when it is an io.Closer), so that a thread
	// the channel kept only in memory (a cache of post IDs, a
	// connection's state, a map of rooms) is lost there, as it is in a
	// real restart. EditOfGonePost deletes a post "by hand" with the
	// Retract of one, while New's stays open, so that the channel under
	// test learns of the deletion from the platform alone: the channel
	// must share no memory with New's, as a new process's does not. The
	// suite closes every channel Reopen makes (when it is an io.Closer)
	// once done with it. EditAndRetractAfterRestart edits and retracts,
	// with one made after the channel from New is closed, a post that one
	// made: a post's handle kept in the memory or a connection of the
	// channel that made it is lost there, as it is in a real restart. It
	// should register any other cleanup with t.Cleanup. Nil: the same
	// channel object serves both sides of the restart, and the rule says
	// so in the test log: only the Store is restarted, a thread kept in
	// memory goes unnoticed, EditOfGonePost edits only a post the channel
	// deleted itself, and EditAndRetractAfterRestart is not run.
	Reopen func(t *testing.T, be Backend) broadcast.Channel
	// Secrets are strings that must never appear, in any encoding
	// AssertNoSecret knows, in an error or an error it wraps, a receipt, a
	// preview, the channel's name, the Ledger marks and posts of a Send,
	// or the channel or Config printed, logged or marshalled (JSON and
	// YAML). Empty strings are ignored.
	Secrets []string
	// Config is the configuration the channel is made from, as its user
	// writes it, with the Secrets in it; NoSecretLeaks prints, logs and
	// marshals it to JSON and YAML. Nil: not checked.
	Config any
	// MaxLength is the platform's limit on each Delivery part, in Measure
	// units. 0: no limit.
	MaxLength int
	// Measure measures MaxLength. Nil: templates.Runes.
	Measure templates.Measure
	// ThreadsTo says which post of an incident's thread the platform
	// replies to. Unthreaded (the zero value): the platform does not
	// thread, and Send ignores Message.Thread; UnthreadedIgnoresThread
	// fails a channel that threads all the same.
	ThreadsTo ThreadEnd
	// Targets are the Ledger targets of the channel New makes (recipients,
	// endpoints, rooms), when it delivers to more than one: the fan-out
	// rules need at least two, and the Backend must then be a
	// TargetBackend. With Targets, each Send adds one Delivery per target.
	Targets []string
	// Keyed says the platform takes an idempotency key (a webhook-id, an
	// Idempotency-Key header, a Matrix txnId, a requestId): the back end
	// fills Delivery.Key from each request, and the channel must send
	// Message.Key(Delivery.Target).
	Keyed bool
	// LargeIDs says the platform's post ids are integers above 2^53, as
	// X's, Discord's and Mastodon's snowflakes are (64-bit integers, which
	// their APIs write as strings): LargeIDSurvives then fails when the
	// back end names no post id, or one that is not such an integer, as a
	// fake answering small ids proves nothing about their decoding. False:
	// ids of any form; an integer id within 2^53 (Telegram's message ids
	// are 32-bit) is only logged.
	LargeIDs bool
	// Posts says the channel's receipt names each target's post (Slack,
	// Matrix, Telegram: the IDs the platform gave), so it keeps each post
	// in the Ledger as it is made (broadcast.Fanout.Posted), for the
	// attempt that completes the delivery, in any process, to name them
	// all. It needs Targets.
	Posts bool
	// Failures lists the failures the back end can inject. The rules of
	// the others are not run.
	Failures []Failure
	// ServerField is the configuration field that names the server the
	// channel talks to, as its errors name it ("Config.BaseURL"): the
	// FailForeign rule looks for it in the errors of another server's
	// answer. Empty: any field ("Config.").
	ServerField string
	// CredentialField is the configuration field that holds the credential
	// the back end refuses under FailUnauthorized, as the channel's error
	// names it ("Config.Token"): the UnauthorizedNamesCredential rule looks
	// for CredentialRefused and it. Empty: the rule is not run.
	CredentialField string
	// OwnClient is New for a channel that makes its own HTTP client (its
	// Config gives none): CloseReleasesConnections then checks that Close
	// releases that client's connections. Nil: not checked.
	OwnClient func(t *testing.T) (broadcast.Channel, Backend)
	// Untrusted is New for the channel with its own default client, talking
	// to serverURL: an HTTPS server the suite starts, whose certificate
	// that client does not trust. It should register any cleanup (Close)
	// with t.Cleanup. UntrustedCertificateIsPermanent then checks that the
	// channel gives up at once. Nil: not checked.
	Untrusted func(t *testing.T, serverURL string) broadcast.Channel
	// TLS is New for a channel whose back end speaks TLS as the channel's
	// protocol has it (SMTP's STARTTLS or TLS from the first byte, IRC over
	// TLS, HTTPS) with server, a configuration whose certificate no client
	// trusts, and whose Config tells it to skip the verification of the
	// server's certificate (as tls.Config.InsecureSkipVerify does) when
	// skipVerify is true, and not otherwise. It should register any
	// cleanup with t.Cleanup. UntrustedTLSServerRefused then checks that
	// the channel refuses that server for good unless told to skip the
	// verification. Nil: not checked.
	TLS func(t *testing.T, server *tls.Config, skipVerify bool) (broadcast.Channel, Backend)
}

// ThreadEnd is the post of an incident's thread a platform replies to.
type ThreadEnd int

const (
	// Unthreaded: the platform does not thread updates.
	Unthreaded ThreadEnd = iota
	// Root: updates reply to, or are threaded under, the incident's first
	// post (Thread.Root): Slack, Bluesky, Google Chat.
	Root
	// Last: updates chain to the incident's latest post (Thread.Last): X,
	// e-mail.
	Last
)

var threadEndNames = [...]string{"unthreaded", "root", "last"}

// String returns the end's name, as "root".
func (e ThreadEnd) String() string {
	if e >= 0 && int(e) < len(threadEndNames) {
		return threadEndNames[e]
	}
	return fmt.Sprintf("ThreadEnd(%d)", int(e))
}

// Backend is the fake platform a harness wires its channel to.
type Backend interface {
	// Received returns the posts the back end accepted, in order, as they
	// are now: one Delivery per target a successful Send reached (one per
	// Send for a channel without Harness.Targets), nothing for a failed
	// one. An edit changes the Delivery of the post it edits, in place; a
	// deleted post stays, with Deleted set.
	Received() []Delivery
	// Fail makes every request from now on (Send, Edit, Retract, Check)
	// fail the way f says, until Fail(FailNone).
	Fail(f Failure)
}

// TargetBackend is the Backend of a channel with Harness.Targets.
type TargetBackend interface {
	Backend
	// FailTarget makes deliveries to target fail the way f says, until
	// FailTarget(target, FailNone); the other targets are not affected.
	FailTarget(target string, f Failure)
}

// Delivery is one post as the platform's audience sees it.
type Delivery struct {
	// Text is everything the audience sees, the Parts joined with "\n".
	Text string
	// Parts are the platform's messages: one post, one IRC line, an
	// e-mail's text body. Harness.MaxLength applies to each. A platform
	// that takes one message per delivery has one part, the Text.
	Parts []string
	// ReplyTo is the platform id this post replied to or was threaded
	// under, "" for none. It is compared with the Receipt.ID of the earlier
	// delivery.
	ReplyTo string
	// ID is the platform id of the post, as the channel's Receipt.ID
	// names it. The Editor and Retractor rules need it. A fake answers
	// ids as large as its platform's (LargeIDSurvives: snowflakes are
	// above 2^53, and a harness declaring Harness.LargeIDs fails with
	// smaller ones).
	ID string
	// Target is the Ledger target the post went to: one of
	// Harness.Targets, or the channel's single target ("" when the channel
	// keeps no Ledger targets).
	Target string
	// Key is the idempotency key the request carried, for a Keyed harness.
	Key string
	// Deleted says the post was deleted (by Retract).
	Deleted bool
}

// Failure is a way the fake back end fails a request.
type Failure int

// The failures a back end may inject. Each names a class of platform
// answers; the harness picks the platform's own answer of that class.
const (
	// FailNone stops injecting failures.
	FailNone Failure = iota
	// FailTransient is a failure worth retrying: an HTTP 503, an SMTP 421,
	// a connection reset.
	FailTransient
	// FailRateLimited is an HTTP 429 or the platform's rate-limit answer,
	// with a hint of when to retry.
	FailRateLimited
	// FailUnauthorized is a credentials failure: an HTTP 401, a failed SMTP
	// or SASL authentication.
	FailUnauthorized
	// FailRejected is the platform refusing the content or the request: an
	// HTTP 400 or 403, an SMTP 5xx reply.
	FailRejected
	// FailEcho is an error answer (of any class) that repeats every secret
	// the request carried, raw and in each encoding it was sent in: an
	// Authorization header, the base64 of HTTP Basic or SASL PLAIN
	// credentials, a URL-escaped query token, a JSON-escaped body field.
	// Servers do this in debug pages and verbose errors.
	FailEcho
	// FailForeign is an answer of another server in the platform's place:
	// a captive portal's whole 200 text/html page to every request (a
	// proxy's 404 page where a 200 cannot be told apart), which quotes the
	// request's URL and every credential it carried, raw and in each
	// encoding it was sent in, as FailEcho's answer does. An HTTP back end
	// writes it with ForeignPage.
	FailForeign
	// FailEchoDelivered is a success answer in the platform's own shape
	// (the status and body of a post made, edited, deleted or checked) whose
	// every string field the channel reads quotes every credential the
	// request carried, raw and in each encoding it was sent in, as a relay
	// or a debugging proxy echoing the request answers, or a platform
	// echoing the webhook URL or token. The back end may keep the post. An
	// HTTP back end makes it with EchoAnswer (or EchoAnswerWhile).
	FailEchoDelivered
)

var failureNames = [...]string{"none", "transient", "rate-limited", "unauthorized", "rejected", "echo", "foreign",
	"echo-delivered"}

// String returns the failure's name, as "rate-limited".
func (f Failure) String() string {
	if f >= 0 && int(f) < len(failureNames) {
		return failureNames[f]
	}
	return fmt.Sprintf("Failure(%d)", int(f))
}

// Run runs the conformance suite against the channels h.New makes, one
// named subtest per rule.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil {
		t.Fatal("channeltest: Harness.New is nil")
	}
	if h.Measure == nil {
		h.Measure = templates.Runes
	}
	sub := probe(t, h)
	for _, r := range rules() {
		if why := r.skip(sub); why != "" {
			t.Logf("%s: not applicable: %s", r.name, why)
			continue
		}
		t.Run(r.name, func(t *testing.T) {
			explainOnFailure(t, r.rule)
			r.check(newSuite(t, h))
		})
	}
}

// explainOnFailure logs rule when t fails, so a failure says what the
// channel got wrong and not only which value differed.
func explainOnFailure(t *testing.T, rule string) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("rule: %s", rule)
		}
	})
}
