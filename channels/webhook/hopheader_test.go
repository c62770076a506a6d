package webhook

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// Headers that belong to one connection, not to the request: net/http
// drops a Trailer given in the header without a word, and the others
// would make the transport or the receiver treat the POST as something
// else (a protocol upgrade, a chunked body with trailers). New refuses
// them, as it refuses Connection, rather than send what was not asked.
func TestHopByHopHeadersReserved(t *testing.T) {
	for _, name := range []string{"Trailer", "te", "Upgrade", "Keep-Alive", "Proxy-Connection"} {
		t.Run(name, func(t *testing.T) {
			_, err := New(Config{URL: redact.NewURL("https://h.example/"), Secret: testSecret("a"),
				Headers: map[string]redact.Secret{name: redact.NewSecret("x-value")}})
			assert.EqualError(t, err, `webhook: Config.Headers["`+name+`"]: reserved, set by the channel`)
		})
	}
}
