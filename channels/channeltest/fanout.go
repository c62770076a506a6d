package channeltest

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// fanoutRules check a channel that delivers to many targets: a retry
// resumes where the attempt before it stopped.
func fanoutRules() []rule {
	return []rule{
		{name: "RetryReachesOnlyPendingTargets", check: checkRetryPending,
			needs: needsAll(needsTargets, needsFailure(FailTransient)),
			rule: "when one target fails transiently, Send marks the others delivered in the Ledger and " +
				"returns a transient *broadcast.TargetsError naming it pending; a retry with the same " +
				"Ledger reaches that target and no other, so each target gets the update once"},
		{name: "RateLimitedTargetGivesRetryAfter", check: checkRateLimitedTarget,
			needs: needsAll(needsTargets, needsFailure(FailRateLimited)),
			rule: "when one target is rate-limited and the others get the update, Send's error still carries " +
				"the target's broadcast.RetryAfter hint, so the retry that reaches it waits as the platform asked"},
		{name: "PostsKeptInLedger", check: checkPostsKept,
			needs: needsAll(needsTargets, needsPosts, needsFailure(FailTransient)),
			rule: "each target's post is in the Ledger as soon as it is made (Fanout.Posted), so that the " +
				"receipt of the retry that completes the delivery, in this process or another, names the posts " +
				"of every attempt; Retract with that receipt deletes them all"},
		{name: "FailedTargetNotRetried", check: checkFailedTarget,
			needs: needsAll(needsTargets, needsFailure(FailRejected)),
			rule: "a target that refuses the update for good is marked failed in the Ledger, with why, " +
				"and a retry with the same Ledger (the same Send) does not try it again (nor the others, done already)"},
	}
}

func needsTargets(s subject) string {
	if len(s.h.Targets) >= 2 {
		return ""
	}
	return fmt.Sprintf("Harness.Targets lists %d targets, fewer than two", len(s.h.Targets))
}

// targets returns the back end as a TargetBackend, and the first target
// and the others.
func (s *suite) targets() (TargetBackend, string, []string) {
	s.t.Helper()
	tb, ok := s.be.(TargetBackend)
	if !ok {
		s.t.Fatalf("Harness.Targets is set, but the Backend (%T) is not a channeltest.TargetBackend", s.be)
	}
	return tb, s.h.Targets[0], s.h.Targets[1:]
}

// checkReached checks that the back end got the update of every Send so
// far once on each of want's targets and never on the others. Every
// delivery must name one of Harness.Targets.
func (s *suite) checkReached(when string, want []string) {
	s.t.Helper()
	n := map[string]int{}
	for _, d := range s.be.Received() {
		if !slices.Contains(s.h.Targets, d.Target) {
			s.t.Errorf("%s: a delivery to %q, which is not one of Harness.Targets %q", when, d.Target, s.h.Targets)
		}
		n[d.Target]++
	}
	for _, target := range s.h.Targets {
		if slices.Contains(want, target) {
			assert.Equalf(s.t, 1, n[target], "%s: deliveries to %q", when, target)
		} else {
			assert.Zerof(s.t, n[target], "%s: deliveries to %q", when, target)
		}
	}
}

// checkLedger checks the Ledger's marks: others delivered, and target's
// done and failure as wanted.
func (s *suite) checkLedger(when string, l broadcast.Ledger, target string, done, failed bool, others []string) {
	s.t.Helper()
	d, failure := l.Done(target)
	assert.Equalf(s.t, done, d, "%s: Ledger.Done(%q): done", when, target)
	assert.Equalf(s.t, failed, failure != "", "%s: Ledger.Done(%q): failure %q", when, target, failure)
	for _, o := range others {
		d, failure := l.Done(o)
		assert.Truef(s.t, d && failure == "", "%s: Ledger.Done(%q) = %v, %q: want delivered", when, o, d, failure)
	}
}

// sendFirstFailing sends an update while the first target fails
// transiently, and returns its Message (for the retry), the first target,
// the others, and Send's error, which must be one.
func (s *suite) sendFirstFailing() (broadcast.Message, string, []string, error) {
	s.t.Helper()
	tb, first, others := s.targets()
	m := message(update(1))
	tb.FailTarget(first, FailTransient)
	_, err := s.send(m)
	tb.FailTarget(first, FailNone)
	require.Errorf(s.t, err, "Send while target %q failed transiently", first)
	return m, first, others, err
}

