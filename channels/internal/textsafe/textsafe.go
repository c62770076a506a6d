// Package textsafe makes what an update's author wrote safe for a
// platform that reads more than text in it: Map applies one function to
// every field an author writes, and QuietMentions breaks the "@name"
// mentions that Mastodon, GoToSocial, Telegram and X turn into
// notifications (QuietTelegramMentions for Telegram); Quiet
// does both, and breaks the mentions of the update's URL too (QuietURL,
// and GoToSocial's rule as QuietMentions applies it to a URL).
//
// # Limits
//
// Map leaves the update's ID, IncidentID, Corrects and URL alone: a
// channel that must change those too (an escape that also applies to the
// URL) does so itself. QuietMentions keeps URLs, as templates.URLSpans
// finds them, whole: in them it only writes an "@" that would start a
// mention as "%40" (QuietURL), which links to the same page, but before
// the path, where "%40" would change the host and a word joiner breaks
// the mention instead. In a link without a scheme (BareLinks), an "@"
// after "=" stays as it is, as neither Mastodon nor GoToSocial reads a
// mention there and Telegram links the link; for Telegram
// (QuietTelegramMentions), so does one after "/", which GoToSocial reads
// as a mention, and which QuietMentions leaves as it is only in a link
// GoToSocial makes, one that starts with "www." after white space or "("
// ("see www.youtube.com/@name"). Telegram links only the top-level
// domains it knows: in a link whose domain it does not
// ("ops.internal/@name"), it reads that "@name" as a mention, which is
// broken as elsewhere. GoToSocial reads no mention in a URL it links,
// which it does after white space or "(" (goldmark's linkify); after other
// punctuation (",https://x.example/@name") it links none and reads a
// mention after the "/", which QuietMentions writes "%40" as QuietURL
// writes Mastodon's.
package textsafe

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// Map returns a copy of u with f applied to the text its author wrote: the
// title, body, advice, component names, and the override for channel.
// u, and the slice and map it shares, are not modified.
func Map(u broadcast.Update, channel string, f func(string) string) broadcast.Update {
	u.Title, u.Body, u.Advice = f(u.Title), f(u.Body), f(u.Advice)
	if len(u.Components) > 0 {
		u.Components = slices.Clone(u.Components)
		for i := range u.Components {
			u.Components[i].Name = f(u.Components[i].Name)
		}
	}
	if o, ok := u.Overrides[channel]; ok {
		u.Overrides = maps.Clone(u.Overrides)
		u.Overrides[channel] = f(o)
	}
	return u
}

// WordJoiner (U+2060) is invisible: after the "@" of a mention it breaks
// the mention without changing what readers see.
const WordJoiner = "\u2060"

// Quiet returns Map(u, channel, QuietMentions) with its URL passed
// through QuietURL too, and GoToSocial's rule, as QuietMentions applies
// it to a URL after a space, where a template puts it: in the part of the
// URL GoToSocial does not link (gotosocialLinked), an "@" after "/" or
// "_" is written "%40" ("http://10.0.0.7/status/@ops"). It is the update
// as a channel whose platform turns "@name" into a notification renders
// it. u is not modified.
func Quiet(u broadcast.Update, channel string) broadcast.Update {
	u = Map(u, channel, QuietMentions)
	linked := gotosocialLinked(u.URL, 0, len(u.URL))
	u.URL = quietURL(u.URL, func(s string, i int) bool {
		return urlMention(s, i) || i >= linked && gotosocialURLMention(s, i)
	})
	return u
}

// QuietMentions returns s with every mention broken that Mastodon,
// GoToSocial (and Pleroma, Akkoma, whose rules are narrower) or Telegram
// would read. Outside URLs a WordJoiner follows the "@" of every mention:
// an "@" followed by an ASCII letter, digit or "_" (or a letter Mastodon
// folds to one, see mentionRune), not glued to a preceding letter or
// digit (as in an e-mail address), nor after "=" in a link without a
// scheme (see mention). GoToSocial starts a mention after any
// punctuation, so an "@" after "_" ("eu_@ops") or after "/" in a link
// without a scheme ("example.com/@ops"), where Mastodon reads none, is
// broken too: neither Mastodon nor GoToSocial links a link without a
// scheme, so the word joiner ends no link there; but GoToSocial links one
// that starts with "www." after white space or "(" and reads no mention
// in it, so there such an "@" stays as it is ("see
// www.youtube.com/@name"). "@name" and "@name@domain" then notify no one. URLs (templates.URLSpans) must stay whole to link: QuietURL
// writes an "@" in them that would start a mention as "%40" (before the
// path, with a WordJoiner), and so, in a URL GoToSocial does not link
// (",https://x.example/@ops", or past the part it links, see
// gotosocialLinked), an "@" after "/" or "_", which it reads as a mention.
func QuietMentions(s string) string {
	return quietMentions(s, false)
}

