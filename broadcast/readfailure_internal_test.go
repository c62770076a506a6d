package broadcast

import (
	"errors"
	"slices"
	"testing"
)

// readFailure reads the mark only where the record is of the form
// recordedFailure writes: a text, then sentinelMark and names. A record
// an earlier version wrote, before the mark, keeps its whole text, a
// control character it holds shown as recordedFailure shows it now; and
// no record that failed reads as a delivery's empty text.
func TestReadFailureRecords(t *testing.T) {
	for _, c := range []struct {
		recorded, text string
		sentinels      []error
	}{
		{"401 Unauthorized", "401 Unauthorized", nil},
		{"401 Unauthorized\x1fretracted", "401 Unauthorized", []error{ErrRetracted}},
		{"401 Unauthorized\x1fretracted\x1ffrom-the-future", "401 Unauthorized", []error{ErrRetracted}},
		{"410 Gone\x1ffrom-the-future", "410 Gone", nil},
		{"x\x1fretracted\x1fnot-supported\x1fretracted", "x", []error{ErrRetracted, ErrNotSupported}},
		// An earlier version's record of a text holding the control
		// character (an endpoint's body quoted in the error): not cut
		// there.
		{`400 Bad Request: {"error":"bad` + "\x1f" + `value in field name"}`,
			`400 Bad Request: {"error":"bad` + "\uFFFD" + `value in field name"}`, nil},
		{"a\x1fb\x1fc d", "a\uFFFDb\uFFFDc d", nil},
		{"a\x1f", "a\uFFFD", nil},
		{"a\x1f\x1fretracted", "a\uFFFD\uFFFDretracted", nil},
		// No text before the mark: still a failure, not a delivery.
		{"\x1fretracted", "failed", []error{ErrRetracted}},
	} {
		text, sentinels := readFailure(c.recorded)
		if text != c.text {
			t.Errorf("readFailure(%q) text %q, want %q", c.recorded, text, c.text)
		}
		if !slices.EqualFunc(sentinels, c.sentinels, func(a, b error) bool { return errors.Is(a, b) }) {
			t.Errorf("readFailure(%q) sentinels %v, want %v", c.recorded, sentinels, c.sentinels)
		}
	}
}
