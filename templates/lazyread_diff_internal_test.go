package templates

import (
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
)

// lazyPieces are the pieces lazyText draws a text from: markup whose
// reading depends on what follows it (a "[" closed far on, a code span's
// backticks, an autolink, raw HTML, a reference definition, an image in a
// link, escapes, CR and LF, a blank line), and plain text long enough for
// a text of a few hundred pieces to run past a cutter's read-ahead.
var lazyPieces = []string{
	"[", "]", "(", ")", "![", "](", "]: ", "[1]", "[a][1]", "[1][]", "[x]",
	"[status page](https://x.example/incidents/42)", "![graph](https://x.example/g.png)",
	"[![img](https://x.example/i)](https://x.example/l)", "[a `]` b](https://x.example/c)",
	"[a <https://x.example/auto> b](https://x.example/d)", "[t](<https://x.example/a b> \"T\")",
	"\n[1]: https://x.example/def \"Title\"\n", "\n[x]: <https://x.example/x>\n",
	"https://x.example/bare", "https://x.example/a[b", "http://x.example/p_(q)", lazyKnownURL, "https://x.example/k",
	"<https://x.example/auto>", "<ops@example.com>", "<irc://x.example/c>", "<", ">",
	"`", "``", "```", "`[`", "` ]( `", "\\[", "\\]", "\\`", "\\", "\\<",
	"&amp;", "&#8230;", "&", "&am",
	"<div>", "</div>", "<!--", "-->", "<span>", "<?", "?>",
	"\n", "\r\n", "\r", "\n\n", "\n> ", "\n- ", "\n    ", "\n```\n", "\n# ", "\t",
	" ", " ", " ", "*", "**", "_", "#cdnoutage", "@AcmeSupport", "api.cloud.example",
	"é", "e\u0301", "👍🏽", "東京", "\u202b", "\"", "'",
	"We are investigating elevated error rates on the CDN.",
	"Retry with backoff and see the status page for updates.",
	strings.Repeat("words ", 30),
}

// lazyKnownURL is a URL that holds a character that ends a link, known
// to be one URL (as an Update.URL is): the cutters keep it whole where
// a text shows it (see knownEnd).
const lazyKnownURL = "https://x.example/k、n"

// lazyText returns a text of n pieces of lazyPieces drawn by rng.
func lazyText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(lazyPieces[rng.Intn(len(lazyPieces))])
	}
	return b.String()
}

// lazyTexts returns the texts the tests of lazy reading compare on: long
// ones of random pieces, and long ones where a mark before a point a
// reader may pause at depends on text far after it.
func lazyTexts(rng *rand.Rand, n int) []string {
	filler := strings.Repeat("We are investigating elevated error rates on the CDN. ", 20) // over readAhead
	texts := []string{
		"[a " + filler + "](https://x.example/far)" + filler,
		"![a " + filler + "](https://x.example/far) " + filler,
		"`a " + filler + "[` b](https://x.example/c) " + filler,
		"[a " + filler + "`](https://x.example/c)` " + filler,
		filler + "[a][1] " + filler + "\n\n[1]: https://x.example/def\n",
		filler + "[" + filler + "[a][1]](https://x.example/o) " + filler + "\n\n[1]: https://x.example/def\n",
		filler + "<div>\n[a " + filler + "](https://x.example/h)\n</div>\n" + filler,
		filler + "<!-- [a " + filler + " -->](https://x.example/h) " + filler,
		filler + "https://x.example/a[alpha " + filler + "](https://x.example/c) " + filler,
		filler + "\\[a " + filler + "](https://x.example/e) " + filler,
		filler + "[a\r\n" + filler + "\r\n](https://x.example/cr) " + filler,
		filler + "*[a " + filler + "*](https://x.example/em) " + filler,
		filler + "<https://x.example/" + strings.Repeat("p", 600) + "> " + filler,
		filler + "&amp;" + filler + "&#8230;" + filler,
		strings.Repeat("See [status page](https://status.example.com/incidents/42) for it.\n\n", 60),
		strings.Repeat("See [status page](https://status.example.com/incidents/42) for it. ", 60),
	}
	for range n {
		texts = append(texts, lazyText(rng, 50+rng.Intn(400)))
	}
	return texts
}

