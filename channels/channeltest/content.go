package channeltest

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// contentRules check what the audience sees.
func contentRules() []rule {
	return []rule{
		{name: "NameIsStable", check: checkName,
			rule: "Name is non-empty and returns the same value on every call, before and after a Send"},
		{name: "DeliversOncePerSend", check: checkDeliversOnce,
			rule: "one successful Send adds exactly one Delivery, with text, to the back end: one to each of " +
				"Harness.Targets, when it lists them"},
		{name: "TitleStatusURLArrive", check: checkTitleStatusURL,
			rule: "a delivery shows the Title, the status (label or value, any case) and the URL whole"},
		{name: "UnicodeSurvives", check: checkUnicode,
			rule: "flags, emoji sequences, combining marks, CJK and RTL text arrive byte-identical"},
		{name: "LengthLimitHolds", check: checkLengthLimit, needs: needsMaxLength,
			rule: "with a 25,000-character body every part measures <= MaxLength, is valid UTF-8, " +
				"and one part holds the URL whole"},
		{name: "BadURLRefused", check: checkBadURL,
			rule: "a Message built without the Broadcaster whose Update.URL it would refuse (a password in it, " +
				"javascript:, no scheme) fails Send and Edit permanently, naming Update.URL without quoting it, " +
				"and Preview, whose Preview still names the Channel, Limit and Unit a good one does; " +
				"nothing is posted or edited"},
		{name: "OverrideWins", check: checkOverride,
			rule: "Update.Overrides[Name()] is sent instead of the rendered text: its text arrives, the body does not"},
		{name: "ThreadReceiptUsed", check: checkThread, needs: needsThreads,
			rule: "a Message with a zero Thread replies to nothing; with a Thread whose Root and Last " +
				"differ, the delivery replies to the Receipt.ID of the end Harness.ThreadsTo names"},
		{name: "UnthreadedIgnoresThread", check: checkUnthreaded, needs: needsUnthreaded,
			rule: "a channel whose harness leaves Harness.ThreadsTo Unthreaded does not thread: a Send with a " +
				"Thread naming an earlier post replies to nothing (a channel that threads declares " +
				"Harness.ThreadsTo, so that the thread rules run)"},
	}
}

func needsUnthreaded(s subject) string {
	if s.h.ThreadsTo == Unthreaded {
		return ""
	}
	return fmt.Sprintf("Harness.ThreadsTo is %s: the thread rules run", s.h.ThreadsTo)
}

func needsMaxLength(s subject) string {
	if s.h.MaxLength > 0 {
		return ""
	}
	return "Harness.MaxLength is 0 (no length limit)"
}

func needsThreads(s subject) string {
	if s.h.ThreadsTo != Unthreaded {
		return ""
	}
	return "Harness.ThreadsTo is Unthreaded (the platform does not thread)"
}

// A bad Update.URL is refused before anything is posted: every channel
// shows the URL or links to it, so a password in it would reach every
// reader, and a javascript: or relative link would be posted as one.
func checkBadURL(s *suite) {
	refused := func(call, bad string, err error) {
		s.t.Helper()
		if !assert.Errorf(s.t, err, "%s with Update.URL %q", call, bad) {
			return
		}
		assert.Truef(s.t, broadcast.IsPermanent(err), "%s with Update.URL %q: want a permanent error: %v", call, bad, err)
		assert.Containsf(s.t, err.Error(), "URL: ", "%s with Update.URL %q: the error names the field", call, bad)
		assert.NotContainsf(s.t, err.Error(), "hunter2", "%s: the URL's password is not quoted", call)
		assert.NotContainsf(s.t, err.Error(), bad, "%s: the URL is not quoted", call)
	}
	ed := s.editor()
	posts := 0
	var good broadcast.Message
	var prev broadcast.Receipt
	if ed != nil {
		good = message(update(2))
		prev = s.deliver(good)
		posts = 1
	}
	preview, _ := broadcast.As[broadcast.Previewer](s.ch)
	var want broadcast.Preview
	if preview != nil {
		var err error
		want, err = preview.Preview(update(1))
		require.NoError(s.t, err, "Preview of a good update")
	}
	for _, bad := range []string{"https://ops:hunter2@status.example.com/incidents/42", "javascript:alert(1)",
		"status.example.com/incidents/42"} {
		u := update(1)
		u.URL = bad
		_, err := s.send(message(u))
		refused("Send", bad, err)
		if ed != nil {
			c := correction(good, 2)
			c.Update.URL = bad
			_, err := s.edit(context.Background(), c, prev)
			refused("Edit", bad, err)
		}
		if preview != nil {
			// A dry run says what the text must fit also when it fails.
			got, err := preview.Preview(u)
			assert.Errorf(s.t, err, "Preview with Update.URL %q", bad)
			assert.Equalf(s.t, [3]any{want.Channel, want.Limit, want.Unit}, [3]any{got.Channel, got.Limit, got.Unit},
				"the Channel, Limit and Unit of a failed Preview (Update.URL %q)", bad)
		}
	}
	for _, d := range s.received(posts) {
		assert.NotContains(s.t, d.Text, "Correction: the errors came", "the post is not edited")
	}
}

