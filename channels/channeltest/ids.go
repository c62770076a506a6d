package channeltest

import (
	"context"
	"math/big"
	"regexp"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// idRules check that platform ids reach the receipt and come back exact.
func idRules() []rule {
	return []rule{
		{name: "LargeIDSurvives", check: checkLargeID,
			rule: "a post id the back end answers (an integer above 2^53 for a harness with LargeIDs, as X's, " +
				"Discord's and Mastodon's snowflakes are) is the receipt's Receipt.ID byte for byte (for a channel " +
				"without Targets), and a reply in its Thread, an Edit and a Retract through that receipt reach that " +
				"very post: no id is read as a float64"},
	}
}

// float64Exact is 2^53: above it a float64 no longer holds every integer,
// so that an id decoded into one (JSON into an any) names another post.
var float64Exact = new(big.Int).Lsh(big.NewInt(1), 53)

// integerID is the form of a platform id that is an integer.
var integerID = regexp.MustCompile(`^-?[0-9]+$`)

// An id the platform gives goes back to it exactly: the receipt names
// the post, and a reply, an edit and a deletion reach it. An integer id
// within 2^53, as a platform whose ids are that small answers (Telegram's
// message ids are 32-bit integers), survives a float64: the log says that
// the check then proves nothing about their decoding. A harness whose
// platform's ids are larger says so (Harness.LargeIDs), and its fake must
// answer such ids: one answering small ones fails.
func checkLargeID(s *suite) {
	m := message(update(1))
	r := s.deliver(m)
	posts := s.sent(0, 1)
	var named bool
	for _, d := range posts {
		if d.ID == "" {
			continue
		}
		named = true
		n, ok := new(big.Int).SetString(d.ID, 10)
		large := ok && integerID.MatchString(d.ID) && n.CmpAbs(float64Exact) > 0
		switch {
		case s.h.LargeIDs && !large:
			s.t.Errorf("Harness.LargeIDs says the platform's post ids are integers above 2^53 (%s), but the back "+
				"end answered the post id %q%s: a float64 holds it, so reading ids through one goes unnoticed; "+
				"the fake must answer ids as large as its platform's", float64Exact, d.ID, targetOf(d))
		case large:
		case ok && integerID.MatchString(d.ID):
			s.t.Logf("the back end answered the post id %s%s, within 2^53 (%s): a float64 holds it, so reading "+
				"ids through one goes unnoticed here; a fake of a platform whose ids are larger answers such ids "+
				"(Harness.LargeIDs)", d.ID, targetOf(d), float64Exact)
		}
	}
	if !named {
		if s.h.LargeIDs {
			s.t.Error("Harness.LargeIDs says the platform's post ids are integers above 2^53, but the back end " +
				"names no post ids (Delivery.ID)")
			return
		}
		s.t.Log("the back end names no post ids (Delivery.ID): nothing to check")
		return
	}
	if s.perSend() == 1 {
		require.Equal(s.t, posts[0].ID, r.ID, "Receipt.ID of a post whose id the back end answered")
	}
	if s.h.ThreadsTo != Unthreaded {
		next := message(update(2))
		next.Thread = broadcast.Thread{Root: r, Last: r}
		s.deliver(next)
		for _, d := range s.sent(1, 2) {
			assert.Equalf(s.t, s.postOf(r.ID, posts, d), d.ReplyTo, "ReplyTo of update 2%s, sent in the thread "+
				"of update 1's post", targetOf(d))
		}
	}
	if ed := s.editor(); ed != nil {
		c := correction(m, 1)
		er, err := s.edit(context.Background(), c, r)
		require.NoError(s.t, err, "Edit of the post through its receipt, with a working back end")
		if er.ID != "" {
			r = s.stored(er, c.Update)
		}
	}
	if s.retractor() == nil {
		return
	}
	require.NoError(s.t, s.retract(context.Background(), r), "Retract of the post through its receipt, "+
		"with a working back end")
	for _, d := range s.be.Received() {
		if d.ID == r.ID || (s.perSend() > 1 && containsID(posts, d.ID)) {
			assert.Truef(s.t, d.Deleted, "the post %s%s after Retract through its receipt: deleted", d.ID, targetOf(d))
		}
	}
}

// containsID reports whether one of ds is the post id.
func containsID(ds []Delivery, id string) bool {
	for _, d := range ds {
		if d.ID != "" && d.ID == id {
			return true
		}
	}
	return false
}
