package main

import (
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A -timeout past what a duration holds says the limit, not that it is
// no duration; one near the limit is as good as no limit: the answer's
// time, the body's and the 10s margin added to it went past the limit
// and wrapped negative before (-timeout 2562047h47m16s), which the
// shutdown logged as its "within=-2562047h…".
func TestTimeoutNearTheLimit(t *testing.T) {
	_, err := parseFlags([]string{"-timeout", "3000000h"}, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-timeout: want a duration of at most 2562047h47m16s")

	for _, timeout := range []time.Duration{2562047 * time.Hour, math.MaxInt64} {
		h := &handler{timeout: timeout, maxBody: 32 << 20, log: slog.New(slog.DiscardHandler)}
		srv := newServer(h, h.log)
		assert.True(t, srv.WriteTimeout == 0 || srv.WriteTimeout >= timeout, "%v: got %v", timeout, srv.WriteTimeout)
	}
}
