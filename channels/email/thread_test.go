package email_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
)

// lifecycle returns the updates of one incident from the first to the
// resolved one; the title is edited from the third update on.
func lifecycle() []broadcast.Update {
	steps := []struct {
		status   broadcast.Status
		headline string
	}{
		{broadcast.StatusInvestigating, "Investigating"},
		{broadcast.StatusIdentified, "Identified"},
		{broadcast.StatusMonitoring, "Monitoring"},
		{broadcast.StatusResolved, "Resolved"},
	}
	out := make([]broadcast.Update, len(steps))
	for i, s := range steps {
		u := incident(i + 1)
		u.Status = s.status
		if i >= 2 {
			u.Title = "CDN errors in Europe"
		}
		u.ID = "" // derived again from the new status and title
		out[i] = u.WithDefaults(fixed)
	}
	return out
}

// headline is the status as the default templates write it.
var headline = map[broadcast.Status]string{
	broadcast.StatusInvestigating: "Investigating", broadcast.StatusIdentified: "Identified",
	broadcast.StatusMonitoring: "Monitoring", broadcast.StatusResolved: "Resolved",
}

// firstSubject is the subject of every message of lifecycle(): that of the
// first update, whose title is the original one.
const firstSubject = "Incident: Elevated error rates on the CDN"

var preheaderRE = regexp.MustCompile(`(?s)<body[^>]*>\s*<div style="([^"]*)">([^<]*)</div>`)

// preheader returns the text of the hidden preview line that must open the
// body of an HTML part.
func preheader(t *testing.T, htmlPart string) string {
	t.Helper()
	m := preheaderRE.FindStringSubmatch(htmlPart)
	require.NotNil(t, m, "the HTML body opens with a preheader:\n%s", htmlPart)
	for _, rule := range []string{"display:none", "mso-hide:all", "max-height:0", "overflow:hidden"} {
		assert.Contains(t, m[1], rule, "the preheader is hidden")
	}
	return html.UnescapeString(m[2])
}

// firstLine returns the first line of a text part.
func firstLine(text string) string {
	line, _, _ := strings.Cut(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	return line
}

// TestOneSubjectPerIncident: Gmail threads only messages with the same
// subject, so every update of an incident keeps the first one's subject,
// whatever its status or edited title, and the status leads the body and
// the preheader instead.
func TestOneSubjectPerIncident(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	b, err := broadcast.New([]broadcast.Channel{newChannel(t, config(srv, "alice@example.net"))}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	updates := lifecycle()
	var ids []string
	for _, u := range updates {
		rep, err := b.Send(context.Background(), u)
		require.NoError(t, err)
		ids = append(ids, rep.Results[0].Receipt.ID)
		assert.Equal(t, firstSubject, rep.Results[0].Receipt.Meta["subject"], "the receipt carries the subject on")
	}

	msgs := srv.messages()
	require.Len(t, msgs, len(updates))
	for i, m := range msgs {
		p := parse(t, m.data)
		u := updates[i]
		status := headline[u.Status] + ": " + u.Title
		assert.Equal(t, firstSubject, p.subject, "update %d", i+1)
		assert.Equal(t, status, firstLine(p.text), "update %d: the text part starts with the status", i+1)
		assert.True(t, strings.HasPrefix(preheader(t, p.html), status+" — "+u.Body),
			"update %d: the preheader starts with the status: %q", i+1, preheader(t, p.html))
		if i > 0 {
			assert.Equal(t, ids[i-1], p.header.Get("In-Reply-To"), "update %d", i+1)
			assert.Equal(t, strings.Join(ids[:i], " "), p.header.Get("References"), "update %d", i+1)
		}
	}
}

// TestSubjectOfThread covers where the subject comes from: the receipt of
// the incident's first message (Thread.Root) when it has one, else the
// latest (Thread.Last), cleaned like any header text, and the template
// otherwise.
func TestSubjectOfThread(t *testing.T) {
	withSubject := func(id, subject string) broadcast.Receipt {
		return broadcast.Receipt{ID: id, Meta: map[string]string{"subject": subject}}
	}
	first, latest := "<a.b@example.com>", "<c.d@example.com>"
	tests := []struct {
		name   string
		thread broadcast.Thread
		want   string
	}{
		{"no thread", broadcast.Thread{}, firstSubject},
		{"receipts without a subject", broadcast.Thread{Root: broadcast.Receipt{ID: first},
			Last: broadcast.Receipt{ID: latest}}, firstSubject},
		{"subject of the root", broadcast.Thread{Root: withSubject(first, "Incident: CDN errors"),
			Last: broadcast.Receipt{ID: latest}}, "Incident: CDN errors"},
		{"root's subject wins over last's", broadcast.Thread{Root: withSubject(first, "Incident: CDN errors"),
			Last: withSubject(latest, "Incident: other")}, "Incident: CDN errors"},
		{"last's subject when the root has none", broadcast.Thread{Root: broadcast.Receipt{ID: first},
			Last: withSubject(latest, "Incident: CDN errors")}, "Incident: CDN errors"},
		{"root alone", broadcast.Thread{Root: withSubject(first, "Incident: CDN errors")}, "Incident: CDN errors"},
		{"same update sent again", broadcast.Thread{Root: withSubject(first, "Incident: CDN errors")}, "Incident: CDN errors"},
		{"line breaks and controls removed", broadcast.Thread{Root: withSubject(first, "Old\r\nBcc: evil@example.com\x00\xff")},
			"Old Bcc: evil@example.com"},
		{"blank subject ignored", broadcast.Thread{Root: withSubject(first, " \r\n\t")}, firstSubject},
		{"not a thread of this channel", broadcast.Thread{Root: withSubject("1234567", "Incident: CDN errors"),
			Last: withSubject("1234567", "Incident: CDN errors")}, firstSubject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			ch := newChannel(t, config(srv, "alice@example.net"))
			u := incident(2)
			u.Status = broadcast.StatusResolved
			m := broadcast.Message{Update: u, Thread: tt.thread}
			if tt.name == "same update sent again" {
				m.Thread.Last = broadcast.Receipt{ID: "<" + m.Key("") + ".cdn-errors-eu@example.com>"}
			}
			r := send(t, ch, m)
			p := parse(t, srv.messages()[0].data)
			assert.Equal(t, tt.want, p.subject)
			assert.Equal(t, tt.want, r.Meta["subject"])
			assert.Empty(t, p.header.Get("Bcc"))
			assert.Equal(t, "Resolved: Elevated error rates on the CDN", firstLine(p.text))
			if tt.name == "same update sent again" {
				assert.Equal(t, r.ID, m.Thread.Last.ID)
				assert.Equal(t, first, p.header.Get("In-Reply-To"), "a message does not reply to itself, but stays in its thread")
			}
		})
	}
}

// TestDefaultSubjectHasNoStatus: rendered from scratch (no thread, as in
// Preview), the subject of every status of an incident is the same, and
// that of every status of a maintenance too.
func TestDefaultSubjectHasNoStatus(t *testing.T) {
	ch, err := email.New(valid())
	require.NoError(t, err)
	for _, tt := range []struct {
		statuses []broadcast.Status
		want     string
	}{
		{[]broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified,
			broadcast.StatusMonitoring, broadcast.StatusResolved}, "Incident: Elevated error rates on the CDN"},
		{[]broadcast.Status{broadcast.StatusScheduled, broadcast.StatusInProgress,
			broadcast.StatusVerifying, broadcast.StatusCompleted}, "Maintenance: Elevated error rates on the CDN"},
	} {
		for _, s := range tt.statuses {
			u := incident(1)
			u.Status = s
			p, err := ch.Preview(u)
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.Subject, s)
		}
	}
}

