package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/cutbody"
	"github.com/outagecast/outagecast/channels/internal/golden"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// The channel keeps the Channel contract, posting to a text channel.
func TestConformance(t *testing.T) { channeltest.Run(t, harness(false)) }

// The same in a forum channel, where updates thread under the incident's
// post.
func TestConformanceForum(t *testing.T) { channeltest.Run(t, harness(true)) }

var fullUpdate = broadcast.Update{
	ID: "u_full", IncidentID: "cdn-errors", Title: "CDN errors in EU", Status: broadcast.StatusIdentified,
	Impact: broadcast.ImpactMajor, Body: "We found the cause: a bad config push.\nRolling back.",
	Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage},
		{Name: "API", Status: broadcast.ComponentDegraded}},
	URL:        "https://status.example.com/incidents/42",
	Time:       time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
	NextUpdate: time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC),
}

// resolvedUpdate is fullUpdate's incident, resolved.
var resolvedUpdate = func() broadcast.Update {
	u := fullUpdate
	u.ID, u.Status, u.Body = "u_resolved", broadcast.StatusResolved, "The rollback is complete."
	u.Time = u.Time.Add(time.Hour)
	return u
}()

// newChannel is a Channel posting to f that knows its webhook's guild,
// as after its first Send or a Check: the tests that count requests
// count an update's, not the one question for the guild a Channel asks
// in its life (see newChannelNoGuild and TestReceiptLinksMessageWithoutCheck).
func newChannel(t *testing.T, f *fakeDiscord, edit func(*Config)) *Channel {
	t.Helper()
	ch := newChannelNoGuild(t, f, edit)
	guild := guildID
	ch.s.guild.Store(&guild)
	return ch
}

// newChannelNoGuild is a Channel posting to f, as New makes it: it knows
// no guild yet.
func newChannelNoGuild(t *testing.T, f *fakeDiscord, edit func(*Config)) *Channel {
	t.Helper()
	cfg := f.config()
	if edit != nil {
		edit(&cfg)
	}
	ch, err := New(cfg)
	require.NoError(t, err)
	return ch
}

func send(t *testing.T, ch *Channel, u broadcast.Update, thread broadcast.Thread) broadcast.Receipt {
	t.Helper()
	m := broadcast.NewMessage(u)
	m.Thread = thread
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	r.Channel = ch.Name()
	return r
}

// An update is one Execute Webhook request as Discord documents it: POST to
// the webhook's route with wait=true, JSON with the content, the status
// card and allowed_mentions that stop every ping.
func TestPostRequest(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, func(c *Config) { c.Username, c.AvatarURL = "Status", "https://status.example.com/a.png" })
	r := send(t, ch, fullUpdate, broadcast.Thread{})

	reqs := f.sent()
	require.Len(t, reqs, 1)
	req := reqs[0]
	assert.Equal(t, "POST", req.method)
	assert.Equal(t, "/api/v10/webhooks/"+testID+"/"+testToken, req.path)
	assert.Equal(t, "wait=true", req.query.Encode())
	assert.Equal(t, "application/json", req.header.Get("Content-Type"))
	assert.Equal(t, map[string]any{"parse": []any{}}, req.body["allowed_mentions"])
	assert.NotContains(t, req.body, "thread_name", "not a forum")
	golden.JSON(t, "post.json", req.raw)

	assert.Equal(t, f.message(0).id, r.ID)
	assert.Equal(t, parentID, r.Meta[metaChannel])
	assert.Equal(t, testID, r.Meta[metaWebhook])
	assert.Equal(t, r.ID, r.Meta[metaCardOf], "the first post's card shows its own update")
	content := req.body["content"].(string)
	assert.True(t, strings.HasPrefix(content, "**Identified: CDN errors in EU**"), content)
	assert.Contains(t, content, "<https://status.example.com/incidents/42>")
}

// The card's colour follows the impact, and turns green when the incident
// is over.
func TestColor(t *testing.T) {
	for _, tt := range []struct {
		impact broadcast.Impact
		status broadcast.Status
		want   int
	}{
		{"", broadcast.StatusInvestigating, colorNone},
		{broadcast.ImpactNone, broadcast.StatusInvestigating, colorNone},
		{broadcast.ImpactMinor, broadcast.StatusInvestigating, colorMinor},
		{broadcast.ImpactMajor, broadcast.StatusMonitoring, colorMajor},
		{broadcast.ImpactCritical, broadcast.StatusIdentified, colorCritical},
		{broadcast.ImpactMaintenance, broadcast.StatusInProgress, colorMaintenance},
		{broadcast.ImpactCritical, broadcast.StatusResolved, colorResolved},
		{broadcast.ImpactMaintenance, broadcast.StatusCompleted, colorResolved},
	} {
		u := fullUpdate
		u.Impact, u.Status = tt.impact, tt.status
		assert.Equalf(t, tt.want, statusEmbed(u, false).Color, "%s, %s", tt.impact, tt.status)
	}
}

