package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// assertLinkWhole asserts that no form of s cut at any limit shows
// "alpha" without "omega": the link between them is kept or left out
// whole.
func assertLinkWhole(t *testing.T, s string) {
	t.Helper()
	for form, outs := range cutForms(t, s) {
		for _, out := range outs {
			if strings.Contains(out, "alpha") && !assert.Contains(t, out, "omega", "%s of %q: the link cut", form, s) {
				break
			}
		}
	}
}

// assertCutBetween asserts that every form of s has a limit whose cut
// shows "alpha" without "omega": nothing between them is kept whole.
func assertCutBetween(t *testing.T, s string) {
	t.Helper()
	for form, outs := range cutForms(t, s) {
		cut := false
		for _, out := range outs {
			cut = cut || strings.Contains(out, "alpha") && !strings.Contains(out, "omega")
		}
		assert.True(t, cut, "%s of %q: no cut between alpha and omega", form, s)
	}
}

// cutForms cuts text s at every limit that keeps some of it, in every
// form the package writes a text in: Shorten (as Text cuts an override),
// and RenderFit of each default template that shows the body, with s as
// the body (the body is cut before a template escapes it). It returns
// what each form shows of s at each limit, named by the form.
func cutForms(t *testing.T, s string) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for limit := 1; limit <= templates.Runes(s); limit++ {
		got["Shorten"] = append(got["Shorten"], templates.Shorten(s, limit, templates.Runes))
	}
	u := representative(broadcast.StatusInvestigating)
	u.Components, u.Body = nil, s
	for _, name := range []string{"short", "text", "markdown", "html"} {
		full, err := templates.Default().Render(name, u)
		require.NoError(t, err)
		empty := u
		empty.Body = ""
		none, err := templates.Default().Render(name, empty)
		require.NoError(t, err)
		for limit := templates.Runes(none) + 1; limit < templates.Runes(full); limit++ {
			out, err := templates.Default().RenderFit(name, u, limit, templates.Runes)
			require.NoError(t, err, "%s at %d", name, limit)
			got[name] = append(got[name], out)
		}
	}
	return got
}

// TestShortenLinkOverLazyLine: a line without the ">" of the block quote
// whose paragraph the line before continues that paragraph (a lazy
// continuation line, CommonMark 0.31.2, 5.1), and so does a line that
// comes before the ">" again, or a line of "=" or "-" there, which is no
// setext underline (example 93); a line not indented to a list item's
// text continues the item's paragraph alike (5.2), and so does a nested
// ordered list's item numbered other than 1 ("2."), which interrupts no
// paragraph: a link over such lines is one, kept or left out whole in
// every form. Before, such a line ended the paragraph, or the one after
// it did ("> Intro [alpha\nbeta\n> omega](…)"), and a cut fell between
// alpha and omega.
func TestShortenLinkOverLazyLine(t *testing.T) {
	for _, s := range []string{
		"> Intro [alpha\nbeta\n> omega](https://x.example/a) and more words after it",
		">> Intro [alpha\n> beta\n>> omega](https://x.example/a) and more words after it",
		"> Intro [alpha\nbeta\n===\nomega](https://x.example/a) and more words after it",
		"> Intro [alpha\n===\nomega](https://x.example/a) and more words after it",
		"> Intro [alpha\n--\nomega](https://x.example/a) and more words after it",
		"- Intro [alpha\n===\nomega](https://x.example/a) and more words after it",
		"- Intro [alpha\n  2. omega](https://x.example/a) and more words after it",
	} {
		assertLinkWhole(t, s)
	}
}

