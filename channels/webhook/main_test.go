package webhook

import (
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/redact"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testSecret returns a valid secret derived from seed.
func testSecret(seed string) redact.Secret {
	sum := sha256.Sum256([]byte(seed))
	return redact.NewSecret("whsec_" + base64.StdEncoding.EncodeToString(sum[:]))
}
