package channeltest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/templates"
)

// A brokenCase is a harness whose channel breaks the contract, the rules
// the suite must fail it on (those and no others), the rules not run
// (which the harness or the channel does not declare what they need for),
// and text the failure must show.
type brokenCase struct {
	name    string
	harness channeltest.Harness
	fails   []string
	notRun  []string
	shows   string
}

func brokenCases() []brokenCase {
	return append([]brokenCase{
		{"LeaksSecretInErrors", wrapped(leakSecret),
			[]string{"NoSecretLeaks", "NoSecretInEchoedErrors", "NoSecretInEchoedSuccess",
				"ForeignAnswerIsPermanent"}, chatNotRun, ""},
		{"CheckLeaksToken", breakChat(checkWithToken),
			[]string{"NoSecretLeaks", "NoSecretInEchoedErrors", "ForeignAnswerIsPermanent"}, chatNotRun,
			"the error of Check, unauthorized printed with %v contains Harness.Secrets[0] (as is)"},
		{"PrintsToken", printsToken(), []string{"NoSecretLeaks"}, chatPlainNotRun, ""},
		{"PostsToken", breakChat(func(b *broken) {
			b.chat.retext = func(text string, _ broadcast.Update) string { return text + " (" + b.chat.token + ")" }
		}), []string{"NoSecretLeaks", "PreviewShowsWhatSendPosts", "LengthLimitHolds"}, chatNotRun, "what the audience sees of post 1 (Received()[0].Text) contains Harness.Secrets[0] (as is)"},
		{"EditReceiptHoldsToken", editor(editReceiptWithToken), []string{"NoSecretLeaks", "NoSecretInEchoedSuccess"},
			chatNotRun,
			"the Receipt of Edit printed with %v contains Harness.Secrets[0] (as is)"},
		{"ConfigLeaks", configLeaks(), []string{"NoSecretLeaks"}, chatNotRun,
			"Harness.Config printed with %d contains Harness.Secrets[0] (as is)"},
		{"ConfigLeaksInYAML", configLeaksInYAML(), []string{"NoSecretLeaks"}, chatNotRun,
			"Harness.Config marshalled with yaml.Marshal contains Harness.Secrets[0] (as is)"},
		{"WrapsURLErrorWithToken", wrapped(wrapURLError),
			[]string{"NoSecretLeaks", "NoSecretInEchoedErrors", "NoSecretInEchoedSuccess",
				"ForeignAnswerIsPermanent"}, chatNotRun,
			"*url.Error) printed with %v contains Harness.Secrets[0]"},
		{"MarksFailedWithToken", wrapped(markFailedWithToken),
			[]string{"NoSecretLeaks", "NoSecretInEchoedErrors", "NoSecretInEchoedSuccess",
				"ForeignAnswerIsPermanent"}, chatNotRun,
			`the Ledger of a Send, unauthorized: the error target "chat" was marked failed with printed with %v ` +
				"contains Harness.Secrets[0]"},
		{"LeaksBase64InEcho", showsBody(redactRawOnly), []string{"NoSecretInEchoedErrors", "ForeignAnswerIsPermanent"},
			chatNotRun, "the error of Send, echo printed with %v contains Harness.Secrets[0] (base64, standard alphabet"},
		{"TakesForeignPageForPost", breakChat(func(b *broken) { b.chat.lenient = true }),
			[]string{"ForeignAnswerIsPermanent"}, chatNotRun,
			"Send returned no error although another server answered"},
		{"RefusesEchoAsNothingPosted", breakChat(func(b *broken) { b.chat.certain = true }),
			[]string{"RefusedSuccessIsUncertain"}, chatNotRun, ""},
		{"TakesEchoedID", breakChat(func(b *broken) { b.chat.anyID = true }), []string{"NoSecretInEchoedSuccess"},
			chatNotRun, "the Receipt of Send, echo-delivered printed with %v contains Harness.Secrets[0] (as is)"},
		{"ResendsFailedMessages", wrapped(newOutbox), []string{"OneHitPerSend", "IdempotencyKeyStable"}, chatNotRun, ""},
		{"IgnoresContext", wrapped(ignoreContext), []string{"CancelledContextReturnsPromptly"}, chatNotRun, ""},
		{"Marks401Transient", wrapped(unauthorizedTransient), []string{"UnauthorizedIsPermanent"}, chatNotRun, ""},
		{"DropsRetryHint", wrapped(dropRetryHint), []string{"RateLimitedGivesRetryAfter"}, chatNotRun, ""},
		{"IgnoresThread", wrapped(ignoreThread), []string{"ThreadReceiptUsed", "ThreadSurvivesRestart", "LargeIDSurvives"}, chatNotRun, ""},
		// A harness leaving ThreadsTo out for a channel that threads
		// fails, rather than have the thread rules not run.
		{"ThreadsUndeclared", unthreadedHarness(chatHarness()), []string{"UnthreadedIgnoresThread"},
			slices.Concat(fanoutOnly, ownClientOnly, closerOnly, threadOnly), "Harness.ThreadsTo is Unthreaded, " +
				"but the channel threads: update 2, sent with a Thread naming update 1's post, replied to \"1850000000000000001\""},
		{"RepliesToLast", wrapped(replyToLast), []string{"ThreadReceiptUsed", "ThreadSurvivesRestart"}, chatNotRun,
			"the platform replies to Root, the first post"},
		{"KeepsThreadInMemory", wrapped(threadInMemory), []string{"ThreadSurvivesRestart"}, chatNotRun,
			"ReplyTo of update 2, sent after the restart: update 1's Receipt.ID"},
		// Without Reopen the same object serves both sides of the
		// restart: its memory survives, and the rule says so.
		{"KeepsThreadInMemoryNotReopened", withoutReopen(wrapped(threadInMemory)), nil,
			slices.Concat(chatNotRun, reopenOnly),
			"Harness.Reopen is nil: the same channel object serves both sides of the restart"},
		{"IgnoresOverride", wrapped(ignoreOverride), []string{"OverrideWins"}, chatNotRun, ""},
		{"DropsBadURL", wrapped(dropBadURL), []string{"BadURLRefused"}, chatNotRun,
			`Send with Update.URL "javascript:alert(1)"`},
		{"QuotesBadURL", wrapped(quoteBadURL), []string{"BadURLRefused"}, chatNotRun,
			`Send: the URL is not quoted`},
		{"ModifiesUpdate", wrapped(modifyUpdate), []string{"UpdateNotModified"}, chatNotRun, ""},
		{"DecomposesUnicode", wrapped(decompose), []string{"UnicodeSurvives"}, chatNotRun, ""},
		{"ExceedsLimit", exceedsLimit(), []string{"LengthLimitHolds"}, chatNotRun, ""},
		{"KeysRawID", keysRawID(), []string{"HandBuiltMessages"}, chatNotRun, ""},
		{"NewKeyOnRetry", newKeyOnRetry(), []string{"IdempotencyKeyStable"}, chatNotRun,
			"the key of a retry (Attempt 2)"},
		{"EditPostsNew", editor(editByPosting), []string{"EditChangesPost", "EditAndRetractAfterRestart"}, chatNotRun,
			"after Edit 1 the back end has 3 posts, want 2: Edit must change the post, not add one"},
		// A user's wrapper with Unwrap is tested as the channel it wraps,
		// as the Broadcaster uses it: its Edit is found and checked.
		// A wrapper that is no pointer has no nil or zero value to call:
		// NilOrZeroChannelFails says it is not applicable.
		{"WrappedEditPostsNew", wrappedIn(editor(editByPosting)), []string{"EditChangesPost", "EditAndRetractAfterRestart"},
			slices.Concat(chatNotRun, []string{"NilOrZeroChannelFails"}),
			"after Edit 1 the back end has 3 posts, want 2"},
		{"EditsLatest", editor(editLatest), []string{"EditChangesPost"}, chatNotRun,
			"Edit 1 of the incident's first post: its latest post, Thread.Last, changed"},
		{"EditsRoot", editor(editRoot), []string{"EditChangesPost"}, chatNotRun,
			"Edit of the latest post: the first post, Thread.Root, got its correction"},
		{"EditIgnoresContext", editor(editIgnoringContext), []string{"EditErrorsLikeSend"}, chatNotRun, ""},
		{"RetractOfDeletedFails", retractor(retractStrictly), []string{"RetractRemovesPost"}, chatNotRun,
			"Retract of a post already deleted"},
		{"RetractsLatest", retractor(retractLatest), []string{"RetractRemovesPost", "LargeIDSurvives"}, chatNotRun, ""},
		{"ResendsDeliveredTargets", relayWrapped(forgetLedger),
			[]string{"RetryReachesOnlyPendingTargets", "RateLimitedTargetGivesRetryAfter", "FailedTargetNotRetried"},
			relayNotRun,
			`after the retry: deliveries to "hooks.example.org/b2"`},
		{"RetriesFailedTargets", relayWrapped(retryFailed), []string{"FailedTargetNotRetried"}, relayNotRun,
			`after the retry, the back end healed: deliveries to "hooks.example.net/a1"`},
		{"LosesTargetRetryHint", relayLosingHint(), []string{"RateLimitedTargetGivesRetryAfter"}, relayNotRun,
			"found no RetryAfter mark"},
		{"KeyPerChannel", relayKeyedPerChannel(), []string{"IdempotencyKeyStable", "HandBuiltMessages"}, relayNotRun, ""},
		{"PostsNotInLedger", relayClaimingPosts(), []string{"PostsKeptInLedger"},
			slices.DeleteFunc(slices.Clone(relayNotRun), func(r string) bool { return r == "PostsKeptInLedger" }),
			`Ledger.Post("hooks.example.org/b2") after the failed attempt`},
		{"KeepsConnections", ownClient(keepConnections), []string{"CloseReleasesConnections"}, slices.Concat(fanoutOnly, closerOnly, unthreadedOnly),
			"found unexpected goroutines"},
		{"OwnClientNotCloser", ownClient(notCloser), []string{"CloseReleasesConnections"}, slices.Concat(fanoutOnly, closerOnly, unthreadedOnly),
			"makes its own client but is not an io.Closer"},
		{"RetriesUntrustedCertificate", untrusting(), []string{"UntrustedCertificateIsPermanent"}, chatNotRun,
			"the Broadcaster would retry a certificate that does not verify"},
		{"TrustsUntrustedTLS", tlsTrusting(), []string{"UntrustedTLSServerRefused"}, chatNotRun,
			"Send returned no error although the server's certificate does not verify"},
		{"IgnoresSkipVerify", tlsNeverSkipping(), []string{"UntrustedTLSServerRefused"}, chatNotRun,
			"Send to the same server with the Config skipping the verification of its certificate"},
		{"RenamedBySend", breakChat(renameAfterSend), []string{"NameIsStable", "ThreadSurvivesRestart"}, chatNotRun,
			"Name() after a Send"},
		{"PostsTwice", wrapped(postTwice), postTwiceFails, chatNotRun,
			"the back end accepted 2 deliveries, want 1"},
		{"NoLabelForInvestigating", breakChat(func(b *broken) { b.chat.retext = dropInvestigating }),
			[]string{"TitleStatusURLArrive"}, chatNotRun, `status investigating: the label "Investigating"`},
		{"Marks503Permanent", wrapped(transientPermanent), []string{"TransientIsNotPermanent"}, chatNotRun, ""},
		{"Marks400Transient", wrapped(rejectedTransient), []string{"RejectedIsPermanent"}, chatNotRun, ""},
		{"EditMarksAllPermanent", editor(editAllPermanent), []string{"EditErrorsLikeSend"}, chatNotRun,
			"Edit, transient: IsPermanent"},
		{"EditOfGoneUnmarked", editor(editGoneUnmarked), []string{"EditOfGonePost"}, chatNotRun,
			"does not wrap broadcast.ErrPostGone"},
		{"EditOfGoneRetracted", editor(editGoneMarked(broadcast.ErrRetracted)), []string{"EditOfGonePost"},
			chatNotRun, "wraps broadcast.ErrRetracted, the Broadcaster's word for an update it retracted"},
		{"EditOfGoneNotEditable", editor(editGoneMarked(broadcast.ErrPostGone, broadcast.ErrNotEditable)),
			[]string{"EditOfGonePost"}, chatNotRun, "wraps broadcast.ErrNotEditable, which says the post is still there"},
		// The post is deleted by a channel from Reopen: a channel that
		// refuses the edit of a post its own Retract deleted meets a post
		// deleted by hand, and says it is gone.
		{"EditOfOwnRetractedRefused", breakChat(refuseOwnRetracted(true, nil)), nil, chatNotRun, ""},
		// Without Reopen the channel deletes the post itself, and may say
		// so: the Broadcaster refuses the correction of an update it
		// retracted likewise (broadcast.ErrRetracted).
		{"EditOfOwnRetractedRefusedWithoutReopen", withoutReopen(breakChat(refuseOwnRetracted(true, nil))), nil,
			slices.Concat(chatNotRun, reopenOnly), ""},
		{"EditOfOwnRetractedTransient", breakChat(refuseOwnRetracted(false, nil)), []string{"EditOfGonePost"},
			chatNotRun, "wraps broadcast.ErrRetracted but is not marked permanent"},
		// A Reopen whose channel shares the memory of New's is no new
		// process: the deletion "by hand" is the channel's own.
		{"ReopenSharesRetractions", breakChat(refuseOwnRetracted(true, &sync.Map{})), []string{"EditOfGonePost"},
			chatNotRun, "a channel from Harness.Reopen that shares memory with New's"},
		{"EditOfGoneSucceeds", editor(editGoneSucceeds), []string{"EditOfGonePost"}, chatNotRun,
			"Edit of a post that is gone succeeded: it must have posted the correction anew"},
		{"SendReplyGoneIsPostGone", wrapped(sendReplyGone), []string{"ReplyToGonePost"}, chatNotRun,
			"Send replying to posts that are gone: its error"},
		{"SendRejectedNotEditable", wrapped(rejectedMarked(broadcast.ErrNotEditable)), []string{"RejectedIsPermanent"},
			chatNotRun, "wraps broadcast.ErrNotEditable, which only Edit's may"},
		{"SendRejectedPostGone", wrapped(rejectedMarked(broadcast.ErrPostGone)), []string{"RejectedIsPermanent"},
			chatNotRun, "wraps broadcast.ErrPostGone, which only Edit's and Retract's may"},
		{"RetractErrorNotEditable", retractor(retractNotEditable), []string{"RetractErrorsLikeSend"}, chatNotRun,
			"wraps broadcast.ErrNotEditable, which only Edit's may"},
		{"RetractMarksAllPermanent", retractor(retractAllPermanent), []string{"RetractErrorsLikeSend"}, chatNotRun,
			"Retract, transient: IsPermanent"},
		{"RetractIgnoresContext", retractor(retractIgnoringContext), []string{"RetractErrorsLikeSend"}, chatNotRun,
			"Retract with a cancelled context"},
		{"CheckAlwaysNil", breakChat(func(b *broken) { b.checkFn = func(context.Context) error { return nil } }),
			[]string{"CheckPostsNothing", "ForeignAnswerIsPermanent"}, chatNotRun,
			"Check with a cancelled context"},
		{"CheckMarksAllPermanent", breakChat(checkAllPermanent), []string{"CheckPostsNothing"}, chatNotRun,
			"Check, transient: IsPermanent"},
		{"CheckPostsATest", breakChat(checkByPosting), []string{"CheckPostsNothing"}, chatNotRun,
			"the back end accepted 1 deliveries, want 0"},
		{"CheckIgnoresContext", breakChat(checkIgnoringContext), []string{"CheckPostsNothing"}, chatNotRun,
			"Check with a cancelled context"},
		{"PreviewIgnoresOverride", breakChat(previewIgnoringOverride), []string{"PreviewShowsWhatSendPosts"},
			chatNotRun, "Preview.Text of an update with an override: the override text"},
		{"PreviewNotShortened", breakChat(previewNotShortened), []string{"PreviewShowsWhatSendPosts"},
			chatNotRun, "Preview.Length of an update with a 25,000-character body"},
		{"NilChannelPanics", unguardedChat(), []string{"NilOrZeroChannelFails"}, chatNotRun,
			"*channeltest_test.unguarded.Send: panicked: runtime error: invalid memory address or nil pointer dereference"},
		{"ReceiptOfLastAttemptOnly", posterHarness(receiptOfAttempt), []string{"PostsKeptInLedger"}, posterNotRun,
			`the retry's receipt names "rooms.example.org/status"'s post of the first attempt`},
		{"RetryPostNotNamed", withoutRetract(posterHarness(retryPostBare)), []string{"PostsKeptInLedger"},
			slices.Concat(posterNotRun, []string{"RetractRemovesPost", "RetractErrorsLikeSend"}),
			`Ledger.Post("rooms.example.net/ops").Meta after the retry`},
		{"PreviewOfBadURLForgetsLimit", breakChat(previewZeroOnError), []string{"BadURLRefused"}, chatNotRun,
			`the Channel, Limit and Unit of a failed Preview (Update.URL "javascript:alert(1)")`},
		{"EditReceiptWithoutID", editor(editForgettingID), []string{"EditChangesPost"}, chatNotRun,
			"Edit 2 with a working back end"},
		{"ReceiptNamesOtherChannel", wrapped(receiptOfOtherChannel), []string{"DeliversOncePerSend"}, chatNotRun,
			"Receipt.Channel, when set, is the channel's name"},
		// The chat threads: a harness declaring nothing fails the rule
		// that checks a channel without ThreadsTo does not thread.
		{"IDThroughFloat", wrapped(idThroughFloat), idThroughFloatFails, chatNotRun,
			"Receipt.ID of a post whose id the back end answered"},
		// A fake answering ids a float64 holds, for a platform whose ids
		// are snowflakes (Harness.LargeIDs), checks nothing of their
		// decoding: the rule fails it rather than pass on a log line.
		{"SmallIDsDeclaredLarge", declaredLarge(smallIDs(chatHarness())), []string{"LargeIDSurvives"}, chatNotRun,
			`Harness.LargeIDs says the platform's post ids are integers above 2^53 (9007199254740992), but the back ` +
				`end answered the post id "1"`},
		// A channel whose refused credential's error names no field fails
		// the rule once the harness names the field.
		{"OmitsCredentialField", credentialField(chatHarness(), "Config.Token"), []string{"UnauthorizedNamesCredential"},
			chatNotRun, "Send, unauthorized: the error names the field that holds the refused credential"},
		// A field the channel's Config does not have.
		{"NamesNoConfigField", credentialField(wrapped(markCredential("Config.Tokn")), "Config.Tokn"),
			[]string{"UnauthorizedNamesCredential"}, chatNotRun, "Config.Tokn: no field of channeltest_test.chatConfig"},
		// Marked twice: the text says it twice.
		{"MarksCredentialTwice", credentialField(wrapped(markCredential("Config.Token", "Config.Token")), "Config.Token"),
			[]string{"UnauthorizedNamesCredential"}, chatNotRun, "says it once"},
		{"NothingOptional", nothingOptional(), unthreadedOnly, slices.Concat(optionalRules, fanoutOnly, closerOnly),
			"Harness.ThreadsTo is Unthreaded, but the channel threads"},
	}, slices.Concat(closeCases(), reopenCases())...)
}

