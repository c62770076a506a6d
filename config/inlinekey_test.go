package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A name that holds a secret of a kind whose file inlines its channel's
// Config (email, irc, x, console) is refused naming the file's key of
// the secret, as for the other kinds: before, the error named the Go
// path "Config.Config.Password", which no file writes.
func TestSecretInNameOfInlinedConfigNamesTheKey(t *testing.T) {
	const pw = "hunter2hunter2"
	tests := []struct{ name, file, key string }{
		{"email", lines("channels:", "  - kind: email", "    host: mail.example.com", "    username: u",
			"    password: "+pw, "    from: a@example.com", "    to: [b@example.com]", "    name: "+pw), "password"},
		{"email url", lines("channels:", "  - url: smtp://u:"+pw+"@mail.example.com/?from=a@example.com&to=b@example.com",
			"    name: "+pw), "password"},
		{"irc", lines("channels:", "  - kind: irc", "    server: irc.example.com:6697", "    nick: bot",
			"    password: "+pw, "    channels: ['#ops']", "    name: "+pw), "password"},
		{"x", lines("channels:", "  - kind: x", "    consumer_key: ck", "    consumer_secret: cs",
			"    access_token: at", "    access_secret: "+pw, "    name: "+pw), "access_secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.file, nil)
			require.Error(t, err)
			msg := err.Error()
			assert.Contains(t, msg, "; it holds the value of "+tt.key)
			assert.NotContains(t, msg, "Config.")
			assert.NotContains(t, msg, pw)
		})
	}
}
