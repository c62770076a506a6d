package channeltest_test

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestReference runs the suite on the reference channels of the package
// examples, which keep every rule: the chat threads, takes keys, edits and
// retracts; the relay fans out; the poster fans out and keeps its posts.
func TestReference(t *testing.T) {
	t.Run("chat", func(t *testing.T) { channeltest.Run(t, chatHarness()) })
	t.Run("relay", func(t *testing.T) { channeltest.Run(t, relayHarness()) })
	t.Run("poster", func(t *testing.T) { channeltest.Run(t, posterHarness("")) })
	t.Run("poster without Retract", func(t *testing.T) { channeltest.Run(t, withoutRetract(posterHarness(""))) })
	t.Run("wrapped chat", func(t *testing.T) { channeltest.Run(t, wrappedIn(chatHarness())) })
	// A platform whose ids fit a float64 (Telegram's message ids are
	// 32-bit) is no fault of the channel's: its fake answers such ids.
	t.Run("chat with small ids", func(t *testing.T) { channeltest.Run(t, smallIDs(chatHarness())) })
	t.Run("chat without Check", func(t *testing.T) { // it asks no server: only Send meets the certificate
		h := chatHarness()
		h.Untrusted = uncheckedUntrusted
		channeltest.Run(t, h)
	})
}

// smallIDs returns h, the chat's, with its platform numbering posts from 1,
// as Telegram's does: it declares no Harness.LargeIDs.
func smallIDs(h channeltest.Harness) channeltest.Harness {
	h.LargeIDs = false
	inner := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := inner(t)
		be.(*fakeChat).firstID = 1
		return ch, be
	}
	return h
}

// childEnv marks the test binary started by TestSuiteCatchesBrokenChannels.
const childEnv = "CHANNELTEST_CHILD"

// TestBrokenChannels runs the suite on every broken channel. Its subtests
// are meant to fail, so it runs them only in the child process that
// TestSuiteCatchesBrokenChannels starts and inspects; in a normal run it
// checks that every case has a harness.
func TestBrokenChannels(t *testing.T) {
	for _, c := range brokenCases() {
		if os.Getenv(childEnv) != "1" {
			assert.NotNilf(t, c.harness.New, "%s: Harness.New", c.name)
			continue
		}
		t.Run(c.name, func(t *testing.T) { channeltest.Run(t, c.harness) })
	}
	if os.Getenv(childEnv) == "1" {
		t.Run("NilNew", func(t *testing.T) { channeltest.Run(t, channeltest.Harness{}) })
	}
}

// TestSuiteCatchesBrokenChannels runs TestBrokenChannels in a child process
// (a failing *testing.T cannot be observed from inside the same test) and
// checks that the suite fails each broken channel on exactly the rules it
// breaks.
func TestSuiteCatchesBrokenChannels(t *testing.T) {
	out, results := runChild(t)
	for _, c := range brokenCases() {
		t.Run(c.name, func(t *testing.T) {
			ran, failed := outcomes(results, "TestBrokenChannels/"+c.name+"/")
			want := slices.DeleteFunc(slices.Clone(allRules), func(r string) bool {
				// The rule runs for a harness that names the field only.
				return slices.Contains(c.notRun, r) || r == credentialRule && c.harness.CredentialField == ""
			})
			assert.ElementsMatch(t, want, ran, "rules run")
			assert.ElementsMatch(t, c.fails, failed, "rules failed")
			if c.shows != "" {
				assert.Contains(t, section(out, "TestBrokenChannels/"+c.name+"/"), c.shows, "the failure's message")
			}
		})
	}
	t.Run("RuleExplained", func(t *testing.T) {
		assert.Contains(t, out, "rule: Send does not modify the Update", "the failed rule, in one line")
		var failures int
		for _, c := range brokenCases() {
			failures += len(c.fails)
		}
		assert.Equal(t, failures, strings.Count(out, " rule: "), "one rule line per failed subtest")
	})
	t.Run("NotApplicableLogged", func(t *testing.T) {
		for _, name := range slices.Concat(optionalRules, fanoutOnly, editOnly) {
			assert.Contains(t, out, name+": not applicable: ")
		}
		assert.Contains(t, out, "no failure to inject: checking successful Sends only")
		assert.Contains(t, out, "EditChangesPost: not applicable: the channel is not a broadcast.Editor (by type assertion)")
		assert.Contains(t, out, "the channel is a broadcast.Editor and a broadcast.Retractor and a broadcast.Checker and a "+
			"broadcast.Previewer (by type assertion): their rules run")
		assert.Contains(t, out, "CheckPostsNothing: not applicable: the channel is not a broadcast.Checker (by type assertion)")
		assert.Contains(t, out, "PreviewShowsWhatSendPosts: not applicable: the channel is not a broadcast.Previewer "+
			"(by type assertion)")
		assert.Contains(t, out, "Harness.Config is nil: the configuration is not printed")
		assert.Contains(t, out, "NilOrZeroChannelFails: not applicable: the channel's type "+
			"channeltest_test.unwrapper is not a pointer to a struct")
	})
	t.Run("NilNew", func(t *testing.T) {
		assert.Equal(t, "FAIL", results["TestBrokenChannels/NilNew"])
		assert.Contains(t, out, "channeltest: Harness.New is nil")
	})
}

