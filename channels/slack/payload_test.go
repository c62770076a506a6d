package slack

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/golden"
)

// fullUpdate has every field set.
func fullUpdate(n int, status broadcast.Status) broadcast.Update {
	u := update(n, status)
	u.Advice = "Retry failed requests; no data was lost."
	u.Components = []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage},
		{Name: "API", Status: broadcast.ComponentDegraded}}
	u.NextUpdate = u.Time.Add(30 * time.Minute)
	return u
}

// The requests of an incident's life, as Slack receives them.
func TestGoldenRequests(t *testing.T) {
	ch, f := newTestChannel(t, Config{Name: "ops-slack", Channels: []string{"#ops"}})
	r1 := send(t, ch, fullUpdate(1, broadcast.StatusInvestigating), broadcast.Thread{})
	r2 := send(t, ch, fullUpdate(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	send(t, ch, update(3, broadcast.StatusResolved), broadcast.Thread{Root: r1, Last: r2})
	c := broadcast.NewMessage(update(4, broadcast.StatusIdentified))
	c.Update.Corrects, c.Update.Body = r2.UpdateID, "The errors came from one CDN region."
	_, err := ch.Edit(context.Background(), c, r2)
	require.NoError(t, err)
	require.NoError(t, ch.Retract(context.Background(), r2))

	posts, updates := f.requests("chat.postMessage"), f.requests("chat.update")
	require.Len(t, posts, 3)
	require.Len(t, updates, 3, "a status bar after each reply, and the edit")
	golden.JSON(t, "post_first.json", posts[0].raw)
	golden.JSON(t, "post_reply.json", posts[1].raw)
	golden.JSON(t, "post_resolved.json", posts[2].raw)
	golden.JSON(t, "update_status_bar.json", updates[1].raw)
	golden.JSON(t, "update_edit.json", updates[2].raw)
	golden.JSON(t, "delete.json", f.requests("chat.delete")[0].raw)
	for _, c := range append(posts, updates...) {
		assert.Equal(t, "Bearer "+testToken, c.header.Get("Authorization"), "the token, as a bearer token")
	}
}

func TestGoldenWebhook(t *testing.T) {
	f := newFakeSlack(t, testToken)
	ch, err := New(hookConfig(f))
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	send(t, ch, fullUpdate(1, broadcast.StatusInvestigating), broadcast.Thread{})
	calls := f.requests("webhook")
	require.Len(t, calls, 1)
	golden.JSON(t, "webhook.json", calls[0].raw)
	assert.Empty(t, calls[0].header.Get("Authorization"), "a webhook carries no token")
}

// hostile is text that would ping, mention, or label a link, were it not
// escaped.
const hostile = "<!channel> <!here|here> <@U0ADMIN01> <#C0OPS00001> <https://evil.example/reset|Reset your password> " +
	"& @here @channel #ops &amp; &lt;b&gt;"

// No field of an update, nor an override, can ping, mention or forge a
// link; the reader sees the text as written. The fake reports any control
// sequence other than a plain link.
func TestHostileTextCannotPingOrLink(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	u := fullUpdate(1, broadcast.StatusInvestigating)
	u.Title, u.Body, u.Advice = "Title "+hostile, "Body "+hostile, "Advice "+hostile
	u.Components[0].Name = "CDN " + hostile
	r := send(t, ch, u, broadcast.Thread{})
	u.Overrides = map[string]string{ch.Name(): "Override " + hostile}
	u.ID = "u-override"
	send(t, ch, u, broadcast.Thread{Root: r, Last: r})

	msgs := f.messages()
	require.Len(t, msgs, 2)
	// The link in it is written whole, its "|" as %7C: a link, not a label.
	linked := strings.Replace(hostile, "reset|Reset", "reset%7CReset", 1)
	for _, want := range []string{"Title ", "Body ", "Advice ", "CDN "} {
		assert.Contains(t, shown(msgs[0].sections[0]), want+linked, "the reader sees the text as written")
	}
	for _, want := range []string{"Title ", "Body ", "CDN "} {
		assert.Contains(t, unescape(msgs[0].text), want+hostile, "the fallback (the short template has no advice)")
	}
	assert.Contains(t, msgs[0].sections[0], "&lt;!channel&gt;", "escaped")
	assert.Contains(t, shown(msgs[1].sections[0]), "Override "+linked)
	assert.Contains(t, shown(msgs[0].attachments[0]), "Title "+hostile, "the status bar")
	for _, m := range msgs {
		for _, c := range controlRE.FindAllString(m.sections[0]+m.text, -1) {
			assert.Regexp(t, `^<https://[^|]+>$`, c, "the only control sequences are plain links")
		}
	}
}

// URLs become links, kept whole, without the punctuation after them; a
// "|" in one is written %7C, as Slack writes it, so it cannot label it.
func TestFinishLinks(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"see https://status.example.com/i/42.", "see <https://status.example.com/i/42>."},
		{"(https://status.example.com/i/42)", "(<https://status.example.com/i/42>)"},
		{"https://en.example.org/wiki/A_(b)", "<https://en.example.org/wiki/A_(b)>"},
		{"https://x.example/?a=1&b=<2>", "<https://x.example/?a=1&amp;b=>&lt;2&gt;"},
		{"https://x.example/a|b", "<https://x.example/a%7Cb>"},
		{"https://x.example/a|<!channel>", "<https://x.example/a%7C>&lt;!channel&gt;"},
		{"https://x.example/a\u3000次の更新", "<https://x.example/a>\u3000次の更新"},
		{"https://x.example/a\u00a0next", "<https://x.example/a>\u00a0next"},
		{"https://", "https://"},
		{"*Investigating: see https://x.example/s*", "*Investigating: see <https://x.example/s>*"},
		{"_at https://x.example/a_ or ~https://x.example/b~.", "_at <https://x.example/a>_ or ~<https://x.example/b>~."},
		{"`https://x.example/c`", "`<https://x.example/c>`"},
		{"https://x.example/wiki/A_", "<https://x.example/wiki/A_>"},
		{"*a* https://x.example/b*", "*a* <https://x.example/b*>"},
		{"*a*\nhttps://x.example/b_", "*a*\n<https://x.example/b_>"},
		{"no link here & <there>", "no link here &amp; &lt;there&gt;"},
		// The sentence goes on after a URL without a space: its link
		// ends as templates.LinkSpans ends it.
		{"詳細はhttps://x.example/i/1」をご覧ください", "詳細は<https://x.example/i/1>」をご覧ください"},
		{"«https://x.example/a» & „https://x.example/b“", "«<https://x.example/a>» &amp; „<https://x.example/b>“"},
		{"(see https://x.example/a)。", "(see <https://x.example/a>)。"},
		{"[https://x.example/a] {https://x.example/b}", "[<https://x.example/a>] {<https://x.example/b>}"},
		{"https://x.example/1、https://x.example/2", "<https://x.example/1>、<https://x.example/2>"},
		{"*see https://x.example/a」*", "*see <https://x.example/a>」*"},
	} {
		assert.Equal(t, c.want, finish(hider.Replace(c.in), ""), "finish(%q)", c.in)
	}
}