// Name is non-empty and stable.
func checkName(s *suite) {
	name := s.ch.Name()
	require.NotEmpty(s.t, name, "Name()")
	assert.Equal(s.t, name, s.ch.Name(), "Name() called twice")
	s.deliver(message(update(1)))
	assert.Equal(s.t, name, s.ch.Name(), "Name() after a Send")
}

// One Send, one Delivery per target.
func checkDeliversOnce(s *suite) {
	r, err := s.send(message(update(1)))
	require.NoError(s.t, err, "Send with a working back end")
	got := s.received(1)
	for i, d := range got {
		assert.NotEmptyf(s.t, d.Text, "Delivery %d: Text", i+1)
	}
	if len(s.h.Targets) > 0 {
		var reached []string
		for _, d := range got {
			reached = append(reached, d.Target)
		}
		assert.ElementsMatch(s.t, s.h.Targets, reached, "the targets of the deliveries: each of Harness.Targets once")
	}
	if r.Channel != "" {
		assert.Equal(s.t, s.ch.Name(), r.Channel, "Receipt.Channel, when set, is the channel's name")
	}
}

// neutralBody is a body that names no status, by label or value.
const neutralBody = "Requests served from CDN region %d fail intermittently."

// Title, status and URL arrive.
func checkTitleStatusURL(s *suite) {
	statuses := []broadcast.Status{
		broadcast.StatusInvestigating, broadcast.StatusInProgress, broadcast.StatusResolved,
	}
	for i, status := range statuses {
		u := update(i + 1)
		u.Status = status
		// update's body says "We are investigating": the status must be
		// found where the channel shows it, not in the body.
		u.Body = fmt.Sprintf(neutralBody, i+1)
		s.deliver(message(u))
		for _, d := range s.sent(i, i+1) {
			assert.Containsf(s.t, d.Text, u.Title, "status %s: the Title", status)
			assert.Truef(s.t, hasStatus(d.Text, status), "status %s: the label %q or the value %q in %q",
				status, status.Label(), string(status), d.Text)
			assert.Containsf(s.t, d.Text, u.URL, "status %s: the URL, whole", status)
		}
	}
}

// Unicode arrives byte-identical.
func checkUnicode(s *suite) {
	u := update(1)
	u.Title, u.Body = unicodeTitle, unicodeBody
	s.deliver(message(u))
	for _, d := range s.received(1) {
		assert.Contains(s.t, d.Text, unicodeTitle, "the Title, byte for byte")
		assert.Contains(s.t, d.Text, unicodeBody, "the Body, byte for byte")
	}
}

