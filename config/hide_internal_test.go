package config

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
)

// hide keeps a secret from the environment out of an error's text under
// every verb, and out of reach through Unwrap, while errors.Is still finds
// what the error matched.
func TestHideKeepsErrorsIs(t *testing.T) {
	const token = "xoxb-1234567890-abcdefghij"
	h := (&expander{secrets: map[string]string{token: "${SLACK_TOKEN}"}}).hider()
	err := hide(fmt.Errorf("channels[0]: name %q: %w", "bad "+token, fs.ErrNotExist), h)

	assert.ErrorIs(t, err, fs.ErrNotExist, "the chain still answers errors.Is")
	assert.Equal(t, `channels[0]: name "bad ${SLACK_TOKEN}": file does not exist`, err.Error())
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, err), token, verb)
	}
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		assert.NotContains(t, e.Error(), token, "Unwrap reaches no text holding the secret")
	}

	plain := errors.New("no secret here")
	assert.Same(t, plain, hide(plain, h), "an error without a secret is returned as is")
}
