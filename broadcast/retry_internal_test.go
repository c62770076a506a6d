package broadcast

import (
	"errors"
	"testing"
	"time"
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
