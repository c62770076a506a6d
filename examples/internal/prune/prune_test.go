package prune

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Start prunes at once, with the cutoff keep before now, and stop ends
// its goroutine.
func TestStartPrunesAtOnceAndStops(t *testing.T) {
	called := make(chan time.Time, 1)
	f := func(_ context.Context, cutoff time.Time) (int64, error) {
		select {
		case called <- cutoff:
		default:
		}
		return 3, nil
	}
	logged := make(chan slog.Record, 1)
	start := time.Now()
	stop := Start(context.Background(), 24*time.Hour, f, slog.New(recordHandler(logged)), strings.ToUpper)
	cutoff := <-called
	rec := <-logged // before stop: Once does not log once ctx is done
	stop()
	if want := start.Add(-24 * time.Hour); cutoff.Before(want.Add(-time.Minute)) || cutoff.After(time.Now().Add(-24*time.Hour)) {
		t.Errorf("cutoff %v, want a day before %v", cutoff, start)
	}
	var entries int64
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "entries" {
			entries = a.Value.Int64()
		}
		return true
	})
	if entries != 3 {
		t.Errorf("log %q does not say what was pruned", rec.Message)
	}
}

// recordHandler is a slog.Handler that hands each record to ch, if it has
// room.
type recordHandler chan<- slog.Record

func (h recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recordHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h recordHandler) WithGroup(string) slog.Handler            { return h }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	select {
	case h <- r.Clone():
	default:
	}
	return nil
}

// A Store's error is logged as hide puts it: it may hold a secret.
func TestOnceHidesError(t *testing.T) {
	var logs bytes.Buffer
	f := func(context.Context, time.Time) (int64, error) {
		return 0, errors.New("dial postgres://u:hunter2@db: refused")
	}
	Once(context.Background(), time.Now(), f, slog.New(slog.NewTextHandler(&logs, nil)),
		func(s string) string { return strings.ReplaceAll(s, "hunter2", "REDACTED") })
	if strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), "REDACTED") {
		t.Errorf("log %q", logs.String())
	}
}

// CheckKeep refuses a retention no longer than retrying, naming -keep and
// retry.max_elapsed, and accepts a longer one and 0.
func TestCheckKeep(t *testing.T) {
	for _, tc := range []struct {
		keep, retried time.Duration
		refused       bool
	}{
		{time.Minute, 10 * time.Minute, true},
		{10 * time.Minute, 10 * time.Minute, true},
		{11 * time.Minute, 10 * time.Minute, false},
		{0, 10 * time.Minute, false},
	} {
		err := CheckKeep(tc.keep, tc.retried)
		if !tc.refused {
			if err != nil {
				t.Errorf("CheckKeep(%v, %v) = %v, want nil", tc.keep, tc.retried, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "-keep: "+tc.keep.String()) || !strings.Contains(err.Error(), "retry.max_elapsed: "+tc.retried.String()) {
			t.Errorf("CheckKeep(%v, %v) = %v, want an error naming -keep and retry.max_elapsed", tc.keep, tc.retried, err)
		}
	}
}

// Keep prints whole days as days and takes back what it prints; a value
// that is neither whole days nor a duration is refused.
func TestKeepStringAndSet(t *testing.T) {
	for d, want := range map[time.Duration]string{DefaultKeep: "90d", 0: "0", 36 * time.Hour: "36h0m0s", 30 * time.Minute: "30m0s", -24 * time.Hour: "-1d"} {
		k := Keep(d)
		if got := k.String(); got != want {
			t.Errorf("Keep(%v).String() = %q, want %q", d, got, want)
		}
		var back Keep
		if err := back.Set(want); err != nil || back != k {
			t.Errorf("Set(%q) = %v, %v; want %v", want, time.Duration(back), err, d)
		}
	}
	if got := (*Keep)(nil).String(); got != "0" {
		t.Errorf("nil Keep prints %q", got)
	}
	for _, bad := range []string{"1.5d", "d", "90 d", "ninety", "", "9999999999d"} {
		var k Keep
		if err := k.Set(bad); err == nil {
			t.Errorf("Set(%q): no error, %v", bad, time.Duration(k))
		}
	}
}

// Whole days past what a duration holds are refused as too many, not as
// a value that is neither days nor a duration: "999999999d" is whole days.
func TestKeepTooManyDays(t *testing.T) {
	for _, s := range []string{"999999999d", "106752d", "-106752d", "99999999999999999999d"} {
		var k Keep
		err := k.Set(s)
		if err == nil || err.Error() != "more days than a duration holds (at most 106751d)" {
			t.Errorf("Set(%q) = %v, %v", s, time.Duration(k), err)
		}
	}
	for _, s := range []string{"106751d", "-106751d"} {
		var k Keep
		if err := k.Set(s); err != nil {
			t.Errorf("Set(%q): %v", s, err)
		}
	}
}