// keptMarksReadAll is keptMarks as it read before it came to read
// lazily: the marks of all of s first, then its URLs and kept spans
// (with the rules since added that a link whose destination's URL runs on
// past it is kept whole with that URL, and that a URL of known is kept
// whole, see knownEnd).
func keptMarksReadAll(s string, known ...string) (urls, whole [][2]int, refs []mark) {
	known = shownURLs(s, known)
	marks, nested := markupNested(s)
	us, rest, ok := nextScheme(s, 0, keptRune)
	pos, k := 0, 0
	for {
		for k < len(marks) && marks[k].span[0] < pos {
			k++
		}
		if k < len(marks) && (!ok || marks[k].span[0] < us) {
			m := marks[k]
			whole = append(whole, m.span)
			if m.dest[1] == m.dest[0] && s[m.span[0]] == '<' {
				k++
				continue
			}
			ref, urlsBefore := len(refs), len(urls)
			if m.text[1] > 0 {
				refs = append(refs, m)
			}
			for len(nested) > 0 && nested[0].span[0] < m.span[1] {
				if nested[0].span[0] > m.span[0] {
					refs = append(refs, nested[0])
				}
				nested = nested[1:]
			}
			urls = markURLs(urls, s, m, known)
			if pos = m.span[1]; ok && us < pos {
				markIn := func(end int) bool {
					return k+1 < len(marks) && marks[k+1].span[0] >= m.span[1] && marks[k+1].span[0] < end
				}
				if rs, re, runs := runsOut(s, us, rest, m); runs && m.text[1] > 0 && !markIn(re) {
					// m's destination's URL runs on past m: the two are
					// kept whole as one (see keptSpans).
					refs = slices.Delete(refs, ref, ref+1)
					for i := urlsBefore; i < len(urls); i++ {
						if urls[i][0] >= rs {
							urls = urls[:i]
							break
						}
					}
					urls = append(urls, [2]int{rs, re})
					k++
					pos = re
					var end int
					end, urls = joinedReadAll(marks, &k, urls, pos, re)
					whole[len(whole)-1][1] = end
					pos = end
				}
				us, rest, ok = nextScheme(s, pos, keptRune)
			}
			continue
		}
		if !ok {
			return urls, whole, refs
		}
		pos = knownEnd(s, us, urlEnd(s, rest, keptRune), known)
		urls = append(urls, [2]int{us, pos})
		var end int
		end, urls = joinedReadAll(marks, &k, urls, pos, pos)
		if end > pos {
			whole = append(whole, [2]int{us, end})
			pos = end
		}
		us, rest, ok = nextScheme(s, pos, keptRune)
	}
}

// joinedReadAll is keptReader.joined over marks read in full: where the
// kept span that ends at end ends with the marks from *k on that start
// inside it and end after it, the destinations of those that start at or
// after pos appended to urls.
func joinedReadAll(marks []mark, k *int, urls [][2]int, pos, end int) (int, [][2]int) {
	for ; *k < len(marks) && marks[*k].span[0] < end; *k++ {
		if m := marks[*k]; m.span[1] > end {
			end = m.span[1]
			if m.dest[0] >= pos && m.dest[1] > m.dest[0] {
				urls = append(urls, m.dest)
			}
		}
	}
	return end, urls
}

// sameMarks reports whether a and b hold the same marks, each with the
// same definition, wherever two reads keep their definitions.
func sameMarks(a, b []mark) bool {
	return slices.EqualFunc(a, b, func(x, y mark) bool {
		return x.span == y.span && x.dest == y.dest && x.text == y.text &&
			(x.ref == nil) == (y.ref == nil) && (x.ref == nil || *x.ref == *y.ref)
	})
}