// QuietTelegramMentions is QuietMentions for Telegram, which links a link
// without a scheme whole (BareLinks) and reads no mention in it, and reads
// an "@" after "_" as part of a word: an "@" after "/" or "=" in such a
// link stays as it is, as an "@" after "_" does anywhere, so that the link
// goes on past it ("mastodon.social/@examplestatus"); a word joiner would
// end it at the "@". Every other mention is broken as QuietMentions
// breaks it.
func QuietTelegramMentions(s string) string {
	return quietMentions(s, true)
}

// quietMentions is QuietMentions, or QuietTelegramMentions if telegram.
func quietMentions(s string, telegram bool) string {
	if !strings.Contains(s, "@") {
		return s
	}
	inLink, inWWW := BareLinks(s), wwwLinks(s)
	return walk(s, func(b *strings.Builder, start, end int) {
		insert(b, s, start, end, WordJoiner, func(s string, i int) bool { return mention(s, i, inLink, inWWW, telegram) })
	}, func(b *strings.Builder, start, end int) {
		if telegram {
			b.WriteString(QuietURL(s[start:end]))
			return
		}
		linked := gotosocialLinked(s, start, end)
		b.WriteString(quietURL(s[start:end], func(u string, i int) bool {
			return urlMention(u, i) || i >= linked && gotosocialURLMention(u, i)
		}))
	})
}

// QuietURL returns the http(s) URL u with each "@" in its path, query or
// fragment that Mastodon would read as the start of a mention written
// "%40", which every web server decodes back to "@" (RFC 3986 allows both
// in a path, a query and a fragment), so that the URL still links to the
// same page. Mastodon (and Pleroma, Akkoma, which follow its rule or a
// narrower one) looks for mentions in the whole text of a status, URLs
// included (GoToSocial reads none in a URL it links, see QuietMentions):
// an "@" followed by an ASCII letter, digit or "_" and not preceded by
// "=", "/" or a word character (a letter, mark, digit or connector)
// starts one, so "https://x.example/a,@ops" would notify @ops. Every other "@", as the one of "https://mastodon.social/@name",
// stays as it is, so an ordinary URL comes back unchanged. Before the
// path, "%40" would change the host: there, an "@" that starts a mention
// (as in "https://status.example.com,@ops", where the text, not the link,
// goes on after the host, or in user information ending in punctuation)
// gets a WordJoiner after it, as in text, and reads as written; the "@"
// of ordinary user information ("https://ops@x.example") stays as it is.
func QuietURL(u string) string {
	return quietURL(u, urlMention)
}

// quietURL is QuietURL with mention(u, i) saying whether u[i] is an "@"
// that starts a mention.
func quietURL(u string, mention func(u string, i int) bool) string {
	start := strings.Index(u, "://")
	if start < 0 || !strings.Contains(u[start:], "@") {
		return u
	}
	start += len("://")
	path := len(u) // where the authority ends
	if end := strings.IndexAny(u[start:], "/?#"); end >= 0 {
		path = start + end
	}
	var b strings.Builder
	last := start
	b.WriteString(u[:last])
	for i := start; i < len(u); i++ {
		if !mention(u, i) {
			continue
		}
		b.WriteString(u[last:i])
		if i < path {
			b.WriteString("@" + WordJoiner)
		} else {
			b.WriteString("%40")
		}
		last = i + 1
	}
	b.WriteString(u[last:])
	return b.String()
}

