package httpx

import (
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTransportErrorsShowNoURLSecret(t *testing.T) {
	inner := errors.New("connection refused")
	err := redactURLError(&url.Error{Op: "Post", URL: "https://user:pw@hooks.example.com/T123/B456/secret-token?key=k1", Err: inner})
	assert.Equal(t, `Post "https://hooks.example.com/…?…": connection refused`, err.Error())
	assert.ErrorIs(t, err, inner)
}
