package webhook

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/outagecast/outagecast/redact"
)

// Secret sizes allowed by the Standard Webhooks specification, in bytes.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

const secretPrefix = "whsec_"

// decodeSecret decodes a whsec_ secret into the HMAC key. Its errors do
// not quote the secret.
func decodeSecret(s redact.Secret) ([]byte, error) {
	b64, ok := strings.CutPrefix(s.Reveal(), secretPrefix)
	if !ok {
		return nil, errors.New("not a whsec_ secret")
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(b64)
	}
	if err != nil {
		return nil, errors.New("whsec_ secret is not valid base64")
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return nil, fmt.Errorf("whsec_ secret decodes to %d bytes, want %d to %d",
			len(key), MinSecretBytes, MaxSecretBytes)
	}
	return key, nil
}
