package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A second signal during the shutdown exits 130, other errors 1; the
// shutdown itself is tested in examples/internal/shutdown.
func TestExitStatus(t *testing.T) {
	assert.Equal(t, 130, fail(io.Discard, errAbandoned))
	assert.Equal(t, 1, fail(io.Discard, io.ErrUnexpectedEOF))
}
