package email_test

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/templates"
)

// incident returns update n of one incident, its defaults filled in.
func incident(n int) broadcast.Update {
	return broadcast.Update{
		IncidentID: "cdn-errors-eu",
		Title:      "Elevated error rates on the CDN",
		Status:     broadcast.StatusInvestigating,
		Body:       fmt.Sprintf("Update %d: we are investigating.", n),
		URL:        "https://status.example.com/incidents/42",
		Time:       fixed.Add(10 * time.Duration(n) * time.Minute),
	}.WithDefaults(fixed)
}

func send(t *testing.T, ch *email.Channel, m broadcast.Message) broadcast.Receipt {
	t.Helper()
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	return r
}

func TestOneMessagePerRecipient(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	to := []string{"Alice <alice@example.net>", "bob@example.org", "Zoë Ünal <zoe@example.com>", "dan@example.net"}
	ch := newChannel(t, config(srv, to...))
	u := incident(1)
	m := broadcast.Message{Update: u, Ledger: channeltest.NewLedger()}
	r := send(t, ch, m)

	msgs := srv.messages()
	require.Len(t, msgs, len(to))
	var got []string
	for _, m := range msgs {
		require.Len(t, m.to, 1, "one envelope recipient per message")
		got = append(got, m.to[0])
		p := parse(t, m.data)
		list, err := p.header.AddressList("To")
		require.NoError(t, err)
		require.Len(t, list, 1, "To names only the recipient")
		assert.Equal(t, m.to[0], list[0].Address)
		assert.Empty(t, p.header.Get("Cc"))
		assert.Empty(t, p.header.Get("Bcc"))
		assert.Equal(t, "status@example.com", m.from)
		assert.Equal(t, r.ID, p.header.Get("Message-ID"), "the same Message-ID for every recipient")
		date, err := p.header.Date()
		require.NoError(t, err)
		assert.True(t, u.Time.Equal(date), "Date is Update.Time: %v", date)
		assert.Equal(t, "Incident: Elevated error rates on the CDN", p.subject)
		assert.Contains(t, p.text, "Update 1: we are investigating.")
		assert.Contains(t, p.html, "Update 1: we are investigating.")
		assert.Contains(t, p.html, `href="https://status.example.com/incidents/42"`)
	}
	slices.Sort(got)
	assert.Equal(t, []string{"alice@example.net", "bob@example.org", "dan@example.net", "zoe@example.com"}, got)
	assert.Equal(t, map[string]string{"references": r.ID, "subject": "Incident: Elevated error rates on the CDN",
		"sent": "4", "skipped": "0"}, r.Meta)
	assert.Equal(t, "email", r.Channel)
	assert.Equal(t, "<"+m.Key("")+".cdn-errors-eu@example.com>", r.ID)
}

func TestRecipientHeaderFoldedAndRestShared(t *testing.T) {
	long := strings.Repeat("Ünïcödé Name ", 12)
	to := []string{
		fmt.Sprintf("%q <long@example.net>", long),
		`"Doe, John \"JD\" (ops)" <john@example.net>`,
		"plain@example.net",
	}
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	send(t, newChannel(t, config(srv, to...)), broadcast.Message{Update: incident(1)})
	msgs := srv.messages()
	require.Len(t, msgs, len(to))
	var rest []string
	for _, m := range msgs {
		head, body, ok := strings.Cut(m.data, "\n\n")
		require.True(t, ok, "a blank line ends the header")
		for line := range strings.SplitSeq(head, "\n") {
			assert.LessOrEqual(t, len(line), 78, "header line %q", line)
		}
		want, err := mail.ParseAddress(to[slices.IndexFunc(to, func(s string) bool {
			return strings.Contains(s, "<"+m.to[0]+">") || s == m.to[0]
		})])
		require.NoError(t, err)
		got, err := parse(t, m.data).header.AddressList("To")
		require.NoError(t, err)
		assert.Equal(t, []*mail.Address{want}, got)
		toLine, others, _ := strings.Cut(head, "\n")
		for strings.HasPrefix(others, " ") { // folded continuation of To
			_, others, _ = strings.Cut(others, "\n")
		}
		assert.True(t, strings.HasPrefix(toLine, "To:"), "To comes first: %q", toLine)
		rest = append(rest, others+"\n\n"+body)
	}
	for _, r := range rest[1:] {
		assert.Equal(t, rest[0], r, "every message is the same but for To")
	}
}