// Rules a harness does not declare what they need for, by reference
// harness. The chat threads, takes keys and edits; the relay fans out.
var (
	fanoutOnly = []string{"RetryReachesOnlyPendingTargets", "RateLimitedTargetGivesRetryAfter", "PostsKeptInLedger",
		"FailedTargetNotRetried"}
	editOnly = []string{"EditChangesPost", "EditErrorsLikeSend", "RetractRemovesPost", "RetractErrorsLikeSend",
		"EditOfGonePost", "ReplyToGonePost"}
	ownClientOnly    = []string{"CloseReleasesConnections"}
	closerOnly       = []string{"SendAfterCloseFailsForGood", "CloseDuringSends"}
	unthreadedOnly   = []string{"UnthreadedIgnoresThread"}
	chatNotRun       = slices.Concat(fanoutOnly, ownClientOnly, closerOnly, unthreadedOnly)
	checkPreviewOnly = []string{"CheckPostsNothing", "PreviewShowsWhatSendPosts"}
	reopenOnly       = []string{"EditAndRetractAfterRestart"}
	chatPlainNotRun  = slices.Concat(fanoutOnly, editOnly, checkPreviewOnly, ownClientOnly, closerOnly, unthreadedOnly,
		reopenOnly)
	relayNotRun = slices.Concat(editOnly, checkPreviewOnly, reopenOnly, []string{"LengthLimitHolds", "ThreadReceiptUsed", "ThreadSurvivesRestart", "PostsKeptInLedger",
		"UntrustedCertificateIsPermanent", "UntrustedTLSServerRefused"}, ownClientOnly, closerOnly)
)

