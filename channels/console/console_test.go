package console_test

import (
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/console"
)

// fakeWriter is the console's back end: it records each Write as one
// delivery and fails Writes on request.
type fakeWriter struct {
	mu     sync.Mutex
	writes []string
	fail   channeltest.Failure
}

func (w *fakeWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch w.fail {
	case channeltest.FailTransient:
		return 0, syscall.EIO
	case channeltest.FailUnauthorized:
		return 0, syscall.EACCES
	case channeltest.FailRejected:
		return 0, syscall.EPIPE // the reader has gone
	}
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func (w *fakeWriter) Received() []channeltest.Delivery {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]channeltest.Delivery, len(w.writes))
	for i, s := range w.writes {
		text := strings.TrimSuffix(strings.TrimPrefix(s, console.Separator+"\n"), "\n")
		out[i] = channeltest.Delivery{Text: text, Parts: []string{text}}
	}
	return out
}

func (w *fakeWriter) Fail(f channeltest.Failure) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fail = f
}

func (w *fakeWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.writes, "")
}

func TestConformance(t *testing.T) {
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			w := &fakeWriter{}
			ch, err := console.New(console.Config{Writer: w})
			require.NoError(t, err)
			return ch, w
		},
		Failures: []channeltest.Failure{
			channeltest.FailTransient, channeltest.FailUnauthorized, channeltest.FailRejected,
		},
	})
}
