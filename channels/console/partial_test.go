package console_test

import (
	"bytes"
	"context"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
)

// partialWriter writes the first n bytes of the first Write and fails it,
// then writes everything.
type partialWriter struct {
	n      int
	failed bool
	buf    bytes.Buffer
}

func (w *partialWriter) Write(p []byte) (int, error) {
	if !w.failed {
		w.failed = true
		n := min(w.n, len(p))
		w.buf.Write(p[:n])
		return n, syscall.EIO
	}
	return w.buf.Write(p)
}

// A Write that failed after writing part of a message (a disk that filled
// up) leaves a line cut short: the retry starts on a line of its own,
// after the separator, rather than run on from the cut.
func TestRetryAfterPartialWriteStartsOnItsOwnLine(t *testing.T) {
	w := &partialWriter{n: 9}
	ch, err := console.New(console.Config{Writer: w, Template: "subject"})
	require.NoError(t, err)
	m := broadcast.NewMessage(sample(1))
	_, err = ch.Send(context.Background(), m)
	require.Error(t, err)
	m.Attempt = 2
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "Incident:\n"+console.Separator+"\nIncident: Elevated CDN error rates 1\n", w.buf.String())
}