// threadOnly are the rules that need Harness.ThreadsTo.
var threadOnly = []string{"ThreadReceiptUsed", "ReplyToGonePost", "ThreadSurvivesRestart"}

// unthreadedHarness returns h with Harness.ThreadsTo left out.
func unthreadedHarness(h channeltest.Harness) channeltest.Harness {
	h.ThreadsTo = channeltest.Unthreaded
	return h
}

// sendFunc is the Send of a channel.
type sendFunc func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error)

// editFunc is the Edit of a channel.
type editFunc func(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error)

// broken is the reference chat channel with some of its methods replaced.
type broken struct {
	*chat
	send    sendFunc
	edit    editFunc
	retract func(ctx context.Context, prev broadcast.Receipt) error
	checkFn func(ctx context.Context) error
	preview func(u broadcast.Update) (broadcast.Preview, error)
	name    func() string
}

// inner is b's chat; nil for a nil b, whose calls then fail as a nil
// chat's do (the NilOrZeroChannelFails rule).
func (b *broken) inner() *chat {
	if b == nil {
		return nil
	}
	return b.chat
}

func (b *broken) Format(f fmt.State, verb rune) { b.inner().Format(f, verb) }
func (b *broken) LogValue() slog.Value          { return b.inner().LogValue() }

func (b *broken) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if b != nil && b.preview != nil {
		return b.preview(u)
	}
	return b.inner().Preview(u)
}