// A hostile title or body cannot ping, mention, link or format: the content
// and the card escape Discord's markdown, readers see the text as written,
// and allowed_mentions is empty in posts and edits.
func TestHostileText(t *testing.T) {
	const title = "@everyone <@&123> **CDN** [login](https://evil.example) ||x|| # big"
	const body = "<@456> `code` ~~gone~~ > quote\n- list\n-# small <t:0:R> <#789>"
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Title, u.Body = title, body
	u.Components = []broadcast.Component{{Name: "<@999> *x*", Status: broadcast.ComponentMajorOutage}}
	r := send(t, ch, u, broadcast.Thread{})
	_, err := ch.Edit(context.Background(), broadcast.NewMessage(u), r)
	require.NoError(t, err)

	for i, req := range f.sent() {
		var m executeBody
		require.NoError(t, json.Unmarshal(req.raw, &m), "request %d", i)
		assert.Equal(t, []string{}, m.AllowedMentions.Parse, "request %d: allowed_mentions", i)
		texts := []string{m.Content, m.Embeds[0].Title, m.Embeds[0].Fields[len(m.Embeds[0].Fields)-1].Value}
		for _, s := range texts {
			for _, markup := range []string{"<@", "<#", "<t:", "**CDN", "[login]", "||", "`code`", "~~", "\n- list", "\n-# small"} {
				assert.Falsef(t, unescapedMarkup(s, markup), "request %d: unescaped %q in %q", i, markup, s)
			}
		}
		assert.Equal(t, title, unescape(m.Embeds[0].Title), "the card's title, as readers see it")
	}
	seen := f.Received()[0].Text
	assert.Contains(t, seen, title, "readers see the title as written")
	assert.Contains(t, seen, "<@999> *x*: Major outage")
}

// unescapedMarkup reports whether markup is in s without a backslash
// before it.
func unescapedMarkup(s, markup string) bool {
	for i := 0; ; i++ {
		j := strings.Index(s[i:], markup)
		if j < 0 {
			return false
		}
		i += j
		if i == 0 || s[i-1] != '\\' {
			return true
		}
	}
}

// Each later update of an incident in a text channel is a new message, and
// edits the status card of the incident's first post, only the card, to
// show the current status.
func TestRootShowsCurrentStatus(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	r := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})

	reqs := f.sent()
	require.Len(t, reqs, 4, "the posts, the read of the first post's own card, and its edit")
	assert.Equal(t, "GET", reqs[2].method)
	assert.Equal(t, "/api/v10/webhooks/"+testID+"/"+testToken+"/messages/"+root.ID, reqs[2].path)
	patch := reqs[3]
	assert.Equal(t, "PATCH", patch.method)
	assert.Equal(t, "/api/v10/webhooks/"+testID+"/"+testToken+"/messages/"+root.ID, patch.path)
	assert.Empty(t, patch.query)
	assert.NotContains(t, patch.body, "content", "the first post keeps its text")
	golden.JSON(t, "root_update.json", patch.raw)

	first := f.message(0)
	assert.Contains(t, first.content, "We found the cause", "the first post's text is unchanged")
	assert.Equal(t, "Resolved", first.embeds[0].Fields[0].Value)
	assert.Equal(t, colorResolved, first.embeds[0].Color)
	assert.Equal(t, "Current status", first.embeds[0].Footer.Text)
	assert.NotEqual(t, root.ID, r.ID)
	assert.NotContains(t, r.Meta, metaRootUpdate)
	assert.Len(t, f.Received(), 2, "two messages")
}

// With NoRootUpdate the first post is left alone.
func TestNoRootUpdate(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, func(c *Config) { c.NoRootUpdate = true })
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})
	assert.Len(t, f.sent(), 2, "two posts, no edit")
	assert.Equal(t, "Identified", f.message(0).embeds[0].Fields[0].Value)
}

// The edit of the first post is best effort: the update is delivered when
// its message is, and a failed edit is noted in the Receipt, redacted.
func TestRootUpdateFailure(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer canned
		note   string
	}{
		{"first post gone", canned{status: 404, body: `{"message": "Unknown Message", "code": 10008}`},
			"skipped: the first post is gone"},
		{"edit refused", canned{status: 500, body: `{"message": "500: Internal Server Error ` + testToken + `", "code": 0}`},
			"failed: discord: update the first post: http status 500 Internal Server Error: 500: Internal Server Error REDACTED"},
		{"edits of old messages limited", canned{status: 400, body: `{"message": "Maximum number of edits to messages older than 1 hour reached. Try again later", "code": 30046, "retry_after": 60}`},
			"failed: discord: update the first post: http status 400 Bad Request: Maximum number of edits to messages older than 1 hour reached. Try again later (code 30046)"},
		// Edit Webhook Message answers with the message it edited
		// (https://discord.com/developers/docs/resources/webhook#edit-webhook-message):
		// a whole 2xx that is not one is another server's page (a captive
		// portal's), and the first post still shows the old status. Before,
		// such an edit was taken as done.
		{"captive portal's 200", canned{status: 200, body: `<html><title>Log in</title><a href="/api/webhooks/` + testID + `/` + testToken + `">back</a></html>`},
			`failed: discord: update the first post: http status 200 OK: <html><title>Log in</title><a href="/api/webhooks/REDACTED/REDACTED">back</a></html>; not Discord's answer (check Config.WebhookURL)`},
		{"empty 204", canned{status: 204},
			"failed: discord: update the first post: http status 204 No Content; not Discord's answer (check Config.WebhookURL)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			root := send(t, ch, fullUpdate, broadcast.Thread{})
			// The post, and the read of the first post's own card, go
			// through; the edit of the first post gets the answer.
			m := broadcast.NewMessage(resolvedUpdate)
			m.Thread = broadcast.Thread{Root: root, Last: root}
			f.answerAfter(2, tt.answer)
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err, "the update is delivered")
			assert.NotEmpty(t, r.ID)
			assert.Equal(t, tt.note, r.Meta[metaRootUpdate])
			channeltest.AssertNoSecret(t, fmt.Sprint(r), testToken)
		})
	}
}

