package broadcast_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// nilErrorPreviewCloser is a channel whose Preview and Close return a nil
// *codeError as their error.
type nilErrorPreviewCloser struct{ script }

func (c *nilErrorPreviewCloser) Preview(broadcast.Update) (broadcast.Preview, error) {
	var e *codeError
	return broadcast.Preview{}, e
}

func (c *nilErrorPreviewCloser) Close() error {
	var e *codeError
	return e
}

// A Preview or a Close that returns a nil *codeError (a nil pointer in a
// non-nil error) is named in the error with a text that says so and names
// the type, as a Check's or a Send's is. Before, the error read
// "broadcast: preview x: <nil>" and "broadcast: close x: <nil>".
func TestPreviewCloseErrorWhoseErrorMethodPanics(t *testing.T) {
	b, err := broadcast.New([]broadcast.Channel{&nilErrorPreviewCloser{script{name: "x"}}}, broadcast.Options{})
	require.NoError(t, err)
	ps, err := b.Preview(validUpdate())
	assert.Empty(t, ps)
	require.Error(t, err)
	assert.ErrorContains(t, err, "broadcast: preview x: channel returned an error (a *broadcast_test.codeError) whose Error method panicked")
	err = b.Close()
	require.Error(t, err)
	assert.ErrorContains(t, err, "broadcast: close x: channel returned an error (a *broadcast_test.codeError) whose Error method panicked")
}
