package templates

import (
	"slices"
	"testing"
)

// TestMarkupReferenceSpecExamples: what the link reader takes as a link
// reference definition, a reference link or image (and an inline one
// among them), and where each ends, on the examples of CommonMark
// 0.31.2's "Link reference definitions" (192 to 218), the reference
// links of "Links" (527 to 571) and "Images" (573 to 593), and the other
// examples with a definition (23, 33, 317). want are the marks' texts, in
// order, as the spec's HTML output has them: a definition is one when the
// HTML shows no text of it, a link or image one when the HTML has an "a"
// or "img" for it, from its "[" or "![" to the end of its label. Example
// 537's "[ref]" is in a code span, no link to CommonMark: what a code
// span holds is read on its own, its links kept whole (see markup),
// which keeps only more text whole.
func TestMarkupReferenceSpecExamples(t *testing.T) {
	for _, c := range []struct {
		example int
		s       string
		want    []string
	}{
		{23, "[foo]\n\n[foo]: /bar\\* \"ti\\*tle\"\n", []string{"[foo]", "[foo]: /bar\\* \"ti\\*tle\""}},
		{33, "[foo]\n\n[foo]: /f&ouml;&ouml; \"f&ouml;&ouml;\"\n", []string{"[foo]", "[foo]: /f&ouml;&ouml; \"f&ouml;&ouml;\""}},
		{192, "[foo]: /url \"title\"\n\n[foo]\n", []string{"[foo]: /url \"title\"", "[foo]"}},
		{193, "   [foo]: \n      /url  \n           'the title'  \n\n[foo]\n", []string{"[foo]: \n      /url  \n           'the title'  ", "[foo]"}},
		{194, "[Foo*bar\\]]:my_(url) 'title (with parens)'\n\n[Foo*bar\\]]\n", []string{"[Foo*bar\\]]:my_(url) 'title (with parens)'", "[Foo*bar\\]]"}},
		{195, "[Foo bar]:\n<my url>\n'title'\n\n[Foo bar]\n", []string{"[Foo bar]:\n<my url>\n'title'", "[Foo bar]"}},
		{196, "[foo]: /url '\ntitle\nline1\nline2\n'\n\n[foo]\n", []string{"[foo]: /url '\ntitle\nline1\nline2\n'", "[foo]"}},
		{197, "[foo]: /url 'title\n\nwith blank line'\n\n[foo]\n", []string{}},
		{198, "[foo]:\n/url\n\n[foo]\n", []string{"[foo]:\n/url", "[foo]"}},
		{199, "[foo]:\n\n[foo]\n", []string{}},
		{200, "[foo]: <>\n\n[foo]\n", []string{"[foo]: <>", "[foo]"}},
		{201, "[foo]: <bar>(baz)\n\n[foo]\n", []string{}},
		{202, "[foo]: /url\\bar\\*baz \"foo\\\"bar\\baz\"\n\n[foo]\n", []string{"[foo]: /url\\bar\\*baz \"foo\\\"bar\\baz\"", "[foo]"}},
		{203, "[foo]\n\n[foo]: url\n", []string{"[foo]", "[foo]: url"}},
		{204, "[foo]\n\n[foo]: first\n[foo]: second\n", []string{"[foo]", "[foo]: first", "[foo]: second"}},
		{205, "[FOO]: /url\n\n[Foo]\n", []string{"[FOO]: /url", "[Foo]"}},
		{206, "[ΑΓΩ]: /φου\n\n[αγω]\n", []string{"[ΑΓΩ]: /φου", "[αγω]"}},
		{207, "[foo]: /url\n", []string{"[foo]: /url"}},
		{208, "[\nfoo\n]: /url\nbar\n", []string{"[\nfoo\n]: /url"}},
		{209, "[foo]: /url \"title\" ok\n", []string{}},
		{210, "[foo]: /url\n\"title\" ok\n", []string{"[foo]: /url"}},
		{211, "    [foo]: /url \"title\"\n\n[foo]\n", []string{}},
		{212, "```\n[foo]: /url\n```\n\n[foo]\n", []string{}},
		{213, "Foo\n[bar]: /baz\n\n[bar]\n", []string{}},
		{214, "# [Foo]\n[foo]: /url\n> bar\n", []string{"[Foo]", "[foo]: /url"}},
		{215, "[foo]: /url\nbar\n===\n[foo]\n", []string{"[foo]: /url", "[foo]"}},
		{216, "[foo]: /url\n===\n[foo]\n", []string{"[foo]: /url", "[foo]"}},
		{217, "[foo]: /foo-url \"foo\"\n[bar]: /bar-url\n  \"bar\"\n[baz]: /baz-url\n\n[foo],\n[bar],\n[baz]\n", []string{"[foo]: /foo-url \"foo\"", "[bar]: /bar-url\n  \"bar\"", "[baz]: /baz-url", "[foo]", "[bar]", "[baz]"}},
		{218, "[foo]\n\n> [foo]: /url\n", []string{"[foo]", "[foo]: /url"}},
		{317, "- a\n- b\n\n  [ref]: /url\n- d\n", []string{"[ref]: /url"}},
		{527, "[foo][bar]\n\n[bar]: /url \"title\"\n", []string{"[foo][bar]", "[bar]: /url \"title\""}},
		{528, "[link [foo [bar]]][ref]\n\n[ref]: /uri\n", []string{"[link [foo [bar]]][ref]", "[ref]: /uri"}},
		{529, "[link \\[bar][ref]\n\n[ref]: /uri\n", []string{"[link \\[bar][ref]", "[ref]: /uri"}},
		{530, "[link *foo **bar** `#`*][ref]\n\n[ref]: /uri\n", []string{"[link *foo **bar** `#`*][ref]", "[ref]: /uri"}},
		{531, "[![moon](moon.jpg)][ref]\n\n[ref]: /uri\n", []string{"[![moon](moon.jpg)][ref]", "[ref]: /uri"}},
		{532, "[foo [bar](/uri)][ref]\n\n[ref]: /uri\n", []string{"[bar](/uri)", "[ref]", "[ref]: /uri"}},
		{533, "[foo *bar [baz][ref]*][ref]\n\n[ref]: /uri\n", []string{"[baz][ref]", "[ref]", "[ref]: /uri"}},
		{534, "*[foo*][ref]\n\n[ref]: /uri\n", []string{"[foo*][ref]", "[ref]: /uri"}},
		{535, "[foo *bar][ref]*\n\n[ref]: /uri\n", []string{"[foo *bar][ref]", "[ref]: /uri"}},
		{536, "[foo <bar attr=\"][ref]\">\n\n[ref]: /uri\n", []string{"[ref]: /uri"}},
		{537, "[foo`][ref]`\n\n[ref]: /uri\n", []string{"[ref]", "[ref]: /uri"}},
		{538, "[foo<https://example.com/?search=][ref]>\n\n[ref]: /uri\n", []string{"<https://example.com/?search=][ref]>", "[ref]: /uri"}},
		{539, "[foo][BaR]\n\n[bar]: /url \"title\"\n", []string{"[foo][BaR]", "[bar]: /url \"title\""}},
		{540, "[ẞ]\n\n[SS]: /url\n", []string{"[ẞ]", "[SS]: /url"}},
		{541, "[Foo\n  bar]: /url\n\n[Baz][Foo bar]\n", []string{"[Foo\n  bar]: /url", "[Baz][Foo bar]"}},
		{542, "[foo] [bar]\n\n[bar]: /url \"title\"\n", []string{"[bar]", "[bar]: /url \"title\""}},
		{543, "[foo]\n[bar]\n\n[bar]: /url \"title\"\n", []string{"[bar]", "[bar]: /url \"title\""}},
		{544, "[foo]: /url1\n\n[foo]: /url2\n\n[bar][foo]\n", []string{"[foo]: /url1", "[foo]: /url2", "[bar][foo]"}},
		{545, "[bar][foo\\!]\n\n[foo!]: /url\n", []string{"[foo!]: /url"}},
		{546, "[foo][ref[]\n\n[ref[]: /uri\n", []string{}},
		{547, "[foo][ref[bar]]\n\n[ref[bar]]: /uri\n", []string{}},
		{548, "[[[foo]]]\n\n[[[foo]]]: /url\n", []string{}},
		{549, "[foo][ref\\[]\n\n[ref\\[]: /uri\n", []string{"[foo][ref\\[]", "[ref\\[]: /uri"}},
		{550, "[bar\\\\]: /uri\n\n[bar\\\\]\n", []string{"[bar\\\\]: /uri", "[bar\\\\]"}},
		{551, "[]\n\n[]: /uri\n", []string{}},
		{552, "[\n ]\n\n[\n ]: /uri\n", []string{}},
		{553, "[foo][]\n\n[foo]: /url \"title\"\n", []string{"[foo][]", "[foo]: /url \"title\""}},
		{554, "[*foo* bar][]\n\n[*foo* bar]: /url \"title\"\n", []string{"[*foo* bar][]", "[*foo* bar]: /url \"title\""}},
		{555, "[Foo][]\n\n[foo]: /url \"title\"\n", []string{"[Foo][]", "[foo]: /url \"title\""}},
		{556, "[foo] \n[]\n\n[foo]: /url \"title\"\n", []string{"[foo]", "[foo]: /url \"title\""}},
		{557, "[foo]\n\n[foo]: /url \"title\"\n", []string{"[foo]", "[foo]: /url \"title\""}},
		{558, "[*foo* bar]\n\n[*foo* bar]: /url \"title\"\n", []string{"[*foo* bar]", "[*foo* bar]: /url \"title\""}},
		{559, "[[*foo* bar]]\n\n[*foo* bar]: /url \"title\"\n", []string{"[*foo* bar]", "[*foo* bar]: /url \"title\""}},
		{560, "[[bar [foo]\n\n[foo]: /url\n", []string{"[foo]", "[foo]: /url"}},
		{561, "[Foo]\n\n[foo]: /url \"title\"\n", []string{"[Foo]", "[foo]: /url \"title\""}},
		{562, "[foo] bar\n\n[foo]: /url\n", []string{"[foo]", "[foo]: /url"}},
		{563, "\\[foo]\n\n[foo]: /url \"title\"\n", []string{"[foo]: /url \"title\""}},
		{564, "[foo*]: /url\n\n*[foo*]\n", []string{"[foo*]: /url", "[foo*]"}},
		{565, "[foo][bar]\n\n[foo]: /url1\n[bar]: /url2\n", []string{"[foo][bar]", "[foo]: /url1", "[bar]: /url2"}},
		{566, "[foo][]\n\n[foo]: /url1\n", []string{"[foo][]", "[foo]: /url1"}},
		{567, "[foo]()\n\n[foo]: /url1\n", []string{"[foo]()", "[foo]: /url1"}},
		{568, "[foo](not a link)\n\n[foo]: /url1\n", []string{"[foo]", "[foo]: /url1"}},
		{569, "[foo][bar][baz]\n\n[baz]: /url\n", []string{"[bar][baz]", "[baz]: /url"}},
		{570, "[foo][bar][baz]\n\n[baz]: /url1\n[bar]: /url2\n", []string{"[foo][bar]", "[baz]", "[baz]: /url1", "[bar]: /url2"}},
		{571, "[foo][bar][baz]\n\n[baz]: /url1\n[foo]: /url2\n", []string{"[bar][baz]", "[baz]: /url1", "[foo]: /url2"}},
		{573, "![foo *bar*]\n\n[foo *bar*]: train.jpg \"train & tracks\"\n", []string{"![foo *bar*]", "[foo *bar*]: train.jpg \"train & tracks\""}},
		{576, "![foo *bar*][]\n\n[foo *bar*]: train.jpg \"train & tracks\"\n", []string{"![foo *bar*][]", "[foo *bar*]: train.jpg \"train & tracks\""}},
		{577, "![foo *bar*][foobar]\n\n[FOOBAR]: train.jpg \"train & tracks\"\n", []string{"![foo *bar*][foobar]", "[FOOBAR]: train.jpg \"train & tracks\""}},
		{582, "![foo][bar]\n\n[bar]: /url\n", []string{"![foo][bar]", "[bar]: /url"}},
		{583, "![foo][bar]\n\n[BAR]: /url\n", []string{"![foo][bar]", "[BAR]: /url"}},
		{584, "![foo][]\n\n[foo]: /url \"title\"\n", []string{"![foo][]", "[foo]: /url \"title\""}},
		{585, "![*foo* bar][]\n\n[*foo* bar]: /url \"title\"\n", []string{"![*foo* bar][]", "[*foo* bar]: /url \"title\""}},
		{586, "![Foo][]\n\n[foo]: /url \"title\"\n", []string{"![Foo][]", "[foo]: /url \"title\""}},
		{587, "![foo] \n[]\n\n[foo]: /url \"title\"\n", []string{"![foo]", "[foo]: /url \"title\""}},
		{588, "![foo]\n\n[foo]: /url \"title\"\n", []string{"![foo]", "[foo]: /url \"title\""}},
		{589, "![*foo* bar]\n\n[*foo* bar]: /url \"title\"\n", []string{"![*foo* bar]", "[*foo* bar]: /url \"title\""}},
		{590, "![[foo]]\n\n[[foo]]: /url \"title\"\n", []string{}},
		{591, "![Foo]\n\n[foo]: /url \"title\"\n", []string{"![Foo]", "[foo]: /url \"title\""}},
		{592, "!\\[foo]\n\n[foo]: /url \"title\"\n", []string{"[foo]: /url \"title\""}},
		{593, "\\![foo]\n\n[foo]: /url \"title\"\n", []string{"[foo]", "[foo]: /url \"title\""}},
	} {
		var got []string
		for _, m := range markup(c.s) {
			got = append(got, c.s[m.span[0]:m.span[1]])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("example %d, %q: marks %q, want %q", c.example, c.s, got, c.want)
		}
	}
}

