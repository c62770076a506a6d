package templates

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/outagecast/outagecast/broadcast"
)

// referenceFit is RenderFit done the slow, plain way: every variant
// rendered from the update and measured whole, a binary search over all
// the cuts of the text, each inline link or image it keeps, and each
// reference one it keeps without its definition, written as decided going
// through every cut in order.
func referenceFit(e *entry, u broadcast.Update, limit int, m Measure) (string, error) {
	full, err := e.render(u)
	if err != nil || limit <= 0 || m(full) <= limit {
		return full, err
	}
	all := len(u.Components)
	fits := func(u broadcast.Update) (string, bool) {
		out, err := e.execute(newData(u).leftOut(all))
		return out, err == nil && m(out) <= limit
	}
	cut := func(u broadcast.Update, text string, set func(*broadcast.Update, string), orNone bool) (string, bool) {
		c := newCutter(text)
		if c.all() == 0 {
			return "", false
		}
		// Every cut in order: the inline links it keeps first, and the
		// reference links it keeps first without their definitions, are
		// written inline, unless a reference one's destination alone is
		// too long, and all as their text alone when the cut, with the
		// links before written as decided, does not fit so.
		c.refAs = make([]uint8, len(c.refs))
		for i := 1; i < len(c.cuts); i++ {
			var fresh []int
			for k, r := range c.refs {
				if relinks(r, c.cuts[i]) && c.refAs[k] == refUndecided {
					fresh = append(fresh, k)
				}
			}
			if len(fresh) == 0 {
				continue
			}
			inline := false
			for _, k := range fresh {
				r := c.refs[k]
				c.refAs[k] = refInline
				if r.ref != nil && m(text[r.ref.raw[0]:r.ref.raw[1]]) > limit {
					c.refAs[k] = refAlone
				}
				inline = inline || c.refAs[k] == refInline
			}
			v := u
			set(&v, c.head(i, Ellipsis))
			if _, ok := fits(v); !ok && inline {
				for _, k := range fresh {
					c.refAs[k] = refAlone
				}
			}
		}
		return c.fit(func(i int) (string, bool) {
			v := u
			if i == 0 && orNone {
				set(&v, "")
			} else {
				set(&v, c.head(i, Ellipsis))
			}
			return fits(v)
		})
	}
	body := func(v *broadcast.Update, s string) { v.Body = s }
	if out, ok := cut(u, u.Body, body, true); ok {
		return out, nil
	}
	v := u
	v.Components = nil
	for k := all - 1; k > 0; k-- { // the most components that fit without the body
		w := u
		w.Body, w.Components = "", u.Components[:k]
		if _, ok := fits(w); ok {
			v.Components = w.Components
			break
		}
	}
	if out, ok := fits(v); ok {
		return out, nil
	}
	if out, ok := cut(v, v.Body, body, true); ok {
		return out, nil
	}
	v.Body, v.Components = "", nil
	if out, ok := cut(v, v.Advice, func(v *broadcast.Update, s string) { v.Advice = s }, true); ok {
		return out, nil
	}
	v.Advice = ""
	if out, ok := cut(v, oneLine(v.Title), func(v *broadcast.Update, s string) { v.Title = s }, false); ok {
		return out, nil
	}
	v.Title = Ellipsis
	shortest, err := e.render(v)
	if err != nil {
		return "", err
	}
	return Shorten(shortest, limit, m), ErrTooLong
}

var xURL = regexp.MustCompile(`(?i)https?://[^\s<>"]+`)

// xWeight is an X-like Measure: a URL counts 23, CJK and emoji 2.
func xWeight(s string) int {
	n, last := 0, 0
	count := func(s string) {
		for _, r := range s {
			n++
			if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) || r >= 0x1F000 {
				n++
			}
		}
	}
	for _, u := range xURL.FindAllStringIndex(s, -1) {
		count(s[last:u[0]])
		n += 23
		last = u[1]
	}
	count(s[last:])
	return n
}

