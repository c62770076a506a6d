package textsafe

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A hostile title cannot mention an account: every "@name" outside URLs
// gets an invisible word joiner after the "@". E-mail addresses and URLs
// stay as they are, and so, for Telegram, do links without a scheme.
func TestQuietMentions(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"@everyone look", "@\u2060everyone look"},
		{"cc @admin@mastodon.social now", "cc @\u2060admin@mastodon.social now"},
		{"mail ops@example.com", "mail ops@example.com"},
		{"see https://mastodon.social/@examplestatus/1 @x", "see https://mastodon.social/@examplestatus/1 @\u2060x"},
		{"see HTTPS://t.me/@examplestatus", "see HTTPS://t.me/@examplestatus"},
		{"a lone @ stays", "a lone @ stays"},
		{"ends with @", "ends with @"},
		{"(@_ops)", "(@\u2060_ops)"},
		{"@@ops", "@@\u2060ops"},
		{"über@ops", "über@ops"},
		{"@ümlaut", "@ümlaut"},
		{"no at sign", "no at sign"},
		{"", ""},
		// In a URL, an "@" Mastodon would take for a mention is written
		// %40; the URL stays one, whole.
		{"see https://x.example/a,@ops now", "see https://x.example/a,%40ops now"},
		{"https://x.example/?q=from:@ops @ops", "https://x.example/?q=from:%40ops @\u2060ops"},
		{"(https://x.example/#@ops)", "(https://x.example/#%40ops)"},
		// In a link without a scheme, an "@" after "/" or "=" stays as
		// it is: Mastodon reads no mention there, and Telegram links the
		// link, which a word joiner would end at the "@".
		{"see mastodon.social/@examplestatus @ops", "see mastodon.social/@examplestatus @\u2060ops"},
		{"(status.example.com/@ops/1)", "(status.example.com/@ops/1)"},
		{"status.example.com:8080/x?to=@ops", "status.example.com:8080/x?to=@ops"},
		{"bücher.de/@ops", "bücher.de/@ops"},
		{"x.COM/@ops x.xn--p1ai/@ops", "x.COM/@ops x.xn--p1ai/@ops"},
		// Telegram links no link whose top-level domain it does not
		// know ("example", "internal", "local"), nor one written "Com",
		// nor one with an empty label or one ending in "-": there "/@ops"
		// is a mention, which notifies @ops.
		{"bücher.example/@ops", "bücher.example/@\u2060ops"},
		{"see ops.internal/@oncall", "see ops.internal/@\u2060oncall"},
		{"grafana.local/d/x?from=@ops", "grafana.local/d/x?from=@\u2060ops"},
		{"x.Com/@ops x..com/@ops x-.com/@ops", "x.Com/@\u2060ops x..com/@\u2060ops x-.com/@\u2060ops"},
		// Elsewhere it is a mention on Telegram ("/@ops"), or on
		// Mastodon (",@ops"), which links no link without a scheme.
		{"ops/@ops", "ops/@\u2060ops"},
		{"see status.example.com/a,@ops", "see status.example.com/a,@\u2060ops"},
		{"x.example,/@ops", "x.example,/@\u2060ops"},
		{"1.5/@ops x=@ops", "1.5/@\u2060ops x=@\u2060ops"},
		{"status.example.com/\u2026/@ops", "status.example.com/\u2026/@\u2060ops"},
		// Nor does Telegram link these.
		{"@status.example.com/@ops", "@\u2060status.example.com/@\u2060ops"},
		{"(_example.com/@ops) (_status.example.com/@ops)", "(_example.com/@\u2060ops) (_status.example.com/@ops)"},
		{"#status.example.com/@ops", "#status.example.com/@\u2060ops"},
	} {
		assert.Equal(t, tt.want, QuietTelegramMentions(tt.in), tt.in)
		// QuietMentions breaks more (GoToSocial's mentions after "/"
		// and "_", in a URL it does not link too: "HTTPS:"), and reads
		// the same and links to the same pages.
		got := QuietMentions(tt.in)
		assert.Empty(t, mastodonMentions(got), got)
		assert.Empty(t, gotosocialMentions(got), got)
		same := strings.NewReplacer(WordJoiner, "", "%40", "@")
		assert.Equal(t, same.Replace(tt.want), same.Replace(got), tt.in)
	}
}

