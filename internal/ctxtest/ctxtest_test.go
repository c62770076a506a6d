package ctxtest

import (
	"context"
	"errors"
	"testing"
)

// TestEndsAfterLooks: Err is nil the first n times, Canceled from then on.
func TestEndsAfterLooks(t *testing.T) {
	ctx := EndsAfterLooks(context.Background(), 2)
	for i, want := range []error{nil, nil, context.Canceled, context.Canceled} {
		if err := ctx.Err(); !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Fatalf("look %d: Err() = %v, want %v", i+1, err, want)
		}
	}
}
