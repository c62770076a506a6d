package channeltest_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

func TestLedger(t *testing.T) {
	refused := errors.New("550 mailbox unavailable")
	tests := []struct {
		name      string
		mark      func(l *channeltest.Ledger)
		delivered []string
		failed    map[string]error
	}{
		{"Empty", func(*channeltest.Ledger) {}, nil, nil},
		{"Delivered sorted", func(l *channeltest.Ledger) {
			require.NoError(t, l.MarkDelivered("b@example.com"))
			require.NoError(t, l.MarkDelivered("a@example.com"))
		}, []string{"a@example.com", "b@example.com"}, nil},
		{"Failed keeps the error", func(l *channeltest.Ledger) {
			require.NoError(t, l.MarkFailed("c@example.com", refused))
		}, nil, map[string]error{"c@example.com": refused}},
		{"Last mark wins", func(l *channeltest.Ledger) {
			require.NoError(t, l.MarkFailed("a@example.com", refused))
			require.NoError(t, l.MarkDelivered("a@example.com"))
		}, []string{"a@example.com"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l channeltest.Ledger // the zero Ledger is ready to use
			tt.mark(&l)
			assert.Equal(t, tt.delivered, l.Delivered())
			assert.Equal(t, tt.failed, l.Failed())
			for _, target := range tt.delivered {
				done, failure := l.Done(target)
				assert.True(t, done, target)
				assert.Empty(t, failure, target)
			}
			for target, err := range tt.failed {
				done, failure := l.Done(target)
				assert.True(t, done, target)
				assert.Equal(t, err.Error(), failure, target)
			}
			done, failure := l.Done("nobody@example.com")
			assert.False(t, done)
			assert.Empty(t, failure)
		})
	}
}

func TestLedgerMarkFailedWithoutError(t *testing.T) {
	for name, err := range map[string]error{"nil": nil, "no text": errors.New("")} {
		l := channeltest.NewLedger()
		require.NoError(t, l.MarkFailed("a@example.com", err))
		done, failure := l.Done("a@example.com")
		assert.True(t, done, name)
		assert.NotEmpty(t, failure, "%s: a failure without a text still counts as failed", name)
		assert.Error(t, l.Failed()["a@example.com"], name)
		assert.Empty(t, l.Delivered(), name)
	}
}

func TestLedgerConcurrent(t *testing.T) {
	l := channeltest.NewLedger()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			target := fmt.Sprintf("r%02d@example.com", i)
			if i%2 == 0 {
				assert.NoError(t, l.MarkDelivered(target))
			} else {
				assert.NoError(t, l.MarkFailed(target, errors.New("refused")))
			}
			done, _ := l.Done(target)
			assert.True(t, done)
			_ = l.Delivered()
		})
	}
	wg.Wait()
	assert.Len(t, l.Delivered(), 10)
	assert.Len(t, l.Failed(), 10)
}

func TestFailureString(t *testing.T) {
	for f, want := range map[channeltest.Failure]string{
		channeltest.FailNone:         "none",
		channeltest.FailTransient:    "transient",
		channeltest.FailRateLimited:  "rate-limited",
		channeltest.FailUnauthorized: "unauthorized",
		channeltest.FailRejected:     "rejected",
		channeltest.FailEcho:         "echo",
		channeltest.Failure(9):       "Failure(9)",
		channeltest.Failure(-1):      "Failure(-1)",
	} {
		assert.Equal(t, want, f.String())
	}
}

func TestThreadEndString(t *testing.T) {
	for e, want := range map[channeltest.ThreadEnd]string{
		channeltest.Unthreaded:    "unthreaded",
		channeltest.Root:          "root",
		channeltest.Last:          "last",
		channeltest.ThreadEnd(7):  "ThreadEnd(7)",
		channeltest.ThreadEnd(-1): "ThreadEnd(-1)",
	} {
		assert.Equal(t, want, e.String())
	}
}

// Progress within a target is kept in the Ledger but is no target.
func TestLedgerDeliveredLeavesProgressOut(t *testing.T) {
	l := channeltest.NewLedger()
	m := broadcast.NewMessage(broadcast.Update{})
	m.Ledger = l
	f := broadcast.NewFanout(m, []string{"#ops"})
	require.NoError(t, f.MarkProgress(0, "line 1/2"))
	assert.True(t, f.Progressed(0, "line 1/2"))
	assert.Nil(t, l.Delivered())
	f.Report(0, nil)
	assert.Equal(t, []string{"#ops"}, l.Delivered())
}
