package config_test

import (
	"strings"
	"testing"
)

// A merge key's value that is no mapping, nor a list of them ("<<: 3",
// "<<: *scalar", "<<: [{…}, 3]", an alias of a list, or nothing), which
// the YAML library refuses, is named at the merge key ("channels[0].<<",
// or "channels[0].<<[1]" for an item of its list), saying what it
// wants, at the line of its value. Before, the fault named the mapping
// the key is in ("channels[0]: want a mapping"), and a merge of nothing
// in a channel entry was the library's error, with no line and no key.
func TestMergeOfNoMappingNamedAtTheMergeKey(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"number", lines(
			"channels:",
			"  - kind: console",
			"    <<: 3",
		), []string{`test.yaml:3: channels[0].<<: want a mapping or a list of mappings to merge, got "3"`}},
		{"alias of a scalar", lines(
			"channels:",
			"  - kind: console",
			"    name: &s hello",
			"  - kind: console",
			"    <<: *s",
		), []string{`test.yaml:5: channels[1].<<: want a mapping or a list of mappings to merge, got an alias of text (not quoted: it may be a secret)`}},
		{"item of a list", lines(
			"channels:",
			"  - kind: console",
			"    <<: [{output: stdout}, 3]",
		), []string{`test.yaml:3: channels[0].<<[1]: want a mapping to merge, got "3"`}},
		{"list in a list", lines(
			"channels:",
			"  - kind: console",
			"    <<: [[{output: stdout}]]",
		), []string{`test.yaml:3: channels[0].<<[0]: want a mapping to merge, got a list`}},
		{"alias of a list", lines(
			"channels:",
			"  - kind: console",
			"    when: {statuses: &l [resolved]}",
			"  - kind: console",
			"    <<: *l",
		), []string{`test.yaml:5: channels[1].<<: want a mapping or a list of mappings to merge, got an alias of a list (write the list itself here, or a list of aliases)`}},
		{"nothing", lines(
			"channels:",
			"  - kind: console",
			"    <<:",
		), []string{`test.yaml:3: channels[0].<<: empty (write a mapping or a list of mappings to merge, or leave the key out)`}},
		{"channel URL entry", lines(
			"channels:",
			"  - url: console://",
			"    <<: 3",
		), []string{`test.yaml:3: channels[0].<<: want a mapping or a list of mappings to merge, got "3"`}},
		{"below a key", lines(
			"channels:",
			"  - kind: console",
			"    when: {<<: 3}",
		), []string{`test.yaml:3: channels[0].when.<<: want a mapping or a list of mappings to merge, got "3"`}},
		{"top level", lines(
			"<<: 3",
			"channels: [console://]",
		), []string{`test.yaml:1: <<: want a mapping or a list of mappings to merge, got "3"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			assertFaults(t, err, tt.want...)
		})
	}
}

// A merge of an alias of a secret ("<<: *pw", the anchor on a password)
// does not quote it.
func TestMergeOfAliasedSecretNotQuoted(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: email",
		"    name: mail",
		"    host: smtp.example.com",
		"    from: a@example.com",
		"    to: [b@example.com]",
		"    username: u",
		"    password: &pw hunter2",
		"    <<: *pw",
	), nil)
	assertFaults(t, err, `test.yaml:9: channels[0].<<: want a mapping or a list of mappings to merge, got an alias of text (not quoted: it may be a secret)`)
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error quotes the password: %v", err)
	}
}

// A merge of no mapping in a setting before channels ("retry: {<<: 3}")
// stops the YAML library's decoding of the file there: the file's
// channels are read all the same, so that their faults are named with it
// and no "channels: none configured" is. Before, that fault was named,
// at the file's first line, of a file with channels.
func TestMergeOfNoMappingInSettingKeepsChannels(t *testing.T) {
	_, _, err := parse(t, lines(
		"retry: {<<: 3}",
		"channels:",
		"  - kind: console",
		"    bogus: 1",
	), nil)
	assertFaults(t, err,
		`test.yaml:1: retry.<<: want a mapping or a list of mappings to merge, got "3"`,
		`test.yaml:4: channels[0]: unknown key "bogus"`,
	)
}