// TestRenderFitSameAsReference checks that RenderFit, with its guesses,
// galloping and prefix measures, finds exactly what trying every variant
// finds, for every default template, several measures, texts that are
// hard to cut, one component or many, and limits all the way down.
func TestRenderFitSameAsReference(t *testing.T) {
	t.Parallel() // among the package's longest tests; it shares no state
	base := broadcast.Update{
		Title: "Elevated CDN error rates in 東京 👩‍👩‍👧‍👦", Status: broadcast.StatusIdentified, Impact: broadcast.ImpactMajor,
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentMajorOutage}},
		URL:        "https://status.example.com/incidents/42",
		Time:       time.Date(2025, 11, 24, 13, 45, 0, 0, time.UTC),
		NextUpdate: time.Date(2025, 11, 24, 14, 30, 0, 0, time.UTC),
	}
	bodies := []string{
		"We are investigating <elevated> error rates & time-outs on the *CDN* in Europe.\n\nSecond paragraph, with a link https://example.com/a_b and more words after it.",
		"Family 👩‍👩‍👧‍👦 and flags 🇩🇪🇫🇷🇮🇹 and Cafe\u0301 de\u0301ja\u0300 vu. 東京リージョンのデータセンターで障害が発生しています。復旧作業中です。",
		strings.Repeat("We are investigating elevated error rates on the CDN.  ", 60),
		"Supercalifragilisticexpialidocious-without-any-spaces-at-all-here-and-then-some-more",
	}
	// Many components, some with names hard to measure, so that only some
	// of them fit at many limits.
	var many []broadcast.Component
	for i, name := range []string{"CDN", "東京 edge", "Family 👩‍👩‍👧‍👦 API", "Cafe\u0301 *checkout*", "Docs https://docs.example.com/x",
		"A", "Billing <EU> & US", "Supercalifragilisticexpialidocious-service", "B", "Search"} {
		many = append(many, broadcast.Component{Name: name, Status: []broadcast.ComponentStatus{
			broadcast.ComponentMajorOutage, broadcast.ComponentDegraded, broadcast.ComponentPartialOutage}[i%3]})
	}
	measures := map[string]Measure{"bytes": Bytes, "runes": Runes, "graphemes": Graphemes, "x": xWeight}
	for bi, body := range bodies {
		for ai, advice := range []string{"", "Retry with backoff,\nor use the EU endpoint https://eu.example.com/api"} {
			u := base
			u.Body, u.Advice = body, advice
			if (bi+ai)%2 == 0 {
				u.Components = many
			}
			u.Corrects = map[bool]string{true: "u_41"}[bi%2 == 1]
			for _, name := range []string{"short", "markdown", "text", "html", "subject"} {
				e, err := Default().lookup(name, u.Status)
				if err != nil {
					t.Fatal(err)
				}
				full, _ := e.render(u)
				for mname, m := range measures {
					if (name == "html" || name == "text") && mname != "runes" {
						continue // long outputs: one measure is enough
					}
					step := 1 + m(full)/25
					for limit := 1; limit <= m(full)+1; limit += step {
						want, wantErr := referenceFit(e, u, limit, m)
						got, err := Default().RenderFit(name, u, limit, m)
						if got != want || (err == nil) != (wantErr == nil) {
							t.Fatalf("body %d, advice %t, %d components, %s, %s, limit %d:\ngot  %q (%v)\nwant %q (%v)",
								bi, advice != "", len(u.Components), name, mname, limit, got, err, want, wantErr)
						}
					}
				}
			}
		}
	}
}