// messageIDs returns the Message-ID of every message srv received, by
// recipient, in order.
func messageIDs(t *testing.T, srv *fakeSMTP) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range srv.messages() {
		out[m.to[0]] = append(out[m.to[0]], parse(t, m.data).header.Get("Message-ID"))
	}
	return out
}

// TestMessageIDStableAcrossAttempts: a recipient sent to on a retry gets
// the Message-ID the others got, and so does every recipient of a new
// Message of the same update (as after a restart), so that mail clients
// and servers that drop duplicates by Message-ID show one message.
func TestMessageIDStableAcrossAttempts(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	rcpt := recipients(3)
	srv.script(func(s *fakeSMTP) { s.rcptPlan[rcpt[1]] = []string{"451 4.2.0 mailbox busy, try again later"} })
	ch := newChannel(t, config(srv, rcpt...))
	m := broadcast.NewMessage(incident(1))
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err, "the first attempt leaves a recipient pending")
	m.Attempt = 2
	r := send(t, ch, m)
	again := broadcast.NewMessage(incident(1)) // nothing in its Ledger
	again.Attempt = 3
	send(t, ch, again)

	want := "<" + m.Key("") + ".cdn-errors-eu@example.com>"
	assert.Equal(t, want, r.ID)
	assert.Equal(t, map[string][]string{rcpt[0]: {want, want}, rcpt[1]: {want, want}, rcpt[2]: {want, want}},
		messageIDs(t, srv), "every message of the update, on every attempt")
}

// TestMessageIDStableAcrossRestarts: through Broadcasters that share a
// Store, as a program restarted after a failed attempt, the recipient left
// pending gets the Message-ID the others got; another channel's message of
// the same update has another Message-ID.
func TestMessageIDStableAcrossRestarts(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	rcpt := recipients(2)
	srv.script(func(s *fakeSMTP) { s.rcptPlan[rcpt[1]] = []string{"451 4.2.0 mailbox busy, try again later"} })
	store := broadcast.NewMemoryStore()
	run := func(cfg email.Config) *broadcast.Report {
		b, err := broadcast.New([]broadcast.Channel{newChannel(t, cfg)},
			broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
		require.NoError(t, err)
		defer b.Close()
		rep, _ := b.Send(context.Background(), incident(1))
		return rep
	}
	first := run(config(srv, rcpt...))
	require.Error(t, first.Results[0].Err, "one recipient left pending")
	second := run(config(srv, rcpt...)) // the same channel, after a restart
	require.NoError(t, second.Results[0].Err)
	staff := config(srv, "staff@example.com")
	staff.Name = "email-staff"
	third := run(staff)
	require.NoError(t, third.Results[0].Err)

	id := second.Results[0].Receipt.ID
	assert.Equal(t, map[string][]string{rcpt[0]: {id}, rcpt[1]: {id}, "staff@example.com": {third.Results[0].Receipt.ID}},
		messageIDs(t, srv))
	assert.NotEqual(t, id, third.Results[0].Receipt.ID, "each channel's message has its own Message-ID")
}