func (b *broken) Name() string {
	if b == nil {
		return ""
	}
	if b.name != nil {
		return b.name()
	}
	return b.chat.Name()
}

func (b *broken) Check(ctx context.Context) error {
	if b == nil {
		return errChatNotMade
	}
	if b.checkFn != nil {
		return b.checkFn(ctx)
	}
	return b.chat.Check(ctx)
}

func (b *broken) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if b == nil {
		return broadcast.Receipt{}, errChatNotMade
	}
	if b.send != nil {
		return b.send(ctx, m)
	}
	return b.chat.Send(ctx, m)
}

func (b *broken) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if b == nil {
		return broadcast.Receipt{}, errChatNotMade
	}
	if b.edit != nil {
		return b.edit(ctx, m, prev)
	}
	return b.chat.Edit(ctx, m, prev)
}

func (b *broken) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if b == nil {
		return errChatNotMade
	}
	if b.retract != nil {
		return b.retract(ctx, prev)
	}
	return b.chat.Retract(ctx, prev)
}

// breakChat returns the reference harness with its channel broken by flaw.
func breakChat(flaw func(b *broken)) channeltest.Harness {
	h := chatHarness()
	newChat := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := newChat(t)
		b := &broken{chat: ch.(*chat)}
		flaw(b)
		return b, be
	}
	if reopen := h.Reopen; reopen != nil { // the same broken code in the new process
		h.Reopen = func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			b := &broken{chat: reopen(t, be).(*chat)}
			flaw(b)
			return b
		}
	}
	return h
}

// wrapped returns the reference harness with the channel's Send replaced by
// what flaw makes of it.
func wrapped(flaw func(c *chat) sendFunc) channeltest.Harness {
	return breakChat(func(b *broken) { b.send = flaw(b.chat) })
}

