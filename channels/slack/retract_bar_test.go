package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// threeUpdates sends an incident's updates Investigating, Identified and
// Resolved to targets, and returns their receipts.
func threeUpdates(t *testing.T, ch *Channel) (r1, r2, r3 broadcast.Receipt) {
	t.Helper()
	r1 = send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	r2 = send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	r3 = send(t, ch, update(3, broadcast.StatusResolved), broadcast.Thread{Root: r1, Last: r2})
	return r1, r2, r3
}

// rootBar returns the status bar of target's first post.
func rootBar(t *testing.T, f *fakeSlack, target string) string {
	t.Helper()
	root := byTarget(f.messages(), target)[0]
	require.Len(t, root.attachments, 1, "%s: the first post's status bar", target)
	return root.attachments[0]
}

// Retracting the incident's latest update sets the first post's status
// bar back to the status of the latest update still up: a "Resolved"
// posted by mistake and retracted left the bar saying "Current status:
// Resolved", green.
func TestRetractOfLatestRestoresStatusBar(t *testing.T) {
	targets := []string{"#ops", "C0STATUS02"}
	ch, f := newTestChannel(t, Config{Channels: targets})
	_, r2, r3 := threeUpdates(t, ch)

	require.NoError(t, ch.Retract(context.Background(), r3))
	for _, target := range targets {
		assert.Contains(t, rootBar(t, f, target), "*Current status: Identified*", target)
	}
	require.NoError(t, ch.Retract(context.Background(), r2))
	for _, target := range targets {
		assert.Contains(t, rootBar(t, f, target), "*Current status: Investigating*", target)
		assert.Contains(t, shown(byTarget(f.messages(), target)[0].sections[0]), "Investigating: ",
			"%s: the first post keeps its text", target)
	}
}

// Retracting an update that is not the latest leaves the status bar,
// which shows a later status; the latest retracted next, the bar skips
// the update retracted before.
func TestRetractOfEarlierLeavesStatusBar(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	_, r2, r3 := threeUpdates(t, ch)
	require.NoError(t, ch.Retract(context.Background(), r2))
	assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Resolved*")
	require.NoError(t, ch.Retract(context.Background(), r3))
	assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Investigating*")
}

// A retraction whose look at the thread fails still deletes the message:
// the status bar is best effort, as after a post.
func TestRetractWithoutHistoryScopeDeletes(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	_, _, r3 := threeUpdates(t, ch)
	f.failMethod("conversations.replies", "missing_scope")
	require.NoError(t, ch.Retract(context.Background(), r3))
	assert.True(t, byTarget(f.messages(), "#ops")[2].deleted)
	assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Resolved*", "left as it was")
}

// In a thread longer than a page of conversations.replies, the
// retraction reads on to find the latest update and the one before it.
func TestRetractOfLatestInALongThread(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	statuses := []broadcast.Status{broadcast.StatusIdentified, broadcast.StatusMonitoring}
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	last := r1
	for n := 2; n <= 2*lookLimit; n++ {
		u := update(1, statuses[n%2])
		u.ID, u.Time = fmt.Sprintf("u%d", n), u.Time.Add(time.Duration(n)*time.Minute)
		last = send(t, ch, u, broadcast.Thread{Root: r1, Last: last})
	}
	require.Contains(t, rootBar(t, f, "#ops"), "*Current status: Identified*")
	require.NoError(t, ch.Retract(context.Background(), last))
	assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Monitoring*")
}

// In a thread of more replies than the pages a retraction may read, the
// retraction reads the replies nearest the retracted one: retracting the
// latest update sets the status bar back to the update before it, however
// long the thread and whoever else replied in it, with a bounded number
// of reads. Beyond their reach (more people's replies since the update
// before than the reads hold), the bar is left as it is, never set back
// to an older update.
func TestRetractOfLatestInAVeryLongThread(t *testing.T) {
	cases := []struct {
		name    string
		gap     time.Duration // between two messages
		updates int
		talk    int  // people's replies after the update before the latest
		ranged  bool // a page lists the thread's parent only when it is in its time range
		left    bool // the bar is left as it is
	}{
		{"updates in a burst", 0, 5 * lookLimit, 0, false, false},
		{"an update every minute", time.Minute, 5 * lookLimit, 0, false, false},
		{"pages without the parent", time.Minute, 5 * lookLimit, 0, true, false},
		{"people talking between the last two updates", 20 * time.Second, 5 * lookLimit, lookLimit, false, false},
		{"a day of updates", 10 * time.Minute, 150, 2 * lookLimit, true, false},
		{"more talk than the reads reach", 20 * time.Second, 5 * lookLimit, maxBarReads * lookLimit, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
			f.gap, f.rangedParent = c.gap, c.ranged
			statuses := []broadcast.Status{broadcast.StatusIdentified, broadcast.StatusMonitoring}
			r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
			last := r1
			for n := 2; n <= c.updates; n++ {
				if n == c.updates {
					f.talk("#ops", r1.Meta[MetaTS+"#ops"], c.talk)
				}
				u := update(1, statuses[n%2])
				u.ID, u.Time = fmt.Sprintf("u%d", n), u.Time.Add(time.Duration(n)*time.Minute)
				last = send(t, ch, u, broadcast.Thread{Root: r1, Last: last})
			}
			require.Contains(t, rootBar(t, f, "#ops"), "*Current status: "+statuses[c.updates%2].Label()+"*")
			reads := len(f.requests("conversations.replies"))

			require.NoError(t, ch.Retract(context.Background(), last))
			n := c.updates - 1 // the update before the retracted one
			if c.left {
				n = c.updates
			}
			bar := rootBar(t, f, "#ops")
			assert.Contains(t, bar, "*Current status: "+statuses[n%2].Label()+"*")
			assert.Contains(t, bar, update(1, statuses[n%2]).Time.Add(time.Duration(n)*time.Minute).Format("at 2 Jan 15:04 UTC"),
				"update u%d's", n)
			assert.LessOrEqual(t, len(f.requests("conversations.replies"))-reads, maxBarReads+1, "reads of the thread")
		})
	}
}

