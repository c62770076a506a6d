package templates_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// FuzzShorten checks Shorten's promises on any text, limit and measure: the
// result fits, is valid UTF-8 when the input is, is the input when it fits,
// and keeps the URLs when the ellipsis and the URLs alone fit.
func FuzzShorten(f *testing.F) {
	for i, s := range hardTexts {
		f.Add(s, 10+i*3, uint8(i))
	}
	f.Add("", 1, uint8(0))
	f.Add("a\u0301\u0302\u0303 b", 2, uint8(1))
	f.Add("see https://s.example/1\u00a0and\u3000more https://s.example/2\u2028text", 30, uint8(1))
	f.Add(`\*\*bold\*\* \- \\\- \(a\)`, 12, uint8(0))
	f.Add("Some words before the link (https://x.example/a) and more words after it", 30, uint8(1))
	f.Add("Some words and more <https://x.example/a)>", 22, uint8(1))
	// Every URL of a link left out, or written as its text alone, moves:
	// one in its text, its title, or its destination but not at its start.
	f.Add("Some words here [see http://example.com/p](http://other.example/q) more words after", 66, uint8(1))
	f.Add("Some words here [see http://example.com/p now](http://other.example/q) more words after", 66, uint8(1))
	f.Add("Some words here [a](<x http://example.com/p>) more words after", 40, uint8(1))
	f.Add(`Some words here [a](http://b.example/x "see http://c.example/y") more words after`, 56, uint8(1))
	f.Add("Some words here [status page](https://status.example.com/incidents/42) more words after", 70, uint8(1))
	// Japanese after a URL or a link with no space, which the cut may
	// follow past the character that ends the link; a destination and an
	// autolink holding such a character, which move whole.
	f.Add("詳細はhttps://status.example.com/xをご覧ください。現在調査中です。現在調査中です。", 30, uint8(1))
	f.Add("詳細は[こちら](https://status.example.com/x)をご覧ください、現在調査中です（https://s.example/東京）まで", 40, uint8(3))
	f.Add("現在調査中です [a](https://x.example/「a」) <https://x.example/«b»>現在調査中です", 35, uint8(0))
	// A destination a channel would link bare short of its end moves as
	// an autolink, two characters more than the URL alone.
	f.Add("See [a](https://x.example/a.) for the details and more words", 22, uint8(1))
	f.Add("See [a](https://x.example/「a」) for the details and more words", 24, uint8(1))
	names := []string{"bytes", "runes", "graphemes", "weighted"}
	f.Fuzz(func(t *testing.T, s string, limit int, which uint8) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		limit %= 1000
		m := measures[names[int(which)%len(names)]]
		got := templates.Shorten(s, limit, m)
		if limit <= 0 || m(s) <= limit {
			if got != s {
				t.Fatalf("Shorten(%q, %d) = %q, want it unchanged", s, limit, got)
			}
			return
		}
		if m(got) > limit {
			t.Fatalf("Shorten(%q, %d) = %q measures %d", s, limit, got, m(got))
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Shorten(%q, %d) = %q: invalid UTF-8", s, limit, got)
		}
		// Where the URLs fit, as Shorten keeps them whole in text
		// (templates.KeptURLSpans) and as testURL finds them, up to the
		// white space, which a link's destination's URL, moved whole,
		// may run to ("[a](https://x.example/「a」)"), those Shorten
		// moves, no longer, fit too.
		urls := testURL.FindAllString(s, -1)
		kept := templates.KeptURLSpans(s)
		if len(kept) > 0 && !rewrittenDestination(s) && m(templates.Ellipsis+" "+strings.Join(inAngles(s, urls), " ")) <= limit &&
			m(templates.Ellipsis+" "+strings.Join(spanTexts(s, kept), " ")) <= limit {
			for _, u := range outsideLinkEnds(s, kept) {
				if !strings.Contains(got, asMoved(u)) {
					t.Fatalf("Shorten(%q, %d) = %q lost URL %q", s, limit, got, u)
				}
			}
		}
		if !strayBackslash(s) && strayBackslash(got) {
			t.Fatalf("Shorten(%q, %d) = %q splits a backslash escape", s, limit, got)
		}
	})
}

