package config

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

// irc's ca_file, client_cert and client_key all set TLSConfig: an error
// of the irc package naming Config.TLSConfig is still about ca_file, the
// first of them, and each of the three keys says which field it sets.
func TestTLSConfigKeyOfThreeSharingIt(t *testing.T) {
	spec := reflect.TypeFor[entry[ircFile]]()
	keys, ok := keyPath(spec, ".TLSConfig")
	assert.True(t, ok)
	assert.Equal(t, []string{"ca_file"}, keys)
	for _, k := range []string{"ca_file", "client_cert", "client_key"} {
		assert.Equal(t, "TLSConfig", setsField(spec, k), k)
	}
	assert.Equal(t, "", setsField(spec, "nick"))
}
