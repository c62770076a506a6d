package email

import (
	"crypto/tls"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A host name outside ASCII (IDN) is dialed as its A-labels, and TLS
// verifies the certificate against, and sends as SNI, the A-labels too:
// resolvers and certificates know the name in that form only. (Checked
// here, inside: a dial of the name would ask the DNS.)
func TestIDNServerName(t *testing.T) {
	for _, c := range []struct {
		name string
		tls  *tls.Config
		want string
	}{
		{"from Host", nil, "smtp.xn--bcher-kva.example"},
		{"given", &tls.Config{ServerName: "mx.Bücher.example"}, "mx.xn--bcher-kva.example"},
		{"given in ASCII", &tls.Config{ServerName: "mx.example.net"}, "mx.example.net"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch, err := New(Config{Host: "smtp.bücher.example", TLSConfig: c.tls, From: "status@example.com", To: []string{"a@example.net"}})
			require.NoError(t, err)
			assert.Equal(t, "smtp.xn--bcher-kva.example", ch.cfg.Host, "dialed as")
			assert.Equal(t, c.want, ch.cfg.TLSConfig.ServerName)
			if c.tls != nil {
				assert.Contains(t, []string{"mx.Bücher.example", "mx.example.net"}, c.tls.ServerName,
					"the caller's TLSConfig is left as it is")
			}
		})
	}
}