// TestMarkupReferenceAfterUnderline: a setext heading's underline, or a
// thematic break, ends its block on its line, so that a link reference
// definition on the next line starts a paragraph (CommonMark 0.31.2, 4.1,
// 4.3, 4.7); an underline right after the definitions a paragraph starts
// with underlines nothing (example 216): "===", "--" or "-" is text of the
// paragraph, so no definition follows it there, and "---" a thematic
// break, after which one does. Checked against goldmark, but for "-"
// there, an empty list item to goldmark, text to cmark, which also reads
// "---" there as text. Before, the line after an underline or
// a thematic break went on the paragraph of that line, so "[x]: /u" there
// was no definition, and "[x]" no link.
func TestMarkupReferenceAfterUnderline(t *testing.T) {
	for _, c := range []struct {
		s    string
		want []string
	}{
		{"bar\n===\n[x]: /u\n\n[x]\n", []string{"[x]: /u", "[x]"}},
		{"bar\n---\n[x]: /u\n\n[x]\n", []string{"[x]: /u", "[x]"}},
		{"bar\n-\n[x]: /u\n\n[x]\n", []string{"[x]: /u", "[x]"}},
		{"> bar\n> ===\n> [x]: /u\n\n[x]\n", []string{"[x]: /u", "[x]"}},
		{"***\n[x]: /u\n\n[x]\n", []string{"[x]: /u", "[x]"}},
		{"bar\n\n- - -\n[x]: /u\n\n[x]\n", []string{"[x]: /u", "[x]"}},
		{"[a]: /u\n===\n[b]: /v\n\n[b]\n", []string{"[a]: /u"}},
		{"[a]: /u\n--\n[b]: /v\n\n[b]\n", []string{"[a]: /u"}},
		{"[a]: /u\n-\n[b]: /v\n\n[b]\n", []string{"[a]: /u"}},
		{"[a]: /u\r\n===\r\n[b]: /v\r\n\r\n[b]\r\n", []string{"[a]: /u"}},
		{"[a]: /u\n---\n[b]: /v\n\n[b]\n", []string{"[a]: /u", "[b]: /v", "[b]"}},
		{"[a]: /u\nbar\n===\n[b]: /v\n\n[b]\n", []string{"[a]: /u", "[b]: /v", "[b]"}},
		{"> bar\n===\n[x]: /u\n\n[x]\n", nil}, // a lazy "===" is text
	} {
		var got []string
		for _, m := range markup(c.s) {
			got = append(got, c.s[m.span[0]:m.span[1]])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: marks %q, want %q", c.s, got, c.want)
		}
	}
}