// One target fails transiently; the retry reaches it alone.
func checkRetryPending(s *suite) {
	m, first, others, err := s.sendFirstFailing()
	assert.Falsef(s.t, broadcast.IsPermanent(err), "IsPermanent(%q): a pending target is worth a retry", err)
	var te *broadcast.TargetsError
	if assert.Truef(s.t, errors.As(err, &te), "errors.As(%q, *broadcast.TargetsError): "+
		"build the error with broadcast.NewFanout", err) {
		assert.Truef(s.t, slices.ContainsFunc(te.Pending, func(f broadcast.TargetFailure) bool {
			return f.Target == first
		}), "TargetsError.Pending names %q: %+v", first, te.Pending)
	}
	s.checkReached("after the failed attempt", others)
	s.checkLedger("after the failed attempt", m.Ledger, first, false, false, others)

	m.Attempt = 2
	_, err = s.send(m)
	require.NoError(s.t, err, "the retry, with the back end healed")
	s.checkReached("after the retry", s.h.Targets)
	s.checkLedger("after the retry", m.Ledger, first, true, false, others)
}

// The last target is rate-limited while the others, tried before it,
// deliver; its hint is not lost among their successes.
func checkRateLimitedTarget(s *suite) {
	tb, _, _ := s.targets()
	last, others := s.h.Targets[len(s.h.Targets)-1], s.h.Targets[:len(s.h.Targets)-1]
	m := message(update(1))
	tb.FailTarget(last, FailRateLimited)
	_, err := s.send(m)
	tb.FailTarget(last, FailNone)
	require.Errorf(s.t, err, "Send while target %q was rate-limited", last)
	s.checkClass("Send, one target", FailRateLimited, err)
	s.checkReached("after the rate-limited attempt", others)
	s.checkLedger("after the rate-limited attempt", m.Ledger, last, false, false, others)
}

// One target refuses for good; it is marked, and the retry leaves it alone.
func checkFailedTarget(s *suite) {
	tb, first, others := s.targets()
	m := message(update(1))
	tb.FailTarget(first, FailRejected)
	_, err := s.send(m)
	tb.FailTarget(first, FailNone)
	assert.Truef(s.t, err == nil || broadcast.IsPermanent(err), "Send while target %q refused the update: "+
		"nil (the others got it, the Ledger holds the failure) or Permanent, not %q", first, err)
	s.checkReached("after the refusal", others)
	s.checkLedger("after the refusal", m.Ledger, first, true, true, others)

	m.Attempt = 2 // as if another target had been pending
	_, err = s.send(m)
	assert.Truef(s.t, err == nil || broadcast.IsPermanent(err),
		"the retry, where every target is done: nil or Permanent, not %q", err)
	s.checkReached("after the retry, the back end healed", others)
	s.checkLedger("after the retry", m.Ledger, first, true, true, others)
}

func needsPosts(s subject) string {
	if s.h.Posts {
		return ""
	}
	return "Harness.Posts is not set: the receipt names no post per target"
}

// One target fails transiently; the others' posts are in the Ledger, and
// the retry's receipt names every post.
func checkPostsKept(s *suite) {
	m, first, others, _ := s.sendFirstFailing()
	earlier := map[string]broadcast.Receipt{}
	for _, o := range others {
		p, ok := m.Ledger.Post(o)
		if assert.Truef(s.t, ok, "Ledger.Post(%q) after the failed attempt: the post made there, "+
			"recorded with broadcast.Fanout.Posted", o) {
			assert.NotEmptyf(s.t, p.Meta, "Ledger.Post(%q).Meta: where the post is", o)
			earlier[o] = p
		}
	}

	m.Attempt = 2
	r, err := s.send(m)
	require.NoError(s.t, err, "the retry, with the back end healed")
	for o, p := range earlier {
		for k, v := range p.Meta {
			assert.Equalf(s.t, v, r.Meta[k], "the retry's receipt names %q's post of the first attempt: Meta[%q]", o, k)
		}
	}
	last, ok := m.Ledger.Post(first)
	if assert.Truef(s.t, ok, "Ledger.Post(%q) after the retry", first) {
		assert.NotEmptyf(s.t, last.Meta, "Ledger.Post(%q).Meta after the retry: where the post is, "+
			"for the receipt to name it", first)
	}
	for k, v := range last.Meta {
		assert.Equalf(s.t, v, r.Meta[k], "the retry's receipt names %q's post: Meta[%q]", first, k)
	}
	if _, ok := broadcast.As[broadcast.Retractor](s.ch); !ok {
		return
	}
	require.NoError(s.t, s.retract(context.Background(), r), "Retract with the retry's receipt")
	for _, d := range s.be.Received() {
		assert.Truef(s.t, d.Deleted, "the post to %q is deleted", d.Target)
	}
}
