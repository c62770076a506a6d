package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// indentedBody holds lines indented with spaces and tabs: after a blank
// line, four columns of indentation start a CommonMark indented code block,
// which shows its text in a monospace box with the backslashes of every
// escape, and inside a paragraph CommonMark drops the indentation.
const indentedBody = "Run these steps:\n\n    - curl https://status.example.com/check\n\tsystemctl restart *edge*\n" +
	"  then wait\n\n      1. again\n\n\t  # done"

// TestIndentationIsNoCodeBlock: a body's indentation keeps its look and
// meaning in each flavour. CommonMark (markdown) reads four columns of
// indentation as code, so its indentation is written as no-break spaces,
// one per column (a tab to the next multiple of four), which CommonMark
// does not read as indentation and which keep the look; the plain text
// keeps the body as written.
func TestIndentationIsNoCodeBlock(t *testing.T) {
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Body: indentedBody,
		Advice:     "Either\n    retry later\n\tor use the EU endpoint",
		Components: []broadcast.Component{{Name: "    DB", Status: broadcast.ComponentMajorOutage}}}

	md, err := templates.Default().Render("markdown", u)
	require.NoError(t, err)
	for _, l := range strings.Split(md, "\n") {
		assert.False(t, strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t"),
			"a markdown line starts with indentation CommonMark reads: %q", l)
	}
	const nb = "\u00a0"
	for _, want := range []string{
		strings.Repeat(nb, 4) + `\- curl https://status.example.com/check`,
		strings.Repeat(nb, 4) + `systemctl restart \*edge\*`,
		strings.Repeat(nb, 2) + "then wait",
		strings.Repeat(nb, 6) + `1\. again`,
		strings.Repeat(nb, 6) + `\# done`,
		"**What you can do:** Either\n" + strings.Repeat(nb, 4) + "retry later\n" + strings.Repeat(nb, 4) + "or use",
		// Five spaces after a list marker start a code block in the item.
		"\n- " + strings.Repeat(nb, 4) + "DB: Major outage",
	} {
		assert.Contains(t, md, want)
	}

	text, err := templates.Default().Render("text", u)
	require.NoError(t, err)
	assert.Contains(t, text, indentedBody, "plain text keeps the body as written")

	// The md function is what a template of one's own uses.
	set, err := templates.Default().With("mine", "{{md .Body}}")
	require.NoError(t, err)
	got, err := set.Render("mine", broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Body: "\tcode?"})
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat(nb, 4)+"code?", got)
}

// TestIndentationInHTML: HTML collapses the spaces that begin a line, so
// the html template writes a body's and an advice's indentation as
// no-break spaces, as the markdown one does.
func TestIndentationInHTML(t *testing.T) {
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Body: indentedBody,
		Advice: "Either\n    retry later"}
	page, err := templates.Default().Render("html", u)
	require.NoError(t, err)
	const nb = "\u00a0"
	for _, want := range []string{
		">" + strings.Repeat(nb, 4) + "- curl https://status.example.com/check<br>" + strings.Repeat(nb, 4) + "systemctl restart *edge*<br>" +
			strings.Repeat(nb, 2) + "then wait</p>",
		">" + strings.Repeat(nb, 6) + "1. again</p>",
		">" + strings.Repeat(nb, 6) + "# done</p>",
		"Either<br>" + strings.Repeat(nb, 4) + "retry later</p>",
	} {
		assert.Contains(t, page, want)
	}

	set, err := templates.Default().With("mine", "{{indent .Body}}")
	require.NoError(t, err)
	got, err := set.Render("mine", broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Body: "a\n \tb c\n  d"})
	require.NoError(t, err)
	assert.Equal(t, "a\n"+strings.Repeat(nb, 4)+"b c\n"+nb+nb+"d", got)
	set, err = templates.Default().With("crlf", `{{range lines (indent "a\r\n b\r c")}}[{{.}}]{{end}}`)
	require.NoError(t, err)
	got, err = set.Render("crlf", broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating})
	require.NoError(t, err)
	assert.Equal(t, "[a]["+nb+"b]["+nb+"c]", got, "a CR or CR LF ends a line too")
}

// A URL that begins an indented line is written as an autolink, "<URL>":
// GitHub-flavoured markdown links a bare URL only after white space or the
// start of a line, and a no-break space (the indentation, see
// TestIndentationIsNoCodeBlock) is neither, so the URL would show as text.
// A URL after a word stays bare.
func TestIndentedURLStaysALink(t *testing.T) {
	set, err := templates.Default().With("mine", "{{md .Body}}")
	require.NoError(t, err)
	const nb = "\u00a0"
	for body, want := range map[string]string{
		"Status:\n    https://status.example.com/a":   "Status:\n" + strings.Repeat(nb, 4) + "<https://status.example.com/a>",
		"\thttps://status.example.com/b, then retry":  strings.Repeat(nb, 4) + "<https://status.example.com/b>, then retry",
		"\u00a0https://status.example.com/e":          nb + "<https://status.example.com/e>",
		"  see https://status.example.com/c":          strings.Repeat(nb, 2) + "see https://status.example.com/c",
		"https://status.example.com/d\n  unindented?": "https://status.example.com/d\n" + strings.Repeat(nb, 2) + "unindented?",
	} {
		got, err := set.Render("mine", broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Body: body})
		require.NoError(t, err)
		assert.Equal(t, want, got, "%q", body)
	}
}