// Through a Broadcaster, as users call it: the posts carry what a
// retraction needs to set the status bar back.
func TestBroadcasterRetractRestoresStatusBar(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	for i, s := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusResolved} {
		u := update(i+1, s)
		u.Time = now.Add(time.Duration(i-3) * time.Minute)
		_, err := b.Send(ctx, u)
		require.NoError(t, err)
	}
	require.Contains(t, rootBar(t, f, "#ops"), "*Current status: Resolved*")
	_, err = b.Retract(ctx, "u3")
	require.NoError(t, err)
	assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Identified*")
	_, err = b.Retract(ctx, "u2")
	require.NoError(t, err)
	assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Investigating*")
}

// The latest update corrected in place and then retracted: the status
// bar, which showed the correction, goes back to the update before,
// where it kept showing the retracted update's corrected status. The
// correction keeps the message's key, for a retry's look-up.
func TestRetractOfCorrectedLatestRestoresStatusBar(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	r1, r2, r3 := threeUpdates(t, ch)
	_, err := ch.Edit(context.Background(), correction(update(3, broadcast.StatusResolved), broadcast.StatusMonitoring,
		broadcast.Thread{Root: r1, Last: r3}), r3)
	require.NoError(t, err)
	require.Contains(t, rootBar(t, f, "#ops"), "*Current status: Monitoring*")
	before := byTarget(f.messages(), "#ops")[2]
	var md metadata
	require.NoError(t, json.Unmarshal(before.metadata, &md))
	assert.Equal(t, broadcast.NewMessage(update(3, broadcast.StatusResolved)).Key("#ops"), md.EventPayload.Key,
		"the original's key")

	require.NoError(t, ch.Retract(context.Background(), r3))
	assert.Contains(t, rootBar(t, f, "#ops"), "*Current status: Identified*")
	assert.False(t, byTarget(f.messages(), "#ops")[1].deleted, r2.ID)
}

// tsTime reads Slack's timestamps, seconds and microseconds, and refuses
// anything else.
func TestTSTime(t *testing.T) {
	for ts, want := range map[string]time.Time{
		"1741944413.000100": time.Unix(1741944413, 100_000),
		"1741944413.5":      time.Unix(1741944413, 500_000_000),
		"1741944413":        time.Unix(1741944413, 0),
	} {
		got, ok := tsTime(ts)
		assert.True(t, ok && got.Equal(want), "%s: %v", ts, got)
		back, ok := tsTime(slackTS(got))
		assert.True(t, ok && back.Equal(want), "%s: as slackTS writes it, %s", ts, slackTS(got))
	}
	for _, ts := range []string{"", ".5", "abc", "-1.5", "+1.5", "1741944413.1234567", "1e9.0", "1741944413.00 1"} {
		_, ok := tsTime(ts)
		assert.False(t, ok, "%q", ts)
	}
}

// The test server lists a thread as Slack documents conversations.replies:
// the replies between oldest and latest, at either only with inclusive,
// earliest first, a page of the earliest with has_more when there are
// more.
func TestFakeRepliesBetween(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"C0OPS00001"}})
	r1 := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	root := r1.Meta[MetaTS+"C0OPS00001"]
	f.talk("C0OPS00001", root, 5)
	msgs := f.messages() // the root, then replies 1 to 5
	list := func(oldest, latest, inclusive string, limit int) (ts []string, more bool) {
		q := url.Values{"channel": {"C0OPS00001"}, "ts": {root}, "oldest": {oldest}, "latest": {latest},
			"limit": {strconv.Itoa(limit)}}
		if inclusive != "" {
			q.Set("inclusive", inclusive)
		}
		var resp listResponse
		require.NoError(t, ch.read(context.Background(), "conversations.replies", q, &resp))
		for _, m := range resp.Messages[1:] { // the parent first
			ts = append(ts, m.TS)
		}
		return ts, resp.HasMore
	}
	got, more := list(msgs[2].ts, msgs[4].ts, "", 15)
	assert.Equal(t, []string{msgs[3].ts}, got, "between, exclusive")
	assert.False(t, more)
	got, _ = list(msgs[2].ts, msgs[4].ts, "true", 15)
	assert.Equal(t, []string{msgs[2].ts, msgs[3].ts, msgs[4].ts}, got, "inclusive")
	got, more = list(msgs[1].ts, msgs[5].ts, "true", 3)
	assert.Equal(t, []string{msgs[1].ts, msgs[2].ts}, got, "the earliest, with the parent a page of 3")
	assert.True(t, more)
}
