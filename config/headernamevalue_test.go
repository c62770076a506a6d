package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A webhook header whose value is another header's name ("X-Source:
// X-Trace-Id") hides that name in the faults of the other header, as any
// header value (a redact.Secret, whatever its header's name) that a name
// holds: Load cannot tell such a value from a token pasted as a name too
// (TestTokenAsHeaderNameAndValueNotQuoted). This test wanted
// headers["X-Trace-Id"] before, which quoted the token of that case. No
// fault writes REDACTED in the name's place.
func TestHeaderValueThatIsANameHidesThatName(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: webhook",
		"    url: https://hooks.example.com/in",
		"    allow_unsigned: true",
		`    headers: {X-Source: X-Trace-Id, X-Trace-Id: "\u0001", X-Api-Key: Kq7-Zx9-secret, X-Kq7-Zx9-secret: "\u0001"}`,
	), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `headers[a value (not quoted: it holds a secret of the channel's Config)]: control character in value`)
	assert.NotContains(t, err.Error(), "X-Trace-Id")
	assert.NotContains(t, err.Error(), "REDACTED")
	assert.NotContains(t, err.Error(), "Kq7-Zx9-secret")

	_, _, err = parse(t, lines(
		"channels:",
		"  - kind: webhook",
		"    url: https://hooks.example.com/in",
		"    allow_unsigned: true",
		`    headers: {X-Key: hunter2tok, hunter2tok: "\u0001"}`,
	), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "control character in value")
	assert.NotContains(t, err.Error(), "hunter2tok")
}

// A Cookie header's value is a session's credential: the name that is
// its value stays hidden in the faults of the header so named.
func TestHeaderValueOfCookieHidesThatName(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: webhook",
		"    url: https://hooks.example.com/in",
		"    allow_unsigned: true",
		`    headers: {Cookie: s3cr3tT0k3nZ, s3cr3tT0k3nZ: "\u0001"}`,
	), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "control character in value")
	assert.NotContains(t, err.Error(), "s3cr3tT0k3nZ")
}

// A token pasted as a header's name and as the value of a header not
// named as a credential ("X-Source: s3cr3tT0k3nZ" beside s3cr3tT0k3nZ) is
// a secret all the same: every header value is one, whatever its
// header's name, as its type (redact.Secret) says. Before, such a value
// was taken for a header's name, no secret, and Load's error quoted it as
// that header's: headers["s3cr3tT0k3nZ"]; a name that held it was taken.
func TestTokenAsHeaderNameAndValueNotQuoted(t *testing.T) {
	const tok = "s3cr3tT0k3nZ"
	for _, headers := range []string{
		`{X-Source: ` + tok + `, ` + tok + `: "\u0001"}`,
		`{` + tok + `: "\u0001", X-Source: ` + tok + `}`,
		`{X-Source: ` + tok + `, ` + tok + `: "", X-Other: "\u0001"}`,
	} {
		_, _, err := parse(t, lines(
			"channels:",
			"  - kind: webhook",
			"    url: https://hooks.example.com/in",
			"    allow_unsigned: true",
			"    headers: "+headers,
		), nil)
		require.Error(t, err, headers)
		assert.Contains(t, err.Error(), "test.yaml:5: channels[0] (webhook \"webhook\"): headers[", headers)
		assert.NotContains(t, err.Error(), tok, headers)
		assert.NotContains(t, err.Error(), "REDACTED", headers)
	}
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: webhook",
		"    url: https://hooks.example.com/in",
		"    allow_unsigned: true",
		"    headers: {X-Source: "+tok+", "+tok+": x}",
		"  - kind: console",
		"    name: "+tok,
	), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "channels[1].name: holds a secret written in channels[0]")
	assert.NotContains(t, err.Error(), tok)
}
