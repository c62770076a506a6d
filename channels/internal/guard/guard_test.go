package guard_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/guard"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runtimeError returns the runtime.Error of an index out of range.
func runtimeError() (r any) {
	defer func() { r = recover() }()
	var s []int
	i := 1
	_ = s[i]
	return nil
}

// The error of a panic is permanent, matches ErrPanicked, and names the
// value only when it is a runtime error: another may quote a secret.
func TestError(t *testing.T) {
	err := guard.Error("post", "Bearer s3cr3t")
	assert.EqualError(t, err, "post: panicked")
	assert.True(t, broadcast.IsPermanent(err))
	assert.ErrorIs(t, err, guard.ErrPanicked)

	err = guard.Error("post", runtimeError())
	assert.EqualError(t, err, "post: panicked: runtime error: index out of range [1] with length 0")
	var re runtime.Error
	assert.True(t, errors.As(err, &re))
	assert.True(t, broadcast.IsPermanent(err))
}

// callerRuntimeError is a caller's type with a RuntimeError method: not
// one the runtime raised, and its text may be anything.
type callerRuntimeError struct{ text string }

func (e callerRuntimeError) Error() string { return e.text }
func (callerRuntimeError) RuntimeError()   {}

// A value of a caller's type that has a RuntimeError method is not shown:
// only the runtime's own errors are.
func TestErrorOfCallersRuntimeError(t *testing.T) {
	var _ runtime.Error = callerRuntimeError{}
	err := guard.Error("post", callerRuntimeError{"Bearer s3cr3t"})
	assert.EqualError(t, err, "post: panicked")
}

// Recover turns the panic of the function that deferred it into its
// error, and leaves the error of one that returns alone.
func TestRecover(t *testing.T) {
	run := func(f func() error) (err error) {
		defer guard.Recover("connect", &err)
		return f()
	}
	err := run(func() error { panic("password=hunter2") })
	assert.EqualError(t, err, "connect: panicked")
	assert.True(t, broadcast.IsPermanent(err))
	failed := errors.New("refused")
	assert.Equal(t, failed, run(func() error { return failed }))
	assert.NoError(t, run(func() error { return nil }))
}

// Panics keeps the first panic of the goroutines, which go on with their
// other jobs, and Raise panics with its error in the caller: nothing when
// none panicked.
func TestPanics(t *testing.T) {
	var p guard.Panics
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i := range 4 {
		wg.Go(func() {
			defer p.Catch("work")
			mu.Lock()
			done++
			mu.Unlock()
			if i%2 == 1 {
				panic("s3cr3t")
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 4, done)
	var raised any
	func() {
		defer func() { raised = recover() }()
		p.Raise()
	}()
	err, ok := raised.(error)
	require.True(t, ok, "%v", raised)
	assert.EqualError(t, err, "work: panicked")
	assert.True(t, broadcast.IsPermanent(err))

	var none guard.Panics
	assert.NotPanics(t, none.Raise)
}

// A panic Raise raises in a channel's Send shows, in the Broadcaster's
// error of the delivery, the text Error made of it, as a value whose text
// is safe to show: the Broadcaster names a value of any other type by its
// type only.
func TestRaiseThroughBroadcaster(t *testing.T) {
	for name, value := range map[string]any{"other value": "s3cr3t", "runtime error": runtimeError()} {
		t.Run(name, func(t *testing.T) {
			ch := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
				var p guard.Panics
				var wg sync.WaitGroup
				wg.Go(func() {
					defer p.Catch("x")
					panic(value)
				})
				wg.Wait()
				p.Raise()
				return broadcast.Receipt{}, nil
			})
			b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
			require.NoError(t, err)
			defer func() { _ = b.Close() }()
			rep, err := b.Send(context.Background(), broadcast.Update{ID: "u", Title: "t", Status: broadcast.StatusInvestigating, Body: "b"})
			require.Error(t, err)
			require.NotNil(t, rep)
			assert.ErrorContains(t, rep.Results[0].Err, "channel panicked: "+guard.Error("x", value).Error())
			assert.NotContains(t, rep.Results[0].Err.Error(), "s3cr3t")
		})
	}
}

// Go calls its function from every goroutine, each to its end, and raises
// a panic of one in the calling goroutine once all of them returned.
func TestGo(t *testing.T) {
	var calls atomic.Int32
	guard.Go(3, "work", func() { calls.Add(1) })
	assert.Equal(t, int32(3), calls.Load())

	calls.Store(0)
	var raised any
	func() {
		defer func() { raised = recover() }()
		guard.Go(4, "work", func() {
			if calls.Add(1) == 2 {
				panic("s3cr3t")
			}
		})
	}()
	assert.Equal(t, int32(4), calls.Load(), "every goroutine ran before the panic was raised")
	err, ok := raised.(error)
	require.True(t, ok, "%v", raised)
	assert.EqualError(t, err, "work: panicked")
}