// spanTexts returns the texts of s at spans.
func spanTexts(s string, spans [][]int) []string {
	texts := make([]string, len(spans))
	for i, sp := range spans {
		texts[i] = s[sp[0]:sp[1]]
	}
	return texts
}

// outsideLinkEnds returns the URLs of s at spans, as Shorten keeps them,
// each ended before the first ")" it did not open when s has a "](" before
// that ")": the ")" may close an inline link, which CommonMark reads
// before any URL in it (0.31.2, 6.3: a destination holds only balanced
// parentheses, and the link ends at the ")" after it), so that in
// "[a](https://x.example/a)00" the URL is https://x.example/a and ")00"
// the text after the link, though a URL read in s as plain text runs
// on to the white space (or a character that ends a link). Where that
// ")" closes no link ("`](` https://x.example/a)00"), the URL Shorten
// keeps whole has the one returned as its prefix; without a "](" before
// it, a URL is as the span has it, and so is one within "<" and ">", an
// autolink or a destination so written, whose ")" are its own. Alike, a URL is ended
// at a "](" after a "[", where a link's text may end: the URL the text
// shows ends there, whatever Shorten moves of the rest.
func outsideLinkEnds(s string, spans [][]int) []string {
	urls := make([]string, len(spans))
	for i, sp := range spans {
		end, depth := sp[1], 0
		if sp[0] > 0 && s[sp[0]-1] == '<' && sp[1] < len(s) && s[sp[1]] == '>' {
			urls[i] = s[sp[0]:end]
			continue
		}
		for j := sp[0]; j < sp[1]; j++ {
			if s[j] == ']' && j+1 < sp[1] && s[j+1] == '(' && strings.Contains(s[:j], "[") {
				end = j // the end of a link's text
				break
			}
			if s[j] == '(' {
				depth++
			} else if s[j] == ')' {
				if depth == 0 && strings.Contains(s[:j], "](") {
					end = j
					break
				}
				depth = max(depth-1, 0)
			}
		}
		urls[i] = s[sp[0]:end]
	}
	return urls
}

// inAngles returns urls, the URLs testURL finds in s, each one that
// Shorten may move within "<" and ">" with them: one that stands within
// them in s, an autolink or a destination so written, and a link's
// destination that a channel would link bare short of its end (see
// shortDestination), which Shorten writes as an autolink. Every other URL
// moves bare: bracketing it would ask for room Shorten does not take.
func inAngles(s string, urls []string) []string {
	out := make([]string, len(urls))
	for i, span := range testURL.FindAllStringIndex(s, -1) {
		out[i] = urls[i]
		if span[0] > 0 && s[span[0]-1] == '<' && span[1] < len(s) && s[span[1]] == '>' || shortDestination(s, span) {
			out[i] = "<" + urls[i] + ">"
		}
	}
	return out
}

// shortDestination reports whether the URL of s at span, as testURL finds
// it, may be a link's destination (CommonMark 0.31.2, 6.3 and 4.7: after
// an inline link's "(" or a definition's "]:", and white space) that
// templates.LinkSpans ends short of its end: an inline link's, up to the
// first ")" it did not open, which ends the link. It may say so of a URL
// that is none ("(https://x.example/a.)" in text), never the other way.
func shortDestination(s string, span []int) bool {
	before := strings.TrimRight(s[:span[0]], " \t\r\n")
	u := s[span[0]:span[1]]
	switch {
	case strings.HasSuffix(before, "("):
		depth := 0
		for j := 0; j < len(u); j++ {
			if u[j] == '(' {
				depth++
			} else if u[j] == ')' {
				if depth == 0 {
					u = u[:j]
					break
				}
				depth--
			}
		}
	case !strings.HasSuffix(before, "]:"):
		return false
	}
	links := templates.LinkSpans(u)
	return len(links) == 0 || links[0][1] < len(u)
}