// TestSearch: from any guess, search finds the index fit finds, and says
// so when nothing fits or there is nothing to cut.
func TestSearch(t *testing.T) {
	text := "Family 👩‍👩‍👧‍👦 flags 🇩🇪🇫🇷 https://s.example/a/b then 東京 more words"
	for limit := -1; limit <= Runes(text)+1; limit++ {
		build := func(c *cutter) func(i int) (string, bool) {
			return func(i int) (string, bool) {
				out := c.head(i, Ellipsis)
				return out, Runes(out) <= limit
			}
		}
		ref := newCutter(text)
		ref.all()
		want, wantOK := ref.fit(build(ref))
		for _, guess := range []int{-3, 0, 1, 5, 20, 39, 40, 41, 1000} {
			c := newCutter(text)
			got, at, ok := c.search(guess, build(c))
			if ok != wantOK || (ok && c.head(at, Ellipsis) != got) {
				t.Fatalf("limit %d, guess %d: search = %q, %d, %v; fit = %q, %v", limit, guess, got, at, ok, want, wantOK)
			}
			if w := c.wordCut(at); ok && w != at {
				if out, fits := build(c)(w); fits {
					got = out
				}
			}
			if got != want {
				t.Fatalf("limit %d, guess %d: search = %q, fit = %q", limit, guess, got, want)
			}
		}
	}
	if _, _, ok := newCutter("").search(3, func(int) (string, bool) { return "", true }); ok {
		t.Error("search of an empty text found a cut")
	}
}

// FuzzRenderFit compares RenderFit with referenceFit on any body, advice,
// limit and number of components, for the short and markdown templates
// and every measure.
func FuzzRenderFit(f *testing.F) {
	f.Add("We are investigating elevated error rates https://example.com/a on the CDN.", "Retry with backoff", 80, false, uint8(0), uint8(1))
	f.Add("Family 👩‍👩‍👧‍👦 東京リージョン e\u0301 (see https://a.example/x) — more", "", 60, true, uint8(3), uint8(1))
	f.Add("We are investigating elevated error rates on the CDN.", "", 150, false, uint8(1), uint8(12))
	// Inline links, one written as its text alone where the link does not
	// fit the room the text before it leaves.
	f.Add("See [status page](https://x.example/incidents/42/timeline) and more words after it to cut here", "", 150, true, uint8(2), uint8(0))
	f.Add("See [status page](https://x.example/incidents/42/timeline) and [the graph](<x https://x.example/g>) then words", "Use [the EU API](https://eu.example.com/api)", 110, false, uint8(0), uint8(0))
	f.Add("![graph](https://x.example/g.png) [see https://a.example/p](https://b.example/q) [a][1] more\n\n[1]: https://c.example/r", "", 90, true, uint8(1), uint8(2))
	// Japanese after a URL or a link with no space.
	f.Add("詳細はhttps://status.example.com/xをご覧ください。現在調査中です。現在調査中です。", "詳細は[こちら](https://status.example.com/y)をご覧ください、再試行", 90, false, uint8(2), uint8(1))
	measures := []Measure{xWeight, Bytes, Runes, Graphemes}
	names := []string{"API", "東京 edge", "Cafe\u0301 *checkout*", "Docs https://docs.example.com/x", "B"}
	f.Fuzz(func(t *testing.T, body, advice string, limit int, markdown bool, which, comps uint8) {
		u := broadcast.Update{Title: "CDN errors", Status: broadcast.StatusMonitoring, Body: body, Advice: advice,
			URL: "https://status.example.com/i/1"}
		for i := range 1 + int(comps)%20 {
			u.Components = append(u.Components, broadcast.Component{Name: names[i%len(names)], Status: broadcast.ComponentDegraded})
		}
		if u.Validate() != nil {
			return
		}
		name := map[bool]string{false: "short", true: "markdown"}[markdown]
		e, err := Default().lookup(name, u.Status)
		if err != nil {
			t.Fatal(err)
		}
		limit %= 400
		m := measures[int(which)%len(measures)]
		want, wantErr := referenceFit(e, u.Clean(), limit, m)
		got, err := Default().RenderFit(name, u, limit, m)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Fatalf("limit %d:\ngot  %q (%v)\nwant %q (%v)", limit, got, err, want, wantErr)
		}
	})
}
