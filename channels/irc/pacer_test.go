package irc

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The limiter's schedule, asserted on an explicit clock: each line asks at
// a given time and is told how long to wait.
func TestLimiter(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	tests := []struct {
		name  string
		calls []time.Duration // when each line asks
		want  []time.Duration // how long each must wait
	}{
		{"burst, then one per interval",
			[]time.Duration{0, 0, 0, 0, 0, 0, 0},
			[]time.Duration{0, 0, 0, 0, 2 * time.Second, 4 * time.Second, 6 * time.Second}},
		{"the bucket refills while idle",
			[]time.Duration{0, 0, 0, 0, 8 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second},
			[]time.Duration{0, 0, 0, 0, 0, 0, 0, 0, 2 * time.Second}},
		{"never more than the burst after a long pause",
			[]time.Duration{time.Hour, time.Hour, time.Hour, time.Hour, time.Hour},
			[]time.Duration{0, 0, 0, 0, 2 * time.Second}},
		{"a line that waited counts from its slot",
			[]time.Duration{0, 0, 0, 0, 0, 2 * time.Second, 3 * time.Second},
			[]time.Duration{0, 0, 0, 0, 2 * time.Second, 2 * time.Second, 3 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(DefaultBurst, DefaultInterval)
			var got []time.Duration
			for _, c := range tt.calls {
				got = append(got, l.ReserveN(at(c), 1).DelayFrom(at(c)))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// A line whose wait was cut short gives its slot back: the next line waits
// no longer than it would have.
func TestLimiterCancelledSlot(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(DefaultBurst, DefaultInterval)
	for range DefaultBurst {
		require.Zero(t, l.ReserveN(t0, 1).DelayFrom(t0))
	}
	r := l.ReserveN(t0, 1)
	require.Equal(t, 2*time.Second, r.DelayFrom(t0))
	r.CancelAt(t0.Add(time.Second))
	assert.Equal(t, time.Second, l.ReserveN(t0.Add(time.Second), 1).DelayFrom(t0.Add(time.Second)))
}

func TestLimiterUnpaced(t *testing.T) {
	l := newLimiter(1, 0)
	for range 10 {
		assert.Zero(t, l.ReserveN(time.Now(), 1).DelayFrom(time.Now()))
	}
}

func TestAlternates(t *testing.T) {
	assert.Equal(t, []string{"bot", "bot_", "bot__", "bo1", "bo2"}, alternates("bot"))
	assert.Equal(t, []string{"b", "b_", "b__", "b1", "b2"}, alternates("b"))
}

func TestFold(t *testing.T) {
	assert.Equal(t, fold("#Ops[1]\\~"), fold("#ops{1}|^"))
	assert.NotEqual(t, fold("#ops"), fold("#op5"))
	assert.Equal(t, fold("#Ärger"), fold("#äRGER"), "letters beyond ASCII fold too")
	assert.Equal(t, fold("#cafe\u0301"), fold("#CAFÉ"), "in NFC")
}

func TestOffers(t *testing.T) {
	for caps, want := range map[string][2]bool{ // PLAIN, EXTERNAL
		"sasl":                    {true, true},
		"multi-prefix sasl=PLAIN": {true, false},
		"sasl=EXTERNAL,PLAIN":     {true, true},
		"sasl=EXTERNAL":           {false, true},
		"multi-prefix":            {false, false},
		"sasl-not-really=PLAIN":   {false, false},
	} {
		assert.Equal(t, want, [2]bool{offers(strings.Fields(caps), "PLAIN"), offers(strings.Fields(caps), "EXTERNAL")}, caps)
	}
}