// rewrittenDestination reports whether s has a URL, as testURL finds it,
// that may be a link's destination (after an inline link's "(" or a
// definition's "]:", white space and a "<" between or not; CommonMark
// 0.31.2, 6.3 and 4.7) or an autolink's (6.5) which Shorten moves as
// other text than testURL finds: one that runs on past a '"' or, within
// "<" and ">", past white space (the destination or autolink is the
// whole run), or that holds an "&" or, but in an autolink, a backslash
// (moved as the URL the link points to, its character references and
// escapes read). Their moved length is not the oracle's,
// nor their text: the check of the URLs kept is left to the tests of
// moved destinations (TestShortenMovesDestinationAsItsURL and others)
// for such a text. It may say so of a URL that is none, never the other
// way.
func rewrittenDestination(s string) bool {
	for _, span := range testURL.FindAllStringIndex(s, -1) {
		u := s[span[0]:span[1]]
		next := byte(0)
		if span[1] < len(s) {
			next = s[span[1]]
		}
		if span[0] > 0 && s[span[0]-1] == '<' && (strings.IndexByte(u, '&') >= 0 || next != 0 && next != '>') {
			return true // an autolink's, or a destination's within "<" and ">"
		}
		before := strings.TrimRight(strings.TrimSuffix(strings.TrimRight(s[:span[0]], " \t\r\n"), "<"), " \t\r\n")
		if (strings.HasSuffix(before, "(") || strings.HasSuffix(before, "]:")) && (strings.ContainsAny(u, "&\\") || next == '"') {
			return true
		}
	}
	return false
}

// asMoved is u, as testURL finds it, up to a closing bracket that u did
// not open in the punctuation that ends it, "(https://x.example/a)."
// giving "https://x.example/a": Shorten leaves that behind with the text
// the bracket closes when it moves u after the ellipsis.
func asMoved(u string) string {
	run := len(strings.TrimRight(u, ")]}.,:;!?'"))
	open := map[byte]int{}
	for i := 0; i < len(u); i++ {
		switch c := u[i]; c {
		case '(', '[', '{':
			open[c]++
		case ')', ']', '}':
			o := map[byte]byte{')': '(', ']': '[', '}': '{'}[c]
			if open[o] <= 0 && i >= run {
				return u[:i]
			}
			open[o]--
		}
	}
	return u
}