// startsBy returns the number of the first of spans that start at or
// before to, as a reader that has read to that far holds them.
func startsBy[T any](spans []T, start func(T) int, to int) int {
	n := 0
	for n < len(spans) && start(spans[n]) <= to {
		n++
	}
	return n
}

// TestMarkScanPausedReadsAsOneRead: a markScan paused at any offset and
// resumed gives the marks of one read of the text, and the marks it
// holds that start before known are those of one read.
func TestMarkScanPausedReadsAsOneRead(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, s := range lazyTexts(rng, 300) {
		want, wantNested := markupNested(s)
		ms := startMarkup(s)
		for stop := 0; ms.i < len(s); {
			stop += 1 + rng.Intn(64)
			ms.scan(stop)
			known := ms.known()
			before := func(out []mark) []mark {
				return slices.DeleteFunc(slices.Clone(out), func(m mark) bool { return m.span[0] >= known })
			}
			if got, w := before(ms.out), before(want); !sameMarks(got, w) {
				t.Fatalf("%q paused at %d: marks before %d\ngot  %v\nwant %v", s, ms.i, known, got, w)
			}
		}
		if !sameMarks(ms.out, want) || !sameMarks(ms.nested(), wantNested) {
			t.Fatalf("%q: resumed read\ngot  %v %v\nwant %v %v", s, ms.out, ms.nested(), want, wantNested)
		}
	}
}

// TestKeptReaderReadsAsReadAll: a keptReader advanced in steps holds,
// after each, a prefix of what reading all of the text first gives, with
// every span that starts at or before where it was advanced to, and at
// the end all of it; also where it knows a URL (lazyKnownURL) to keep
// whole.
func TestKeptReaderReadsAsReadAll(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	span := func(sp [2]int) int { return sp[0] }
	markStart := func(m mark) int { return m.span[0] }
	for n, s := range lazyTexts(rng, 300) {
		var known []string
		if n%2 == 1 {
			known = []string{lazyKnownURL}
		}
		urls, whole, refs := keptMarksReadAll(s, known...)
		if known == nil {
			if u, w, r := keptMarks(s); !slices.Equal(u, urls) || !slices.Equal(w, whole) || !sameMarks(r, refs) {
				t.Fatalf("%q: keptMarks\ngot  %v %v %v\nwant %v %v %v", s, u, w, r, urls, whole, refs)
			}
		}
		kr := newKeptReader(s, known...)
		for to := -1; to < len(s); {
			to += 1 + rng.Intn(300)
			kr.advance(to)
			for _, c := range []struct {
				name      string
				got, want int
				prefix    bool
			}{
				{"urls", len(kr.urls), startsBy(urls, span, to), slices.Equal(kr.urls, urls[:min(len(kr.urls), len(urls))])},
				{"whole", len(kr.whole), startsBy(whole, span, to), slices.Equal(kr.whole, whole[:min(len(kr.whole), len(whole))])},
				{"refs", len(kr.refs), startsBy(refs, markStart, to), sameMarks(kr.refs, refs[:min(len(kr.refs), len(refs))])},
			} {
				if !c.prefix || c.got < c.want {
					t.Fatalf("%q advanced to %d: %s holds %d (a prefix: %v), want at least the %d that start by then",
						s, to, c.name, c.got, c.prefix, c.want)
				}
			}
		}
		if !slices.Equal(kr.urls, urls) || !slices.Equal(kr.whole, whole) || !sameMarks(kr.refs, refs) {
			t.Fatalf("%q: advanced to its end\ngot  %v %v %v\nwant %v %v %v", s, kr.urls, kr.whole, kr.refs, urls, whole, refs)
		}
	}
}

