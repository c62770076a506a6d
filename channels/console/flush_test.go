package console_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
)

// A Writer that buffers (a bufio.Writer around a file) is flushed after
// each message: a Send reported delivered has reached the writer below,
// and a program that ends without flushing loses nothing.
func TestSendFlushesBufferedWriter(t *testing.T) {
	var out bytes.Buffer
	w := bufio.NewWriterSize(&out, 64<<10)
	ch, err := console.New(console.Config{Writer: w, Template: "subject"})
	require.NoError(t, err)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(sample(1)))
	require.NoError(t, err)
	assert.Equal(t, "Incident: Elevated CDN error rates 1\n", out.String())
}

// failingWriter fails every Write.
type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// A flush that fails is the Send's failure, classified as a Write's.
func TestSendFlushFailure(t *testing.T) {
	for _, tt := range []struct {
		err       error
		permanent bool
	}{{syscall.EIO, false}, {syscall.EPIPE, true}} {
		w := bufio.NewWriter(failingWriter{tt.err})
		ch, err := console.New(console.Config{Writer: w})
		require.NoError(t, err)
		_, err = ch.Send(context.Background(), broadcast.NewMessage(sample(1)))
		require.Error(t, err)
		assert.True(t, errors.Is(err, tt.err), "%v", err)
		assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "%v", err)
	}
}
