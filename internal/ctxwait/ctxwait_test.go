package ctxwait

import (
	"context"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep that ran out: %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); err != context.Canceled {
		t.Fatalf("Sleep of an ended context: %v, want context.Canceled", err)
	}
}

// A context already ended is Sleep's error however short the wait, a
// zero one too, whose timer is as ready as the context's end.
func TestSleepEndedContextZeroWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 200 {
		if err := Sleep(ctx, 0); err != context.Canceled {
			t.Fatalf("Sleep(ended, 0) = %v, want context.Canceled", err)
		}
	}
}
