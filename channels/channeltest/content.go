package channeltest

import (
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
			rule: "one successful Send adds exactly one Delivery, with text, to the back end"},
		{name: "TitleStatusURLArrive", check: checkTitleStatusURL,
			rule: "a delivery shows the Title, the status (label or value, any case) and the URL whole"},
		{name: "UnicodeSurvives", check: checkUnicode,
			rule: "flags, emoji sequences, combining marks, CJK and RTL text arrive byte-identical"},
		{name: "LengthLimitHolds", check: checkLengthLimit, needs: needsMaxLength,
			rule: "with a 25,000-character body every part measures <= MaxLength, is valid UTF-8, " +
				"and one part holds the URL whole"},
		{name: "OverrideWins", check: checkOverride,
			rule: "Update.Overrides[Name()] is sent instead of the rendered text: its text arrives, the body does not"},
		{name: "ThreadReceiptUsed", check: checkThread, needs: needsThreads,
			rule: "a Message with a zero Thread replies to nothing; with Thread set, the delivery " +
				"replies to Thread.ID, the receipt's platform id"},
	}
}

func needsMaxLength(h Harness) string {
	if h.MaxLength > 0 {
		return ""
	}
	return "Harness.MaxLength is 0 (no length limit)"
}

func needsThreads(h Harness) string {
	if h.Threads {
		return ""
	}
	return "Harness.Threads is false (the platform does not thread)"
}

// Name is non-empty and stable.
func checkName(s *suite) {
	name := s.ch.Name()
	require.NotEmpty(s.t, name, "Name()")
	assert.Equal(s.t, name, s.ch.Name(), "Name() called twice")
	s.deliver(message(update(1)))
	assert.Equal(s.t, name, s.ch.Name(), "Name() after a Send")
}

// One Send, one Delivery.
func checkDeliversOnce(s *suite) {
	r := s.deliver(message(update(1)))
	got := s.received(1)
	assert.NotEmpty(s.t, got[0].Text, "Delivery.Text")
	if r.Channel != "" {
		assert.Equal(s.t, s.ch.Name(), r.Channel, "Receipt.Channel, when set, is the channel's name")
	}
}

// Title, status and URL arrive.
func checkTitleStatusURL(s *suite) {
	statuses := []broadcast.Status{
		broadcast.StatusInvestigating, broadcast.StatusInProgress, broadcast.StatusResolved,
	}
	for i, status := range statuses {
		u := update(i + 1)
		u.Status = status
		s.deliver(message(u))
		text := s.received(i + 1)[i].Text
		assert.Containsf(s.t, text, u.Title, "status %s: the Title", status)
		assert.Truef(s.t, hasStatus(text, status), "status %s: the label %q or the value %q in %q",
			status, status.Label(), string(status), text)
		assert.Containsf(s.t, text, u.URL, "status %s: the URL, whole", status)
	}
}

// Unicode arrives byte-identical.
func checkUnicode(s *suite) {
	u := update(1)
	u.Title, u.Body = unicodeTitle, unicodeBody
	s.deliver(message(u))
	text := s.received(1)[0].Text
	assert.Contains(s.t, text, unicodeTitle, "the Title, byte for byte")
	assert.Contains(s.t, text, unicodeBody, "the Body, byte for byte")
}

// Every part fits the limit, and the URL survives shortening.
func checkLengthLimit(s *suite) {
	u := update(1)
	u.Body = longBody()
	s.deliver(message(u))
	d := s.received(1)[0]
	require.NotEmpty(s.t, d.Parts, "Delivery.Parts")
	whole := false
	for i, p := range d.Parts {
		assert.LessOrEqualf(s.t, s.h.Measure(p), s.h.MaxLength, "part %d measures more than MaxLength: %q", i, p)
		assert.Truef(s.t, utf8.ValidString(p), "part %d is not valid UTF-8", i)
		whole = whole || strings.Contains(p, u.URL)
	}
	assert.Truef(s.t, whole, "no part holds the URL %s whole: %q", u.URL, d.Parts)
}

// An override replaces the rendered text.
func checkOverride(s *suite) {
	u := update(1)
	u.Overrides = map[string]string{s.ch.Name(): overrideText}
	s.deliver(message(u))
	text := s.received(1)[0].Text
	assert.Contains(s.t, text, overrideText, "the override text")
	assert.NotContains(s.t, text, u.Body, "the body, which the override replaces")
}

// A thread receipt is replied to.
func checkThread(s *suite) {
	first := s.deliver(message(update(1)))
	require.NotEmpty(s.t, first.ID, "Receipt.ID of a threading platform's delivery")
	if first.Channel == "" {
		first.Channel = s.ch.Name() // as the Broadcaster stores it
	}
	next := update(2)
	next.Title = update(1).Title
	next.Status = broadcast.StatusIdentified
	m := message(next)
	m.Thread = first
	s.deliver(m)
	got := s.received(2)
	assert.Empty(s.t, got[0].ReplyTo, "ReplyTo of the first update, sent with a zero Thread")
	assert.Equal(s.t, first.ID, got[1].ReplyTo, "ReplyTo of the second update, sent with Thread = the first receipt")
}
