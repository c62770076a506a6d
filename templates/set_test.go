package templates_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

func TestDefaultParses(t *testing.T) {
	set := templates.Default()
	assert.Same(t, set, templates.Default(), "parsed once and shared")
	assert.Equal(t, []string{"html", "markdown", "short", "short.completed", "short.resolved", "subject", "text"}, set.Names())
	for _, name := range set.Names() {
		out, err := set.Render(name, broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating})
		require.NoError(t, err, name)
		assert.Contains(t, out, "T", name)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		render  string
		status  broadcast.Status
		want    string
		wantErr string
	}{
		{"override", fstest.MapFS{"short.tmpl": {Data: []byte("S {{.Title}}")}}, "short", broadcast.StatusInvestigating, "S T", ""},
		{"variant", fstest.MapFS{"short.monitoring.tmpl": {Data: []byte("M {{.Title}}")}}, "short", broadcast.StatusMonitoring, "M T", ""},
		{"variant only for its status", fstest.MapFS{"short.monitoring.tmpl": {Data: []byte("M")}}, "short", broadcast.StatusIdentified, "Identified: T", ""},
		{"added name", fstest.MapFS{"slack.tmpl": {Data: []byte("*{{.Title}}*")}}, "slack", broadcast.StatusInvestigating, "*T*", ""},
		{"other files ignored", fstest.MapFS{"README.md": {Data: []byte("{{")}, "dir/short.tmpl": {Data: []byte("{{")}}, "short", broadcast.StatusInvestigating, "Investigating: T", ""},
		{"hidden files ignored", fstest.MapFS{"._short.tmpl": {Data: []byte("\x00\x05\x16\x07\xff")}, ".#short.tmpl": {Data: []byte("root@host.1234")},
			".short.tmpl": {Data: []byte("{{")}}, "short", broadcast.StatusInvestigating, "Investigating: T", ""},
		{"parse error names file", fstest.MapFS{"text.tmpl": {Data: []byte("{{.Title")}}, "", "", "", "templates: text.tmpl: parse: "},
		{"unknown field names file", fstest.MapFS{"text.tmpl": {Data: []byte("{{.Nope}}")}}, "", "", "", "templates: text.tmpl: check on a sample update, status investigating: "},
		{"bad status variant", fstest.MapFS{"short.fixed.tmpl": {Data: []byte("x")}}, "", "", "", `templates: short.fixed.tmpl: bad template name "short.fixed": "fixed" is not a status`},
		{"bad name", fstest.MapFS{"sh ort.tmpl": {Data: []byte("x")}}, "", "", "", `templates: sh ort.tmpl: bad template name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := templates.New(tt.fsys)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				// The Set of the files New took, without the one it
				// refused: the defaults here.
				require.NotNil(t, set)
				got, err := set.Render("short", broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating})
				require.NoError(t, err)
				assert.Equal(t, "Investigating: T", got)
				return
			}
			require.NoError(t, err)
			got, err := set.Render(tt.render, broadcast.Update{Title: "T", Status: tt.status})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("files taken beside one refused", func(t *testing.T) {
		set, err := templates.New(fstest.MapFS{"custom.tmpl": {Data: []byte("C {{.Title}}")}, "short.tmpl": {Data: []byte("{{.Title}")}})
		require.ErrorContains(t, err, "templates: short.tmpl: parse: ")
		require.NotNil(t, set)
		got, err := set.Render("custom", broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating})
		require.NoError(t, err)
		assert.Equal(t, "C T", got)
		got, err = set.Render("short", broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating})
		require.NoError(t, err)
		assert.Equal(t, "Investigating: T", got, "the default short, as the file was refused")
	})
	t.Run("nil file system", func(t *testing.T) {
		_, err := templates.New(nil)
		assert.EqualError(t, err, "templates: New: nil file system")
	})
}

func TestWith(t *testing.T) {
	base := templates.Default()
	set, err := base.With("short", "{{.Headline}} {{.Title}}")
	require.NoError(t, err)
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating}
	got, err := set.Render("short", u)
	require.NoError(t, err)
	assert.Equal(t, "Investigating T", got)
	orig, err := base.Render("short", u)
	require.NoError(t, err)
	assert.Equal(t, "Investigating: T", orig, "With leaves the receiver unchanged")

	_, err = base.With("subject", "{{if}}")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "templates: subject: parse: ")
	_, err = base.With("", "x")
	assert.ErrorContains(t, err, `bad template name ""`)
}

func TestRenderUnknownName(t *testing.T) {
	_, err := templates.Default().Render("tweet", broadcast.Update{Title: "T", Status: broadcast.StatusResolved})
	require.ErrorIs(t, err, templates.ErrUnknownTemplate)
	assert.EqualError(t, err, `templates: unknown template "tweet"`)
}

func TestRenderExecutionError(t *testing.T) {
	set, err := templates.Default().With("text", `{{index .Components 1}}`)
	require.Error(t, err, "the sample update has one component, so index 1 fails at construction")
	assert.Nil(t, set)
	set, err = templates.Default().With("text", `{{with .Components}}{{(index . 0).Name}}{{end}}`)
	require.NoError(t, err)
	_, err = set.Render("text", broadcast.Update{Title: "T", Status: broadcast.StatusResolved})
	assert.NoError(t, err)
}

// TestConstructionChecksAdvice: the sample update a template is checked
// on at construction sets Advice, which every default template renders, so
// a mistake inside {{with .Advice}} fails in With and New, not in the first
// Render of an update with advice.
func TestConstructionChecksAdvice(t *testing.T) {
	const text = "{{.Title}}{{with .Advice}} {{$.AdviceLable}}: {{.}}{{end}}"
	_, err := templates.Default().With("short", text)
	assert.ErrorContains(t, err, "templates: short: check on a sample update, status investigating: ")
	_, err = templates.New(fstest.MapFS{"text.tmpl": {Data: []byte(text)}})
	assert.ErrorContains(t, err, "templates: text.tmpl: check on a sample update, status investigating: ")
}

func TestRenderDoesNotModifyUpdate(t *testing.T) {
	for _, name := range allNames {
		u := representative(broadcast.StatusInvestigating)
		u.Title = "Multi\nline   title"
		u.Overrides = map[string]string{"x": "y"}
		before := representative(broadcast.StatusInvestigating)
		before.Title = u.Title
		before.Overrides = map[string]string{"x": "y"}
		_, err := templates.Default().Render(name, u)
		require.NoError(t, err)
		_, err = templates.Default().RenderFit(name, u, 40, templates.Runes)
		require.True(t, err == nil || errors.Is(err, templates.ErrTooLong), "%v", err)
		assert.Equal(t, before, u, name)
	}
}

func TestOneLineTemplates(t *testing.T) {
	u := representative(broadcast.StatusIdentified)
	u.Title = "CDN\r\nerrors  in\tEU\n"
	u.Body = "First line.\nSecond line.\r\n\r\nNew paragraph."
	for _, name := range []string{"short", "subject"} {
		got, err := templates.Default().Render(name, u)
		require.NoError(t, err)
		assert.NotContains(t, got, "\n", name)
		assert.NotContains(t, got, "\r", name)
		assert.NotContains(t, got, "  ", name)
		assert.Contains(t, got, "CDN errors in EU", name)
	}
	set, err := templates.Default().With("subject", "{{.Body}}\n\n{{.Body}}")
	require.NoError(t, err)
	got, err := set.Render("subject", u)
	require.NoError(t, err)
	assert.Equal(t, "First line. Second line. New paragraph. First line. Second line. New paragraph.", got)
}

func TestTidyOutput(t *testing.T) {
	set, err := templates.Default().With("text", "\n\n{{.Title}}   \n\n\n\n  indented\t\n{{if false}}x{{end}}\n\n\nend\n\n")
	require.NoError(t, err)
	got, err := set.Render("text", broadcast.Update{Title: "T", Status: broadcast.StatusResolved})
	require.NoError(t, err)
	assert.Equal(t, "T\n\n  indented\n\nend", got)
}

func TestNextUpdateAt(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	tests := []struct {
		name       string
		posted     time.Time
		next       time.Time
		wantInText string
	}{
		{"same day", at("2025-11-24T13:45:00Z"), at("2025-11-24T14:30:00Z"), "Next update by 14:30 UTC."},
		{"other zone, same UTC day", at("2025-11-24T13:45:00Z"), at("2025-11-24T15:30:00+01:00"), "Next update by 14:30 UTC."},
		{"next day", at("2025-11-24T23:45:00Z"), at("2025-11-25T00:30:00Z"), "Next update by 25 Nov 00:30 UTC."},
		{"same local day, other UTC day", at("2025-11-25T00:30:00+02:00"), at("2025-11-25T03:00:00+02:00"), "Next update by 25 Nov 01:00 UTC."},
		{"no posting time", time.Time{}, at("2025-11-24T14:30:00Z"), "Next update by 24 Nov 14:30 UTC."},
		{"next year", at("2025-12-31T23:30:00Z"), at("2026-01-01T00:30:00Z"), "Next update by 1 Jan 2026 00:30 UTC."},
		{"years later", at("2025-11-24T13:45:00Z"), at("2099-01-01T00:00:00Z"), "Next update by 1 Jan 2099 00:00 UTC."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := broadcast.Update{Title: "T", Status: broadcast.StatusMonitoring, Time: tt.posted, NextUpdate: tt.next}
			for _, name := range []string{"short", "text", "html", "markdown"} {
				got, err := templates.Default().Render(name, u)
				require.NoError(t, err)
				assert.Contains(t, got, strings.TrimSuffix(tt.wantInText, "."), name)
			}
		})
	}
	t.Run("none", func(t *testing.T) {
		got, err := templates.Default().Render("text", broadcast.Update{Title: "T", Status: broadcast.StatusMonitoring})
		require.NoError(t, err)
		assert.NotContains(t, got, "Next update")
	})
}

func TestEscaping(t *testing.T) {
	u := broadcast.Update{
		Title:  `<script>alert("x")</script> *bold* _it_`,
		Status: broadcast.StatusInvestigating,
		Body: "# Not a heading\n1. not a list\n2) nor this\nsee https://example.com/a_b*c [x](y) `code` ~strike~ a|b \\\n" +
			"R&D: &lt;b&gt; &amp; &#60;i&#x3e; &copy;",
		URL: `https://status.example.com/i?a=1&b="2"`,
	}
	html, err := templates.Default().Render("html", u)
	require.NoError(t, err)
	assert.NotContains(t, html, "<script>")
	assert.Contains(t, html, "&lt;script&gt;")
	assert.Contains(t, html, `href="https://status.example.com/i?a=1&amp;b=%222%22"`)

	md, err := templates.Default().Render("markdown", u)
	require.NoError(t, err)
	for _, want := range []string{
		`\<script\>alert("x")\</script\> \*bold\* \_it\_`,
		`\# Not a heading`, `1\. not a list`, `2\) nor this`,
		"see <https://example.com/a_b*c> ", "\\[x\\](y) \\`code\\` \\~strike\\~ a\\|b \\\\",
		// CommonMark reads "&…;" as a character: the text shows as written.
		`R\&D: \&lt;b\&gt; \&amp; \&#60;i\&#x3e; \&copy;`,
	} {
		assert.Contains(t, md, want)
	}
}

