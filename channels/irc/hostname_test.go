package irc_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/irc"
)

// A host no lookup can resolve, whatever the network (a typo such as
// "irc,libera.chat", an empty label, a character DNS names do not hold),
// is refused by New, naming Config.Server and quoting nothing of it:
// every Send failed it as a transient "no such host" until its attempts
// ran out. Names the resolver takes (an underscore, a final "."), IP
// addresses and international names are accepted.
func TestNewChecksServerHostName(t *testing.T) {
	for _, host := range []string{
		"irc.libera.chat", "IRC.Libera.Chat", "irc.libera.chat.", "irc_1.example", "localhost",
		"127.0.0.1", "[::1]", "[2001:db8::1]", "irc.bücher.example", "1.example", "a-b.example",
	} {
		t.Run(host, func(t *testing.T) {
			_, err := irc.New(testConfig(host + ":6697"))
			assert.NoError(t, err)
		})
	}
	for _, host := range []string{
		"irc,libera.chat", "irc!libera.chat", "irc..libera.chat", ".irc.libera.chat", ".",
		"-irc.libera.chat", "irc-.libera.chat", "ex<a>.com", "a*b.example", "s3cr3t+irc.example",
		strings.Repeat("a", 64) + ".example",
	} {
		t.Run(host, func(t *testing.T) {
			_, err := irc.New(testConfig(host + ":6697"))
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "irc: Config.Server: host: "), err.Error())
			assert.NotContains(t, err.Error(), "s3cr3t")
		})
	}
}
