package httpx

import (
	"bytes"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The short body of an answer whose length the server announced is held
// in a slice of its size: DoStatus reads one per request, and io.ReadAll
// gave each a buffer of 512 bytes (and a LimitedReader) for a few.
func TestDoStatusShortBodyTakesItsSize(t *testing.T) {
	srv := newBodyServer(t, http.StatusOK, nil)
	resp, err := doStatus(t, newTestClient(t), srv.URL+"/?fast=1")
	require.NoError(t, err)
	assert.Equal(t, "fine", string(resp.Body))
	assert.False(t, resp.Truncated)
	assert.LessOrEqual(t, cap(resp.Body), len("fine")+1, "capacity of the body read")
}

// readPast reads what io.ReadAll(pastLimit(…)) reads, whatever the body's
// announced length (right, unknown, too short, too long), its limit and how
// its reads return.
func TestReadPastReadsAsReadAll(t *testing.T) {
	readErr := errors.New("connection reset")
	for _, n := range []int{0, 1, 4, 511, 512, 513, 4095, 4096, 4097, 10000} {
		body := strings.Repeat("x", n)
		for _, limit := range []int64{1, 4, 512, 4096, 5000, math.MaxInt64} {
			for _, size := range []int64{-1, int64(n), int64(n) / 2, int64(n) + 7} {
				for name, wrap := range map[string]func(io.Reader) io.Reader{
					"plain":    func(r io.Reader) io.Reader { return r },
					"one-byte": iotest.OneByteReader,
					"data-eof": iotest.DataErrReader,
					"broken": func(r io.Reader) io.Reader {
						return io.MultiReader(r, iotest.ErrReader(readErr))
					},
				} {
					want, wantErr := io.ReadAll(pastLimit(wrap(strings.NewReader(body)), limit))
					got, err := readPast(wrap(strings.NewReader(body)), limit, size)
					what := []any{"body %d bytes, limit %d, announced %d, %s", n, limit, size, name}
					assert.Equal(t, want, got, what...)
					assert.Equal(t, wantErr, err, what...)
					if limit < math.MaxInt64 {
						assert.LessOrEqual(t, int64(cap(got)), max(limit+1, 512), what...)
					}
				}
			}
		}
	}
}

// An announced body below the limit costs one allocation.
func TestReadPastAnnouncedAllocatesOnce(t *testing.T) {
	body := []byte(`{"ok":true}`)
	r := bytes.NewReader(body)
	allocs := testing.AllocsPerRun(100, func() {
		r.Reset(body)
		if _, err := readPast(r, StatusBodyLimit, int64(len(body))); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, 1.0, allocs)
}