// mastodonMentions returns the accounts Mastodon would mention in text: it
// scans all of it, URLs included, with Account::MENTION_RE,
// (?<![=/[:word:]])@((USERNAME_RE)(?:@[[:word:].-]+[[:word:]]+)?)/i.
func mastodonMentions(text string) []string {
	var found []string
	for i := 0; i < len(text); i++ {
		if text[i] != '@' || !startsName(text[i+1:]) {
			continue
		}
		if i > 0 {
			if prev := []rune(text[:i]); prev[len(prev)-1] == '=' || prev[len(prev)-1] == '/' || wordRune(prev[len(prev)-1]) {
				continue
			}
		}
		j := i + 1
		for j < len(text) && (mentionRune(rune(text[j])) || strings.IndexByte(".-", text[j]) >= 0) {
			j++
		}
		found = append(found, text[i+1:j])
	}
	return found
}

// An "@" in a URL that Mastodon would read as a mention, as after ",", ":",
// "#" or ";", is written %40 in the path, query or fragment; the URL
// links to the same page (it parses to the same path, query and fragment)
// and mentions no one. Every other URL comes back byte for byte, and so
// does the "@" of user information, which %40 would move into the host.
func TestQuietURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://x.example/a,@ops", "https://x.example/a,%40ops"},
		{"https://x.example/?q=from:@ops", "https://x.example/?q=from:%40ops"},
		{"https://x.example/#@ops", "https://x.example/#%40ops"},
		{"https://x.example/a;@ops@other.example", "https://x.example/a;%40ops@other.example"},
		{"https://x.example/a;@ops@other.example?to=x,@ops2#f:@_ops", "https://x.example/a;%40ops@other.example?to=x,%40ops2#f:%40_ops"},
		{"https://x.example/a,@@ops", "https://x.example/a,@%40ops"},
		{"HTTPS://x.example/a(@ops)", "HTTPS://x.example/a(%40ops)"},
		{"https://ops@x.example/a,@ops", "https://ops@x.example/a,%40ops"},
		{"https://ops:secret@x.example:8443/a;@ops", "https://ops:secret@x.example:8443/a;%40ops"},
		// Unchanged: no "@" that starts a mention.
		{"https://mastodon.social/@examplestatus/1", "https://mastodon.social/@examplestatus/1"},
		{"https://x.example/?to=@ops&from=ops@x.example", "https://x.example/?to=@ops&from=ops@x.example"},
		{"https://x.example/über@ops/a_@b/1@c", "https://x.example/über@ops/a_@b/1@c"},
		{"https://x.example/a,@-ops/a,@", "https://x.example/a,@-ops/a,@"},
		{"https://ops@x.example", "https://ops@x.example"},
		{"https://status.example.com/incidents/7k2qfx9", "https://status.example.com/incidents/7k2qfx9"},
		{"not a URL, @ops", "not a URL, @ops"},
		{"", ""},
	} {
		got := QuietURL(tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		if got == tt.in {
			continue
		}
		assert.Empty(t, mastodonMentions(got), got)
		before, err := url.Parse(tt.in)
		require.NoError(t, err, tt.in)
		after, err := url.Parse(got)
		require.NoError(t, err, got)
		assert.Equal(t, before.User, after.User, got)
		assert.Equal(t, before.Host, after.Host, got)
		assert.Equal(t, before.Path, after.Path, got)
		assert.Equal(t, before.Query(), after.Query(), got)
		assert.Equal(t, before.Fragment, after.Fragment, got)
		assert.Equal(t, [][]int{{0, len(got)}}, templates.URLSpans(got), "still one link: %s", got)
		assert.Equal(t, [][]int{{4, 4 + len(got)}}, templates.LinkSpans("see "+got+" now"), "still one link: %s", got)
	}
}