// Every part fits the limit, and the URL survives shortening.
func checkLengthLimit(s *suite) {
	u := update(1)
	u.Body = longBody()
	s.deliver(message(u))
	for _, d := range s.received(1) {
		require.NotEmpty(s.t, d.Parts, "Delivery.Parts")
		whole := false
		for i, p := range d.Parts {
			assert.LessOrEqualf(s.t, s.h.Measure(p), s.h.MaxLength, "part %d measures more than MaxLength: %q", i, p)
			assert.Truef(s.t, utf8.ValidString(p), "part %d is not valid UTF-8", i)
			whole = whole || strings.Contains(p, u.URL)
		}
		assert.Truef(s.t, whole, "no part holds the URL %s whole: %q", u.URL, d.Parts)
	}
}

// An override replaces the rendered text.
func checkOverride(s *suite) {
	u := update(1)
	u.Overrides = map[string]string{s.ch.Name(): overrideText}
	s.deliver(message(u))
	for _, d := range s.received(1) {
		assert.Contains(s.t, d.Text, overrideText, "the override text")
		assert.NotContains(s.t, d.Text, u.Body, "the body, which the override replaces")
	}
}

// A thread of three posts: the third gets a Thread whose Root (the first
// post) and Last (the second) differ, and must reply to the declared end.
func checkThread(s *suite) {
	statuses := []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusMonitoring}
	var thread broadcast.Thread
	var ids []string
	for i, status := range statuses {
		u := update(1) // one incident, one title
		u.Status = status
		m := message(u)
		m.Thread = thread
		r := s.deliver(m)
		require.NotEmptyf(s.t, r.ID, "Receipt.ID of post %d on a threading platform", i+1)
		require.NotContainsf(s.t, ids, r.ID, "Receipt.ID of post %d, the same as an earlier post's", i+1)
		if i == 0 {
			thread.Root = r
		}
		thread.Last = r
		ids = append(ids, r.ID)
	}
	for _, d := range s.sent(0, 3) {
		assert.Empty(s.t, d.ReplyTo, "ReplyTo of the first post, sent with a zero Thread")
	}
	for _, d := range s.sent(1, 3) {
		assert.Equalf(s.t, s.postOf(ids[0], s.sent(0, 3), d), d.ReplyTo,
			"ReplyTo of the second post%s, sent with Root = Last = the first post", targetOf(d))
	}
	want, end := 0, "Root, the first post"
	if s.h.ThreadsTo == Last {
		want, end = 1, "Last, the second post"
	}
	for _, d := range s.sent(2, 3) {
		assert.Equalf(s.t, s.postOf(ids[want], s.sent(want, 3), d), d.ReplyTo, "ReplyTo of the third post%s, "+
			"sent with Root = the first post and Last = the second: by Harness.ThreadsTo, the platform "+
			"replies to %s", targetOf(d), end)
	}
}

// postOf returns the platform id a delivery d replies to when it replies
// to the post of receipt id, whose Send made the deliveries earlier: that
// receipt's id, or, for a channel with Harness.Targets, the id of the post
// that Send made to d's target (each target threads under its own post).
func (s *suite) postOf(id string, earlier []Delivery, d Delivery) string {
	if s.perSend() == 1 {
		return id
	}
	for _, e := range earlier {
		if e.Target == d.Target && e.ID != "" {
			return e.ID
		}
	}
	return id
}

// A harness that says its platform does not thread is believed only as
// long as the channel does not thread: otherwise the thread rules would be
// left out for a channel that needs them.
func checkUnthreaded(s *suite) {
	first := s.deliver(message(update(1)))
	m := message(update(2))
	m.Thread = broadcast.Thread{Root: first, Last: first}
	s.deliver(m)
	for _, d := range s.sent(1, 2) {
		if d.ReplyTo != "" {
			s.t.Errorf("Harness.ThreadsTo is Unthreaded, but the channel threads: update 2, sent with a Thread "+
				"naming update 1's post, replied to %q%s: set Harness.ThreadsTo to the end its platform replies "+
				"to (Root or Last), so that the thread rules run", d.ReplyTo, targetOf(d))
		}
	}
}

// targetOf names d's target for a message, "" when it has none.
func targetOf(d Delivery) string {
	if d.Target == "" {
		return ""
	}
	return fmt.Sprintf(" (target %q)", d.Target)
}