// In a forum, an incident's first update starts a post titled by the
// incident, with the configured tags; later updates go into its thread, and
// the first post's card is edited in that thread.
func TestForum(t *testing.T) {
	f := newFake(t, fakeOptions{forum: true})
	ch := newChannel(t, f, func(c *Config) { c.ForumTags = []string{"1400000000000000001"} })
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	r := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})

	reqs := f.sent()
	require.Len(t, reqs, 4)
	assert.Equal(t, "wait=true", reqs[0].query.Encode())
	assert.Equal(t, "CDN errors in EU", reqs[0].body["thread_name"])
	assert.Equal(t, []any{"1400000000000000001"}, reqs[0].body["applied_tags"])
	golden.JSON(t, "forum_post.json", reqs[0].raw)
	assert.Equal(t, root.ID, root.Meta[metaThread], "a forum post's first message has its thread's id")

	assert.Equal(t, "thread_id="+root.ID+"&wait=true", reqs[1].query.Encode())
	assert.NotContains(t, reqs[1].body, "thread_name")
	assert.NotContains(t, reqs[1].body, "applied_tags")
	assert.Equal(t, root.ID, r.Meta[metaThread])

	assert.Equal(t, "GET", reqs[2].method, "the first post's own card, read before the edit")
	assert.Equal(t, "thread_id="+root.ID, reqs[2].query.Encode())
	assert.Equal(t, "PATCH", reqs[3].method)
	assert.Equal(t, "thread_id="+root.ID, reqs[3].query.Encode())
	assert.Equal(t, "Resolved", f.message(0).embeds[0].Fields[0].Value)
}

// When an incident's forum post is gone, its next update starts a new one.
func TestForumPostGone(t *testing.T) {
	f := newFake(t, fakeOptions{forum: true})
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	f.dropThread(root.ID)
	r := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})

	reqs := f.sent()
	require.Len(t, reqs, 3, "the post into the old thread, the new post, and no edit of the old one")
	assert.Equal(t, root.ID, reqs[1].query.Get("thread_id"))
	assert.Equal(t, "wait=true", reqs[2].query.Encode())
	assert.Equal(t, "CDN errors in EU", reqs[2].body["thread_name"])
	assert.Equal(t, r.ID, r.Meta[metaThread], "the new post's thread")
	assert.NotEqual(t, root.ID, r.ID)
}

// When a moderator has closed and locked an incident's forum post, the
// webhook can no longer post in it (Discord refuses with 50083, Thread is
// archived: an archived post is reopened by a webhook's post, a locked one
// is not), nor in one locked and left open (160005, Thread is locked: only
// members with Manage Threads post there): the next update starts a new
// post, as for a post deleted, rather than failing for good with every
// later update of the incident.
func TestForumPostLocked(t *testing.T) {
	for name, refusal := range map[string]string{"closed and locked": threadArchived, "locked, left open": threadLocked} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, fakeOptions{forum: true})
			ch := newChannel(t, f, nil)
			root := send(t, ch, fullUpdate, broadcast.Thread{})
			f.lockThread(root.ID, refusal)
			r := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})

			reqs := f.sent()
			require.Len(t, reqs, 3, "the post into the locked thread, the new post, and no edit of the locked one")
			assert.Equal(t, root.ID, reqs[1].query.Get("thread_id"))
			assert.Equal(t, "wait=true", reqs[2].query.Encode())
			assert.Equal(t, "CDN errors in EU", reqs[2].body["thread_name"])
			assert.Equal(t, r.ID, r.Meta[metaThread], "the new post's thread")
			assert.NotEqual(t, root.ID, r.ID)

			// The incident goes on in the new post, which the locked one no
			// longer delays.
			third := fullUpdate
			third.ID, third.Time = "u_third", resolvedUpdate.Time.Add(time.Hour)
			r3 := send(t, ch, third, broadcast.Thread{Root: root, Last: r})
			assert.Equal(t, r.Meta[metaThread], r3.Meta[metaThread])
			assert.Len(t, f.sent(), 6, "the third update's post, in the new post at once, and its card's read and edit")
		})
	}
}

// With Config.ThreadID, a locked thread is the configuration's to fix:
// the post fails for good, saying so.
func TestThreadIDLocked(t *testing.T) {
	for _, tt := range []struct{ name, refusal, want string }{
		{"closed and locked", threadArchived, "Thread is archived (code 50083)"},
		{"locked, left open", threadLocked, "Thread is locked (code 160005)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			const thread = "1200000000000000001"
			f := newFake(t, fakeOptions{threads: []string{thread}})
			ch := newChannel(t, f, func(c *Config) { c.ThreadID = thread })
			f.lockThread(thread, tt.refusal)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err))
			assert.Contains(t, err.Error(), tt.want)
			assert.Len(t, f.sent(), 1, "no new post outside the configured thread")
		})
	}
}