// A URL in the text is left whole, but CommonMark parses what is inside
// one that is not an autolink: "https://a.example/[x](https://b.example/)"
// would show a link "x" to b.example, "*y*" emphasis. Such a URL is
// written as an autolink, <…>, whose text is the URL as is (CommonMark
// 0.31, 6.5 Autolinks: no backslash escapes, no inline parsing inside);
// what ends it rather than belongs to it (LinkSpans) stays outside. A URL
// with nothing CommonMark would read (an underscore between letters
// cannot start or end emphasis) stays bare.
func TestMarkdownURLCarriesNoFormatting(t *testing.T) {
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating,
		Body: `see https://a.example/[x](https://phish.example/) or https://a.example/*y*_z_\ ` +
			"(https://a.example/~a~/`b`). https://a.example/api_v2 https://en.wikipedia.org/wiki/Mars_(planet)"}
	md, err := templates.Default().Render("markdown", u)
	require.NoError(t, err)
	assert.Contains(t, md, `see <https://a.example/[x](https://phish.example/)> or <https://a.example/*y*_z_\> `+
		"(<https://a.example/~a~/`b`>). https://a.example/api_v2 <https://en.wikipedia.org/wiki/Mars_(planet)>")
}

// A renderer links a bare URL up to white space (GitHub's autolinks,
// Discord): one whose link ends before, at a CJK bracket, a quotation
// mark or full-width punctuation, is written as an autolink, so that the
// link is the URL the author wrote, and the text after it stays text.
func TestMarkdownLinkEndsBeforeWhiteSpace(t *testing.T) {
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating,
		Body: "詳細はhttps://a.example/i/1」をご覧ください。«https://a.example/b» " +
			"https://a.example/1、https://a.example/*2*。 see https://a.example/c."}
	md, err := templates.Default().Render("markdown", u)
	require.NoError(t, err)
	assert.Contains(t, md, "詳細は<https://a.example/i/1>」をご覧ください。«<https://a.example/b>» "+
		"<https://a.example/1>、<https://a.example/*2*>。 see https://a.example/c.")
}

