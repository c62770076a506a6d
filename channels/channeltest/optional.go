package channeltest

import (
	"context"
	"errors"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// optionalRules check the optional broadcast.Checker and
// broadcast.Previewer: a dry run and a credentials check are what a user
// trusts before an outage, so a Check that never fails or a Preview that
// shows other text than Send posts misleads at the worst time.
func optionalRules() []rule {
	return []rule{
		{name: "CheckPostsNothing", check: checkCheck, needs: needsChecker,
			rule: "Check with a working back end returns nil (or an error wrapping broadcast.ErrNotSupported); " +
				"an error it returns while the back end fails is marked as Send's would be (transient, RetryAfter, " +
				"Permanent); with a done ctx it returns an error wrapping the ctx's; it never posts"},
		{name: "PreviewShowsWhatSendPosts", check: checkPreview, needs: needsPreviewer,
			rule: "Preview posts nothing and shows the text Send would post: the Title (in Subject or Text), the URL whole, " +
				"Update.Overrides[Name()] instead of the body, its Length positive and, for a 25,000-character body, " +
				"within its Limit with the URL whole, its Channel empty or Name()"},
	}
}

func needsChecker(s subject) string {
	if s.checker {
		return ""
	}
	return "the channel is not a broadcast.Checker (by type assertion)"
}

func needsPreviewer(s subject) string {
	if s.previewer {
		return ""
	}
	return "the channel is not a broadcast.Previewer (by type assertion)"
}

// check calls Check; the test stops if it hangs.
func (s *suite) check(ctx context.Context, limit time.Duration) error {
	s.t.Helper()
	c, _ := broadcast.As[broadcast.Checker](s.ch)
	_, err := s.do(ctx, "Check", limit, func(ctx context.Context) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, c.Check(ctx)
	})
	return err
}

// Check verifies without posting; when the back end fails, an error it
// returns is marked as Send's would be. It may return nil then: what fails
// may lie beyond what it reaches (an SMTP server's refusal of a message, a
// kept IRC connection that still answers).
func checkCheck(s *suite) {
	err := s.check(context.Background(), sendLimit)
	if errors.Is(err, broadcast.ErrNotSupported) {
		s.t.Logf("Check is not supported (%v): only that it posts nothing is checked", err)
	} else {
		require.NoError(s.t, err, "Check with a working back end")
		failed := false
		for _, f := range classified(s.h.Failures) {
			s.be.Fail(f)
			err := s.check(context.Background(), sendLimit)
			s.be.Fail(FailNone)
			if err != nil {
				failed = true
				s.checkClass("Check", f, err)
			}
		}
		if !failed {
			s.t.Log("Check failed under no injected failure: its errors' marks are not checked")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	checkCancelledErr(s, "Check", s.check(ctx, cancelLimit))
	s.received(0)
}

// Preview shows what Send posts, and posts nothing.
func checkPreview(s *suite) {
	p, _ := broadcast.As[broadcast.Previewer](s.ch)
	u := message(update(1)).Update
	got, err := p.Preview(u)
	require.NoError(s.t, err, "Preview of a good update")
	assert.Containsf(s.t, got.Subject+"\n"+got.Text, u.Title, "Preview.Subject or Text: the Title")
	assert.Containsf(s.t, got.Text, u.URL, "Preview.Text: the URL, whole")
	assert.Positivef(s.t, got.Length, "Preview.Length of %q", got.Text)
	if got.Channel != "" {
		assert.Equal(s.t, s.ch.Name(), got.Channel, "Preview.Channel, when set, is the channel's name")
	}
	over := u
	over.Overrides = map[string]string{s.ch.Name(): overrideText}
	got, err = p.Preview(over)
	require.NoError(s.t, err, "Preview of an update with an override")
	assert.Containsf(s.t, got.Text, overrideText, "Preview.Text of an update with an override: the override text")
	assert.NotContainsf(s.t, got.Text, u.Body, "Preview.Text of an update with an override: the body, "+
		"which the override replaces")
	long := u
	long.Body = longBody()
	got, err = p.Preview(long)
	require.NoError(s.t, err, "Preview of an update with a 25,000-character body")
	if got.Limit > 0 {
		assert.LessOrEqualf(s.t, got.Length, got.Limit, "Preview.Length of an update with a 25,000-character body, "+
			"in %s", got.Unit)
	}
	assert.Containsf(s.t, got.Text, u.URL, "Preview.Text of an update with a 25,000-character body: the URL, whole")
	s.received(0)
}
