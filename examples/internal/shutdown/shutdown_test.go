package shutdown

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// heldServer serves, through Serve, a handler that holds each request
// until release is closed or the connection is cut, and says which on
// outcome.
type heldServer struct {
	url     string
	started chan struct{}
	release chan struct{}
	outcome chan string
	cancel  context.CancelFunc // the first signal
	abort   chan struct{}      // closed: the second signal
	done    chan error         // serve's result
}

func newHeldServer(t *testing.T) *heldServer { return newHeldServerGrace(t, time.Minute) }

func newHeldServerGrace(t *testing.T, grace time.Duration) *heldServer {
	s := &heldServer{started: make(chan struct{}, 1), release: make(chan struct{}), outcome: make(chan string, 1),
		abort: make(chan struct{}), done: make(chan error, 1)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.url = "http://" + ln.Addr().String() + "/"
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.started <- struct{}{}
		select {
		case <-s.release:
			io.WriteString(w, "finished")
			s.outcome <- "finished"
		case <-r.Context().Done():
			s.outcome <- "cut off"
		}
	})
	var ctx context.Context
	ctx, s.cancel = context.WithCancel(context.Background())
	go func() { s.done <- Serve(ctx, s.abort, &http.Server{Handler: h}, ln, grace) }()
	return s
}

// get makes a request and sends its body, or "error", on the channel.
func (s *heldServer) get() <-chan string {
	out := make(chan string, 1)
	go func() {
		resp, err := http.Get(s.url)
		if err != nil {
			out <- "error"
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		out <- string(b)
	}()
	return out
}

// The first signal lets the request under way finish.
func TestFirstSignalFinishesRequests(t *testing.T) {
	s := newHeldServer(t)
	answer := s.get()
	<-s.started
	s.cancel()
	close(s.release)
	assert.Equal(t, "finished", <-answer)
	assert.NoError(t, <-s.done)
	assert.Equal(t, "finished", <-s.outcome)
}

// A request still under way when the grace period ends is cut off, and
// Serve says so: a program then exits 1, not as after a clean shutdown.
func TestGracePeriodOverCutsOff(t *testing.T) {
	s := newHeldServerGrace(t, 50*time.Millisecond)
	defer close(s.release)
	answer := s.get()
	<-s.started
	s.cancel()
	assert.ErrorIs(t, <-s.done, ErrCutOff)
	assert.Equal(t, "cut off", <-s.outcome)
	assert.Equal(t, "error", <-answer)
}

// A grace of 0 sets no limit: the request under way finishes, however
// long it takes, after the server stopped taking connections.
func TestNoGraceWaitsForRequests(t *testing.T) {
	s := newHeldServerGrace(t, 0)
	answer := s.get()
	<-s.started
	s.cancel()
	require.Eventually(t, func() bool { // the shutdown began: the listener is closed
		c, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(s.url, "/"), "http://"))
		if err == nil {
			c.Close()
		}
		return err != nil
	}, 10*time.Second, time.Millisecond)
	close(s.release)
	assert.Equal(t, "finished", <-answer)
	assert.NoError(t, <-s.done)
	assert.Equal(t, "finished", <-s.outcome)
}

// A second signal during the shutdown stops at once, cutting off the
// request under way rather than waiting up to the grace period for it
// ("Second Ctrl-C to force quit": Command Line Interface Guidelines,
// clig.dev).
func TestSecondSignalStopsAtOnce(t *testing.T) {
	s := newHeldServer(t)
	defer close(s.release)
	answer := s.get()
	<-s.started
	s.cancel()
	close(s.abort)
	err := <-s.done
	require.ErrorIs(t, err, ErrAbandoned)
	assert.Equal(t, 130, ExitAbandoned)
	assert.Equal(t, "error", <-answer)
	assert.Equal(t, "cut off", <-s.outcome)
}

// Two signals at once with no request under way (timeout(1) sends its
// SIGTERM to the program and again to its process group) leave nothing
// cut off: Serve returns nil, a clean shutdown, not ErrAbandoned, whose
// words ("the requests under way got no answer") and exit status 130
// would say that requests were lost.
func TestSecondSignalWithNothingUnderWay(t *testing.T) {
	for range 20 {
		s := newHeldServer(t)
		close(s.abort)
		s.cancel()
		require.NoError(t, <-s.done)
	}
}

// The first signal cancels the context (graceful shutdown), the second
// closes abort (stop at once).
func TestSignalsFirstShutsDownSecondAborts(t *testing.T) {
	ctx, abort := Signals(syscall.SIGUSR1)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGUSR1))
	<-ctx.Done()
	select {
	case <-abort:
		t.Fatal("one signal aborted")
	default:
	}
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGUSR1))
	<-abort
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var errServeBroke = errors.New("serve broke")

// Serving that failed as the first signal came is Serve's error, whichever
// of the two Serve saw first: the program exits failed, not as after a
// clean shutdown.
func TestServeFailingAsTheSignalComes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 50 {
		err := serve(ctx, nil, &http.Server{}, func() error { return errServeBroke }, time.Second)
		require.ErrorIs(t, err, errServeBroke)
	}
}
