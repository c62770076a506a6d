package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// A configuration's URL given to Load (a file served over HTTPS, with its
// user and password) is refused without quoting it: the error of opening
// it as a file showed the password.
func TestLoadURLNotQuoted(t *testing.T) {
	_, err := config.Load("https://ops:Hunter2xyz@config.example.com/outagecast.yaml")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Hunter2xyz")
	assert.Contains(t, err.Error(), "read config: the path is a URL")
}