// TestShortenLinkEndsAtNestedItem: a list item indented four columns or
// more is one when its indentation reaches the text of the list item
// whose paragraph the line before continues, as a nested item under
// "10. " (whose text starts at column 4) or "- " (CommonMark 0.31.2,
// 5.2, 5.3), and it interrupts that paragraph; so does a line of a block
// quote's ">" alone, a blank line in the quote (5.1). A "[" before such
// a line opens no link with a "](…)" after it, and a cut may fall
// between alpha and omega in every form. Before, such a line was read as
// the paragraph's, and the link kept or left out whole.
func TestShortenLinkEndsAtNestedItem(t *testing.T) {
	for _, s := range []string{
		"10. Intro [alpha\n    - omega](https://x.example/a) and more words after it",
		"- Intro [alpha\n    - omega](https://x.example/a) and more words after it",
		"1.  Intro [alpha\n    * omega](https://x.example/a) and more words after it",
		"- Intro [alpha\n\t- omega](https://x.example/a) and more words after it",
		"> - Intro [alpha\n>     - omega](https://x.example/a) and more words after it",
		"> Intro [alpha\n>\n> omega](https://x.example/a) and more words after it",
	} {
		assertCutBetween(t, s)
	}
}

// TestShortenEmailAutolinkWhole: an e-mail autolink, "<address>"
// (CommonMark 0.31.2, 6.5), is kept or left out whole, as a URI autolink
// is, in every form; one whose domain has no dot is no dotted run that
// keeps it whole otherwise. Before, a cut fell inside it
// ("Write <incidentresponseteamlead@mai…").
func TestShortenEmailAutolinkWhole(t *testing.T) {
	const address = "incidentresponseteamlead@mailhost"
	s := "Write <" + address + "> for help, and more words after it"
	for form, outs := range cutForms(t, s) {
		for _, out := range outs {
			if strings.Contains(out, "incidentresp") && !assert.Contains(t, out, address, "%s: the autolink cut", form) {
				break
			}
		}
	}
}

// TestShortenLinkOverTabAfterQuote: a tab after a block quote's ">"
// gives the marker's optional space one column of it and the rest, up to
// its tab stop, is indentation (CommonMark 0.31.2, 2.2 and 5.1: tabs
// behave as spaces to a tab stop of 4 where they make block structure),
// so ">\t" indents what follows by two columns, " >\t" and ">>\t" by
// one: a line indented so continues the paragraph of the line before
// (a "2." within a list item's text, or four columns in, where it starts
// no block), and a link over it is one, kept or left out whole in every
// form. Before, the whole tab was the marker's space and the columns
// after it were counted from 0, and a cut fell between alpha and omega.
func TestShortenLinkOverTabAfterQuote(t *testing.T) {
	const rest = "omega](https://x.example/a) and more words after it"
	for _, s := range []string{
		">\t- Intro [alpha\n>\t  " + rest,
		"> - Intro [alpha\n>\t 2. " + rest,
		">>\tIntro [alpha\n>\t  2. " + rest,
		" >\tIntro [alpha\n>\t  - " + rest,
		"> Intro [alpha\n>\t  >\t- " + rest,
		">\t- Intro [alpha\n>   ===\n" + rest,
		"1.\tIntro [alpha\n    2. " + rest,
	} {
		assertLinkWhole(t, s)
	}
}

// TestShortenLinkEndsAtTabColumn: the columns a tab reaches are counted
// from the column it starts at, after a block quote's ">" and a list
// item's marker too: the text of "-\t" or "1.\t" starts at column 4, and
// ">\t- " at column 4 of the quote, so a line indented less there is
// outside the item (another item of the list), and a "- " or "#"
// indented to it, or two columns into a quote by "> \t", starts a block:
// each ends the paragraph, a "[" before it opens no link with a "](…)"
// after it, and a cut may fall between alpha and omega in every form.
// Before, the text column was misread and the line was read as the
// paragraph's, the link kept or left out whole.
func TestShortenLinkEndsAtTabColumn(t *testing.T) {
	const rest = "omega](https://x.example/a) and more words after it"
	for _, s := range []string{
		">\t- Intro [alpha\n>   2. " + rest,
		"-\tIntro [alpha\n  \t- " + rest,
		"-\tIntro [alpha\n    ===\n" + rest,
		"1.\t[alpha\n\t- " + rest,
		"1.\t[alpha\n    # " + rest,
		"> Intro [alpha\n> \t# " + rest,
		">>\tIntro [alpha\n>  \t# " + rest,
	} {
		assertCutBetween(t, s)
	}
}
