package email_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// TestMessageIDDomain: a Message-ID ends with the domain of From in lower
// case, or with outagecast.invalid when that domain cannot end one as
// configured (outside ASCII, an address literal), as Config.From says.
func TestMessageIDDomain(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, smtputf8: true})
	for from, domain := range map[string]string{
		"Status <status@Status.Example.COM>": "status.example.com",
		"status@bücher.example":              "outagecast.invalid",
		"status@[192.0.2.1]":                 "outagecast.invalid",
	} {
		cfg := config(srv, "alice@example.net")
		cfg.From = from
		ch := newChannel(t, cfg)
		r := send(t, ch, broadcast.NewMessage(incident(1)))
		assert.Regexp(t, `^<[0-9a-f]{32}\.cdn-errors-eu@`+regexp.QuoteMeta(domain)+`>$`, r.ID, from)
	}
	require.Len(t, srv.messages(), 3)
}