// TestCutterLazyCutsAsReadAll: a cutter that reads the markup of its
// text as far as its cuts go finds the cuts, the heads, the way of
// writing each link, and the fitted cut that a cutter which read all of
// it first finds, asked in the order a fitting asks (the estimate, then
// a search back and forth).
func TestCutterLazyCutsAsReadAll(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, s := range lazyTexts(rng, 200) {
		for _, limit := range []int{20, 100, 280, 700, 2000} {
			lazy, all := newCutter(s), newCutter(s)
			all.read(len(s))
			tooLong := func(dest string) bool { return Runes(dest) > limit/2 }
			builder := func(c *cutter) func(i int) (string, bool) {
				type result struct {
					out  string
					fits bool
				}
				done := map[int]result{}
				render := func(i int) (string, bool) {
					out := c.head(i, Ellipsis)
					return out, Runes(out) <= limit
				}
				var build func(i int) (string, bool)
				build = func(i int) (string, bool) {
					if r, ok := done[i]; ok {
						return r.out, r.fits
					}
					out, fits := c.decided(i, tooLong, build, render)
					done[i] = result{out, fits}
					return out, fits
				}
				return build
			}
			if lazy.has(0) != all.has(0) {
				t.Fatalf("%q: has(0) differs", s)
			}
			if !lazy.has(0) {
				continue
			}
			g := min(limit*3/4, len(s))
			for !lazy.has(g) {
				g--
			}
			lazy.prefixes, lazy.estimate = !lazy.referenced(), g
			all.prefixes, all.estimate = !all.referenced(), g
			lb, ab := builder(lazy), builder(all)
			for step := range 40 {
				i := g + rng.Intn(2*step+1) - step
				if i < 0 {
					continue
				}
				if lh, ah := lazy.has(i), all.has(i); lh != ah {
					t.Fatalf("%q: has(%d) = %v, read all %v", s, i, lh, ah)
				} else if !lh {
					continue
				}
				if lazy.cuts[i] != all.cuts[i] {
					t.Fatalf("%q: cut %d at %d, read all at %d", s, i, lazy.cuts[i], all.cuts[i])
				}
				if lh, ah := lazy.head(i, Ellipsis), all.head(i, Ellipsis); lh != ah {
					t.Fatalf("%q: head(%d)\ngot  %q\nwant %q", s, i, lh, ah)
				}
				lo, lok := lb(i)
				ao, aok := ab(i)
				if lo != ao || lok != aok {
					t.Fatalf("%q limit %d: build(%d)\ngot  %q %v\nwant %q %v", s, limit, i, lo, lok, ao, aok)
				}
				if lazy.wordCut(i) != all.wordCut(i) {
					t.Fatalf("%q: wordCut(%d) differs", s, i)
				}
			}
			lo, lat, lok := lazy.search(g, lb)
			ao, aat, aok := all.search(g, ab)
			if lo != ao || lat != aat || lok != aok {
				t.Fatalf("%q limit %d: search\ngot  %q %d %v\nwant %q %d %v", s, limit, lo, lat, lok, ao, aat, aok)
			}
		}
	}
}

// TestRenderFitLongTextsAsReadAll: RenderFit of long bodies, whose markup
// it reads as far as its cuts go, gives what referenceFit gives, which
// reads all of it first.
func TestRenderFitLongTextsAsReadAll(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	texts := lazyTexts(rng, 40)
	if testing.Short() {
		texts = texts[:24]
	}
	for k, body := range texts {
		u := broadcast.Update{Title: "CDN errors", Status: broadcast.StatusMonitoring, Body: body,
			URL: "https://status.example.com/i/1"}
		if u.Validate() != nil {
			continue
		}
		name := []string{"short", "markdown"}[k%2]
		e, err := Default().lookup(name, u.Status)
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{100, 280, 500 + rng.Intn(1500)} {
			m := []Measure{xWeight, Runes}[rng.Intn(2)]
			want, wantErr := referenceFit(e, u.Clean(), limit, m)
			got, err := Default().RenderFit(name, u, limit, m)
			if got != want || (err == nil) != (wantErr == nil) {
				t.Fatalf("%s, limit %d, body %q:\ngot  %q (%v)\nwant %q (%v)", name, limit, body, got, err, want, wantErr)
			}
		}
	}
}