// After the incident's forum post is gone, the updates go on in the post
// the next update started (the thread of Thread.Last, as the Store keeps
// the gone post as Root), whose first message shows the current status:
// one new post, not one per update.
func TestForumPostGoneThenMoreUpdates(t *testing.T) {
	f := newFake(t, fakeOptions{forum: true})
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	f.dropThread(root.ID)
	second := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})
	third := fullUpdate
	third.ID, third.Status, third.Body = "u_third", broadcast.StatusCompleted, "Postmortem published."
	third.Time = resolvedUpdate.Time.Add(time.Hour)
	r := send(t, ch, third, broadcast.Thread{Root: root, Last: second})

	newPosts := 0
	for _, req := range f.sent() {
		if req.body["thread_name"] != nil {
			newPosts++
		}
	}
	assert.Equal(t, 2, newPosts, "the incident's post, and one after it was deleted")
	gone := 0
	for _, req := range f.sent() {
		if req.query.Get("thread_id") == root.ID {
			gone++
		}
	}
	assert.Equal(t, 1, gone, "only the second update tried the deleted post; the third went to the new one at once")
	assert.Equal(t, second.Meta[metaThread], r.Meta[metaThread], "in the post the second update started")
	last := f.sent()[len(f.sent())-1]
	assert.Equal(t, "PATCH", last.method, "the new post's first message shows the current status")
	assert.Equal(t, "/api/v10/webhooks/"+testID+"/"+testToken+"/messages/"+second.ID, last.path)
	assert.Equal(t, "thread_id="+second.ID, last.query.Encode())
	assert.NotContains(t, r.Meta, metaRootUpdate)
}

// A forum post's title is the incident's, on one line, cut to 100
// characters.
func TestForumTitleFits(t *testing.T) {
	f := newFake(t, fakeOptions{forum: true})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Title = "Zürich\n" + strings.Repeat("ö", 150)
	send(t, ch, u, broadcast.Thread{})
	name := f.sent()[0].body["thread_name"].(string)
	assert.Equal(t, MaxThreadName, utf8.RuneCountInString(name))
	assert.True(t, strings.HasPrefix(name, "Zürich ööö"), name)
	assert.True(t, strings.HasSuffix(name, "…"), name)
}

// A webhook of a forum channel without Config.Forum fails permanently,
// saying what to set.
func TestForumNotConfigured(t *testing.T) {
	f := newFake(t, fakeOptions{forum: true})
	ch := newChannel(t, f, func(c *Config) { c.Forum = false })
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.EqualError(t, err, "discord: post: http status 400 Bad Request: Webhooks posted to forum channels must have "+
		"a thread_name or thread_id (code 220001) (the webhook's channel is a forum: set Config.Forum)")
}

// A forum that requires a tag on each post refuses a new post without one
// (Discord's JSON error code 40067): the error says which field to set.
func TestForumTagRequired(t *testing.T) {
	f := newFake(t, fakeOptions{forum: true})
	ch := newChannel(t, f, nil)
	f.answer(canned{status: 400, body: `{"message": "A tag is required to create a forum post in this channel", "code": 40067}`})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.EqualError(t, err, "discord: post: http status 400 Bad Request: A tag is required to create a forum post "+
		"in this channel (code 40067) (the forum requires a tag on each post: set Config.ForumTags)")
}

// With Config.ThreadID, every post, edit and deletion names that thread.
func TestThreadID(t *testing.T) {
	const thread = "1200000000000000009"
	f := newFake(t, fakeOptions{threads: []string{thread}})
	ch := newChannel(t, f, func(c *Config) { c.ThreadID = thread })
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	r := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})
	_, err := ch.Edit(context.Background(), broadcast.NewMessage(resolvedUpdate), r)
	require.NoError(t, err)
	require.NoError(t, ch.Retract(context.Background(), r))

	reqs := f.sent()
	require.Len(t, reqs, 9, "posts, the first post's card read and edited, the edit, the deletion with the reads before and after it, and the card set back")
	for i, req := range reqs {
		assert.Equalf(t, thread, req.query.Get("thread_id"), "request %d, %s", i, req.method)
	}
	assert.Equal(t, thread, root.Meta[metaThread])
	assert.True(t, f.message(1).deleted)
}

// Edit changes the content and the card of the original's message; it
// keeps the card of the incident's first post when a later update set it.
func TestEdit(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	fix := fullUpdate
	fix.ID, fix.Corrects, fix.Body = "u_fix", fullUpdate.ID, "The cause was a certificate rotation."
	m := broadcast.NewMessage(fix)
	m.Thread = broadcast.Thread{Root: root, Last: root}
	r, err := ch.Edit(context.Background(), m, root)
	require.NoError(t, err)
	assert.Equal(t, root.ID, r.ID)
	edit := f.sent()[1]
	assert.Equal(t, "PATCH", edit.method)
	golden.JSON(t, "edit.json", edit.raw)

	later := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: root})
	m.Thread = broadcast.Thread{Root: root, Last: later}
	_, err = ch.Edit(context.Background(), m, root)
	require.NoError(t, err)
	reqs := f.sent()
	last := reqs[len(reqs)-1]
	assert.NotContains(t, last.body, "embeds", "the card shows the later status")
	assert.Equal(t, "Resolved", f.message(0).embeds[0].Fields[0].Value)
	assert.Contains(t, f.message(0).content, "certificate rotation")
}