// unwrapper is a decorator around a channel, as a user's logging wrapper
// is: only Name and Send, and Unwrap.
type unwrapper struct{ broadcast.Channel }

func (u unwrapper) Unwrap() broadcast.Channel { return u.Channel }

// wrappedIn returns h with its channel in an unwrapper.
func wrappedIn(h channeltest.Harness) channeltest.Harness {
	inner := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := inner(t)
		return unwrapper{ch}, be
	}
	if reopen := h.Reopen; reopen != nil {
		h.Reopen = func(t *testing.T, be channeltest.Backend) broadcast.Channel { return unwrapper{reopen(t, be)} }
	}
	return h
}

func editor(flaw func(c *chat) editFunc) channeltest.Harness {
	return breakChat(func(b *broken) { b.edit = flaw(b.chat) })
}

func retractor(flaw func(c *chat) func(context.Context, broadcast.Receipt) error) channeltest.Harness {
	return breakChat(func(b *broken) { b.retract = flaw(b.chat) })
}

func leakSecret(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if err != nil {
			err = fmt.Errorf("chat: post with token %s: %w", c.token, err)
		}
		return r, err
	}
}

// checkWithToken names the token it checked in Check's errors.
func checkWithToken(b *broken) {
	b.checkFn = func(ctx context.Context) error {
		if err := b.chat.Check(ctx); err != nil {
			return fmt.Errorf("check token %q: %w", b.chat.token, err)
		}
		return nil
	}
}

// exposed is a channel without redacting Format and LogValue methods:
// printing or logging it shows its token.
type exposed struct {
	Token string
	chat  *chat
}

func (e *exposed) Name() string {
	if e == nil {
		return ""
	}
	return e.chat.Name()
}

func (e *exposed) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if e == nil {
		return broadcast.Receipt{}, errChatNotMade
	}
	return e.chat.Send(ctx, m)
}

func printsToken() channeltest.Harness {
	h := chatHarness()
	newChat := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := newChat(t)
		c := ch.(*chat)
		return &exposed{Token: c.token, chat: c}, be
	}
	h.Config = nil // not checked: Run says so
	return h
}

// configLeaks declares a Config whose token is a plain string.
func configLeaks() channeltest.Harness {
	h := chatHarness()
	h.Config = struct{ Name, Token string }{"ops-chat", chatToken}
	return h
}

// yamlSecret redacts the token under fmt, slog and JSON, but not in YAML,
// which marshals it as the string it is.
type yamlSecret string

func (yamlSecret) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte("REDACTED")) }
func (yamlSecret) LogValue() slog.Value         { return slog.StringValue("REDACTED") }
func (yamlSecret) MarshalJSON() ([]byte, error) { return []byte(`"REDACTED"`), nil }

func configLeaksInYAML() channeltest.Harness {
	h := chatHarness()
	h.Config = struct {
		Name  string
		Token yamlSecret
	}{"ops-chat", chatToken}
	return h
}

// urlError prints as the error it wraps, but also wraps a *url.Error
// naming the URL with the token: a caller's errors.As(err, &urlErr)
// reaches it.
type urlError struct {
	err error
	url *url.Error
}

func (e urlError) Error() string   { return e.err.Error() }
func (e urlError) Unwrap() []error { return []error{e.err, e.url} }

// wrapURLError wraps a *url.Error naming the URL with the token in Send's
// errors.
func wrapURLError(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if err != nil {
			err = urlError{err, &url.Error{Op: "Post", URL: "https://chat.example.com/post?token=" + c.token, Err: err}}
		}
		return r, err
	}
}

// markFailedWithToken returns Send's errors as they are, but marks the
// target failed with an error naming the token, which the Store keeps.
func markFailedWithToken(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if err != nil && broadcast.IsPermanent(err) && m.Ledger != nil {
			_ = m.Ledger.MarkFailed("chat", fmt.Errorf("token %s: %w", c.token, err))
		}
		return r, err
	}
}

// showsBody puts the platform's answer, redacted by redact, in errors.
func showsBody(redact func(string) string) channeltest.Harness {
	return breakChat(func(b *broken) { b.chat.showBody = redact })
}

// redactRawOnly removes the token as is, URL-escaped and JSON-escaped, and
// misses its base64 form inside HTTP Basic credentials.
func redactRawOnly(body string) string {
	for _, form := range []string{chatToken, url.QueryEscape(chatToken), strings.ReplaceAll(chatToken, "/", `\/`)} {
		body = strings.ReplaceAll(body, form, "REDACTED")
	}
	return body
}

// newOutbox keeps the messages that failed and posts them again, unasked,
// before the next one.
func newOutbox(c *chat) sendFunc {
	var mu sync.Mutex
	var pending []broadcast.Message
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		mu.Lock()
		defer mu.Unlock()
		for len(pending) > 0 {
			if _, err := c.Send(ctx, pending[0]); err != nil {
				break
			}
			pending = pending[1:]
		}
		r, err := c.Send(ctx, m)
		if err != nil {
			pending = append(pending, m)
		}
		return r, err
	}
}

func ignoreContext(c *chat) sendFunc {
	return func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		return c.Send(context.Background(), m)
	}
}

func unauthorizedTransient(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if err != nil && strings.Contains(err.Error(), "401") {
			err = errors.New(err.Error())
		}
		return r, err
	}
}

func dropRetryHint(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if _, ok := broadcast.RetryDelay(err); ok {
			err = errors.New(err.Error())
		}
		return r, err
	}
}

func ignoreThread(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		m.Thread = broadcast.Thread{}
		return c.Send(ctx, m)
	}
}

// replyToLast chains to the latest post on a platform that threads under
// the first.
func replyToLast(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		m.Thread.Root = m.Thread.Last
		return c.Send(ctx, m)
	}
}

func ignoreOverride(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		m.Update.Overrides = nil
		return c.Send(ctx, m)
	}
}

