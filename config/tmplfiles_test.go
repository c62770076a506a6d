package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
)

// A file of the templates directory that no channel renders is a typo
// (x_post for x-post, shrot for short, a kind that does not exist): the
// default would be sent while the file sat unused. It is an error naming
// the file and the nearest name, or the names known, unless a channel
// names it in its template key.
func TestTemplateFileNames(t *testing.T) {
	tests := []struct {
		name, file, channels string
		want                 []string // all in the error; none: no error
	}{
		{"a default", "short.tmpl", "[{kind: console}]", nil},
		{"a default's variant", "short.resolved.tmpl", "[{kind: console}]", nil},
		{"a kind's own template, with no such channel", "slack.tmpl", "[{kind: console}]", nil},
		{"e-mail's status line", "email-status.tmpl", "[{kind: console}]", nil},
		{"named by a channel", "x-post.tmpl", "[{kind: console, template: x-post}]", nil},
		{"named by a channel URL", "x-post.tmpl", `["console://stdout?template=x-post"]`, nil},
		// Hidden files are no templates: macOS's "._" files beside a
		// copy, an editor's lock file.
		{"hidden", "._shrot.tmpl", "[{kind: console}]", nil},
		{"an editor's lock file", ".#pager.tmpl", "[{kind: console}]", nil},
		// The channel names a template the directory lacks: its own error
		// says so, before the file is looked at.
		{"a typo of a channel's name", "x_post.tmpl", "[{kind: console, template: x-post}]",
			[]string{`test.yaml:2: channels[0] (console "console"): template: not in templates (want html, markdown, short, subject, text or x_post)`}},
		{"a typo of a kind's template", "google-chat.tmpl", "[{kind: console}]",
			[]string{`test.yaml:1: templates: google-chat.tmpl: no channel renders a template "google-chat" (did you mean "googlechat"?`}},
		{"_ for -", "email_status.tmpl", "[{kind: console}]", []string{`did you mean "email-status"?`}},
		{"a typo of a default", "shrot.tmpl", "[{kind: console}]",
			[]string{`test.yaml:1: templates: shrot.tmpl: no channel renders a template "shrot" (did you mean "short"?`}},
		{"a typo of a default's variant", "shrot.resolved.tmpl", "[{kind: console}]", []string{`did you mean "short"?`}},
		{"a kind that does not exist", "pager.tmpl", "[{kind: console}]",
			[]string{`test.yaml:1: templates: pager.tmpl: no channel renders a template "pager" (known: `,
				"email-status, googlechat, html, markdown, short, slack, statuspageio, subject, teams, text;",
				"or name it in a channel's template key)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "tmpl/"+tt.file, "{{.Title}}")
			_, err := parseIn(dir, "templates: tmpl\nchannels: "+tt.channels+"\n", config.Loader{LookupEnv: env(nil)})
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// Every name a kind declares in Spec.Templates is one its channels
// render: a file of that name changes what they send.
func TestKindTemplatesAreRendered(t *testing.T) {
	samples := sampleURLs()
	for _, k := range config.Kinds() {
		for _, name := range k.Templates() {
			t.Run(k.Name()+"/"+name, func(t *testing.T) {
				dir := t.TempDir()
				writeFile(t, dir, "tmpl/"+name+".tmpl", "MARKER {{.Title}}")
				cfg, err := parseIn(dir, "templates: tmpl\nchannels: [\""+samples[k.Name()]+"\"]\n", config.Loader{LookupEnv: env(nil)})
				require.NoError(t, err)
				p, ok := cfg.Channels[0].(broadcast.Previewer)
				require.True(t, ok)
				var texts []string
				for _, overrides := range []map[string]string{nil, {k.Name(): "Override."}} {
					pv, err := p.Preview(broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating,
						Overrides: overrides})
					require.NoError(t, err)
					texts = append(texts, pv.Subject, pv.Text)
				}
				assert.Contains(t, strings.Join(texts, "\n"), "MARKER", "%s does not render %s", k.Name(), name)
			})
		}
	}
}

// The directory as the file wrote it is in the error of a file that a
// channel could not have meant.
func TestTemplateFileNameErrorPath(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "t/x_post.tmpl", "{{.Title}}")
	_, err := parseIn(dir, lines("channels: [{kind: console}]", "templates: ./t"), config.Loader{LookupEnv: env(nil)})
	assert.ErrorContains(t, err, filepath.Join(dir, "test.yaml")+":2: templates: x_post.tmpl: ")
}

// A channel's template key names a base template: a variant for one
// status ("short.resolved") would render every update, the first one
// too, as "Resolved: …". The error says which base name to give.
func TestTemplateKeyRefusesVariant(t *testing.T) {
	for _, entry := range []string{
		"{kind: console, template: short.resolved}",
		`{kind: irc, server: "irc.example.com:6697", nick: statusbot, channels: ["#ops"], template: short.resolved}`,
		`{kind: telegram, token: "123456:ABCdefGHIjklMNOpqrSTUvwxYZ", chats: ["-1001234567890"], template: short.completed}`,
	} {
		_, _, err := parse(t, lines("channels:", "  - "+entry), nil)
		require.Error(t, err, entry)
		assert.Contains(t, err.Error(), "test.yaml:2: channels[0]", entry)
		assert.Contains(t, err.Error(), "template: a variant for one status: name its base template, short,", entry)
	}
}