// urlMention reports whether u[i] is an "@" that starts a mention by
// Mastodon's rule (see QuietURL). i > 0.
func urlMention(u string, i int) bool {
	if u[i] != '@' || !startsName(u[i+1:]) {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(u[:i])
	return prev != '=' && prev != '/' && !wordRune(prev)
}

// gotosocialURLMention reports whether u[i] is an "@" that starts a
// mention by GoToSocial's rule where it links no URL, which Mastodon's
// (urlMention) does not: one after "/" or a connector ("_"), which are
// punctuation. i > 0.
func gotosocialURLMention(u string, i int) bool {
	if u[i] != '@' || !startsName(u[i+1:]) {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(u[:i])
	return prev == '/' || unicode.Is(unicode.Pc, prev)
}

// gotosocialURL matches, at its start, the link GoToSocial makes of a URL
// (goldmark's linkify, whose pattern this is): a lower-case top-level
// domain, and a path of ASCII characters.
var gotosocialURL = regexp.MustCompile(`^(?:http|https|ftp)://[-a-zA-Z0-9@:%._\+~#=]{1,256}\.[a-z]+(?::\d+)?(?:[/#?][-a-zA-Z0-9@:%_+.~#$!?&/=\(\);,'">\^{}\[\]` + "`" + `]*)?`)

// linkifyAfter reports whether goldmark's linkify, by which GoToSocial
// links a URL, looks for one after the byte c: white space, "(", "*", "_"
// or "~".
func linkifyAfter(c byte) bool {
	return strings.IndexByte(" \t\n\v\f\r(*_~", c) >= 0
}

// gotosocialLinked returns how many bytes of the URL s[start:end]
// (templates.URLSpans) GoToSocial links: none after a character where
// linkify looks for no link (",https://x.example/@name"), else as much
// as gotosocialURL matches. At the start of s, which a template puts
// after a space, the URL is taken to be linked. GoToSocial reads a
// mention in the rest, after "/" too.
func gotosocialLinked(s string, start, end int) int {
	if start > 0 && !linkifyAfter(s[start-1]) {
		return 0
	}
	return len(gotosocialURL.FindString(s[start:end]))
}

// wordRune reports whether r is a word character: a letter, a mark, a
// decimal digit or a connector ("_"). Ruby's [[:word:]], which Mastodon's
// rule uses, holds every such character (and a few more, which at worst
// costs an "@" written "%40" that needed not be).
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r)
}