// CommonMark reads character references in autolinks too: "Entity and
// numeric character references are recognized in any context besides
// code spans or code blocks, including URLs" (CommonMark 0.31.2, 2.5), and
// only backslash escapes "do not work inside autolinks" (6.5); cmark
// decodes them in an autolink's destination and text, and its author
// called commonmark.js's literal reading a bug (commonmark/commonmark-spec
// issue 723, commonmark.js issue 263, fixed in pull request 311). So
// <https://a.example/?x&copy;=1> links to "?x©=1". An "&" that would start
// a reference ("&name;", "&#nn;", "&#xhh;") is written "&amp;", in the
// URL template and in URLs of the text (where a bare URL is text, whose
// references are read too), so that the link is the URL as given; an "&"
// that starts none (a query's "&b=2") stays as is, for renderers that
// read none.
func TestMarkdownURLKeepsItsAmpersands(t *testing.T) {
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating,
		URL:  "https://status.example.com/i?a=1&copy;=2&amp;b&#60;&#x3E;&b=2&c",
		Body: "see https://a.example/?x&lt;=1&y=2 or https://a.example/*b*?q&amp;r; https://a.example/?a=1&b=2 https://a.example/?c&copy;"}
	md, err := templates.Default().Render("markdown", u)
	require.NoError(t, err)
	assert.Contains(t, md, "<https://status.example.com/i?a=1&amp;copy;=2&amp;amp;b&amp;#60;&amp;#x3E;&b=2&c>")
	// A bare URL's text is read as text, and a URL's last ";" ends the
	// sentence rather than the link (LinkSpans).
	assert.Contains(t, md, "see <https://a.example/?x&amp;lt;=1&y=2> or <https://a.example/*b*?q&amp;amp;r>; "+
		"https://a.example/?a=1&b=2 <https://a.example/?c&copy>;")
}