// Quiet breaks the mentions of the author's text and of the update's URL,
// and leaves the Update it was given alone.
func TestQuiet(t *testing.T) {
	u := broadcast.Update{Title: "@ops see https://x.example/a,@ops", URL: "https://status.example.com/?q=from:@ops",
		Overrides: map[string]string{"ops": "https://x.example/#@ops"}}
	got := Quiet(u, "ops")
	assert.Equal(t, "@\u2060ops see https://x.example/a,%40ops", got.Title)
	assert.Equal(t, "https://status.example.com/?q=from:%40ops", got.URL)
	assert.Equal(t, "https://x.example/#%40ops", got.Overrides["ops"])
	assert.Equal(t, "https://status.example.com/?q=from:@ops", u.URL, "the Update is not modified")
	assert.Equal(t, "https://x.example/#@ops", u.Overrides["ops"], "the map is not modified")

	plain := broadcast.Update{Title: "t", URL: "https://status.example.com/@ops/1"}
	assert.Equal(t, plain, Quiet(plain, "ops"))
}

// Map changes the author's text, the channel's override among the
// overrides, and nothing else; the Update it was given is not modified.
func TestMap(t *testing.T) {
	u := broadcast.Update{ID: "u_1", IncidentID: "cdn", Corrects: "u_0", Title: "title", Body: "body", Advice: "advice",
		URL: "https://status.example.com/x", Components: []broadcast.Component{{Name: "api", Status: broadcast.ComponentDegraded}},
		Overrides: map[string]string{"ops": "override", "other": "other"}}
	before := u
	before.Components = append([]broadcast.Component(nil), u.Components...)
	got := Map(u, "ops", strings.ToUpper)

	want := before
	want.Title, want.Body, want.Advice = "TITLE", "BODY", "ADVICE"
	want.Components = []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded}}
	want.Overrides = map[string]string{"ops": "OVERRIDE", "other": "other"}
	assert.Equal(t, want, got)
	assert.Equal(t, before.Components, u.Components, "the slice is not modified")
	assert.Equal(t, map[string]string{"ops": "override", "other": "other"}, u.Overrides, "the map is not modified")

	bare := Map(broadcast.Update{Title: "t"}, "ops", strings.ToUpper)
	assert.Nil(t, bare.Components)
	assert.Nil(t, bare.Overrides)
}

// Insert marks the bytes after says, and never inside a URL.
func TestInsert(t *testing.T) {
	star := func(s string, i int) bool { return s[i] == '*' }
	assert.Equal(t, "a*|b https://x.example/*y* *|", Insert("a*b https://x.example/*y* *", "|", star))
	assert.Equal(t, "", Insert("", "|", star))
}

// Before a URL's path, "%40" would change the host: an "@" there that
// starts a mention (the text going on after the host, or user information
// ending in punctuation) gets a word joiner after it, as in text, and the
// URL's part before it stays a link. The "@" of ordinary user information
// stays as it is.
func TestQuietURLAuthority(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://status.example.com,@ops", "https://status.example.com,@\u2060ops"},
		{"https://status.example.com;@ops@other.example", "https://status.example.com;@\u2060ops@other.example"},
		{"https://a,@ops/x,@ops", "https://a,@\u2060ops/x,%40ops"},
		{"https://a,@ops.example/", "https://a,@\u2060ops.example/"},
		// Unchanged: no "@" that starts a mention.
		{"https://ops@x.example", "https://ops@x.example"},
		{"https://@ops", "https://@ops"},
		{"https://a=@ops", "https://a=@ops"},
	} {
		got := QuietURL(tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Empty(t, mastodonMentions(got), got)
		assert.Equal(t, [][]int{{0, len(got)}}, templates.URLSpans(got), "still one URL: %s", got)
		want := tt.want
		if tt.in == "https://@ops" {
			want = "https://@\u2060ops" // GoToSocial links no such URL, and reads a mention after "/"
		}
		assert.Equal(t, want, QuietMentions(tt.in), "as in text: %s", tt.in)
	}
}

// Mastodon matches a mention case-insensitively, folding the Kelvin sign
// (U+212A) to "k" and the long s (U+017F) to "s": an "@" before one is
// broken too, in text and in URLs.
func TestQuietMentionsOfFoldedLetters(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"cc @\u212Aate", "cc @\u2060\u212Aate"},
		{"cc @\u017Fre", "cc @\u2060\u017Fre"},
		{"https://x.example/a,@\u212Aate", "https://x.example/a,%40\u212Aate"},
		{"über@\u212Aate", "über@\u212Aate"},
	} {
		assert.Equal(t, tt.want, QuietMentions(tt.in), tt.in)
	}
}