// mention reports whether s[i] is the "@" of a mention (see QuietMentions,
// and QuietTelegramMentions if telegram). An "@" after "=" in a link
// without a scheme (inLink, which is BareLinks(s)) is none: neither
// Mastodon nor GoToSocial reads one there as a mention, and Telegram,
// which would in text, links the link instead, which a word joiner would
// end at the "@" ("example.com/?to=@" for "example.com/?to=@status").
// Nor, for Telegram, is an "@" after "/" in such a link, or after "_";
// nor, for the others, one after "/" or "_" in a link GoToSocial makes of
// a link that starts with "www." (inWWW, which is wwwLinks(s)), where
// Mastodon reads none either.
func mention(s string, i int, inLink, inWWW func(int) bool, telegram bool) bool {
	if s[i] != '@' || !startsName(s[i+1:]) {
		return false
	}
	if i == 0 {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	switch {
	case unicode.IsLetter(prev) || unicode.IsDigit(prev):
		return false
	case telegram && prev == '_':
		return false
	case prev == '=' || prev == '/' && telegram:
		return !inLink(i)
	case prev == '/' || prev == '_': // GoToSocial: after any punctuation
		return !inWWW(i)
	}
	return true
}

// gotosocialWWW matches, at its start, the link GoToSocial makes of a link
// without a scheme that starts with "www." (goldmark's linkify, whose
// pattern this is): up to its end, where the "@" of "www.youtube.com/@name"
// is, it reads no mention.
var gotosocialWWW = regexp.MustCompile(`^www\.[-a-zA-Z0-9@:%._\+~#=]{1,256}\.[a-z]+(?:[/#?][-a-zA-Z0-9@:%_\+.~#!?&/=\(\);,'">\^{}\[\]` + "`" + `]*)?`)

// wwwLinks returns a function that reports whether s[i] is in a link that
// GoToSocial makes of a link without a scheme: one that starts with "www."
// after white space, "(", "*", "_" or "~" (where goldmark's linkify looks
// for one; at the start of s, which a template may put after anything, it
// is taken to be none, so that a mention is broken rather than kept).
// A word joiner in such a link would end it at the "@".
func wwwLinks(s string) func(i int) bool {
	var spans [][2]int
	for at := 1; at < len(s); {
		k := strings.Index(s[at:], "www.")
		if k < 0 {
			break
		}
		at += k
		var m []int
		if linkifyAfter(s[at-1]) {
			m = gotosocialWWW.FindStringIndex(s[at:])
		}
		if m == nil {
			at++
			continue
		}
		spans = append(spans, [2]int{at, at + m[1]})
		at += m[1]
	}
	return func(i int) bool {
		k := sort.Search(len(spans), func(k int) bool { return spans[k][1] > i })
		return k < len(spans) && spans[k][0] <= i
	}
}

// BareLinks returns a function that reports, for the text s, whether s[i]
// is in the path, query or fragment of a link without a scheme (or is the
// "/", "?" or "#" that starts them) ("gitlab.example.com/infra/-/pipelines",
// "mastodon.social/@examplestatus"), which Telegram links as one with: a
// run of characters that end no link there, whose part before its first
// "/", "?" or "#" (and port) is a domain name Telegram links (see
// telegramDomain). Telegram's link holds s[i], and a word joiner after it
// would end the link there.
//
// Where Telegram links no link ("ops.internal/@oncall": it knows no such
// top-level domain), an "@name" in it is a mention that notifies; so the
// answer is false there, and errs that way: a top-level domain Telegram
// knows but telegramTLDs lacks costs a link ended at a word joiner, never
// a mention left whole.
//
// The links are found once, in one pass over s, on the first call; each
// call after costs a binary search, so that asking for every byte of a
// long text costs no more than reading it. The function it returns fills
// itself in on that first call: one goroutine at a time may use it.
func BareLinks(s string) func(i int) bool {
	var spans [][2]int
	found := false
	return func(i int) bool {
		if !found {
			spans, found = bareLinkSpans(s), true
		}
		k := sort.Search(len(spans), func(k int) bool { return spans[k][1] > i })
		return k < len(spans) && spans[k][0] <= i
	}
}

// bareLinkSpans returns the spans [start, end) of s whose bytes BareLinks
// holds in a link, in order: for each run of characters that end no link
// (with the character that ends it), from its first "/", "?" or "#" on,
// if its part before that is a domain Telegram links (linkedHost).
func bareLinkSpans(s string) [][2]int {
	var spans [][2]int
	for start := 0; start < len(s); {
		end, path := start, -1
		for end < len(s) {
			if path < 0 && strings.IndexByte("/?#", s[end]) >= 0 {
				path = end
			}
			r, n := utf8.DecodeRuneInString(s[end:])
			end += n
			if endsRun(r) {
				break
			}
		}
		if path >= 0 && linkedHost(s[start:path]) {
			spans = append(spans, [2]int{path, end})
		}
		start = end
	}
	return spans
}

// endsRun reports whether r ends the run of a link without a scheme:
// white space, a control character, "<", ">", '"', or a character that
// EndsLink.
func endsRun(r rune) bool {
	return r <= ' ' || r == 0x7f || strings.ContainsRune("<>\"", r) || EndsLink(r) || unicode.IsSpace(r) || unicode.Is(unicode.Z, r)
}

// linkedHost reports whether host, the part of a run before its first "/",
// "?" or "#", is the domain (with user information and a port, or after
// punctuation) of a link Telegram links.
func linkedHost(host string) bool {
	notDomain := func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("_-~", r)
	}
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		if strings.TrimLeftFunc(host[:at], notDomain) == "" {
			return false // "@x.example/…": no user information, and no link
		}
		host = host[at+1:] // user information
	}
	host, _, _ = strings.Cut(host, ":")
	return telegramDomain(strings.TrimLeftFunc(host, notDomain))
}

// telegramDomain reports whether Telegram links host, the domain of a
// link without a scheme: labels neither empty, nor of 64 bytes or more,
// nor ending in "-"; the label before the last without "_"; and a last
// one that is a top-level domain Telegram knows (telegramTLDs; written
// in lower case, in upper case, or any way but with only its first
// letter in upper case, which Telegram refuses), or "xn--" and letters
// and digits.
func telegramDomain(host string) bool {
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) >= 64 || strings.HasSuffix(l, "-") {
			return false
		}
	}
	tld, label := labels[len(labels)-1], labels[len(labels)-2]
	if strings.Contains(label, "_") {
		return false
	}
	lower := strings.ToLower(tld)
	if rest, ok := strings.CutPrefix(lower, "xn--"); ok {
		return len(rest) >= 2 && !strings.ContainsFunc(rest, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		})
	}
	if lower != tld && lower[1:] == tld[1:] {
		return false // "Com": Telegram links "com" and "COM", not "Com"
	}
	return strings.Contains(telegramTLDs, " "+lower+" ")
}