func TestThreadingAcrossUpdates(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	r1 := send(t, ch, broadcast.Message{Update: incident(1)})
	r2 := send(t, ch, broadcast.Message{Update: incident(2), Thread: broadcast.Thread{Root: r1, Last: r1}})
	r3 := send(t, ch, broadcast.Message{Update: incident(3), Thread: broadcast.Thread{Root: r1, Last: r2}})
	again := send(t, ch, broadcast.Message{Update: incident(3), Thread: broadcast.Thread{Root: r1, Last: r2}})

	msgs := srv.messages()
	require.Len(t, msgs, 4)
	headers := make([]mail.Header, len(msgs))
	for i, m := range msgs {
		headers[i] = parse(t, m.data).header
	}
	assert.Empty(t, headers[0].Get("In-Reply-To"))
	assert.Empty(t, headers[0].Get("References"))
	assert.Equal(t, r1.ID, headers[1].Get("In-Reply-To"))
	assert.Equal(t, r1.ID, headers[1].Get("References"))
	assert.Equal(t, r2.ID, headers[2].Get("In-Reply-To"))
	assert.Equal(t, r1.ID+" "+r2.ID, headers[2].Get("References"))
	assert.Equal(t, r1.ID+" "+r2.ID+" "+r3.ID, r3.Meta["references"])
	assert.Equal(t, r3.ID, again.ID, "the Message-ID is deterministic")
	assert.Len(t, slices.Compact([]string{r1.ID, r2.ID, r3.ID}), 3, "updates have distinct Message-IDs")
}

func TestReferences(t *testing.T) {
	var long []string
	for i := range 30 {
		long = append(long, fmt.Sprintf("<u%d.cdn@example.com>", i))
	}
	root := broadcast.Receipt{ID: "<root.cdn@example.com>"}
	tests := []struct {
		name      string
		thread    broadcast.Thread
		inReplyTo string
		refs      []string
	}{
		{"capped, first kept", broadcast.Thread{Root: broadcast.Receipt{ID: long[0]},
			Last: broadcast.Receipt{ID: long[29], Meta: map[string]string{"references": strings.Join(long, " ")}}},
			long[29], append([]string{long[0]}, long[30-email.MaxReferences+1:]...)},
		{"root first, then the chain to last", broadcast.Thread{Root: root,
			Last: broadcast.Receipt{ID: "<c.cdn@example.com>", Meta: map[string]string{"references": "<b.cdn@example.com>"}}},
			"<c.cdn@example.com>", []string{root.ID, "<b.cdn@example.com>", "<c.cdn@example.com>"}},
		{"root and last the same", broadcast.Thread{Root: root, Last: root}, root.ID, []string{root.ID}},
		{"root alone", broadcast.Thread{Root: root}, root.ID, []string{root.ID}},
		{"no chain in meta", broadcast.Thread{Last: broadcast.Receipt{ID: "<a.b@example.com>"}},
			"<a.b@example.com>", []string{"<a.b@example.com>"}},
		{"bad ids in chain dropped", broadcast.Thread{Last: broadcast.Receipt{ID: "<a.b@example.com>",
			Meta: map[string]string{"references": "junk <x@y> <\r\nBcc: e@example.com>"}}},
			"<a.b@example.com>", []string{"<x@y>", "<a.b@example.com>"}},
		{"injection in thread id ignored", broadcast.Thread{Root: broadcast.Receipt{ID: "<a@b>\r\nBcc: evil@example.com"},
			Last: broadcast.Receipt{ID: "<a@b>\r\nBcc: evil@example.com"}}, "", nil},
		{"not a message id", broadcast.Thread{Root: broadcast.Receipt{ID: "1234567"}, Last: broadcast.Receipt{ID: "1234567"}}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			ch := newChannel(t, config(srv, "alice@example.net"))
			send(t, ch, broadcast.Message{Update: incident(1), Thread: tt.thread})
			h := parse(t, srv.messages()[0].data).header
			assert.Equal(t, tt.inReplyTo, h.Get("In-Reply-To"))
			assert.Equal(t, strings.Join(tt.refs, " "), h.Get("References"))
			assert.Empty(t, h.Get("Bcc"))
		})
	}
}

