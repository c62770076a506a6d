package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A webhook's header values are secrets, whatever the header (any header
// may carry a credential, and the channel redacts every value from its
// errors): a name holding one of 6 bytes or more is refused, also when
// the header is no credential. The error says that the header value is
// what the name holds, in the file's keys, without quoting the name, the
// value or the header's name; a header value under 6 bytes ("en-US") does
// not count.
func TestNameHoldingAHeaderValueSaysSo(t *testing.T) {
	_, _, err := parse(t, lines("channels:", "  - kind: webhook", "    name: outagecast-prod",
		"    url: https://hooks.example.com/in", "    secret: "+secret,
		"    headers: {X-Source: outagecast, Content-Language: en-US}"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), ": name: holds one of the channel's secrets")
	assert.Contains(t, err.Error(), "; it holds the value of headers[…]")
	assert.NotContains(t, err.Error(), "outagecast-prod")
	assert.NotContains(t, err.Error(), "X-Source")

	_, _, err = parse(t, lines("channels:", "  - kind: webhook", "    name: status-en-US",
		"    url: https://hooks.example.com/in", "    secret: "+secret,
		"    headers: {X-Source: outagecast, Content-Language: en-US}"), nil)
	require.NoError(t, err)
}
