package templates

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
)

// ErrTooLong is wrapped by the error of RenderFit (and of Text rendering a
// template) when even the shortest form of an update does not fit the
// limit.
var ErrTooLong = errors.New("templates: text too long")

// ErrBlank is wrapped by the error of Text when the text shows nothing
// (see broadcast.Blank): white space and format characters only, as a
// template with a branch for some statuses renders for the others. The
// error names the template used, and comes with the text. A channel that
// posts the text alone fails with it, as its platform would refuse the
// post or show an empty one; one whose post shows the update otherwise too
// (a card, an embed) may post it.
var ErrBlank = errors.New("templates: the text shows nothing")

// RenderFit renders the template name for u (see Render) so that the result
// measures at most limit in m (nil m: Runes; limit <= 0: no limit). It does
// not modify u.
//
// When the full text is too long, RenderFit shortens, in order: the Body
// (cut with an Ellipsis, at a word end where possible, down to nothing); the
// Components (as many of the first ones, in their order, as fit with no
// Body, the others counted in Data.ComponentsLeftOut and
// Data.MoreComponents, "… and 259 more", which the default templates write
// at the end of the list; the list dropped as a whole when not even its
// first component fits; then the Body tried in full and shortened again);
// the Advice (cut the same way, down to nothing, only once no Body and no
// component is left); the Title (cut down to a lone Ellipsis). The status
// line's headline and correction marker, the "Next update by" line and the
// URL are never shortened, nor is a component's name. Every cut falls
// between grapheme clusters, outside a URL of the text up to the next
// white space or the first character in it that ends a link, "。", "、",
// "（" (see Shorten: Japanese or Chinese text that runs on after a URL
// with no space is cut after that character; a URL the cut leaves out is
// not written), or, where the text shows u.URL from a URL's start, up to
// u.URL's end at least, as it may hold such a character
// ("https://status.example.com/a、b", which the channels that know it
// link whole: cut after "a", it would link another page), and outside a run of printable ASCII and of
// letters, marks and digits outside ASCII (but those of scripts written
// without spaces, as Han and kana) with a dot between letters or digits
// (a domain name without a scheme, "bücher.example" too, which platforms
// link as far as it goes: "api.cloud.examp…" as api.cloud; a "-" that
// ends it stays before the Ellipsis, as part of the link; such a run that
// does not fit is left out whole, however long) and a
// hashtag or a mention (up to its 65th grapheme cluster, after white
// space or punctuation: "#cdnout…" would link another tag, "@AcmeSupp…"
// notify another account), and outside a Markdown link, image or
// autolink and a character reference ("&amp;"), as Shorten cuts. A
// link or image kept by a cut (a reference one whose definition the cut
// leaves out too) is written as the inline link it is, or as its text
// alone when the inline link does not fit the room the text before it
// leaves (its URL, which the cut leaves out, is not written), each link
// judged so at the first cut that keeps it, with the links before it
// written as judged. The result is the same
// as trying every cut and every number of components, but the template runs only a handful of
// times whatever the length of the text: RenderFit first estimates the cut
// on one rendering, then confirms it, and estimates the number of
// components to keep from the lists of one and of two, then confirms it;
// a rendering stops as soon as its output is too long. RenderFit keeps
// the measures of the last 32 texts it judged, for the call only, and
// does not ask m again for those (see Measure).
//
// If even the shortest form is too long (a tiny limit, or a URL longer than
// the limit), RenderFit returns that form cut with Shorten, which still
// respects the limit but may lose the end of the text or the URL, together
// with an error wrapping ErrTooLong. Callers with a hard limit should treat
// that error as permanent.
func (s *Set) RenderFit(name string, u broadcast.Update, limit int, m Measure) (string, error) {
	e, err := s.lookup(name, u.Status)
	if err != nil {
		return "", err
	}
	if m == nil {
		m = Runes
	}
	u = u.Clean() // once, not for every variant tried below
	if limit <= 0 {
		return e.execute(cleanData(u))
	}
	f := &fitter{e: e, limit: limit, m: m, components: len(u.Components)}
	f.w.f = f
	if out, ok := f.render(u); ok || f.err != nil {
		return out, f.err
	}
	if out, ok := f.shorten(u); ok {
		return out, f.err
	}
	u.Components, u.Body, u.Advice, u.Title = nil, "", "", Ellipsis
	shortest, err := e.execute(cleanData(u))
	if err != nil {
		return "", err
	}
	return shorten(shortest, limit, m, s.shownPlain(e), u.URL), fmt.Errorf("%w: %s: the shortest form measures %d, the limit is %d",
		ErrTooLong, e.name, m(shortest), limit)
}