func TestMessageIDOfUnusualIDs(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "alice@example.net")
	cfg.From = "status@bücher.example"
	ch := newChannel(t, cfg)
	u := incident(1)
	u.ID, u.IncidentID = "id with <spaces>\r\n", "Ünïcode incident!"
	r := send(t, ch, broadcast.Message{Update: u})
	assert.Regexp(t, `^<[0-9a-f]{32}\.n-code-incident@outagecast\.invalid>$`, r.ID)
	assert.Equal(t, r.ID, parse(t, srv.messages()[0].data).header.Get("Message-ID"))
}

func TestNoHeaderInjection(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "alice@example.net")
	cfg.From = "\"Status\u202e Team\" <status@example.com>"
	ch := newChannel(t, cfg)
	u := incident(1)
	u.Title = "x\r\nBcc: evil@example.com"
	u.Body = "line\r\nBcc: evil2@example.com\r\n\r\n.\r\nRCPT TO:<evil3@example.com>"
	send(t, ch, broadcast.Message{Update: u})
	over := incident(2)
	over.Overrides = map[string]string{"email": "o\r\nBcc: evil4@example.com\x00\x1b[31m"}
	send(t, ch, broadcast.Message{Update: over})

	msgs := srv.messages()
	require.Len(t, msgs, 2)
	for _, m := range msgs {
		assert.Equal(t, []string{"alice@example.net"}, m.to)
		p := parse(t, m.data)
		assert.Empty(t, p.header.Get("Bcc"))
		var keys []string
		for k := range p.header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		assert.Equal(t, []string{"Auto-Submitted", "Content-Type", "Date", "From", "Message-Id", "Mime-Version",
			"Subject", "To", "X-Auto-Response-Suppress"}, keys)
		assert.NotContains(t, p.subject, "\n")
		assert.NotContains(t, p.subject, "\r")
	}
	assert.Equal(t, "Incident: x Bcc: evil@example.com", parse(t, msgs[0].data).subject)
	assert.Contains(t, parse(t, msgs[0].data).text, "Bcc: evil2@example.com", "the body keeps its text")
}

// Every message asks auto-responders not to answer it: Auto-Submitted
// (RFC 3834) for most, X-Auto-Response-Suppress for Microsoft Exchange and
// Outlook, which go by their own header. An incident mailed to a thousand
// subscribers would otherwise draw a reply from each one who is away.
func TestMessagesAskAutoRespondersNotToAnswer(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	send(t, ch, broadcast.Message{Update: incident(1)})
	msgs := srv.messages()
	require.Len(t, msgs, 1)
	p := parse(t, msgs[0].data)
	assert.Equal(t, "auto-generated", p.header.Get("Auto-Submitted"))
	assert.Equal(t, "All", p.header.Get("X-Auto-Response-Suppress"))
}

// A text template that shows nothing is refused, as every channel's is
// (templates.ErrBlank): by New when it shows nothing for a sample update,
// by Send when for the update at hand, and nothing is sent. Before, the
// message went out with an empty text part.
func TestTextThatShowsNothing(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	blank, err := templates.Default().With("text", "{{if .Title}} \u200b{{end}}")
	require.NoError(t, err)
	cfg := config(srv, "alice@example.net")
	cfg.Templates = blank
	_, err = email.New(cfg)
	assert.ErrorContains(t, err, `templates: the text shows nothing: template "text"`)

	sometimes, err := templates.Default().With("text", "{{if ne .Body \"quiet\"}}{{.Title}}{{end}}")
	require.NoError(t, err)
	cfg.Templates = sometimes
	ch := newChannel(t, cfg)
	u := incident(1)
	u.Body = "quiet"
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.ErrorIs(t, err, templates.ErrBlank)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Empty(t, srv.messages(), "nothing sent")
}

