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

// A channel entry refused for its kind (unknown, empty, or given with
// type) has the faults of its "when:" named too, as a short-form entry
// refused for its URL has: before, the full form's were unsaid until its
// kind was mended.
func TestEntryOfNoKindWhenFaultsNamed(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: slak",
		"    when: {statuses: [down]}",
		"  - kind: console",
		"    type: console",
		"    when: {impacts: [huge], statuse: [x]}",
		"  - url: slak://x",
		"    when: {statuses: [up]}",
	), nil)
	assertFaults(t, err,
		`test.yaml:2: channels[0]: kind: unknown value "slak"`,
		`test.yaml:3: channels[0].when.statuses[0]: unknown value "down"`,
		`test.yaml:4: channels[1]: kind and type: set one`,
		`test.yaml:6: channels[1].when: unknown key "statuse" (did you mean "statuses"? known: components, first, impacts, statuses)`,
		`test.yaml:7: channels[2]: URL scheme "slak": no kind of channel takes it`,
		`test.yaml:8: channels[2].when.statuses[0]: unknown value "up"`,
	)
}