// An Edit of a message (or thread) deleted by hand says the post is gone,
// and one in an archived thread that it cannot be edited (Discord's JSON
// error code 50083, "Operation cannot be performed on an archived
// thread"), so that the Broadcaster posts the correction anew, which
// unarchives the thread, as does one in a locked thread (160005, "Thread
// is locked"), whose correction a forum channel posts in a new post;
// other refusals say neither.
func TestEditOfAMessageGone(t *testing.T) {
	for _, tt := range []struct {
		name              string
		answer            canned
		gone, notEditable bool
	}{
		{"unknown message", canned{status: 404, body: `{"message": "Unknown Message", "code": 10008}`}, true, false},
		{"thread deleted", canned{status: 404, body: `{"message": "Unknown Channel", "code": 10003}`}, true, false},
		{"thread archived", canned{status: 400, body: `{"message": "Operation cannot be performed on an archived thread", "code": 50083}`}, false, true},
		{"thread locked", canned{status: 403, body: threadLocked}, false, true},
		// 50005, "Cannot edit a message authored by another user"
		// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes):
		// the message is there, not this webhook's to edit; a new post
		// in the thread shows the correction. It failed for good before.
		{"authored by another user", canned{status: 403, body: `{"message": "Cannot edit a message authored by another user", "code": 50005}`}, false, true},
		{"webhook deleted", canned{status: 404, body: `{"message": "Unknown Webhook", "code": 10015}`}, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			r := send(t, ch, fullUpdate, broadcast.Thread{})
			f.answer(tt.answer)
			fix := fullUpdate
			fix.ID, fix.Corrects = "u_fix", fullUpdate.ID
			_, err := ch.Edit(context.Background(), broadcast.NewMessage(fix), r)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), err)
			assert.Equal(t, tt.gone, errors.Is(err, broadcast.ErrPostGone), err)
			assert.Equal(t, tt.notEditable, errors.Is(err, broadcast.ErrNotEditable), err)
		})
	}
}

// A message already gone counts as retracted; other refusals do not.
func TestRetract(t *testing.T) {
	for _, tt := range []struct {
		name      string
		answer    canned
		permanent bool // want a permanent error; else none
	}{
		{"unknown message", canned{status: 404, body: `{"message": "Unknown Message", "code": 10008}`}, false},
		{"thread deleted", canned{status: 404, body: `{"message": "Unknown Channel", "code": 10003}`}, false},
		{"webhook deleted", canned{status: 404, body: `{"message": "Unknown Webhook", "code": 10015}`}, true},
		{"missing access", canned{status: 403, body: `{"message": "Missing Access", "code": 50001}`}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			r := send(t, ch, fullUpdate, broadcast.Thread{})
			f.answer(tt.answer)
			err := ch.Retract(context.Background(), r)
			if !tt.permanent {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), err)
		})
	}
}