// Text is the text channel sends for u: its override (u.Override, so not
// blank; tidied like the output of the template name, so one line for
// "short"; marked with MarkCorrection when u corrects an earlier update,
// as the default templates mark theirs; and cut as Shorten cuts if it is
// too long, keeping the marker, and u.URL whole where the override shows
// it, as RenderFit keeps it; a link destination the cut moves after the
// ellipsis within "<" and ">" is written "&" as "&" when s is Plain,
// whichever the template, or the template is short, subject or text,
// see Set.Plain and Shorten), else RenderFit(name, u, limit, m). The name
// must exist either way. A text that shows nothing comes with an error
// wrapping ErrBlank. An Update.URL
// that the Broadcaster would refuse (broadcast.CheckURL), of a Message
// built without it, is an error too, with no text: the text shows the URL,
// or the channel beside it. Text does
// not clean the Overrides text: the Broadcaster and broadcast.NewMessage
// have (see broadcast.Update.Clean), and a channel that takes a Message
// built otherwise keeps its own defences against control characters.
func (s *Set) Text(channel, name string, u broadcast.Update, limit int, m Measure) (string, error) {
	if err := broadcast.CheckURL(u.URL); err != nil {
		return "", fmt.Errorf("templates: %w", err)
	}
	o, ok := u.Override(channel)
	if !ok {
		text, err := s.RenderFit(name, u, limit, m)
		if err == nil && broadcast.Blank(text) {
			e, _ := s.lookup(name, u.Status) // RenderFit found it
			err = fmt.Errorf("%w: template %q rendered only white space%s", ErrBlank, e.name, forStatus(u.Status))
		}
		return text, err
	}
	e, err := s.lookup(name, u.Status)
	if err != nil {
		return "", err
	}
	o = normalize([]byte(balanceBidi(o)), e.single)
	if u.Corrects == "" {
		return shorten(o, limit, m, s.shownPlain(e), u.URL), nil
	}
	return shortenMarked(o, limit, m, s.shownPlain(e), u.URL), nil
}

// shortenMarked returns the override o of a correction marked as one
// (MarkCorrection: on its first line that shows something) within limit:
// the marker, and the lines before it, are kept and the rest of o
// shortened with Shorten, the URLs of known kept whole where o shows them
// (see knownEnd), unless not even they fit. The lines before it
// show nothing: when they leave no room for the marker and an Ellipsis
// after them, they are left out (also before a line that says
// "correction" itself), so that what is kept is the marker and the start
// of the text, not invisible characters and an Ellipsis.
func shortenMarked(o string, limit int, m Measure, plain bool, known ...string) string {
	if m == nil {
		m = Runes
	}
	i := firstShownLine(o)
	marker := CorrectionPrefix
	if saysCorrection(o[i:]) {
		marker = ""
	}
	if limit > 0 && i > 0 && m(o[:i]+CorrectionPrefix+Ellipsis) > limit {
		o, i = o[i:], 0
	}
	if marker == "" {
		return shorten(o, limit, m, plain, known...)
	}
	head := o[:i] + CorrectionPrefix
	if limit <= 0 || m(head) > limit {
		return shorten(head+o[i:], limit, m, plain, known...)
	}
	return head + shorten(o[i:], limit, func(s string) int {
		if s == "" {
			return 0 // the marker alone fits
		}
		return m(head + s)
	}, plain, known...)
}

// forStatus says " for status <st>" of a status of package broadcast, and
// nothing of another: the status of a Message built without the
// Broadcaster may be any text, which an error does not repeat.
func forStatus(st broadcast.Status) string {
	if !st.Valid() {
		return ""
	}
	return " for status " + string(st)
}

