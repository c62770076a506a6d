package wordedge

import "testing"

func TestApart(t *testing.T) {
	for _, tc := range []struct {
		text, word string
		start, end bool
	}{
		{"key e.", "e", true, true},
		{"error", "e", true, false},
		{"äe", "e", false, true},
		{"bad key é!1", "é!", true, true},
		{"1!é", "!é", true, true},
		{"(+k)", "+", true, false},
		{"ä+", "+", false, true},
		{"+ä", "+", true, false},
		{"(+)", "+", true, true},
		{"x\xff+\xff", "+", true, true},
	} {
		i := len(tc.text) - len(tc.word)
		for ; i >= 0 && tc.text[i:i+len(tc.word)] != tc.word; i-- {
		}
		start, end := Apart(tc.text, i, i+len(tc.word))
		if start != tc.start || end != tc.end {
			t.Errorf("%q in %q: got %v, %v, want %v, %v", tc.word, tc.text, start, end, tc.start, tc.end)
		}
	}
}