// Discord's answers are classified as its documentation says.
func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		name      string
		answer    canned
		permanent bool
		wait      time.Duration // the RetryAfter hint; 0: none
		text      string
	}{
		{name: "rate limited, retry_after in the body",
			answer: canned{status: 429, header: map[string]string{"Retry-After": "2", "X-RateLimit-Reset-After": "1.5"},
				body: `{"message": "You are being rate limited.", "retry_after": 1.25, "global": false}`},
			wait: 1250 * time.Millisecond, text: "http status 429 Too Many Requests: You are being rate limited."},
		{name: "global rate limit",
			answer: canned{status: 429, header: map[string]string{"Retry-After": "65", "X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"},
				body: `{"message": "You are being rate limited.", "retry_after": 64.57, "global": true}`},
			wait: 64570 * time.Millisecond},
		{name: "rate limited, X-RateLimit-Reset-After only",
			answer: canned{status: 429, header: map[string]string{"X-RateLimit-Reset-After": "2.5"}, body: `{"message": "You are being rate limited."}`},
			wait:   2500 * time.Millisecond},
		{name: "rate limited, Retry-After only",
			answer: canned{status: 429, header: map[string]string{"Retry-After": "7"}, body: `<html>1015</html>`}, wait: 7 * time.Second},
		// A wait already over names none, as Matrix's Retry-After: 0 does
		// (httpx.MarkWait): the next source Discord gives is read.
		{name: "rate limited, retry_after 0 and X-RateLimit-Reset-After",
			answer: canned{status: 429, header: map[string]string{"X-RateLimit-Reset-After": "2.5"}, body: `{"message": "You are being rate limited.", "retry_after": 0}`},
			wait:   2500 * time.Millisecond},
		{name: "rate limited, retry_after 0 only",
			answer: canned{status: 429, body: `{"message": "You are being rate limited.", "retry_after": 0}`}, wait: httpx.RateLimitWait},
		{name: "server error with retry_after", answer: canned{status: 503, body: `{"message": "x", "retry_after": 4}`}, wait: 4 * time.Second},
		{name: "rate limited, no hint", answer: canned{status: 429, body: `error code: 1015`}, wait: httpx.RateLimitWait,
			text: "http status 429 Too Many Requests: error code: 1015"},
		{name: "retry_after beyond a day", answer: canned{status: 429, body: `{"message": "x", "retry_after": 1e12}`}, wait: 24 * time.Hour},
		{name: "overloaded", answer: canned{status: 400, body: `{"message": "API resource is currently overloaded. Try again a little later", "code": 130000}`},
			wait: httpx.RateLimitWait},
		{name: "edits of old messages limited, no hint", answer: canned{status: 400, body: `{"message": "Maximum number of edits to messages older than 1 hour reached. Try again later", "code": 30046}`},
			wait: httpx.RateLimitWait},
		{name: "announcement edits limited", answer: canned{status: 400, body: `{"message": "This message cannot be edited due to announcement rate limits", "code": 20022}`},
			wait: httpx.RateLimitWait},
		{name: "slow mode", answer: canned{status: 403, body: `{"message": "This action cannot be performed due to slowmode rate limit", "code": 20016, "retry_after": 3}`},
			wait: 3 * time.Second},
		{name: "bad gateway", answer: canned{status: 502, body: `<html>502 Bad Gateway</html>`}},
		{name: "server error with Retry-After", answer: canned{status: 503, header: map[string]string{"Retry-After": "30"}}, wait: 30 * time.Second},
		// X-RateLimit-Reset-After is "the total time (in seconds) of when
		// the current rate limit bucket will reset"
		// (https://discord.com/developers/docs/topics/rate-limits#header-format):
		// Discord sends it on every answer, a success too, so on a 5xx it
		// says when the bucket refills, not how long the server needs.
		{name: "server error with X-RateLimit-Reset-After only",
			answer: canned{status: 502, header: map[string]string{"X-RateLimit-Remaining": "4", "X-RateLimit-Reset-After": "60"}, body: `<html>502 Bad Gateway</html>`}},
		{name: "invalid token", answer: canned{status: 401, body: `{"message": "Invalid Webhook Token", "code": 50027}`}, permanent: true,
			text: "http status 401 Unauthorized: Invalid Webhook Token (code 50027) (refused the credential: check Config.WebhookURL)"},
		{name: "unknown webhook", answer: canned{status: 404, body: `{"message": "Unknown Webhook", "code": 10015}`}, permanent: true},
		{name: "missing permissions", answer: canned{status: 403, body: `{"message": "Missing Permissions", "code": 50013}`}, permanent: true},
		{name: "invalid form body", permanent: true,
			answer: canned{status: 400, body: `{"message": "Invalid Form Body", "code": 50035, "errors": {"embeds": {"0": {"title": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}]}}}, "content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}}}`},
			text:   "http status 400 Bad Request: Invalid Form Body (code 50035): content: Must be 2000 or fewer in length.; embeds.0.title: Must be 256 or fewer in length."},
		// Discord's own example of a request error (JSON Error Codes,
		// "Request Error") has its _errors at the top of "errors", about
		// the request as a whole: no field to name.
		{name: "invalid form body of the whole request", permanent: true,
			answer: canned{status: 400, body: `{"code": 50035, "message": "Invalid Form Body", "errors": {"_errors": [{"code": "APPLICATION_COMMAND_TOO_LARGE", "message": "Command exceeds maximum size (8000)"}]}}`},
			text:   "http status 400 Bad Request: Invalid Form Body (code 50035): Command exceeds maximum size (8000)"},
		{name: "not implemented", answer: canned{status: 501}, permanent: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			f.answer(tt.answer)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
			d, ok := broadcast.RetryDelay(err)
			assert.Equal(t, tt.wait != 0, ok, "RetryDelay(%q)", err)
			assert.Equal(t, tt.wait, d)
			if tt.text != "" {
				assert.Equal(t, "discord: post: "+tt.text, err.Error())
			}
		})
	}
}

