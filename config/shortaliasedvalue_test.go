package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A secret of under 6 bytes written at a key of secrets ("password: &p
// Qz7k") and aliased into a key whose fault comes from no check of the
// file's values (the kind's check, a kind's own setup, a path's error) is
// hidden where that fault writes it: as a whole quoted value, or as a
// whole path, written or joined to the file's directory. Before, each of
// these errors printed it: `kind: unknown value "Qz7k"`, `output: unknown
// value "Qz7k"`, "templates: Qz7k does not exist (…/Qz7k, …)", "ca_file:
// stat …/Qz7k: no such file or directory".
func TestShortSecretAliasedIntoSetupHidden(t *testing.T) {
	const email = "  - {kind: email, name: anchor, host: smtp.example.com, from: a@example.com, to: [b@example.com], username: u, password: &p Qz7k}"
	tests := []struct {
		name, yaml string
		wants      []string
	}{
		{"kind", lines("channels:", email, "  - kind: *p"),
			[]string{`test.yaml:3: channels[1]: kind: unknown value "REDACTED" (one of `}},
		{"kind, the alias on the next line", lines("channels:", email, "  - name: k", "    kind:", "      *p"),
			[]string{`test.yaml:3: channels[1]: kind: unknown value "REDACTED" (one of `}},
		{"console output", lines("channels:", email, "  - kind: console", "    output: *p"),
			[]string{`test.yaml:4: channels[1] (console "console"): output: unknown value "REDACTED" (want stdout or stderr)`}},
		{"templates", lines("channels:", email, "templates: *p"),
			[]string{"test.yaml:3: templates: REDACTED does not exist (", "REDACTED, relative to the configuration file)"}},
		{"statuspage templates", lines("channels:", email, "  - kind: statuspage", "    dir: site", "    base_url: https://status.example.com/",
			"    templates: *p"),
			[]string{`channels[1] (statuspage "statuspage"): templates: REDACTED does not exist (`}},
		{"irc ca_file", lines("channels:", email, "  - kind: irc", "    server: irc.example.com:6697", "    nick: bot", "    channels: ['#ops']",
			"    ca_file: *p"),
			[]string{`test.yaml:7: channels[1] (irc "irc"): ca_file: `, "REDACTED: no such file or directory"}},
		{"store kind", lines("channels:", email, "store: {kind: *p}"),
			[]string{`test.yaml:3: store.kind: unknown value "REDACTED" (want bolt or memory)`}},
		{"when statuses", lines("channels:", email, "  - kind: console", "    when: {statuses: [*p]}"),
			[]string{`test.yaml:4: channels[1].when.statuses[0]: unknown value "REDACTED" (want `}},
		{"email from", lines("channels:", email, "  - {kind: email, name: e, host: smtp.example.com, from: *p, to: [b@example.com]}"),
			[]string{`channels[1] (email "e"): from: invalid address "REDACTED"`}},
		{"email to", lines("channels:", email, "  - {kind: email, name: e, host: smtp.example.com, from: a@example.com, to: [*p]}"),
			[]string{`channels[1] (email "e"): to[0]: invalid address "REDACTED"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			for _, want := range tt.wants {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error(), "Qz7k")
		})
	}
}

// Every key of the schema, as TestAliasedSecretQuotedNowhere tries it
// with a longer password, with a password of 4 bytes, and one that %q
// escapes.
func TestShortAliasedSecretQuotedNowhere(t *testing.T) {
	assertAliasedNowhere(t, []string{"Qz7k", `Q"7k`}, aliasedSecretPlaces(t))
}

// Such a secret that is a common word ("file") is hidden where it is the
// whole value or path a fault writes, not inside the fault's own words:
// "no such file or directory" stays as it is.
func TestShortSecretWordKeepsTheWords(t *testing.T) {
	_, _, err := parse(t, lines("channels:",
		"  - {kind: email, name: anchor, host: smtp.example.com, from: a@example.com, to: [b@example.com], username: u, password: &p file}",
		"  - kind: irc", "    server: irc.example.com:6697", "    nick: bot", "    channels: ['#ops']", "    ca_file: *p",
		"  - kind: console", "    output: *p"), nil)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "/REDACTED: no such file or directory")
	assert.Contains(t, msg, `output: unknown value "REDACTED" (want stdout or stderr)`)
	assert.NotContains(t, msg, "/file")
	assert.NotContains(t, msg, `"file"`)
}

// Such a secret aliased into a mapping merged into a channel's entry
// ("<<:" then "kind: *p" on the next line) is hidden in the fault the
// entry's line names: the kind's check names the entry's line, not the
// alias's, its key's or the merged mapping's. Before, the error read
// `test.yaml:3: channels[1]: kind: unknown value "Qz7k"`.
func TestShortSecretAliasedIntoMergedMappingHidden(t *testing.T) {
	const email = "  - {kind: email, name: anchor, host: smtp.example.com, from: a@example.com, to: [b@example.com], username: u, password: &p Qz7k}"
	for name, yaml := range map[string]string{
		"merged mapping":         lines("channels:", email, "  - name: k", "    <<:", "      kind: *p"),
		"merged list of mapping": lines("channels:", email, "  - name: k", "    <<: [", "      {kind: *p}]"),
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := parse(t, yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `test.yaml:3: channels[1]: kind: unknown value "REDACTED" (one of `)
			assert.NotContains(t, err.Error(), "Qz7k")
		})
	}
}

// Such a secret that is a key's name or a word of a fault's own text is
// hidden where the fault writes it as the value, and the fault still
// names its field and reads as it did: only the value after the alias's
// own key is taken for the value, never a key ("channels[1]: kind: …" of
// a password "kind") nor words after another colon ("…/no: no such
// file" of a password "no"), nor the operation a path error writes
// before the path ("ca_file: stat /…" of a password "stat"). Before,
// these read `channels[1]: REDACTED: unknown value "REDACTED"`,
// "…/REDACTED: REDACTED such file or directory" and "ca_file: REDACTED
// /…/REDACTED: …".
func TestShortSecretWordKeepsTheFieldAndWords(t *testing.T) {
	email := func(pw string) string {
		return "  - {kind: email, name: anchor, host: smtp.example.com, from: a@example.com, to: [b@example.com], username: u, password: &p " + pw + "}"
	}
	irc := []string{"  - kind: irc", "    server: irc.example.com:6697", "    nick: bot", "    channels: ['#ops']", "    ca_file: *p"}
	tests := []struct {
		name, yaml string
		wants      []string
	}{
		{"kind", lines("channels:", email("kind"), "  - kind: *p"),
			[]string{`test.yaml:3: channels[1]: kind: unknown value "REDACTED" (one of `}},
		{"no", lines(append([]string{"channels:", email("no")}, irc...)...),
			[]string{`channels[1] (irc "irc"): ca_file: stat `, "/REDACTED: no such file or directory"}},
		{"stat", lines(append([]string{"channels:", email("stat")}, irc...)...),
			[]string{`channels[1] (irc "irc"): ca_file: stat `, "/REDACTED: no such file or directory"}},
		{"on", lines("channels:", email("on"), "  - kind: console", "    output: *p"),
			[]string{`channels[1] (console "console"): output: unknown value "REDACTED" (want stdout or stderr)`}},
		{"file", lines("channels:", email("file"), "templates: *p"),
			[]string{"test.yaml:3: templates: REDACTED does not exist (", "/REDACTED, relative to the configuration file)"}},
		{"1", lines("channels:", email("'1'"), "  - kind: console", "    when: {statuses: [*p]}"),
			[]string{`test.yaml:4: channels[1].when.statuses[0]: unknown value "REDACTED" (want `}},
		{"true", lines("channels:", email("'true'"), "store: {kind: *p}"),
			[]string{`test.yaml:3: store.kind: unknown value "REDACTED" (want bolt or memory)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			for _, want := range tt.wants {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}
