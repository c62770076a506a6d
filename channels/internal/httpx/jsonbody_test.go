package httpx

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bodies are compact, end without a newline and keep <, > and &.
func TestJSONBody(t *testing.T) {
	b, err := JSONBody(map[string]any{"text": "<b>R&D</b>", "n": 1})
	require.NoError(t, err)
	assert.Equal(t, `{"n":1,"text":"<b>R&D</b>"}`, string(b))
	_, err = JSONBody(func() {})
	assert.Error(t, err)
}