// dropBadURL posts an update whose URL it could not link without the URL,
// rather than refuse it.
func dropBadURL(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if broadcast.CheckURL(m.Update.URL) != nil {
			m.Update.URL = ""
		}
		return c.Send(ctx, m)
	}
}

// quoteBadURL refuses an update whose URL it could not link, quoting the
// URL with its password masked (url.URL.Redacted), as if that made it fit
// for an error.
func quoteBadURL(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if err := broadcast.CheckURL(m.Update.URL); err != nil {
			shown := m.Update.URL
			if p, perr := url.Parse(shown); perr == nil {
				shown = p.Redacted()
			}
			return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("chat: Update.URL: cannot link %s", shown))
		}
		return c.Send(ctx, m)
	}
}

// modifyUpdate sorts the caller's Components in place.
func modifyUpdate(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		slices.SortFunc(m.Update.Components, func(a, b broadcast.Component) int {
			return strings.Compare(a.Name, b.Name)
		})
		return c.Send(ctx, m)
	}
}

func decompose(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		m.Update.Title = norm.NFD.String(m.Update.Title)
		m.Update.Body = norm.NFD.String(m.Update.Body)
		return c.Send(ctx, m)
	}
}

// exceedsLimit declares a platform limit below the one the channel keeps.
func exceedsLimit() channeltest.Harness {
	h := chatHarness()
	h.MaxLength = chatLimit / 5
	return h
}

// keysRawID keys a Message by its Update.ID as given, "" for one built by
// hand: every such update shares one key.
func keysRawID() channeltest.Harness {
	return breakChat(func(b *broken) {
		b.chat.keyFor = func(m broadcast.Message) string {
			if m.Update.ID == "" {
				return broadcast.Message{Update: broadcast.Update{ID: "-"}}.Key("")
			}
			return m.Key("")
		}
	})
}

// newKeyOnRetry makes a new idempotency key for every attempt.
func newKeyOnRetry() channeltest.Harness {
	return breakChat(func(b *broken) {
		b.chat.keyFor = func(m broadcast.Message) string {
			if m.Attempt == 1 {
				return m.Key("")
			}
			return fmt.Sprintf("%s-%d", m.Key(""), m.Attempt)
		}
	})
}

// editByPosting posts the correction as a new message.
func editByPosting(c *chat) editFunc {
	return func(ctx context.Context, m broadcast.Message, _ broadcast.Receipt) (broadcast.Receipt, error) {
		return c.Send(ctx, m)
	}
}

// editLatest edits the incident's latest post (Thread.Last), whatever prev
// says.
func editLatest(c *chat) editFunc {
	return func(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
		if !m.Thread.Last.IsZero() {
			prev = m.Thread.Last
		}
		return c.Edit(ctx, m, prev)
	}
}

// editRoot edits the incident's first post (Thread.Root), whatever prev
// says.
func editRoot(c *chat) editFunc {
	return func(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
		if !m.Thread.Root.IsZero() {
			prev = m.Thread.Root
		}
		return c.Edit(ctx, m, prev)
	}
}

// editReceiptWithToken returns a receipt whose URL carries the token, as
// a link to the edited post made with the API's URL would.
func editReceiptWithToken(c *chat) editFunc {
	return func(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
		r, err := c.Edit(ctx, m, prev)
		r.URL = "https://chat.example.com/posts/" + r.ID + "?token=" + c.token
		return r, err
	}
}

func editIgnoringContext(c *chat) editFunc {
	return func(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
		return c.Edit(context.Background(), m, prev)
	}
}

// editGoneUnmarked refuses the edit of a post gone for good without
// saying the post is gone, as the platform's 404 alone says it.
func editGoneUnmarked(c *chat) editFunc {
	return func(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
		if err := ctx.Err(); err != nil {
			return broadcast.Receipt{}, err
		}
		text, err := c.render(m.Update)
		if err != nil {
			return broadcast.Receipt{}, err
		}
		if err := c.check("edit", c.api.edit(c.token, prev.ID, text)); err != nil {
			return broadcast.Receipt{}, err
		}
		return broadcast.Receipt{Channel: c.name, ID: prev.ID, Time: m.Update.Time}, nil
	}
}

// editGoneMarked fails the edit of a post gone with an error wrapping
// marks instead of broadcast.ErrPostGone alone.
func editGoneMarked(marks ...error) func(c *chat) editFunc {
	return func(c *chat) editFunc {
		return func(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
			r, err := c.Edit(ctx, m, prev)
			if errors.Is(err, broadcast.ErrPostGone) {
				err = broadcast.Permanent(fmt.Errorf("chat: edit %s: %w", prev.ID, errors.Join(marks...)))
			}
			return r, err
		}
	}
}

// refuseOwnRetracted returns a flaw refusing, with broadcast.ErrRetracted
// (marked permanent or not), the edit of a post the channel's own Retract
// deleted, as a channel that must not edit a post it retracted does; a
// post deleted otherwise is gone. With shared, the channels on one back
// end (New's and Reopen's) remember the retractions of each other, as
// those of a harness whose Reopen shares state with New's.
func refuseOwnRetracted(permanent bool, shared *sync.Map) func(b *broken) {
	return func(b *broken) {
		retracted := &sync.Map{}
		if shared != nil {
			m, _ := shared.LoadOrStore(b.chat.api, retracted)
			retracted = m.(*sync.Map)
		}
		b.retract = func(ctx context.Context, prev broadcast.Receipt) error {
			err := b.chat.Retract(ctx, prev)
			if err == nil {
				retracted.Store(prev.ID, true)
			}
			return err
		}
		b.edit = func(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
			if _, own := retracted.Load(prev.ID); own {
				err := fmt.Errorf("chat: edit %s: %w", prev.ID, broadcast.ErrRetracted)
				if permanent {
					err = broadcast.Permanent(err)
				}
				return broadcast.Receipt{}, err
			}
			return b.chat.Edit(ctx, m, prev)
		}
	}
}

// idThroughFloat reads the post id of its receipt as a float64, as a
// channel decoding the platform's answer into an any does: above 2^53 it
// names another post.
func idThroughFloat(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if f, perr := strconv.ParseFloat(r.ID, 64); err == nil && perr == nil {
			r.ID = strconv.FormatFloat(f, 'f', -1, 64)
		}
		return r, err
	}
}