// allRules are the suite's rules, in order. Their names are API: users
// select them with go test -run.
var allRules = []string{
	"NameIsStable", "DeliversOncePerSend", "TitleStatusURLArrive", "UnicodeSurvives",
	"LengthLimitHolds", "BadURLRefused", "OverrideWins", "ThreadReceiptUsed", "UnthreadedIgnoresThread",
	"UpdateNotModified", "TenConcurrentSends", "CancelledContextReturnsPromptly", "OneHitPerSend",
	"IdempotencyKeyStable", "HandBuiltMessages", "NilOrZeroChannelFails", "SendAfterCloseFailsForGood",
	"CloseDuringSends",
	"CloseReleasesConnections", "RetryReachesOnlyPendingTargets",
	"RateLimitedTargetGivesRetryAfter", "PostsKeptInLedger", "FailedTargetNotRetried",
	"EditChangesPost", "EditErrorsLikeSend", "RetractRemovesPost", "RetractErrorsLikeSend",
	"EditOfGonePost", "ReplyToGonePost", "LargeIDSurvives",
	"CheckPostsNothing", "PreviewShowsWhatSendPosts", "TransientIsNotPermanent", "RateLimitedGivesRetryAfter", "UnauthorizedIsPermanent",
	credentialRule, "RejectedIsPermanent", "NoSecretLeaks", "NoSecretInEchoedErrors", "NoSecretInEchoedSuccess",
	"RefusedSuccessIsUncertain", "ForeignAnswerIsPermanent", "UntrustedCertificateIsPermanent",
	"UntrustedTLSServerRefused", "ThreadSurvivesRestart", "EditAndRetractAfterRestart",
}

// credentialRule needs Harness.CredentialField, which only the broken case
// of the rule sets.
const credentialRule = "UnauthorizedNamesCredential"

// optionalRules are the rules that need something a harness (not the
// channel) declares, except the fan-out rules.
var optionalRules = []string{
	"LengthLimitHolds", "ThreadReceiptUsed", "IdempotencyKeyStable", "TransientIsNotPermanent",
	"RateLimitedGivesRetryAfter", "UnauthorizedIsPermanent", "RejectedIsPermanent", "NoSecretLeaks",
	"NoSecretInEchoedErrors", "NoSecretInEchoedSuccess", "RefusedSuccessIsUncertain", "ForeignAnswerIsPermanent",
	"CloseReleasesConnections", "ReplyToGonePost",
	"UntrustedCertificateIsPermanent", "UntrustedTLSServerRefused", "ThreadSurvivesRestart",
	"EditAndRetractAfterRestart",
}

// runChild runs TestBrokenChannels in a child process and returns its
// verbose output and the outcome of each test by name, as "FAIL".
func runChild(t *testing.T) (string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	args := []string{"-test.run=^TestBrokenChannels$", "-test.v", "-test.count=1"}
	if end, ok := childDeadline(t); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, end)
		defer cancel()
		args = append(args, "-test.timeout="+time.Until(end).String())
	}
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	b, err := cmd.CombinedOutput()
	out := string(b)
	var exit *exec.ExitError
	require.ErrorAsf(t, err, &exit, "the child must fail; output:\n%s", out)
	require.Equal(t, 1, exit.ExitCode(), "the child's exit code; output:\n%s", out)
	results := map[string]string{}
	for _, m := range outcomeLine.FindAllStringSubmatch(out, -1) {
		results[m[2]] = m[1]
	}
	require.Contains(t, results, "TestBrokenChannels", "output:\n%s", out)
	return out, results
}

// childDeadline is when the child run by runChild must have ended: a tenth
// of the time this test binary has left (go test's -timeout) before the
// binary's own end, so that this test still reports the child's output; no
// deadline (false) when go test was given no timeout. A fixed bound of its
// own killed the child, exit status -1, on a machine loaded enough that the
// suite took longer, while the binary still had time for it.
func childDeadline(t *testing.T) (time.Time, bool) {
	deadline, ok := t.Deadline()
	if !ok {
		return time.Time{}, false
	}
	return deadline.Add(-time.Until(deadline) / 10), true
}

// section returns the lines of out from the first that mentions prefix to
// the last.
func section(out, prefix string) string {
	first, last := strings.Index(out, prefix), strings.LastIndex(out, prefix)
	if first < 0 {
		return ""
	}
	return out[first : last+len(prefix)]
}

var outcomeLine = regexp.MustCompile(`(?m)^\s*--- (PASS|FAIL): (\S+) \(`)

// outcomes returns the rules run under prefix and those that failed, in
// the order of the output.
func outcomes(results map[string]string, prefix string) (ran, failed []string) {
	for name, outcome := range results {
		rule, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		ran = append(ran, rule)
		if outcome == "FAIL" {
			failed = append(failed, rule)
		}
	}
	return ran, failed
}
