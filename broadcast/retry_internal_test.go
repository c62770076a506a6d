package broadcast

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Every wait stays within RetryPolicy.MaxInterval, jitter included, while
// a RetryAfter hint may ask for longer.
func TestRetryWaitsNeverExceedMaxInterval(t *testing.T) {
	for _, p := range []RetryPolicy{
		{InitialInterval: 10 * time.Millisecond, MaxInterval: 40 * time.Millisecond},
		{InitialInterval: time.Second, MaxInterval: time.Second},
		{InitialInterval: 3 * time.Second, MaxInterval: 2 * time.Second},
		{},
	} {
		b, err := New([]Channel{ChannelFunc("c", nil)}, Options{Retry: p})
		if err != nil {
			t.Fatal(err)
		}
		transient := errors.New("transient")
		var largest time.Duration
		for range 200 {
			bo := b.newBackOff()
			for range 12 {
				_, d := b.nextDelay(bo, transient)
				if d > b.retry.MaxInterval {
					t.Fatalf("policy %+v: wait %v exceeds MaxInterval %v", p, d, b.retry.MaxInterval)
				}
				if d <= 0 {
					t.Fatalf("policy %+v: wait %v", p, d)
				}
				largest = max(largest, d)
			}
		}
		// The cap is used, not avoided by waiting much less.
		if largest < b.retry.MaxInterval*3/4 {
			t.Errorf("policy %+v: largest wait %v, far below MaxInterval %v", p, largest, b.retry.MaxInterval)
		}
		_, hinted := b.nextDelay(b.newBackOff(), RetryAfter(transient, 5*b.retry.MaxInterval))
		if hinted != 5*b.retry.MaxInterval {
			t.Errorf("policy %+v: RetryAfter(%v) waited %v", p, 5*b.retry.MaxInterval, hinted)
		}
	}
}

// A join of errors, itself or wrapped, is a definite answer only when each
// part is (a rate-limited edit says nothing of a post anew that timed
// out), unless a mark above it judged the whole.
func TestDefiniteJoin(t *testing.T) {
	limited := RetryAfter(errors.New("429"), time.Second)
	refused := Permanent(errors.New("400"))
	timedOut := errors.New("read: i/o timeout")
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{limited, true},
		{refused, true},
		{timedOut, false},
		{errors.Join(limited, refused), true},
		{errors.Join(limited, timedOut), false},
		{fmt.Errorf("edit: %w", errors.Join(limited, timedOut)), false},
		{fmt.Errorf("edit: %w", errors.Join(limited, refused)), true},
		// A mark above a join judged the whole, as X's duplicate refusal
		// does: Permanent(fmt.Errorf("%w: %w", ErrDuplicate, apiErr)).
		{Permanent(fmt.Errorf("%w: %w", errors.New("duplicate"), timedOut)), true},
		{RetryAfter(fmt.Errorf("edit: %w", errors.Join(limited, timedOut)), time.Second), true},
	} {
		assert.Equal(t, tt.want, definite(tt.err), "%v", tt.err)
	}
}
