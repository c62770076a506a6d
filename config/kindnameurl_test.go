package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A webhook entry without a name whose url is the kind's own name
// ("url: webhook", a password put in the wrong key, or a value lost)
// takes the kind's name, which then holds the url: the fault named is the
// url's, what is wrong with it, not the name's, which the entry never
// wrote. Before, the only fault read `channels[0] (webhook "REDACTED"):
// name: holds one of the channel's secrets (…); it holds the value of
// url`, hiding that the url is no URL.
func TestKindNamedURLNamesTheURLFault(t *testing.T) {
	_, _, err := parse(t, lines("channels:", "  - kind: webhook", "    url: webhook", "    allow_unsigned: true"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `test.yaml:3: channels[0] (webhook "REDACTED"): url: not an absolute http or https URL`)
	assert.NotContains(t, err.Error(), "name: holds")
	assert.NotContains(t, err.Error(), `"webhook"`)
}