// idThroughFloatFails are the rules a channel whose receipts name another
// post fails.
var idThroughFloatFails = []string{"ThreadReceiptUsed", "EditChangesPost", "RetractRemovesPost", "LargeIDSurvives",
	"EditAndRetractAfterRestart"}

// editGoneSucceeds takes the edit of a post gone for done, so that the
// correction is shown nowhere.
func editGoneSucceeds(c *chat) editFunc {
	return func(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
		r, err := c.Edit(ctx, m, prev)
		if errors.Is(err, broadcast.ErrPostGone) {
			return broadcast.Receipt{Channel: c.name, ID: prev.ID, Time: m.Update.Time}, nil
		}
		return r, err
	}
}

// sendReplyGone refuses to reply to a post that is gone with the error of
// an Edit's missing post, which fails a Send for good.
func sendReplyGone(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if id := m.Thread.Root.ID; id != "" && !slices.ContainsFunc(c.api.Received(), func(d channeltest.Delivery) bool {
			return d.ID == id && !d.Deleted
		}) {
			return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("chat: post: reply: %w", broadcast.ErrPostGone))
		}
		return c.Send(ctx, m)
	}
}

// rejectedMarked words the refusal of a Send (400) as mark says, one of
// an Edit or a Retract: ErrPostGone or ErrNotEditable.
func rejectedMarked(mark error) func(c *chat) sendFunc {
	return func(c *chat) sendFunc {
		return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
			r, err := c.Send(ctx, m)
			if err != nil && strings.Contains(err.Error(), "400") {
				err = broadcast.MarkAs(fmt.Errorf("%w: %w", mark, err), err)
			}
			return r, err
		}
	}
}

// retractNotEditable words every failure of Retract as one of an Edit
// the platform no longer allows.
func retractNotEditable(c *chat) func(context.Context, broadcast.Receipt) error {
	return func(ctx context.Context, prev broadcast.Receipt) error {
		if err := c.Retract(ctx, prev); err != nil {
			return broadcast.MarkAs(fmt.Errorf("%w: %w", broadcast.ErrNotEditable, err), err)
		}
		return nil
	}
}

// retractStrictly reports a post already gone as a permanent failure.
func retractStrictly(c *chat) func(context.Context, broadcast.Receipt) error {
	return func(ctx context.Context, prev broadcast.Receipt) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return c.check("delete", c.api.remove(c.token, prev.ID))
	}
}

// retractLatest deletes the latest post, whatever prev says.
func retractLatest(c *chat) func(context.Context, broadcast.Receipt) error {
	return func(ctx context.Context, prev broadcast.Receipt) error {
		posts := c.api.Received()
		if len(posts) > 0 {
			prev.ID = posts[len(posts)-1].ID
		}
		return c.Retract(ctx, prev)
	}
}

// nothingOptional declares no failures, limit, threading, targets, keys or
// secrets: the rules that need them are not run, and the others pass.
// ownClient gives the chat harness an OwnClient, whose channel wrap makes
// from a chat.
func ownClient(wrap func(t *testing.T, c *chat) broadcast.Channel) channeltest.Harness {
	h := chatHarness()
	h.OwnClient = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := h.New(t)
		return wrap(t, ch.(*chat)), be
	}
	return h
}

// lingering is a chat whose Send leaves a goroutine running, as an idle
// connection of an HTTP client does, and whose Close leaves it running.
type lingering struct {
	*chat
	start   sync.Once
	release chan struct{}
}

func keepConnections(t *testing.T, c *chat) broadcast.Channel {
	l := &lingering{chat: c, release: make(chan struct{})}
	t.Cleanup(func() { close(l.release) }) // after the rule looked
	return l
}

func (l *lingering) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	l.start.Do(func() { go func() { <-l.release }() })
	return l.chat.Send(ctx, m)
}

func (l *lingering) Close() error { return nil }

// notCloser is the chat itself, which has no Close.
func notCloser(_ *testing.T, c *chat) broadcast.Channel { return c }

func nothingOptional() channeltest.Harness {
	h := chatHarness()
	return channeltest.Harness{New: h.New}
}

// renameAfterSend gives the channel another name once it has sent, as one
// naming itself after the platform's answer (a room's display name) does.
func renameAfterSend(b *broken) {
	var sent atomic.Bool
	b.name = func() string {
		if sent.Load() {
			return b.chat.Name() + " (renamed)"
		}
		return b.chat.Name()
	}
	b.send = func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := b.chat.Send(ctx, m)
		sent.Store(true)
		if err == nil {
			r.Channel = b.Name()
		}
		return r, err
	}
}

// threadInMemory replies only to posts it made itself, as a channel that
// keeps what a reply needs of each post (a platform's handle of it, say)
// in memory, keyed by the post's Receipt.ID, does: a Thread naming a post
// it does not remember, as after a restart, gets no reply.
func threadInMemory(c *chat) sendFunc {
	var mu sync.Mutex
	made := map[string]bool{}
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		mu.Lock()
		known := made[m.Thread.Root.ID]
		mu.Unlock()
		if !known {
			m.Thread = broadcast.Thread{}
		}
		r, err := c.Send(ctx, m)
		if err == nil {
			mu.Lock()
			made[r.ID] = true
			mu.Unlock()
		}
		return r, err
	}
}

// declaredLarge returns h saying its platform's ids are snowflakes.
func declaredLarge(h channeltest.Harness) channeltest.Harness {
	h.LargeIDs = true
	return h
}

// markCredential makes the error of the chat's 401 end in the mark of a
// refused credential (httpx.CredentialRefused) for each of fields, the
// second marking a copy of the first's text, as a channel that wraps a
// marked error in new text and marks it again would.
func markCredential(fields ...string) func(c *chat) sendFunc {
	return func(c *chat) sendFunc {
		return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
			r, err := c.Send(ctx, m)
			if err == nil || !strings.Contains(err.Error(), "401") {
				return r, err
			}
			for _, field := range fields {
				err = httpx.CredentialRefused(broadcast.Permanent(errors.New(err.Error())), field)
			}
			return r, err
		}
	}
}