// fitter searches the longest variant of an update whose rendering fits.
// The updates it renders are clean already.
type fitter struct {
	e     *entry
	limit int
	m     Measure
	// components is the number of components of the update fitted: a
	// variant with fewer (but some) counts the others.
	components int
	err        error // the first render error; variants that fail count as too long
	w          prefixWriter
	// measured are the last texts measured, with their measures, in a
	// ring whose next slot is measuredNext (see measure).
	measured     [maxMeasured]measuredText
	measuredNext int
}

// measure returns f.m(s), measuring each text once: the estimate of a
// cut and the rendering that confirms it, or the renderings of several
// cuts that write the same text, judge the same output, and a platform's
// Measure (X's weighting, which finds the URLs of the text) can cost
// more than the rest of a fitting. It keeps the last maxMeasured texts,
// compared whole, in the fitter itself: no allocation. Most fittings
// judge fewer texts between two judgements of one; one that weighs many
// components' names in between (hundreds, to a long limit) measures
// such a text again.
func (f *fitter) measure(s string) int {
	for _, t := range f.measured {
		if t.ok && len(t.s) == len(s) && t.s == s {
			return t.n
		}
	}
	n := f.m(s)
	f.measured[f.measuredNext] = measuredText{s: s, n: n, ok: true}
	f.measuredNext = (f.measuredNext + 1) % maxMeasured
	return n
}

// measuredText is a text a fitter measured, with its measure.
type measuredText struct {
	s  string
	n  int
	ok bool
}

// maxMeasured is the most texts a fitter keeps with their measures.
const maxMeasured = 32

// data is the template data of u, a variant of the update fitted.
func (f *fitter) data(u broadcast.Update) Data {
	return cleanData(u).leftOut(f.components)
}

// render renders u and reports whether the output fits; the output is
// returned only then. A long output is judged while the template runs,
// by its prefixes (see prefixWriter): a variant that lists a thousand
// components stops being rendered once it is too long for a post of 280
// characters.
func (f *fitter) render(u broadcast.Update) (string, bool) {
	b := getBuffer()
	defer putBuffer(b)
	if err := f.run(b, u); err != nil {
		if f.err == nil && !errors.Is(err, errPrefixTooLong) {
			f.err = err
		}
		return "", false
	}
	out := normalize(b.Bytes(), f.e.single)
	return out, f.measure(out) <= f.limit
}

// run runs the template on the data of u into b, and stops it with
// errPrefixTooLong once what it wrote is too long to fit.
func (f *fitter) run(b *bytes.Buffer, u broadcast.Update) error {
	f.w.b, f.w.next = b, firstPrefix
	defer func() { f.w.b = nil }()
	return f.e.run(&f.w, f.data(u))
}

// errPrefixTooLong stops a template run whose output cannot fit.
var errPrefixTooLong = errors.New("templates: the output is already too long")

// prefixWriter is the writer fitter.run runs a template into: it judges
// what the template wrote so far by its prefixes of about 1 KiB, 4 KiB,
// 16 KiB…, each ending at white space so that no URL or grapheme cluster
// is cut, and fails with errPrefixTooLong once one is too long: then so
// is the whole (see Measure). That spares running the template over a
// list of components, and tidying and measuring all of a long body, to
// learn that a post of 280 characters cannot hold them. Measuring the
// prefixes of an output that fits costs at most 4/3 of measuring it once
// more; outputs shorter than firstPrefix are measured once.
type prefixWriter struct {
	f    *fitter
	b    *bytes.Buffer
	next int // the length of the next prefix to judge
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	n, err := cappedBuffer{w.b}.Write(p)
	if err != nil {
		return n, err
	}
	for w.b.Len() >= w.next {
		raw := w.b.Bytes()[:w.next]
		if end := bytes.LastIndexAny(raw, " \n\t"); end > 0 && w.f.measure(normalize(raw[:end], w.f.e.single)) > w.f.limit {
			return n, errPrefixTooLong
		}
		w.next *= 4
	}
	return n, nil
}

// firstPrefix is the length of the first prefix prefixWriter judges.
const firstPrefix = 1024

// shorten tries the variants of u in the order RenderFit documents and
// returns the first that fits.
func (f *fitter) shorten(u broadcast.Update) (string, bool) {
	if out, ok := f.body(u); ok {
		return out, true
	}
	u.Components = f.keep(u)
	if out, ok := f.render(u); ok {
		return out, true
	}
	if out, ok := f.body(u); ok {
		return out, true
	}
	u.Body, u.Components = "", nil
	if out, ok := f.advice(u); ok {
		return out, true
	}
	u.Advice = ""
	return f.title(u)
}

