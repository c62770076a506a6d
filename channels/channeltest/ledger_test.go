package channeltest_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
				assert.True(t, l.Done(target), target)
			}
			for target := range tt.failed {
				assert.True(t, l.Done(target), target)
			}
			assert.False(t, l.Done("nobody@example.com"))
		})
	}
}

func TestLedgerMarkFailedWithoutError(t *testing.T) {
	l := channeltest.NewLedger()
	require.NoError(t, l.MarkFailed("a@example.com", nil))
	assert.True(t, l.Done("a@example.com"))
	assert.Error(t, l.Failed()["a@example.com"], "a failure without an error still counts as failed")
	assert.Empty(t, l.Delivered())
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
			assert.True(t, l.Done(target))
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
		channeltest.Failure(9):       "Failure(9)",
		channeltest.Failure(-1):      "Failure(-1)",
	} {
		assert.Equal(t, want, f.String())
	}
}