// credentialField returns h with Harness.CredentialField set to field.
func credentialField(h channeltest.Harness, field string) channeltest.Harness {
	h.CredentialField = field
	return h
}

// withoutReopen returns h with no Harness.Reopen.
func withoutReopen(h channeltest.Harness) channeltest.Harness {
	h.Reopen = nil
	return h
}

// postTwice posts every update a second time, under a key of its own, as
// a channel that sends one message and its copy does.
func postTwice(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if err != nil {
			return r, err
		}
		copyOf := m
		copyOf.Update.ID += "-copy"
		_, err = c.Send(ctx, copyOf)
		return r, err
	}
}

// postTwiceFails are the rules a channel that posts twice fails: every
// rule counting the back end's deliveries.
var postTwiceFails = []string{"DeliversOncePerSend", "TitleStatusURLArrive", "UnicodeSurvives",
	"LengthLimitHolds", "BadURLRefused", "OverrideWins", "ThreadReceiptUsed", "ThreadSurvivesRestart", "TenConcurrentSends", "OneHitPerSend",
	"IdempotencyKeyStable", "HandBuiltMessages", "EditChangesPost", "RetractRemovesPost", "ReplyToGonePost",
	"ForeignAnswerIsPermanent", "LargeIDSurvives", "EditAndRetractAfterRestart"}

// dropInvestigating leaves out the status label of the first status,
// Investigating, as a template showing the status only once it changed
// does; the body may still say "We are investigating".
func dropInvestigating(text string, u broadcast.Update) string {
	if u.Status != broadcast.StatusInvestigating {
		return text
	}
	return strings.ReplaceAll(text, u.Status.Label(), "")
}

// transientPermanent marks a 503 Permanent.
func transientPermanent(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if err != nil && strings.Contains(err.Error(), "503") {
			err = broadcast.Permanent(err)
		}
		return r, err
	}
}

// rejectedTransient drops the Permanent mark of a 400.
func rejectedTransient(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if err != nil && strings.Contains(err.Error(), "400") {
			err = errors.New(err.Error())
		}
		return r, err
	}
}

// editAllPermanent marks every error of Edit Permanent, as one that takes
// any failed edit for a post it may not change does.
func editAllPermanent(c *chat) editFunc {
	return func(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
		r, err := c.Edit(ctx, m, prev)
		if err != nil {
			err = broadcast.Permanent(err)
		}
		return r, err
	}
}

// retractAllPermanent marks every error of Retract Permanent.
func retractAllPermanent(c *chat) func(context.Context, broadcast.Receipt) error {
	return func(ctx context.Context, prev broadcast.Receipt) error {
		if err := c.Retract(ctx, prev); err != nil {
			return broadcast.Permanent(err)
		}
		return nil
	}
}

func retractIgnoringContext(c *chat) func(context.Context, broadcast.Receipt) error {
	return func(_ context.Context, prev broadcast.Receipt) error {
		return c.Retract(context.Background(), prev)
	}
}

// checkByPosting checks the credentials by posting a test message, as a
// channel whose platform has no endpoint that only reads does.
func checkByPosting(b *broken) {
	b.checkFn = func(ctx context.Context) error {
		_, err := b.chat.Send(ctx, broadcast.NewMessage(broadcast.Update{Title: "Test message", Status: broadcast.StatusResolved}))
		return err
	}
}

// checkIgnoringContext checks although the context is done.
func checkIgnoringContext(b *broken) {
	b.checkFn = func(context.Context) error { return b.chat.Check(context.Background()) }
}

// previewIgnoringOverride previews the rendered text even where Send posts
// the update's override.
func previewIgnoringOverride(b *broken) {
	b.preview = func(u broadcast.Update) (broadcast.Preview, error) {
		u.Overrides = nil
		return b.chat.Preview(u)
	}
}

// checkAllPermanent marks every error of Check permanent, as a check that
// takes an unreachable server for a bad configuration does.
func checkAllPermanent(b *broken) {
	b.checkFn = func(ctx context.Context) error {
		if err := b.chat.Check(ctx); err != nil {
			return broadcast.Permanent(err)
		}
		return nil
	}
}

// previewNotShortened previews the whole text where Send posts it
// shortened, so that a dry run reports a text that does not fit.
func previewNotShortened(b *broken) {
	b.preview = func(u broadcast.Update) (broadcast.Preview, error) {
		p, err := b.chat.Preview(u)
		if err == nil && u.Overrides[b.chat.Name()] == "" {
			p.Text = u.Title + "\n" + u.Body + "\n" + u.URL
			p.Length = templates.Runes(p.Text)
		}
		return p, err
	}
}

// unguarded is the chat in a wrapper whose methods, promoted from the
// chat it points to, check no nil receiver: every call of a nil
// *unguarded (its constructor's error dropped) panics. A zero unguarded
// fails as a zero chat does.
type unguarded struct{ *chat }

func unguardedChat() channeltest.Harness {
	h := chatHarness()
	newChat := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := newChat(t)
		return &unguarded{ch.(*chat)}, be
	}
	return h
}

// previewZeroOnError returns a zero Preview with the error of an update it
// cannot render, whose Limit 0 tells a dry run the text has no limit.
func previewZeroOnError(b *broken) {
	b.preview = func(u broadcast.Update) (broadcast.Preview, error) {
		p, err := b.chat.Preview(u)
		if err != nil {
			return broadcast.Preview{}, err
		}
		return p, nil
	}
}

// editForgettingID edits the post, but returns a receipt without its id:
// a correction of the correction finds no post to edit.
func editForgettingID(c *chat) editFunc {
	return func(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
		r, err := c.Edit(ctx, m, prev)
		r.ID = ""
		return r, err
	}
}

// receiptOfOtherChannel names the platform in its receipts, not the
// channel, as one copying a field of the platform's answer does.
func receiptOfOtherChannel(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if err == nil {
			r.Channel = "chat.example.com"
		}
		return r, err
	}
}
