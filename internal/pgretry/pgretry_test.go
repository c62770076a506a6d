package pgretry

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
)

func TestConnectionLostAndNotRun(t *testing.T) {
	for _, tt := range []struct {
		name         string
		err          error
		lost, notRun bool
	}{
		{"terminated by an administrator", &pgconn.PgError{Code: "57P01"}, true, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true, false},
		{"unexpected EOF", io.ErrUnexpectedEOF, true, false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false, false},
		{"context ended", context.DeadlineExceeded, false, false},
		{"other", errors.New("boom"), false, false},
	} {
		assert.Equal(t, tt.lost, ConnectionLost(tt.err), tt.name)
		assert.Equal(t, tt.notRun, NotRun(tt.err), tt.name)
	}
}

// Do runs fn again while its connection broke, and no more once it
// succeeds, fails otherwise, or ctx ends.
func TestDo(t *testing.T) {
	lost := &pgconn.PgError{Code: "57P01"}
	n := 0
	err := Do(context.Background(), time.Minute, func() error {
		if n++; n < 3 {
			return lost
		}
		return nil
	})
	assert.NoError(t, err)
	assert.Equal(t, 3, n)

	n = 0
	other := errors.New("syntax error")
	assert.Same(t, other, Do(context.Background(), time.Minute, func() error { n++; return other }))
	assert.Equal(t, 1, n)

	n = 0
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.Same(t, lost, Do(ctx, time.Minute, func() error { n++; return lost }))
	assert.Equal(t, 1, n)

	n = 0
	assert.Same(t, lost, Do(context.Background(), -1, func() error { n++; return lost }), "a negative wait: once")
	assert.Equal(t, 1, n)

	// The first waits, at once then 50, 100, 200 and 400ms, come to
	// 750ms; the next, 800ms, would end past a wait of 1s.
	n = 0
	assert.Same(t, lost, Do(context.Background(), time.Second, func() error { n++; return lost }), "past the wait")
	assert.Equal(t, 6, n)
}