// telegramTLDs holds, between spaces, top-level domains that Telegram
// links without a scheme: the country codes and the generic domains in
// common use, every one in Telegram's list (is_common_tld in tdlib's
// MessageEntity.cpp), which has some 1,500; one it has and this lacks
// costs a link ended at a word joiner (see BareLinks).
const telegramTLDs = " ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bv bw by bz" +
	" ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm fo fr" +
	" ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it" +
	" je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr" +
	" ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs" +
	" ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz" +
	" ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw" +
	" aero app asia biz blog cat cloud com coop dev edu email gov host hosting info int jobs link live mil mobi museum name net" +
	" network news one online org page pro run services shop site social software store support systems team tech tel today" +
	" tools top travel website wiki works world xyz zone "

// EndsLink reports whether Telegram ends a link's path at r: "«", "»",
// and general punctuation (U+2000 to U+206F) but the zero-width joiners
// and the dashes (U+2010 to U+2015), which it keeps in a link, as any
// other character that is no space.
func EndsLink(r rune) bool {
	return r == '«' || r == '»' || r >= 0x2000 && r <= 0x206F && r != 0x200C && r != 0x200D && (r < 0x2010 || r > 0x2015)
}

// Insert returns s with mark inserted after every byte s[i] for which
// after(s, i) is true, outside URLs (templates.URLSpans), which must stay
// whole to link: the one walk behind every invisible defusing mark.
func Insert(s, mark string, after func(s string, i int) bool) string {
	return walk(s, func(b *strings.Builder, start, end int) {
		insert(b, s, start, end, mark, after)
	}, func(b *strings.Builder, start, end int) { b.WriteString(s[start:end]) })
}

// insert writes s[start:end] to b with mark after every byte s[i] for
// which after(s, i) is true.
func insert(b *strings.Builder, s string, start, end int, mark string, after func(s string, i int) bool) {
	for i := start; i < end; i++ {
		b.WriteByte(s[i])
		if after(s, i) {
			b.WriteString(mark)
		}
	}
}

// walk returns what plain and url write for s: plain for each run of text
// between URLs (templates.URLSpans), s[start:end], and url for each URL,
// s[start:end], in order.
func walk(s string, plain, url func(b *strings.Builder, start, end int)) string {
	var b strings.Builder
	last := 0
	for _, loc := range templates.URLSpans(s) {
		plain(&b, last, loc[0])
		url(&b, loc[0], loc[1])
		last = loc[1]
	}
	plain(&b, last, len(s))
	return b.String()
}

// mentionRune reports whether r may start a mentioned name: an ASCII
// letter, digit or "_", or a letter that Mastodon's case-insensitive
// match folds to an ASCII one, and whose lower case, in which the name is
// looked up, is ASCII too: the Kelvin sign (U+212A, "k"). The long s
// (U+017F, "s") folds to "s" too; its name matches no account, but the
// "@" is broken all the same.
func mentionRune(r rune) bool {
	return r == '_' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '\u212A' || r == '\u017F'
}

// startsName reports whether s starts with a character that may start a
// mentioned name (mentionRune).
func startsName(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && mentionRune(r)
}

// CheckURL checks raw, an Update.URL that a post shows or opens (why: "the
// card's button opens it", "the message links to it"), as the Broadcaster
// checks it (an absolute http or https URL without user information,
// white space or control characters), for a Message built without it
// (broadcast.NewMessage): anything else opens nothing, or a javascript:
// link, or shows every reader a password, or has the platform refuse the
// post after it took the request. The error names the field and does not
// quote the URL. "" (no URL) passes.
func CheckURL(raw, why string) error {
	var fe *broadcast.FieldError
	if errors.As(broadcast.CheckURL(raw), &fe) {
		return fmt.Errorf("Update.URL: %s (%s)", fe.Problem, why)
	}
	return nil
}