// TestOverrideReplacesText: the override replaces the rendered text, after
// the status line, since the subject names no status.
func TestOverrideReplacesText(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	u := incident(1)
	u.Overrides = map[string]string{"email": "<b>All</b> fixed & done.\nThanks.\n\nMore.", "other": "not this"}
	send(t, ch, broadcast.Message{Update: u})
	p := parse(t, srv.messages()[0].data)
	assert.Equal(t, "Investigating: Elevated error rates on the CDN\n\n<b>All</b> fixed & done.\nThanks.\n\nMore.", p.text)
	assert.Contains(t, p.html, "&lt;b&gt;All&lt;/b&gt; fixed &amp; done.")
	assert.NotContains(t, p.html, "<b>")
	assert.Equal(t, "Investigating: Elevated error rates on the CDN — <b>All</b> fixed & done. Thanks.", preheader(t, p.html))
	assert.NotContains(t, p.text, u.Body)
	assert.Equal(t, "Incident: Elevated error rates on the CDN", p.subject)
}

// TestOverrideStatusLineTemplate: Config.Templates may bring its own status
// line (a translation, say); a broken one fails New, naming the field.
func TestOverrideStatusLineTemplate(t *testing.T) {
	set, err := templates.Default().With("email-status", "Statut : {{.Status}} — {{.Title}}")
	require.NoError(t, err)
	cfg := valid()
	cfg.Templates = set
	ch, err := email.New(cfg)
	require.NoError(t, err)
	u := incident(1)
	u.Overrides = map[string]string{"email": "Nous enquêtons."}
	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, "Statut : investigating — Elevated error rates on the CDN\n\nNous enquêtons.", p.Text)

	// Fails on updates without components, as the sample New renders.
	cfg.Templates, err = templates.Default().With("email-status", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	_, err = email.New(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "email: Config.Templates: render status line: ")
}

func TestListUnsubscribe(t *testing.T) {
	tests := []struct {
		name     string
		change   func(c *email.Config)
		header   map[string]string // per recipient
		oneClick bool
	}{
		{"template, one-click", func(c *email.Config) {
			c.ListUnsubscribe = "https://status.example.com/unsubscribe?email={{.Recipient}}"
			c.ListUnsubscribeOneClick = true
		}, map[string]string{
			"a+b@example.net": "<https://status.example.com/unsubscribe?email=a%2Bb%40example.net>",
			"c@example.org":   "<https://status.example.com/unsubscribe?email=c%40example.org>",
		}, true},
		{"func, no header for one", func(c *email.Config) {
			c.ListUnsubscribeFunc = func(r string) string {
				if strings.HasPrefix(r, "c@") {
					return ""
				}
				return "mailto:leave@example.com?subject=" + r
			}
		}, map[string]string{"a+b@example.net": "<mailto:leave@example.com?subject=a+b@example.net>", "c@example.org": ""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			cfg := config(srv, "a+b@example.net", "c@example.org")
			tt.change(&cfg)
			send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1)})
			msgs := srv.messages()
			require.Len(t, msgs, 2)
			for _, m := range msgs {
				h := parse(t, m.data).header
				assert.Equal(t, tt.header[m.to[0]], h.Get("List-Unsubscribe"), m.to[0])
				if tt.oneClick {
					assert.Equal(t, "List-Unsubscribe=One-Click", h.Get("List-Unsubscribe-Post"))
				} else {
					assert.Empty(t, h.Get("List-Unsubscribe-Post"))
				}
			}
		})
	}
}