// FuzzRenderFitPromises checks RenderFit's promises on any update, default
// template, limit and measure, also measures that are not monotone: the
// result fits, is valid UTF-8, keeps the status first, and, when there is no
// error, keeps the URL whole and the next update.
func FuzzRenderFitPromises(f *testing.F) {
	for i, s := range hardTexts {
		f.Add(s, hardTexts[(i+1)%len(hardTexts)], hardTexts[(i+2)%len(hardTexts)], "CDN", 40+i*30, uint8(i), uint8(i), uint8(i), i%2 == 0)
	}
	f.Add("CDN [errors](https://x.example/e)", "See [status page](https://x.example/incidents/42/timeline) and more words after it to cut here",
		"Use [the EU API](<x https://eu.example.com/api>)", "CDN", 170, uint8(1), uint8(4), uint8(0), false)
	f.Add("CDN障害", "詳細はhttps://status.example.com/xをご覧ください。現在調査中です。現在調査中です。",
		"詳細は[こちら](https://status.example.com/y)をご覧ください、再試行してください", "CDN", 120, uint8(1), uint8(2), uint8(0), false)
	names := []string{"short", "subject", "text", "html", "markdown"}
	statuses := []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInProgress, broadcast.StatusCompleted}
	f.Fuzz(func(t *testing.T, title, body, advice, component string, limit int, which, name, status uint8, corrects bool) {
		m := fuzzMeasure(which)
		u := representative(statuses[int(status)%len(statuses)])
		u.Title, u.Body, u.Advice = title, body, advice
		u.Components = []broadcast.Component{{Name: component, Status: broadcast.ComponentMajorOutage}}
		if corrects {
			u.Corrects = "u_41"
		}
		tmpl := names[int(name)%len(names)]
		limit %= 3000
		got, err := templates.Default().RenderFit(tmpl, u, limit, m)
		if err != nil && !errors.Is(err, templates.ErrTooLong) {
			t.Fatalf("RenderFit(%s): %v", tmpl, err)
		}
		if limit > 0 && m(got) > limit {
			t.Fatalf("RenderFit(%s, %d) = %q measures %d", tmpl, limit, got, m(got))
		}
		if !utf8.ValidString(got) {
			t.Fatalf("RenderFit(%s, %d) = %q: invalid UTF-8", tmpl, limit, got)
		}
		if err != nil || tmpl == "subject" {
			return
		}
		if !strings.Contains(got, u.URL) {
			t.Fatalf("RenderFit(%s, %d) = %q lost the URL", tmpl, limit, got)
		}
		if u.Status == broadcast.StatusInvestigating && !strings.Contains(got, "Next update by 14:30 UTC") {
			t.Fatalf("RenderFit(%s, %d) = %q lost the next update", tmpl, limit, got)
		}
	})
}

// fuzzMeasure returns one of the test measures, or a measure that weighs
// each rune by its value, zero included, and is not monotone in the
// number of ellipses.
func fuzzMeasure(which uint8) templates.Measure {
	names := []string{"bytes", "runes", "graphemes", "weighted"}
	if int(which) < len(names) {
		return measures[names[which]]
	}
	return func(s string) int {
		n := 0
		for _, r := range s {
			n += int(r) % int(which%5+1)
		}
		return n - strings.Count(s, templates.Ellipsis)*int(which%3)
	}
}

// TestInAnglesChargesWhatMovesAngled: inAngles writes within "<" and ">"
// the URLs that Shorten may move so (one written so, a link's destination
// that a channel would link bare short of its end), and no other: each
// URL it brackets in vain asks FuzzShorten's check for two more than the
// URLs take, and leaves unchecked the limits between. Before, it
// bracketed every URL whose link ends short of what testURL finds: one in
// brackets of the text, "(see https://x.example/a).", and every inline
// link's, whose ")" testURL takes.
func TestInAnglesChargesWhatMovesAngled(t *testing.T) {
	for _, tt := range []struct{ s, want string }{
		{"Words (see https://x.example/a). More", "https://x.example/a)."},
		{"See [a](https://x.example/a) more", "https://x.example/a)"},
		{"See [a](https://x.example/a)). More", "https://x.example/a))."},
		{"See [a](https://x.example/a_(b)) more", "https://x.example/a_(b))"},
		{"See https://x.example/「a」 more", "https://x.example/「a」"},
		{"See https://x.example/a. More", "https://x.example/a."},
		{"See [a](https://x.example/a.) more", "<https://x.example/a.)>"},
		{"See [a](https://x.example/a]) more", "<https://x.example/a])>"},
		{"See [a](\n  https://x.example/「a」) more", "<https://x.example/「a」)>"},
		{"See [a](https://x.example/a. \"T\") more", "<https://x.example/a.>"},
		{"See [a][1] more\n\n[1]: https://x.example/a.", "<https://x.example/a.>"},
		{"See <https://x.example/a)> more", "<https://x.example/a)>"},
	} {
		urls := testURL.FindAllString(tt.s, -1)
		if got := inAngles(tt.s, urls); len(got) != 1 || got[0] != tt.want {
			t.Errorf("inAngles(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