// A title that ends in a URL is linked to that URL, and the default
// template's bold around the title stays closed.
func TestTitleEndingInURL(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	u := fullUpdate(1, broadcast.StatusInvestigating)
	u.Title = "CDN errors, see https://cdn.example.com/status"
	p, err := ch.Preview(u)
	require.NoError(t, err)
	first, _, _ := strings.Cut(p.Text, "\n")
	assert.Equal(t, "*Investigating: CDN errors, see <https://cdn.example.com/status>* · Impact: Major", first)
}

func TestEscape(t *testing.T) {
	for _, s := range []string{"", "plain", "a & b < c > d", "&amp;", "Störung 東京 🇯🇵", "<<>>&&"} {
		assert.Equal(t, s, unescape(escape(s)), "unescape(escape(%q))", s)
	}
	assert.Equal(t, "\uFFFD&amp;", escape(hiddenAmp+"&"), "a private-use stand-in in user text is not a reserved character")
	assert.Equal(t, 2, utf16Len("👩"), "astral characters count two UTF-16 code units")
	assert.Equal(t, 1, utf16Len("é"))
}

// An update of the longest body, full of characters that escape and of
// emoji, fits Slack's limits with its link whole.
func TestLengthLimits(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	u := fullUpdate(1, broadcast.StatusInvestigating)
	u.URL = "https://status.example.com/incidents/42?from=slack&utm=x"
	u.Body = strings.Repeat("Errors & timeouts <5xx> in 東京 👩🏽‍💻. ", broadcast.MaxBodyLength/36)
	require.LessOrEqual(t, utf8.RuneCountInString(u.Body), broadcast.MaxBodyLength)
	send(t, ch, u, broadcast.Thread{})
	m := f.messages()[0]
	assert.LessOrEqual(t, utf16Len(m.sections[0]), MaxSectionText, "the section, as sent")
	assert.Greater(t, utf16Len(m.sections[0]), MaxSectionText-50, "the section uses the space it has")
	assert.LessOrEqual(t, utf16Len(m.text), FallbackLength, "the fallback")
	assert.Contains(t, m.sections[0], "<https://status.example.com/incidents/42?from=slack&amp;utm=x>", "the link, whole")
	assert.True(t, utf8.ValidString(m.sections[0]))
	assert.Contains(t, m.sections[0], "_Next update by", "kept when the body is shortened")
	assert.Contains(t, m.sections[0], "*What you can do:*", "the advice is kept")

	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, m.sections[0], p.Text, "Preview shows what Send posts")
	assert.Equal(t, utf16Len(p.Text), p.Length)
	assert.Equal(t, MaxSectionText, p.Limit)
	assert.Equal(t, "UTF-16 code units", p.Unit)
}