// TestLongUnsubscribeURLFolded: a List-Unsubscribe field too long for one
// line of 78 characters (RFC 5322, 2.1.1: SHOULD) is folded after the
// colon, so that the URL, which has no white space to fold at, goes whole
// on a line of its own: no line is over 78 but the URL's, and none over
// 998 (MUST). RFC 2369 (2) has readers ignore white space inside the angle
// brackets, but checkers do not take it (Mailpit's reports "should not
// contain spaces"), so the URL is never folded: one over 995 characters,
// which no line can hold, refuses that recipient.
func TestLongUnsubscribeURLFolded(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	medium := "https://status.example.com/unsubscribe?token=" + strings.Repeat("m", 60)
	longest := "https://status.example.com/unsubscribe?token="
	longest += strings.Repeat("l", 995-len(longest))
	links := map[string]string{"medium@example.net": medium, "longest@example.net": longest,
		"over@example.net": longest + "x"}
	cfg := config(srv, "medium@example.net", "longest@example.net", "over@example.net")
	cfg.ListUnsubscribeFunc = func(r string) string { return links[r] }
	ledger := channeltest.NewLedger()
	send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1), Ledger: ledger})
	msgs := srv.messages()
	require.Len(t, msgs, 2)
	for _, m := range msgs {
		link := links[m.to[0]]
		assert.Equal(t, "<"+link+">", parse(t, m.data).header.Get("List-Unsubscribe"), m.to[0])
		// The fake server reads the data as textproto does: lines end in LF.
		head, _, _ := strings.Cut(m.data, "\n\n")
		for line := range strings.SplitSeq(head, "\n") {
			assert.LessOrEqual(t, len(line), 998, "RFC 5322, 2.1.1: MUST")
			if len(line) > 78 {
				assert.Equal(t, " <"+link+">", line, "only the URL's line is over 78, and holds it whole")
			}
		}
		assert.Contains(t, head, "\nList-Unsubscribe:\n <"+link+">\n")
	}
	require.Contains(t, ledger.Failed(), "over@example.net")
	assert.Contains(t, ledger.Failed()["over@example.net"].Error(), "996 characters, over the 995 a header line holds")
}

func TestBadUnsubscribeURLRefusesThatRecipient(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "good@example.net", "bad@example.net")
	const token = "signed-token-4b1d9e"
	cfg.ListUnsubscribeFunc = func(r string) string {
		if r == "bad@example.net" {
			return "https://x.example/u?t=" + token + "\r\nBcc: evil@example.com"
		}
		return "https://x.example/u"
	}
	ledger := channeltest.NewLedger()
	r := send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1), Ledger: ledger})
	require.Len(t, srv.messages(), 1)
	assert.Equal(t, []string{"good@example.net"}, srv.messages()[0].to)
	assert.Equal(t, "1", r.Meta["sent"])
	require.Contains(t, ledger.Failed(), "bad@example.net")
	failure := ledger.Failed()["bad@example.net"].Error()
	assert.Contains(t, failure, "characters not allowed in a header")
	assert.NotContains(t, failure, token, "an unsubscribe URL's path and query may hold a signed token")
}

func TestPreview(t *testing.T) {
	ch, err := email.New(valid())
	require.NoError(t, err)
	p, err := ch.Preview(incident(1))
	require.NoError(t, err)
	assert.Equal(t, "email", p.Channel)
	assert.Equal(t, "Incident: Elevated error rates on the CDN", p.Subject)
	assert.Contains(t, p.Text, "Update 1: we are investigating.")
	assert.Equal(t, len([]rune(p.Text)), p.Length)
	assert.Equal(t, "characters", p.Unit)
	assert.Zero(t, p.Limit)

	u := incident(1)
	u.Overrides = map[string]string{"email": "Fixed. ✅"}
	p, err = ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, "Investigating: Elevated error rates on the CDN\n\nFixed. ✅", p.Text)
	assert.Equal(t, 56, p.Length)
}

