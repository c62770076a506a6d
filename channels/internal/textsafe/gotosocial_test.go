package textsafe

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// gotosocialMentions returns the names GoToSocial would mention in text
// outside links: its mention parser takes an "@" after white space or any
// punctuation (isMentionBoundary: unicode.IsSpace or unicode.IsPunct, so
// "_" and "/" too) or at the start, followed by a letter, a digit, ".",
// "-" or "_" (regexes.MentionFinder), and notifies the account of that
// name if it has one. A URL (templates.URLSpans) is taken
// to be a link, which holds no mention, as it is after white space or
// "(" (goldmark's linkify); a link without a scheme is none (linkify takes
// only "http:", "https:", "ftp:" and "www.").
func gotosocialMentions(text string) []string {
	var found []string
	urls := templates.URLSpans(text)
	for i := 0; i < len(text); i++ {
		if len(urls) > 0 && i >= urls[0][0] {
			i = urls[0][1] - 1
			urls = urls[1:]
			continue
		}
		if text[i] != '@' {
			continue
		}
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(text[:i])
			if !unicode.IsSpace(prev) && !unicode.IsPunct(prev) {
				continue
			}
		}
		j := i + 1
		for j < len(text) {
			r, n := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsNumber(r) && r != '.' && r != '-' && r != '_' {
				break
			}
			j += n
		}
		// It looks the name up; an account's name starts with an ASCII
		// letter, digit or "_".
		if name := text[i+1 : j]; name != "" && strings.IndexByte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", name[0]) >= 0 {
			found = append(found, name)
		}
	}
	return found
}

// GoToSocial starts a mention after any punctuation, "_" and "/" too:
// "eu_@ops" and "example.com/@ops" mention its local account "ops",
// where Mastodon reads none. QuietMentions breaks them as every other
// mention; an e-mail address stays as it is.
func TestQuietMentionsGoToSocial(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"eu_@ops", "eu_@\u2060ops"},
		{"see example.com/@ops", "see example.com/@\u2060ops"},
		{"see mastodon.social/@examplestatus now", "see mastodon.social/@\u2060examplestatus now"},
		{"x.com/a_@ops", "x.com/a_@\u2060ops"},
		{"a\u203f@ops", "a\u203f@\u2060ops"},
		// Unchanged: no server reads a mention here.
		{"mail ops_team@example.com", "mail ops_team@example.com"},
		{"über@ops 1@ops", "über@ops 1@ops"},
		{"status.example.com:8080/x?to=@ops", "status.example.com:8080/x?to=@ops"},
	} {
		got := QuietMentions(tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Empty(t, gotosocialMentions(got), got)
		assert.Empty(t, mastodonMentions(got), got)
	}
}

// Telegram links a link without a scheme whole, "@" and all, and reads no
// mention in it: QuietTelegramMentions keeps an "@" after "/" or "=" in
// one as it is, so that the link goes on past it, and breaks the rest as
// QuietMentions does, but for an "@" after "_", which Telegram reads as
// part of a word.
func TestQuietTelegramMentions(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"see mastodon.social/@examplestatus @ops", "see mastodon.social/@examplestatus @\u2060ops"},
		{"status.example.com:8080/x?to=@ops", "status.example.com:8080/x?to=@ops"},
		{"see ops.internal/@oncall", "see ops.internal/@\u2060oncall"},
		{"eu_@ops", "eu_@ops"},
		{"see https://x.example/a,@ops now", "see https://x.example/a,%40ops now"},
	} {
		assert.Equal(t, tt.want, QuietTelegramMentions(tt.in), tt.in)
	}
}

// GoToSocial links a link without a scheme that starts with "www." after
// white space or "(" (goldmark's linkify), "@" and all, and reads no
// mention in it; Mastodon reads none after "/" or "_". QuietMentions keeps
// such an "@" as it is, as a word joiner would end the link at it, and
// breaks it where GoToSocial makes no link.
func TestQuietMentionsGoToSocialWWWLink(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"see www.youtube.com/@examplestatus now", "see www.youtube.com/@examplestatus now"},
		{"(www.example.com/a_@ops)", "(www.example.com/a_@ops)"},
		{"see www.example.com/@ops and example.com/@ops", "see www.example.com/@ops and example.com/@\u2060ops"},
		// No link: at the start of a field, which a template may put
		// after punctuation, after ",", or no top-level domain.
		{"www.example.com/@ops", "www.example.com/@\u2060ops"},
		{"see,www.example.com/@ops", "see,www.example.com/@\u2060ops"},
		{"see www.example/@ops", "see www.example/@\u2060ops"},
		// Mastodon reads a mention after ",", in a link or not.
		{"see www.example.com/a,@ops", "see www.example.com/a,@\u2060ops"},
	} {
		got := QuietMentions(tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Empty(t, mastodonMentions(got), got)
	}
}

// GoToSocial links a URL only after white space, "(", "*", "_" or "~", and
// only as far as goldmark's linkify pattern goes (a lower-case top-level
// domain, an ASCII path); where it links none, it reads a mention after
// "/" or "_" in it, where Mastodon reads none. QuietMentions writes such
// an "@" "%40" there, which links to the same page, and leaves a URL it
// links as it is.
func TestQuietMentionsGoToSocialUnlinkedURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"see,https://mastodon.social/@ops", "see,https://mastodon.social/%40ops"},
		{"see,https://x.example/a_@ops", "see,https://x.example/a_%40ops"},
		{"see http://localhost:8080/@ops", "see http://localhost:8080/%40ops"},
		{"see https://de.wikipedia.org/wiki/\u00c4/@ops", "see https://de.wikipedia.org/wiki/\u00c4/%40ops"},
		// Unchanged: GoToSocial links these, or reads no mention ("=").
		{"see https://mastodon.social/@ops", "see https://mastodon.social/@ops"},
		{"see (https://mastodon.social/@ops)", "see (https://mastodon.social/@ops)"},
		{"https://mastodon.social/@ops", "https://mastodon.social/@ops"},
		{"see,https://x.example/?to=@ops", "see,https://x.example/?to=@ops"},
	} {
		got := QuietMentions(tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Empty(t, mastodonMentions(got), got)
	}
	// Telegram links them all whole.
	assert.Equal(t, "see,https://mastodon.social/@ops", QuietTelegramMentions("see,https://mastodon.social/@ops"))
}