// A whole 2xx answer that is not the message Discord created is another
// server's (a captive portal's or a proxy's page): Execute Webhook is sent
// with wait=true, with which Discord "waits for server confirmation of
// message send before response, and returns the created message body"
// (https://discord.com/developers/docs/resources/webhook#execute-webhook-query-string-params),
// so nothing shows the message reached Discord. Before, it counted as
// delivered without an id. An answer cut off on its way is still a
// delivery (TestCutAnswerIsDelivered).
func TestForeignSuccessIsNotDelivered(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer canned
		text   string
	}{
		{"captive portal", canned{status: 200, body: `<html><title>Log in to the hotel Wi-Fi</title></html>`},
			"http status 200 OK: <html><title>Log in to the hotel Wi-Fi</title></html>"},
		{"empty 204", canned{status: 204}, "http status 204 No Content"},
		{"JSON without a message id", canned{status: 200, body: `{"ok": true}`}, `http status 200 OK: {"ok": true}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			f.answer(tt.answer)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), err)
			assert.EqualError(t, err, "discord: post: "+tt.text+"; not Discord's answer (check Config.WebhookURL)")
		})
	}
}

// The content fits 2,000 characters with the URL whole; the card keeps
// within Discord's limits however many components there are.
func TestLimits(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Title = strings.Repeat("T", broadcast.MaxTitleLength)
	u.Body = strings.Repeat("Packets are dropped in Zürich 🇨🇭. ", broadcast.MaxBodyLength/34)
	u.Components = nil
	for i := range 100 {
		u.Components = append(u.Components, broadcast.Component{Name: fmt.Sprintf("%03d %s", i, strings.Repeat("c", 250)),
			Status: broadcast.ComponentMajorOutage})
	}
	send(t, ch, u, broadcast.Thread{})
	var m executeBody
	require.NoError(t, json.Unmarshal(f.sent()[0].raw, &m))
	assert.LessOrEqual(t, utf8.RuneCountInString(m.Content), MaxContent)
	assert.Contains(t, m.Content, "<"+u.URL+">")
	e := m.Embeds[0]
	assert.Empty(t, embedProblem(e))
	list := e.Fields[len(e.Fields)-1].Value
	assert.LessOrEqual(t, utf8.RuneCountInString(list), MaxFieldValue)
	assert.Regexp(t, `\n… and \d+ more$`, list)
}

// fitEmbed keeps every text within its limit and the whole within 6,000
// characters: the description is shortened first, then fields dropped.
func TestFitEmbed(t *testing.T) {
	long := func(n int) string { return strings.Repeat("ü", n) }
	e := embed{Title: long(300), Description: long(5000), Footer: &embedFooter{Text: long(3000)}}
	for range 30 {
		e.Fields = append(e.Fields, embedField{Name: long(300), Value: long(1100)})
	}
	e.Fields = append(e.Fields, embedField{Name: "empty", Value: "  "})
	got := fitEmbed(e)
	assert.Empty(t, embedProblem(got))
	assert.Equal(t, MaxEmbedTitle, runes(got.Title))
	assert.Equal(t, MaxFooter, runes(got.Footer.Text))
	assert.LessOrEqual(t, embedLength(got), MaxEmbedTotal)
	assert.Empty(t, got.Description, "the description goes first")
	// 256 + 2048 + 2 × (256 + 1024) = 4864; a third field would make 6144.
	assert.Len(t, got.Fields, 2, "then fields from the end")

	small := embed{Title: "t", Description: long(4096), Fields: []embedField{{Name: "n", Value: long(1000)}, {Name: "m", Value: long(1000)}}}
	got = fitEmbed(small)
	assert.Equal(t, MaxEmbedTotal, embedLength(got))
	assert.Equal(t, 4096-99, runes(got.Description), "the description alone gives way")
	assert.Len(t, got.Fields, 2)
}

// Check gets the webhook without posting; a bad token is permanent.
func TestCheck(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	require.NoError(t, ch.Check(context.Background()))
	assert.Equal(t, "GET", f.sent()[0].method)
	assert.Empty(t, f.Received(), "nothing posted")

	f.answer(canned{status: 200, body: `{"id": "1", "type": 1}`})
	assert.ErrorContains(t, ch.Check(context.Background()), "another webhook")
	f.answer(canned{status: 200, body: `{"id": "` + testID + `", "type": 2}`})
	assert.ErrorContains(t, ch.Check(context.Background()), "channel follower")

	bad := f.config()
	bad.WebhookURL = redact.NewURL(f.srv.URL + "/api/webhooks/" + testID + "/wrong-token")
	other, err := New(bad)
	require.NoError(t, err)
	err = other.Check(context.Background())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.EqualError(t, err, "discord: check: http status 401 Unauthorized: Invalid Webhook Token (code 50027) (refused the credential: check Config.WebhookURL)")
}

// Preview gives the content and its length in Discord's unit.
func TestPreview(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	p, err := ch.Preview(fullUpdate)
	require.NoError(t, err)
	assert.Equal(t, broadcast.Preview{Channel: "ops-discord", Text: p.Text, Length: utf8.RuneCountInString(p.Text),
		Limit: 2000, Unit: "characters"}, p)
	assert.Contains(t, p.Text, "CDN errors in EU")
	assert.Empty(t, f.sent())
}

// A receipt that names no Discord message cannot be edited or deleted.
func TestReceiptWithoutID(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	_, err := ch.Edit(context.Background(), broadcast.NewMessage(fullUpdate), broadcast.Receipt{ID: "../x"})
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.True(t, broadcast.IsPermanent(ch.Retract(context.Background(), broadcast.Receipt{})))
	assert.Empty(t, f.sent())
}

// A 2xx whose body breaks off is a message created: Send succeeds (a
// retry would post it again; Discord takes no idempotency key), with a
// Receipt without ID.
func TestCutAnswerIsDelivered(t *testing.T) {
	srv := cutbody.NewServer(t, http.StatusOK, `{"id":"12`)
	ch, err := New(Config{WebhookURL: redact.NewURL(srv.URL + "/api/webhooks/" + testID + "/" + testToken)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.Empty(t, r.ID)
	assert.Equal(t, 1, srv.Requests())
}

// The correction of an update whose answer was cut off (delivered, its
// Receipt without ID) cannot edit the message: it fails with
// broadcast.ErrNotEditable, so that the Broadcaster posts the correction
// anew, as for a message in an archived thread. Before, it failed for
// good, and the correction reached no one on Discord.
func TestEditOfACutPost(t *testing.T) {
	srv := cutbody.NewServer(t, http.StatusOK, `{"id":"12`)
	ch, err := New(Config{WebhookURL: redact.NewURL(srv.URL + "/api/webhooks/" + testID + "/" + testToken)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	_, err = ch.Edit(context.Background(), broadcast.NewMessage(fullUpdate), r)
	require.Error(t, err)
	assert.ErrorIs(t, err, broadcast.ErrNotEditable)
	assert.Equal(t, 1, srv.Requests(), "nothing to send the edit to")
}

// An answer that is not Discord's says so and names the field to check.
// Discord answers every refusal, an unknown route's too, with its JSON
// error ({"message": "404: Not Found", "code": 0}:
// https://discord.com/developers/docs/topics/opcodes-and-status-codes#json),
// so a 404 or 405 page, or a redirect, comes from another server than the
// one Config.WebhookURL should name. Before, a redirect's error was a bare
// "http status 301 Moved Permanently", without where it pointed (its
// host: httpx keeps the path out, which may hold a token).
func TestForeignAnswerNamesWebhookURL(t *testing.T) {
	const hint = "not Discord's answer (check Config.WebhookURL)"
	for _, tt := range []struct {
		name   string
		answer canned
		want   []string
	}{
		{"proxy's 404", canned{status: 404, body: "<html><body><h1>404 Not Found</h1></body></html>"},
			[]string{"http status 404 Not Found: <html><body><h1>404 Not Found</h1></body></html>", hint}},
		{"405", canned{status: 405, body: "method not allowed"}, []string{"http status 405 Method Not Allowed: method not allowed", hint}},
		{"redirect", canned{status: 301, header: map[string]string{"Location": "https://www.example.org/login"}},
			[]string{"http status 301 Moved Permanently: redirect to https://www.example.org/… not followed", hint}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			f.answer(tt.answer)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err))
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	f.answer(canned{status: 404, body: `{"message": "Unknown Webhook", "code": 10015}`})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), hint, "Discord's own 404")
	f.answer(canned{status: 502, body: `<html>502 Bad Gateway</html>`})
	_, err = ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Config.WebhookURL", "a proxy's trouble, not the configuration's")
}

// Edit, Retract and Check, like Send, take a whole 2xx that is not
// Discord's answer (a captive portal's page) as another server's: Edit
// Webhook Message answers with the message, Delete Webhook Message with
// 204 No Content, Get Webhook with Token with the webhook
// (https://discord.com/developers/docs/resources/webhook#edit-webhook-message,
// #delete-webhook-message, #get-webhook-with-token). Before, the page
// counted as an edit and a deletion made, and Check said only that it
// was no webhook object, transient, without the field to check.
func TestForeignSuccessEditRetractCheck(t *testing.T) {
	const portal = `<html><title>Log in to the hotel Wi-Fi</title></html>`
	const want = "http status 200 OK: " + portal + "; not Discord's answer (check Config.WebhookURL)"
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	r := send(t, ch, fullUpdate, broadcast.Thread{})

	f.answer(canned{status: 200, body: portal})
	_, err := ch.Edit(context.Background(), broadcast.NewMessage(fullUpdate), r)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.EqualError(t, err, "discord: edit: "+want)

	f.answer(canned{status: 200, body: portal})
	err = ch.Retract(context.Background(), r)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.EqualError(t, err, "discord: delete: "+want)

	f.answer(canned{status: 200, body: portal})
	err = ch.Check(context.Background())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.EqualError(t, err, "discord: check: "+want)

	require.NoError(t, ch.Retract(context.Background(), r), "Discord's 204")
}

// A Channel used without a Broadcaster, which validates, may be given a
// status or impact that is none of the known values: its label keeps
// letters and digits only, so that it forges no link, in the message or
// in its card.
func TestUnknownValueCannotLink(t *testing.T) {
	const forged = "[Reset your password](https://evil.example)"
	for field, edit := range map[string]func(u *broadcast.Update){
		"Status":               func(u *broadcast.Update) { u.Status = forged },
		"Impact":               func(u *broadcast.Update) { u.Impact = forged },
		"Components[0].Status": func(u *broadcast.Update) { u.Components[0].Status = forged },
	} {
		t.Run(field, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			u := fullUpdate
			u.Components = slices.Clone(u.Components)
			edit(&u)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
			require.NoError(t, err)
			require.Len(t, f.sent(), 1)
			raw := string(f.sent()[0].raw)
			assert.NotContains(t, raw, "](", "no masked link")
			assert.NotContains(t, raw, "evil.example", "no link")
			assert.Contains(t, raw, "Reset your password https evil example")
		})
	}
}

// A correction whose text shows nothing (a template with a branch for some
// statuses) clears the content of the original's message: its card shows
// the update. Before, the edit left the content out, and Discord kept the
// original's text, the one being corrected, above the corrected card. A
// post whose text shows nothing has no content either, rather than the
// invisible characters of the template.
func TestEditToAContentThatShowsNothing(t *testing.T) {
	set, err := templates.Default().With("markdown", `{{if eq .Status "monitoring"}}`+"\u200b"+
		`{{else if ne .Status "resolved"}}**{{.Title}}**: {{.Body}}{{end}}`)
	require.NoError(t, err)
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, func(c *Config) { c.Templates = set })
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	require.Contains(t, f.message(0).content, "bad config push")
	fix := fullUpdate
	fix.ID, fix.Corrects, fix.Status = "u_fix", fullUpdate.ID, broadcast.StatusResolved
	m := broadcast.NewMessage(fix)
	m.Thread = broadcast.Thread{Root: root, Last: root}
	_, err = ch.Edit(context.Background(), m, root)
	require.NoError(t, err)
	assert.Empty(t, f.message(0).content, "the corrected text is gone")
	assert.Equal(t, "Resolved", f.message(0).embeds[0].Fields[0].Value, "the card shows the correction")

	monitoring := resolvedUpdate
	monitoring.ID, monitoring.Status = "u_monitoring", broadcast.StatusMonitoring
	send(t, ch, monitoring, broadcast.Thread{Root: root, Last: root})
	assert.Empty(t, f.message(1).content, "a post with its card only")
}