// TestDotsAtLineStart: lines of the update that start with a dot, or are
// one, reach the recipient as written, on every recipient's message: the
// dots are stuffed once for all of them, and never end the data early.
func TestDotsAtLineStart(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net", "bob@example.org"))
	u := incident(1)
	u.Body = ".hidden\n..two dots\n.\nlast line"
	send(t, ch, broadcast.Message{Update: u})
	msgs := srv.messages()
	require.Len(t, msgs, 2)
	for _, m := range msgs {
		assert.Contains(t, strings.ReplaceAll(parse(t, m.data).text, "\r\n", "\n"), u.Body)
	}
}

// A title that holds text shaped like an RFC 2047 encoded word goes out
// encoded, so that mail readers show the title, not what the lookalike
// decodes to. RFC 2047 section 7: a composer "MUST ensure that any string
// of non-white-space printable ASCII characters within a '*text' ... that
// begins with "=?" and ends with "?=" be a valid 'encoded-word'"; section
// 5: "In rare cases it may be necessary to encode ordinary text that looks
// like an 'encoded-word'". Many readers (and mime.WordDecoder, which
// parse uses) also decode a lookalike inside a word, so any "=?" counts.
func TestEncodedWordLookalikeInSubject(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	for i, title := range []string{
		"=?utf-8?b?QWxsIGlzIHdlbGw=?=",
		"Errors on the API x=?utf-8?q?fine?=y",
		"A long title, to need several encoded words, =?utf-8?q?hidden?= and" + strings.Repeat(" more", 20),
		"Ümlaut =?utf-8?q?x?=",
		"=? half a lookalike",
	} {
		u := incident(1)
		u.ID, u.IncidentID, u.Title = fmt.Sprint("lookalike-", i), fmt.Sprint("lookalike-", i), title
		send(t, ch, broadcast.Message{Update: u})
		data := srv.messages()[i].data
		assert.Equal(t, "Incident: "+title, parse(t, data).subject)
		// RFC 2047 section 2: a line holding encoded words has at most 76
		// characters.
		_, field, _ := strings.Cut(data, "\nSubject:") // the fake server's data has LF line ends
		require.NotEmpty(t, field)
		for i, line := range strings.Split(field, "\n") {
			if i > 0 && !strings.HasPrefix(line, " ") {
				break
			}
			assert.LessOrEqual(t, len(line), 76, line)
		}
	}
}

// A subject with a word too long for one line (a long identifier or URL
// in the title, or a subject template's) goes out as encoded words, which
// fold, so that no line of the field is over the 78 characters of RFC 5322
// 2.1.1, and none near its limit of 998 however long the word. It reads
// as written.
func TestLongWordInSubjectFolded(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	for i, title := range []string{
		"Errors on https://api.example.com/" + strings.Repeat("v1/region/eu-west-1/", 12),
		strings.Repeat("x", broadcast.MaxTitleLength),
		// Outside ASCII, go-mail encodes: words of whole characters.
		strings.Repeat("東京リージョンで障害", broadcast.MaxTitleLength/10),
		strings.Repeat("🔥", broadcast.MaxTitleLength),
	} {
		u := incident(1)
		u.ID, u.Title = fmt.Sprint("long-", i), title
		send(t, ch, broadcast.Message{Update: u})
		data := srv.messages()[i].data
		assert.Equal(t, "Incident: "+title, parse(t, data).subject)
		_, field, _ := strings.Cut(data, "\nSubject:")
		for i, line := range strings.Split(field, "\n") {
			if i > 0 && !strings.HasPrefix(line, " ") {
				break
			}
			assert.LessOrEqual(t, len(line), 78, line)
		}
	}
}

