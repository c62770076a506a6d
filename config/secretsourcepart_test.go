package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A password written in part in the file and in part taken from the
// environment ("Zq8xKw5vT0pS${PW_TAIL}") is neither written in the entry nor
// taken from the environment: the fault of a name holding it says it is
// taken in part from the reference, never the value.
func TestSecretAsNamePartlyFromEnvironment(t *testing.T) {
	const pw = "Zq8xKw5vT0pS3cr3t"
	_, _, err := parse(t, lines("channels:",
		"  - url: 'smtp://user:Zq8xKw5vT0pS${PW_TAIL}@smtp.example.com:587/?from=s@example.com&to=a@example.com'", "    name: mail",
		"  - kind: console", "    name: 'ops-"+pw+"'"),
		map[string]string{"PW_TAIL": pw[12:]})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "channels[1].name: holds a secret that channels[0] takes in part from ${PW_TAIL} (")
	assert.NotContains(t, err.Error(), pw[12:])
	assert.NotContains(t, err.Error(), "Zq8xKw5vT0pS")
}

// A value of the environment that another key of the entry takes (its
// name's "1") and that the secret happens to hold is no part of it: the
// fault does not say so, which would tell that the secret holds that
// value.
func TestSecretAsNameOtherValueNoPart(t *testing.T) {
	const pw = "Zq8xKw5vT0pS3cr3t1"
	_, _, err := parse(t, lines("channels:",
		"  - url: 'smtp://user:"+pw+"@smtp.example.com:587/?from=s@example.com&to=a@example.com'", "    name: mail-${N}",
		"  - kind: console", "    name: 'ops-"+pw+"'"),
		map[string]string{"N": "1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "channels[1].name: holds a secret written in channels[0] (")
	assert.NotContains(t, err.Error(), pw)
}
