package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A webhook header whose value is another header's name ("X-Source:
// X-Trace-Id") does not hide that name in the faults of the other
// header: names are no secrets, and show in the file's keys. Before, the
// channel took the name for one holding a secret, and Load hid it as a
// secret the file wrote: headers[a value (not quoted: …)], then
// headers["REDACTED"]. Other header values stay hidden, as does a name
// that is the value of a header named as a credential (X-Key).
func TestHeaderValueThatIsANameNamesThatHeader(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: webhook",
		"    url: https://hooks.example.com/in",
		"    allow_unsigned: true",
		`    headers: {X-Source: X-Trace-Id, X-Trace-Id: "\u0001", X-Api-Key: Kq7-Zx9-secret, X-Kq7-Zx9-secret: "\u0001"}`,
	), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `headers["X-Trace-Id"]: control character in value`)
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
