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
//			Secrets:   []string{"tok-123"},
//			MaxLength: 500,
//			Threads:   true,
//			Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
//				channeltest.FailUnauthorized, channeltest.FailRejected},
//		})
//	}
//
// Each rule is a named subtest, so one can be run alone with
// go test -run 'TestConformance/OverrideWins'. When a subtest fails, it logs
// the rule it checks in one line. Rules that need something the harness does
// not declare (a Failure, MaxLength, Threads, Secrets) are not run; Run logs
// "not applicable" for each instead.
//
// The rules, by subtest name:
//
//   - NameIsStable: Name is non-empty and never changes.
//   - DeliversOncePerSend: one Send, one Delivery.
//   - TitleStatusURLArrive: the Title, the status and the whole URL are shown.
//   - UnicodeSurvives: flags, emoji sequences, combining marks, CJK and RTL
//     text arrive byte-identical.
//   - LengthLimitHolds (MaxLength > 0): with a 25,000-character body every
//     part fits and the URL arrives whole.
//   - OverrideWins: Update.Overrides[Name()] is sent instead of the body.
//   - ThreadReceiptUsed (Threads): a delivery replies to Message.Thread.ID.
//   - NilLedgerDelivers: a nil Message.Ledger means nothing was done yet.
//   - UpdateNotModified: the Update, its slice and map included, is left alone.
//   - TenConcurrentSends: Send is safe for concurrent use.
//   - CancelledContextReturnsPromptly: a done ctx fails Send with its error.
//   - OneHitPerSend: nothing is delivered twice, also after a failed Send.
//   - TransientIsNotPermanent, RateLimitedGivesRetryAfter,
//     UnauthorizedIsPermanent, RejectedIsPermanent (each when its Failure is
//     listed): errors are marked as the Broadcaster's retries need.
//   - NoSecretLeaks (Secrets): no secret in errors, receipts or the printed
//     channel.
//
// The suite builds every Message the way the Broadcaster does: the Update
// with its defaults filled in for a fixed time, Attempt 1 (2 when it retries
// a failed Send), a zero Thread unless it checks threading, and a fresh
// Ledger per update (NilLedgerDelivers passes nil, as a direct caller may).
// Ledger is that in-memory Ledger, exported for adapters' own tests.
//
// # Limits
//
// The suite sees what the back end accepted, never what it refused: a Send
// that retries on its own while the back end keeps failing goes unnoticed;
// one that repeats an earlier failed message later does not. Cancellation is
// checked with a context that is already done, not one that ends while a
// request is in flight. Each Send must return within 30 seconds, and within
// 10 seconds when its context is already cancelled: these bounds detect
// hangs, they do not measure speed. The texts the suite sends are fixed and
// short enough for a 280-character limit, URLs counted whole; the Unicode
// texts are in NFC.
//
// # Errors
//
// Failures are reported through t. Run fails at once when Harness.New is
// nil; a subtest fails at once when New returns a nil Channel or Backend.
package channeltest

import (
	"fmt"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// Harness tells Run how to make the channel under test and what its platform
// can do. Its zero values mean "not used": no secrets to look for, no length
// limit, no threading, no failures to inject.
type Harness struct {
	// New returns a fresh channel wired to a fresh fake back end. It is
	// called once per subtest; it should register any cleanup (closing a
	// server) with t.Cleanup. Required.
	New func(t *testing.T) (broadcast.Channel, Backend)
	// Secrets are strings that must never appear in an error, a receipt,
	// the channel's name or the channel printed with %v, %+v, %#v or slog.
	// Empty strings are ignored.
	Secrets []string
	// MaxLength is the platform's limit on each Delivery part, in Measure
	// units. 0: no limit.
	MaxLength int
	// Measure measures MaxLength. Nil: templates.Runes.
	Measure templates.Measure
	// Threads says the platform threads updates of one incident, so Send
	// must reply to Message.Thread.
	Threads bool
	// Failures lists the failures the back end can inject. The rules of
	// the others are not run.
	Failures []Failure
}

// Backend is the fake platform a harness wires its channel to.
type Backend interface {
	// Received returns what the back end accepted, in order: one Delivery
	// per successful Send, nothing for a failed one.
	Received() []Delivery
	// Fail makes every delivery from now on fail the way f says, until
	// Fail(FailNone).
	Fail(f Failure)
}

// Delivery is one message as the platform's audience sees it.
type Delivery struct {
	// Text is everything the audience sees, the Parts joined with "\n".
	Text string
	// Parts are the platform's messages: one post, one IRC line, an
	// e-mail's text body. Harness.MaxLength applies to each. A platform
	// that takes one message per delivery has one part, the Text.
	Parts []string
	// ReplyTo is the platform id this delivery replied to or was threaded
	// under, "" for none. It is compared with the Receipt.ID of the earlier
	// delivery.
	ReplyTo string
}

// Failure is a way the fake back end fails a delivery.
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
)

var failureNames = [...]string{"none", "transient", "rate-limited", "unauthorized", "rejected"}

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
	for _, r := range rules() {
		if why := r.skip(h); why != "" {
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
