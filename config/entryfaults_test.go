package config_test

import (
	"testing"
)

// A channel entry with several faults is refused naming each, with its
// line, in the one error with the others: before, the entry was named by
// its first fault alone (an unknown key hid a value of the wrong type, a
// value not listed and its "when:"), so that mending it took a run per
// mistake.
func TestEntryFaultsNamedTogether(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: email",
		"    host: smtp.example.com",
		"    secrt: x",
		"    port: many",
		"    tls: STARTTLS",
		"    from: status@example.com",
		"    to: [ops@example.com]",
		"    when: {statuses: [down]}",
		"  - url: console://",
		"    nmae: x",
		"    when: {impacts: [huge]}",
		"    name: [ops]",
	), nil)
	assertFaults(t, err,
		`test.yaml:4: channels[0]: unknown key "secrt"`,
		`test.yaml:5: channels[0].port: want a whole number, got "many"`,
		`test.yaml:6: channels[0].tls: want one of starttls, implicit, plaintext, got "STARTTLS" (write it as listed: starttls)`,
		`test.yaml:9: channels[0].when.statuses[0]: unknown value "down"`,
		`test.yaml:11: channels[1]: unknown key "nmae" (did you mean "name"? known: name, url, when) (or give the channel a kind)`,
		`test.yaml:12: channels[1].when.impacts[0]: unknown value "huge"`,
		`test.yaml:13: channels[1].name: want a string, got a list`,
	)
}

// A value refused for its type that the key's list of values refuses
// too is named once.
func TestEntryFaultNamedOnce(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: email",
		"    host: smtp.example.com",
		"    tls: maybe",
		"    from: status@example.com",
		"    to: [ops@example.com]",
	), nil)
	assertFaults(t, err, `test.yaml:4: channels[0].tls: `)
}

// A channel entry its kind's package refuses has the faults of its
// "when:" named too.
func TestRefusedEntryWhenFaultsNamed(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: webhook",
		"    when: {statuses: [down]}",
		"  - url: webhook://",
		"    when: {statuses: [up]}",
	), nil)
	assertFaults(t, err,
		`test.yaml:2: channels[0] (webhook "webhook"): url: missing`,
		`test.yaml:3: channels[0].when.statuses[0]: unknown value "down"`,
		`test.yaml:4: channels[1]`,
		`test.yaml:5: channels[1].when.statuses[0]: unknown value "up"`,
	)
}

// A "when:" with an unknown key, as a misspelled statuses, has no fault
// named of its values beside it: "first: needs statuses" would be about
// the statuses the file gives, misspelled, a consequence of the unknown
// key, as a value refused is of the rest of its "when:".
func TestWhenUnknownKeyHidesItsConsequences(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: console",
		"    when: {statuse: [resolved], first: true}",
		"  - url: console://",
		"    name: two",
		"    when: {statuse: [resolved], first: true}",
	), nil)
	assertFaults(t, err,
		`test.yaml:3: channels[0].when: unknown key "statuse" (did you mean "statuses"?`,
		`test.yaml:6: channels[1].when: unknown key "statuse" (did you mean "statuses"?`,
	)
}