// keep returns the most of the first components of u, fewer than all,
// that fit (with the others counted) when u has no Body; nil when not
// even the first one does. It renders the list of one component and of
// two, and takes what the template adds to each component beyond its
// name from the difference, to estimate how many fit: then most finds
// the number from that estimate in a few more renderings.
func (f *fitter) keep(u broadcast.Update) []broadcast.Component {
	cs := u.Components
	u.Body = ""
	fits := func(k int) bool {
		u.Components = cs[:k]
		_, ok := f.render(u)
		return ok
	}
	if len(cs) < 2 {
		return nil
	}
	u.Components = cs[:1]
	one, ok := f.render(u)
	if !ok {
		return nil
	}
	lo, guess := 1, 1
	if len(cs) > 2 {
		u.Components = cs[:2]
		two, ok := f.render(u)
		if !ok {
			return cs[:1] // one fits, two do not
		}
		lo, guess = 2, 2
		each := f.measure(two) - f.measure(one) - f.measure(cs[1].Name) // the template's own, per component
		for room := f.limit - f.measure(two); guess+1 < len(cs); guess++ {
			if room -= f.measure(cs[guess].Name) + each; room < 0 {
				break
			}
		}
	}
	return cs[:most(lo, len(cs), guess, fits)]
}

// most returns the largest k between lo and hi for which fits(k) holds,
// where lo is known to fit and hi not to: it tries guess, gallops from it
// (1, 2, 4… steps) towards the answer, then bisects. When fits holds up
// to some k and not after it, that is the k it returns, in two tries if
// the guess was right; it never returns a k for which fits failed.
func most(lo, hi, guess int, fits func(k int) bool) int {
	if guess = min(max(guess, lo+1), hi-1); guess <= lo {
		return lo
	}
	if fits(guess) {
		lo = guess
		for step := 1; lo+step < hi; step *= 2 {
			if !fits(lo + step) {
				hi = lo + step
				break
			}
			lo += step
		}
	} else {
		hi = guess
		for step := 1; hi-step > lo; step *= 2 {
			if fits(hi - step) {
				lo = hi - step
				break
			}
			hi -= step
		}
	}
	for hi-lo > 1 {
		if mid := lo + (hi-lo)/2; fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// body keeps as much of u.Body as fits; none at all counts as a fit.
func (f *fitter) body(u broadcast.Update) (string, bool) {
	return f.cut(u, u.Body, func(v *broadcast.Update, s string) { v.Body = s }, true)
}

// advice keeps as much of u.Advice as fits; none at all counts as a fit.
func (f *fitter) advice(u broadcast.Update) (string, bool) {
	return f.cut(u, u.Advice, func(v *broadcast.Update, s string) { v.Advice = s }, true)
}

// title keeps as much of u.Title as fits, at least an Ellipsis.
func (f *fitter) title(u broadcast.Update) (string, bool) {
	return f.cut(u, oneLine(u.Title), func(v *broadcast.Update, s string) { v.Title = s }, false)
}

// cut renders u with text, one of its fields (set puts it in place), cut
// as little as the limit allows: at cut index i, the text before the cut
// and an Ellipsis; at 0, nothing when orNone is set. A word end is
// preferred (see wordCut).
func (f *fitter) cut(u broadcast.Update, text string, set func(*broadcast.Update, string), orNone bool) (string, bool) {
	c := newCutter(text, u.URL)
	type result struct {
		out  string
		fits bool
	}
	done := make(map[int]result)
	tooLong := func(dest string) bool { return f.measure(dest) > f.limit }
	render := func(i int) (string, bool) {
		v := u
		set(&v, c.head(i, Ellipsis))
		return f.render(v)
	}
	var build func(i int) (string, bool)
	build = func(i int) (string, bool) {
		if r, ok := done[i]; ok {
			return r.out, r.fits
		}
		if i == 0 && orNone {
			v := u
			set(&v, "")
			out, fits := f.render(v)
			done[i] = result{out, fits}
			return out, fits
		}
		// A link kept (a reference one without its definition) is
		// written as the inline link it is, or as its text alone, as
		// decided at the first cut that keeps it (see cutter.decided).
		out, fits := c.decided(i, tooLong, build, render)
		done[i] = result{out, fits}
		return out, fits
	}
	if !c.has(0) {
		return "", false // no text to cut
	}
	g := f.guess(c, u, set)
	c.prefixes, c.estimate = !c.referenced(), g
	if out, ok := confirm(c, g, build); ok {
		return out, true
	}
	best, at, ok := c.search(g, build)
	if !ok {
		return "", false
	}
	if w := c.wordCut(at); w != at {
		if out, ok := build(w); ok {
			best = out
		}
	}
	return best, true
}

// confirm returns the build of wordCut(g) when two builds show that search
// would find the same: g+1 does not fit (or does not exist) and wordCut(g)
// < g fits. Builds that fit up to some index and not after it then put
// that index between wordCut(g) and g, where wordCut gives the same.
func confirm(c *cutter, g int, build func(i int) (string, bool)) (string, bool) {
	if g < 1 || !c.has(g) {
		return "", false
	}
	w := c.wordCut(g)
	if w == g {
		return "", false
	}
	if c.has(g + 1) {
		if _, fits := build(g + 1); fits {
			return "", false
		}
	}
	return build(w)
}

// marker stands for the cut text in guess. It survives every escaping and
// tidying a template applies, and, like every cut text, ends in an
// Ellipsis, so that sentence adds no full stop.
const marker = "\uE000" + Ellipsis

// guess estimates the largest cut index of c whose variant of u fits,
// without running the template for each index: it runs the template once
// with marker as the text, then measures that output with cuts spliced in
// for the marker, first at a few secant steps, then around the last one as
// search does. Whatever the template does to the text (escaping,
// paragraphs) makes the guess a little off; search corrects it with real
// renders. The guess is 0 when the output with the marker is too long
// already (see prefixWriter).
func (f *fitter) guess(c *cutter, u broadcast.Update, set func(*broadcast.Update, string)) int {
	set(&u, marker)
	b := getBuffer()
	defer putBuffer(b)
	if err := f.run(b, u); errors.Is(err, errPrefixTooLong) {
		return 0 // even the shortest cut looks too long
	} else if err != nil {
		return 1
	}
	sp := &splicer{parts: strings.Split(b.String(), marker), f: f, buf: getBuffer(), measured: make(map[int]int)}
	defer putBuffer(sp.buf)
	if len(sp.parts) < 2 {
		return 1 // the template does not show the text
	}
	measure := func(i int) int { return sp.measure(c, i) }
	_, at, _ := c.search(secant(c, f.limit, measure), func(i int) (string, bool) {
		return "", i == 0 || measure(i) <= f.limit
	})
	return at
}

// splicer measures a template's output with the text cut at an index
// spliced in where the output has marker.
type splicer struct {
	parts    []string // the output split at marker
	f        *fitter
	buf      *bytes.Buffer
	measured map[int]int // by cut index
}

// measure measures the output with the text cut at index i, nothing at 0.
func (sp *splicer) measure(c *cutter, i int) int {
	if v, ok := sp.measured[i]; ok {
		return v
	}
	head := ""
	if i > 0 {
		head = c.head(i, Ellipsis)
	}
	sp.buf.Reset()
	for k, p := range sp.parts {
		if k > 0 {
			sp.buf.WriteString(head)
		}
		sp.buf.WriteString(p)
	}
	sp.measured[i] = sp.f.measure(normalize(sp.buf.Bytes(), sp.f.e.single))
	return sp.measured[i]
}

// secant guesses the cut index at which measure reaches limit with a few
// secant steps from index 0 (without the text), starting from one unit per
// grapheme cluster. It returns at least 1.
func secant(c *cutter, limit int, measure func(i int) int) int {
	fixed := measure(0)
	g, v := 0, fixed
	for range 3 {
		next := limit - fixed
		if g > 0 {
			if v <= fixed {
				break // the text does not count (yet): no slope to follow
			}
			next = int(float64(limit-fixed) * float64(g) / float64(v-fixed))
		}
		if next = max(next, 1); !c.has(next) {
			next = len(c.cuts) - 1
		}
		if next < 1 || next == g {
			break
		}
		g, v = next, measure(next)
	}
	return max(g, 1)
}