// TestLongDisplayNameFolded: a display name, of From or of a recipient,
// with a word too long for a header line (a name written without spaces)
// is written as encoded words, which fold, so that no header line is
// longer than the 78 characters of RFC 5322 (2.1.1), or the 998 it
// allows at most; mail readers show the name as configured.
func TestLongDisplayNameFolded(t *testing.T) {
	for _, n := range []int{90, 1200} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			fromName := strings.Repeat("S", n)
			toName := "Ops " + strings.Repeat("T", n)
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			cfg := config(srv, fmt.Sprintf("%q <alice@example.net>", toName))
			cfg.From = fmt.Sprintf("%q <status@example.com>", fromName)
			send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1)})
			msgs := srv.messages()
			require.Len(t, msgs, 1)
			head, _, ok := strings.Cut(msgs[0].data, "\n\n")
			require.True(t, ok, "a blank line ends the header")
			for line := range strings.SplitSeq(head, "\n") {
				assert.LessOrEqual(t, len(line), 78, "header line %.100q", line)
			}
			p := parse(t, msgs[0].data)
			from, err := p.header.AddressList("From")
			require.NoError(t, err)
			assert.Equal(t, []*mail.Address{{Name: fromName, Address: "status@example.com"}}, from)
			to, err := p.header.AddressList("To")
			require.NoError(t, err)
			assert.Equal(t, []*mail.Address{{Name: toName, Address: "alice@example.net"}}, to)
		})
	}
}

// TestLoneCarriageReturnKeepsLineBreaks: a text with old Mac line breaks
// (a lone CR), sent without a Broadcaster's cleaning, keeps every line
// break. The quoted-printable encoder took the LF after a CR followed only
// by encoded characters ("=", or a line of accented letters or emoji) for
// the second half of a CR LF, and joined two lines.
func TestLoneCarriageReturnKeepsLineBreaks(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	u := incident(1)
	u.Overrides = map[string]string{"email": "Fixed.\r=\nThanks.\rÉté\nBye."}
	send(t, ch, broadcast.Message{Update: u})
	p := parse(t, srv.messages()[0].data)
	want := "Investigating: Elevated error rates on the CDN\n\nFixed.\n=\nThanks.\nÉté\nBye."
	assert.Equal(t, want, strings.ReplaceAll(p.text, "\r\n", "\n"))
	assert.Contains(t, strings.ReplaceAll(p.html, "\r\n", "\n"), "Fixed.\n=\nThanks.\nÉté\nBye.")

	// A blank line of lone CRs ends the first paragraph, which the
	// preheader shows, as one of LFs does.
	u.ID, u.Overrides = "next", map[string]string{"email": "All fixed.\r\rThanks."}
	send(t, ch, broadcast.Message{Update: u})
	p = parse(t, srv.messages()[1].data)
	assert.Equal(t, "Investigating: Elevated error rates on the CDN — All fixed.", preheader(t, p.html))
}

// TestFromAtLineStartEncoded: a body line that starts with "From " goes
// out with its "F" encoded (RFC 2049, 4), so that a mail store in mbox
// format does not show it as ">From "; the text reads the same, and every
// quoted-printable line stays within 76 characters.
func TestFromAtLineStartEncoded(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	u := incident(1)
	long := "From 09:00 UTC " + strings.Repeat("x", 61) // 76 characters: one line of quoted-printable
	u.Body = "Errors rose.\nFrom 09:00 UTC the CDN refused requests.\n" + long
	send(t, ch, broadcast.Message{Update: u})
	data := srv.messages()[0].data
	for line := range strings.SplitSeq(data, "\n") {
		assert.False(t, strings.HasPrefix(line, "From "), "line %q", line)
		assert.LessOrEqual(t, len(line), 76, "line %q", line)
	}
	p := parse(t, data)
	text := strings.ReplaceAll(p.text, "\r\n", "\n")
	assert.Contains(t, text, "Errors rose.\nFrom 09:00 UTC the CDN refused requests.\n"+long+"\n")
	assert.Contains(t, p.html, "<br>From 09:00 UTC the CDN refused requests.<br>"+long+"</p>")
}