// An incident that affects 300 components lists in the section as many of
// them as fit Slack's 3,000 characters, in their order, and ends the list
// with the count of the others. Before, the section listed none of them.
func TestManyComponentsListedAsFarAsTheyFit(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	u := fullUpdate(1, broadcast.StatusInvestigating)
	u.Components = make([]broadcast.Component, 300)
	for i := range u.Components {
		u.Components[i] = broadcast.Component{Name: fmt.Sprintf("Region %d edge", i+1), Status: broadcast.ComponentPartialOutage}
	}
	send(t, ch, u, broadcast.Thread{})
	section := f.messages()[0].sections[0]
	assert.LessOrEqual(t, utf16Len(section), MaxSectionText)

	listed := strings.Count(section, ": Partial outage\n")
	require.Greater(t, listed, 50, "most of what fits is listed: %q", section)
	for i := 1; i <= listed; i++ {
		require.Contains(t, section, fmt.Sprintf("• Region %d edge: Partial outage\n", i), "in their order")
	}
	assert.Contains(t, section, fmt.Sprintf("• Region %d edge: Partial outage\n… and %d more\n", listed, 300-listed))
	assert.Contains(t, section, "_Next update by")
	assert.Contains(t, section, "<https://status.example.com/")
}

// The incident's URL links whole even when it holds a "|", which Slack
// would read as the end of the link's address: before, the link went to
// the part before it, and the rest showed as text after it.
func TestURLWithBarLinksWhole(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	u := fullUpdate(1, broadcast.StatusInvestigating)
	u.URL = "https://grafana.example/d/cdn?var-region=eu|us&from=now-1h"
	send(t, ch, u, broadcast.Thread{})
	section := f.messages()[0].sections[0]
	assert.Contains(t, section, "<https://grafana.example/d/cdn?var-region=eu%7Cus&amp;from=now-1h>", "the link, whole")
	for _, c := range controlRE.FindAllString(section, -1) {
		assert.Regexp(t, `^<https://[^|]+>$`, c, "the only control sequences are plain links")
	}
}

// A Channel used without a Broadcaster, which validates, may be given a
// status or impact that is none of the known values: its label keeps
// letters and digits only, so that "<!channel>" pings no one, in the
// message or in the thread's status bar.
func TestUnknownValueCannotPing(t *testing.T) {
	for field, edit := range map[string]func(u *broadcast.Update){
		"Status":               func(u *broadcast.Update) { u.Status = "<!channel>" },
		"Impact":               func(u *broadcast.Update) { u.Impact = "<!here>" },
		"Components[0].Status": func(u *broadcast.Update) { u.Components[0].Status = "<@U0ADMIN01>" },
	} {
		t.Run(field, func(t *testing.T) {
			ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
			first, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate(1, broadcast.StatusInvestigating)))
			require.NoError(t, err)
			u := fullUpdate(2, broadcast.StatusIdentified)
			edit(&u)
			m := broadcast.NewMessage(u)
			m.Thread = broadcast.Thread{Root: first, Last: first}
			_, err = ch.Send(context.Background(), m)
			require.NoError(t, err)
			bars := f.requests("chat.update")
			require.NotEmpty(t, bars, "the status bar was set")
			for _, c := range append(f.requests("chat.postMessage")[1:], bars...) {
				raw := strings.ReplaceAll(string(c.raw), `\u003c`, "<")
				assert.NotContains(t, raw, "<!", c.method)
				assert.NotContains(t, raw, "<@", c.method)
			}
		})
	}
}
