package config_test

import (
	"testing"
)

// A fault reached through an alias ("when: *w") or a merge ("<<: *h") is
// at the line of the alias, where the value is used, which is the line
// of the key path the fault names (the entry that uses it, not the one
// holding the anchor), whatever check finds it: a key that the kind does
// not take, a value not among the values its kind lists, a value of
// "when:". Before, keys and listed values merged in, and "when:" faults
// through an alias, were placed at the anchor, and a "when:" merged in
// at the entry's first line, while values of the wrong type were at the
// alias.
func TestAliasedFaultsAtTheAlias(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: webhook",
		"    name: hooks",
		"    url: https://hooks.example.com/in",
		"    allow_unsigned: true",
		"    headers: &h {tls: STARTTLS, X-Port: nope}",
		"    when: &w {statuses: [down]}",
		"  - kind: email",
		"    name: mail",
		"    host: smtp.example.com",
		"    from: a@example.com",
		"    to: [b@example.com]",
		"    <<: *h",
		"    when: *w",
		"  - url: console://",
		"    <<: {when: *w}",
		"  - kind: nope",
		"    when: *w",
		"  - kind: console",
		"    name: c",
		"    <<: [*h]",
	), nil)
	assertFaults(t, err,
		`test.yaml:7: channels[0].when.statuses[0]: unknown value "down"`,
		`test.yaml:13: channels[1]: unknown key "X-Port"`,
		// A header value is a secret: not quoted, even where an alias put it.
		`test.yaml:13: channels[1].tls: want one of starttls, implicit, plaintext, got "REDACTED"`,
		`test.yaml:14: channels[1].when.statuses[0]: unknown value "down"`,
		`test.yaml:16: channels[2].when.statuses[0]: unknown value "down"`,
		`test.yaml:17: channels[3]: kind: unknown value "nope"`,
		`test.yaml:18: channels[3].when.statuses[0]: unknown value "down"`,
		`test.yaml:21: channels[4]: unknown key "tls"`,
		`test.yaml:21: channels[4]: unknown key "X-Port"`,
	)
}

// A channel entry that is an alias of another ("- *e") has its faults at
// the alias, as every fault reached through an alias is; before, they
// were at the anchor, the other entry's line.
func TestAliasedEntryFaultsAtTheAlias(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - &e {kind: console, name: a, template: bogus}",
		"  - kind: console",
		"    name: b",
		"  - *e",
	), nil)
	assertFaults(t, err,
		`test.yaml:2: channels[0] (console "a"): template: not in templates`,
		`test.yaml:5: channels[2] (console "a"): template: not in templates`,
	)
}

// The "when:" of an entry whose kind is not known, merged in inline with
// its value an alias ("<<: {when: *w}"), or written as an alias on the
// line below its key, has its faults at the alias, as the walk of a known
// kind's entry places them; before, they were at the anchor, another
// entry's line, and out of order with the entry's kind fault.
func TestKindlessWhenAliasFaultsAtTheAlias(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: console",
		"    name: a",
		"    when: &w {statuses: [resolved], bogus: 1}",
		"  - kind: nope",
		"    <<: {when: *w}",
		"  - kind: nope",
		"    when:",
		"      *w",
	), nil)
	assertFaults(t, err,
		`test.yaml:4: channels[0].when: unknown key "bogus"`,
		`test.yaml:5: channels[1]: kind: unknown value "nope"`,
		`test.yaml:6: channels[1].when: unknown key "bogus"`,
		`test.yaml:7: channels[2]: kind: unknown value "nope"`,
		`test.yaml:9: channels[2].when: unknown key "bogus"`,
	)
}

// A mapping merged in twice into one entry ("<<: [*x, *x]", or two
// mappings it merges that both merge a third) is the one set of keys the
// YAML library reads once: each of its faults is named once. Before, each
// was named once per merge.
func TestMergedTwiceFaultNamedOnce(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: console",
		"    name: a",
		"    <<: &x {bogus: 1, output: [x]}",
		"  - kind: console",
		"    name: b",
		"    <<: [*x, *x]",
		"  - kind: console",
		"    name: c",
		"    <<: [&y {<<: *x}, {<<: *x}, *y]",
	), nil)
	assertFaults(t, err,
		`test.yaml:4: channels[0]: unknown key "bogus"`,
		`test.yaml:4: channels[0].output: want a string, got a list`,
		`test.yaml:7: channels[1]: unknown key "bogus"`,
		`test.yaml:7: channels[1].output: want a string, got a list`,
		`test.yaml:10: channels[2]: unknown key "bogus"`,
		`test.yaml:10: channels[2].output: want a string, got a list`,
	)
}

// A listed value of a mapping merged in twice into one entry ("<<: [*x,
// *x]", or two mappings it merges that both merge it) is read once, as
// the keys of TestMergedTwiceFaultNamedOnce are: its fault is named once,
// at the alias. Before, it was named once per merge.
func TestMergedTwiceListedValueNamedOnce(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: email",
		"    name: a",
		"    host: smtp.example.com",
		"    from: a@example.com",
		"    to: [b@example.com]",
		"    <<: &x {tls: STARTTLS}",
		"  - kind: email",
		"    name: b",
		"    host: smtp.example.com",
		"    from: a@example.com",
		"    to: [b@example.com]",
		"    <<: [*x, *x]",
		"  - kind: email",
		"    name: c",
		"    host: smtp.example.com",
		"    from: a@example.com",
		"    to: [b@example.com]",
		"    <<: [&y {<<: *x}, {<<: *x}, *y]",
	), nil)
	assertFaults(t, err,
		`test.yaml:7: channels[0].tls: want one of starttls, implicit, plaintext, got "STARTTLS"`,
		`test.yaml:13: channels[1].tls: want one of starttls, implicit, plaintext, got "STARTTLS"`,
		`test.yaml:19: channels[2].tls: want one of starttls, implicit, plaintext, got "STARTTLS"`,
	)
}