// TestOverrideBidiClosedInPreheader: a right-to-left override that an
// override text leaves open at the end of a line is closed there, as the
// templates close those of Body, so that in the HTML preheader, the
// preview line mail clients show, where the lines of the first paragraph
// join, it does not reverse the next line.
func TestOverrideBidiClosedInPreheader(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	u := incident(1)
	u.Overrides = map[string]string{"email": "Fixed \u202eat 10:00\nThanks for waiting.\n\nMore."}
	send(t, ch, broadcast.Message{Update: u})
	p := parse(t, srv.messages()[0].data)
	assert.Equal(t, "Investigating: Elevated error rates on the CDN — Fixed \u202eat 10:00\u202c Thanks for waiting.",
		preheader(t, p.html))
	assert.Equal(t, "Investigating: Elevated error rates on the CDN\n\nFixed \u202eat 10:00\u202c\nThanks for waiting.\n\nMore.",
		strings.ReplaceAll(p.text, "\r\n", "\n"))
}

// TestUpdateSentAgainKeepsItsThread: an update sent again once its
// receipt is the thread's latest (Thread.Last is its own Message-ID, as
// when the Store kept its receipt but not its marks) does not reply to
// itself, nor leave the thread: it replies to what it replied to the first
// time, with the same References, and its receipt carries on the chain
// for the next update.
func TestUpdateSentAgainKeepsItsThread(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	r1 := send(t, ch, broadcast.Message{Update: incident(1)})
	r2 := send(t, ch, broadcast.Message{Update: incident(2), Thread: broadcast.Thread{Root: r1, Last: r1}})
	r3 := send(t, ch, broadcast.Message{Update: incident(3), Thread: broadcast.Thread{Root: r1, Last: r2}})
	again := send(t, ch, broadcast.Message{Update: incident(3), Thread: broadcast.Thread{Root: r1, Last: r3}})

	msgs := srv.messages()
	require.Len(t, msgs, 4)
	first, second := parse(t, msgs[2].data).header, parse(t, msgs[3].data).header
	assert.Equal(t, first.Get("Message-ID"), second.Get("Message-ID"))
	assert.Equal(t, r2.ID, second.Get("In-Reply-To"))
	assert.Equal(t, first.Get("In-Reply-To"), second.Get("In-Reply-To"))
	assert.Equal(t, first.Get("References"), second.Get("References"))
	assert.Equal(t, r3.Meta["references"], again.Meta["references"])

	// The first update sent again has nothing to reply to.
	r1again := send(t, ch, broadcast.Message{Update: incident(1), Thread: broadcast.Thread{Root: r1, Last: r1}})
	h := parse(t, srv.messages()[4].data).header
	assert.Empty(t, h.Get("In-Reply-To"))
	assert.Empty(t, h.Get("References"))
	assert.Equal(t, r1.Meta["references"], r1again.Meta["references"])
}

// TestEncodedWordLinesWithin76: a header line that holds an encoded word
// is at most 76 characters long, as RFC 2047 (section 2) asks, not the 78
// of RFC 5322 that other lines may take: From and To fields whose display
// name is encoded (outside ASCII, or with a word too long for a line) and
// whose encoded words, with the field name or the address beside them,
// came to 77 or 78 characters were not folded.
func TestEncodedWordLinesWithin76(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	var names []string
	for n := 40; n < 60; n++ {
		names = append(names, "Zoë "+strings.Repeat("a", n), strings.Repeat("S", 80)+" "+strings.Repeat("a", n-20))
	}
	for i, name := range names {
		cfg := config(srv, fmt.Sprintf("%q <alice@example.net>", name))
		cfg.From = fmt.Sprintf("%q <status@example.com>", name)
		u := incident(1)
		u.ID = fmt.Sprint("encoded-", i)
		send(t, newChannel(t, cfg), broadcast.Message{Update: u})
		data := srv.messages()[i].data
		head, _, _ := strings.Cut(data, "\n\n")
		for line := range strings.SplitSeq(head, "\n") {
			if strings.Contains(line, "=?") {
				assert.LessOrEqual(t, len(line), 76, "header line %q", line)
			}
		}
		p := parse(t, data)
		for _, field := range []string{"From", "To"} {
			list, err := p.header.AddressList(field)
			require.NoError(t, err)
			require.Len(t, list, 1)
			assert.Equal(t, name, list[0].Name, field)
		}
	}
}