func TestConcurrentRender(t *testing.T) {
	set := templates.Default()
	u := representative(broadcast.StatusInvestigating)
	want, err := set.Render("html", u)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := set.Render("html", u)
				assert.NoError(t, err)
				assert.Equal(t, want, got)
				_, err = set.RenderFit("short", u, 100, templates.Graphemes)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
}

func TestNilSetIsDefault(t *testing.T) {
	var set *templates.Set
	assert.Equal(t, templates.Default().Names(), set.Names())
	u := representative(broadcast.StatusMonitoring)
	want, err := templates.Default().Render("short", u)
	require.NoError(t, err)
	got, err := set.Render("short", u)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	withSubject, err := set.With("subject", "S")
	require.NoError(t, err)
	got, err = withSubject.Render("subject", u)
	require.NoError(t, err)
	assert.Equal(t, "S", got)
}

func TestImpactLabel(t *testing.T) {
	set, err := templates.Default().With("subject", "{{.ImpactLabel}}|{{.StatusLabel}}|{{.Headline}}")
	require.NoError(t, err)
	tests := []struct {
		impact broadcast.Impact
		status broadcast.Status
		want   string
	}{
		{"", broadcast.StatusInvestigating, "|Investigating|Investigating"},
		{broadcast.ImpactNone, broadcast.StatusIdentified, "|Identified|Identified"},
		{broadcast.ImpactCritical, broadcast.StatusInProgress, "Critical|In progress|Maintenance in progress"},
		{broadcast.ImpactMaintenance, broadcast.StatusScheduled, "Maintenance|Scheduled|Scheduled maintenance"},
		{"été", broadcast.StatusVerifying, "Été|Verifying|Verifying maintenance"},
	}
	for _, tt := range tests {
		t.Run(string(tt.impact)+"/"+string(tt.status), func(t *testing.T) {
			got, err := set.Render("subject", broadcast.Update{Title: "T", Status: tt.status, Impact: tt.impact})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFuncs(t *testing.T) {
	set, err := templates.Default().With("text",
		"{{oneline .Body}}|{{utc .Time}}|{{utc .NextUpdate}}|{{len (paragraphs .Body)}}|{{len (lines .Body)}}|{{sentence .Title}}|{{sentence .URL}}")
	require.NoError(t, err)
	u := broadcast.Update{
		Title:  "Fixed",
		Status: broadcast.StatusResolved,
		Body:   "One\r\ntwo\n\n\n three ",
		URL:    "https://s.example/1?",
		Time:   time.Date(2025, 3, 1, 23, 5, 0, 0, time.FixedZone("CET", 3600)),
	}
	got, err := set.Render("text", u)
	require.NoError(t, err)
	assert.Equal(t, "One two three|1 Mar 2025 22:05 UTC||2|5|Fixed.|https://s.example/1?", got)
}

// Every default template shows the same cleaned text: no terminal escape
// or control character gets through, and a blank Body leaves no stray
// separator.
func TestDefaultsCleanText(t *testing.T) {
	set := templates.Default()
	u := broadcast.Update{Title: "\x1b[1mCDN\x1b[0m errors\x07", Status: broadcast.StatusInvestigating,
		Body: "Rates \x1b[31mup\x1b[0m.\x00\x7f\u0085", URL: "https://status.example.com/i/1",
		Time: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)}
	for _, name := range set.Names() {
		out, err := set.Render(name, u)
		require.NoError(t, err, name)
		assert.False(t, strings.ContainsFunc(out, func(r rune) bool {
			return r != '\n' && r != '\t' && (r < 0x20 || r >= 0x7f && r <= 0x9f)
		}), "%s: %q", name, out)
		assert.Contains(t, out, "CDN errors", name)
	}
	for _, status := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusCompleted} {
		blank := broadcast.Update{Title: "CDN errors", Status: status, Body: " \n\t ",
			URL: "https://status.example.com/i/1"}
		out, err := set.Render("short", blank)
		require.NoError(t, err)
		assert.NotContains(t, out, "—", "a blank body leaves no separator: %q", out)
		assert.True(t, strings.HasSuffix(out, "CDN errors https://status.example.com/i/1"), out)
	}
}

// A line of only spaces or tabs is a blank line, to a reader as to
// CommonMark, and separates paragraphs like an empty one: the html
// template makes two paragraphs of it, and its preheader, the preview
// after the subject, shows the first paragraph alone.
func TestParagraphsSplitAtLinesOfWhiteSpace(t *testing.T) {
	set, err := templates.Default().With("text", "{{range paragraphs .Body}}[{{.}}]{{end}}")
	require.NoError(t, err)
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating,
		Body: "First paragraph.\n \nSecond,\n  indented.\n\t\n\nThird."}
	got, err := set.Render("text", u)
	require.NoError(t, err)
	assert.Equal(t, "[First paragraph.][Second,\n  indented.][Third.]", got)

	html, err := templates.Default().Render("html", u)
	require.NoError(t, err)
	assert.Contains(t, html, " — First paragraph.</div>")
	assert.Contains(t, html, `<p style="margin:0 0 16px;">First paragraph.</p>`)
	assert.Contains(t, html, `<p style="margin:0 0 16px;">Third.</p>`)
}
