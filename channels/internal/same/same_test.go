package same

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// plan returns a Plan of targets whose destinations dests names ("" for
// one known only from a post, whose answer names answers[i]), posting
// with errs[i], and the posts it made.
func plan(targets, dests, answers []string, errs []error) (Plan[string], *[]string) {
	var made []string
	return Plan[string]{
		Targets: targets,
		Noun:    "chat",
		Dest:    func(i int) string { return dests[i] },
		Post: func(i int) (Posted[string], error) {
			made = append(made, targets[i])
			if errs[i] != nil {
				return Posted[string]{}, errs[i]
			}
			return Posted[string]{Post: "by " + targets[i], Dest: answers[i],
				Receipt: broadcast.Receipt{Meta: map[string]string{targets[i]: "by " + targets[i]}}}, nil
		},
		Earlier: func(broadcast.Receipt, string) (string, string, bool) { return "", "", false },
		Receipt: func(i int, p string) broadcast.Receipt {
			return broadcast.Receipt{Meta: map[string]string{targets[i]: p}}
		},
	}, &made
}

// A target whose destination the answer to another's post names records
// that post.
func TestDeliverPostsOncePerDestination(t *testing.T) {
	targets := []string{"@ops", "-100", "-200"}
	p, made := plan(targets, []string{"", "-100", "-200"}, []string{"-100", "", ""}, make([]error, 3))
	m := broadcast.NewMessage(broadcast.Update{})
	f := broadcast.NewFanout(m, targets)
	Deliver(f, p)
	require.NoError(t, f.Err())
	assert.Equal(t, []string{"@ops", "-200"}, *made)
	assert.Equal(t, "by @ops", f.Receipt().Meta["-100"])
}

// A transient failure leaves the rest of its group pending, without a
// post; a permanent one lets the next of the group post.
func TestDeliverAfterFailure(t *testing.T) {
	for _, tc := range []struct {
		err  error
		made []string
	}{
		{errors.New("timeout"), []string{"a"}},
		{broadcast.Permanent(errors.New("refused")), []string{"a", "b"}},
	} {
		targets := []string{"a", "b"}
		p, made := plan(targets, []string{"-1", "-1"}, []string{"", ""}, []error{tc.err, nil})
		f := broadcast.NewFanout(broadcast.NewMessage(broadcast.Update{}), targets)
		Deliver(f, p)
		assert.Equal(t, tc.made, *made)
		if !broadcast.IsPermanent(tc.err) {
			var te *broadcast.TargetsError
			require.ErrorAs(t, f.Err(), &te)
			require.Len(t, te.Pending, 2)
			assert.ErrorContains(t, te.Pending[1].Err, "the chat -1 may have the update from a, whose post failed: timeout")
		}
	}
}

// A target whose post's answer names another destination than the one
// known before (its name moved since) does not count for that
// destination: the next of its group posts there.
func TestDeliverAfterNameMoved(t *testing.T) {
	targets := []string{"@ops", "-100"}
	p, made := plan(targets, []string{"-100", "-100"}, []string{"-900", "-100"}, make([]error, 2))
	m := broadcast.NewMessage(broadcast.Update{})
	f := broadcast.NewFanout(m, targets)
	Deliver(f, p)
	require.NoError(t, f.Err())
	assert.Equal(t, []string{"@ops", "-100"}, *made)
	assert.Equal(t, "by -100", f.Receipt().Meta["-100"])
}

// A name that moved into a destination that another target names by its
// id posts once there, before that target, which records its post; the
// destination it named before gets a post of its own. Before, the id's
// target posted too: two messages in one chat in one attempt.
func TestDeliverNameMovedIntoAnIDsDestination(t *testing.T) {
	for _, targets := range [][]string{{"-900", "-100", "@ops"}, {"@ops", "-100", "-900"}} {
		t.Run(targets[0], func(t *testing.T) {
			dests := map[string]string{"-900": "-900", "-100": "-100", "@ops": "-100"}
			answers := map[string]string{"-900": "-900", "-100": "-100", "@ops": "-900"}
			var d, a []string
			for _, target := range targets {
				d, a = append(d, dests[target]), append(a, answers[target])
			}
			p, made := plan(targets, d, a, make([]error, 3))
			p.Moves = func(i int) bool { return targets[i] == "@ops" }
			f := broadcast.NewFanout(broadcast.NewMessage(broadcast.Update{}), targets)
			Deliver(f, p)
			require.NoError(t, f.Err())
			assert.Equal(t, []string{"@ops", "-100"}, *made)
			r := f.Receipt()
			assert.Equal(t, "by @ops", r.Meta["@ops"])
			assert.Equal(t, "by @ops", r.Meta["-900"], "the id's target records the name's post")
			assert.Equal(t, "by -100", r.Meta["-100"])
		})
	}
}

// A name whose post failed transiently leaves the id's targets of its
// destination pending, though they post after every name: the failure
// is kept from the names' turn to theirs.
func TestDeliverNameFailedBeforeIDs(t *testing.T) {
	targets := []string{"-100", "@ops"}
	p, made := plan(targets, []string{"-100", "-100"}, []string{"-100", "-100"}, []error{nil, errors.New("timeout")})
	p.Moves = func(i int) bool { return targets[i] == "@ops" }
	f := broadcast.NewFanout(broadcast.NewMessage(broadcast.Update{}), targets)
	Deliver(f, p)
	assert.Equal(t, []string{"@ops"}, *made)
	var te *broadcast.TargetsError
	require.ErrorAs(t, f.Err(), &te)
	require.Len(t, te.Pending, 2)
	k := slices.IndexFunc(te.Pending, func(pe broadcast.TargetFailure) bool { return pe.Target == "-100" })
	require.GreaterOrEqual(t, k, 0, "-100 is pending")
	assert.ErrorContains(t, te.Pending[k].Err, "the chat -100 may have the update from @ops, whose post failed: timeout")
}

// Two names that moved into one destination, each known before in a
// destination of its own, or never posted to, post there both: only the
// answers show it. The second post is a duplicate that Undo removes, and
// its target records the first; without Undo, or when Undo fails, it
// stays the target's own.
func TestDeliverUndoesASecondPostInOneDestination(t *testing.T) {
	for _, tc := range []struct {
		name  string
		dests []string
	}{
		{"known before", []string{"-100", "-200"}},
		{"never posted to", []string{"", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			targets := []string{"@a", "@b"}
			for _, undo := range []error{nil, errors.New("refused"), errors.ErrUnsupported} {
				p, made := plan(targets, tc.dests, []string{"-900", "-900"}, make([]error, 2))
				p.Moves = func(int) bool { return true }
				var undone []string
				if undo != errors.ErrUnsupported {
					p.Undo = func(i int, post string) error {
						undone = append(undone, targets[i]+": "+post)
						return undo
					}
				}
				f := broadcast.NewFanout(broadcast.NewMessage(broadcast.Update{}), targets)
				Deliver(f, p)
				require.NoError(t, f.Err())
				assert.Equal(t, targets, *made, "the answers alone show the one destination")
				second := "by @b"
				if undo == nil {
					assert.Equal(t, []string{"@b: by @b"}, undone)
					second = "by @a"
				}
				assert.Equal(t, "by @a", f.Receipt().Meta["@a"])
				assert.Equal(t, second, f.Receipt().Meta["@b"])
			}
		})
	}
}
