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

// ParseSecret checks a Standard Webhooks signing secret as written: the
// base64 (padded or not) of MinSecretBytes to MaxSecretBytes random bytes,
// with or without its "whsec_" prefix, as the specification's reference
// libraries take it. It returns the secret in the prefixed form, the
// base64 padded; the channel and NewVerifier take either form and sign
// and verify with either alike. Its errors never quote the secret.
func ParseSecret(s redact.Secret) (redact.Secret, error) {
	key, err := decodeSecret(s)
	if err != nil {
		return redact.Secret{}, fmt.Errorf("webhook: ParseSecret: %w", err)
	}
	return prefixed(key), nil
}

// prefixed returns the whsec_ secret of key, its base64 padded.
func prefixed(key []byte) redact.Secret {
	return redact.NewSecret(secretPrefix + base64.StdEncoding.EncodeToString(key))
}

// decodeSecret decodes a secret, with or without its whsec_ prefix, into
// the HMAC key (see ParseSecret). Its errors do not quote the secret; of
// one written without the prefix they say so, lest "whsec_ secret" read
// as if the prefix were what is wrong.
func decodeSecret(s redact.Secret) ([]byte, error) {
	b64, prefixed := strings.CutPrefix(s.Reveal(), secretPrefix)
	if b64 == "" {
		return nil, errors.New("whsec_ secret is empty")
	}
	bare := ""
	if !prefixed {
		bare = " (given without its whsec_ prefix)"
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(b64)
	}
	if err != nil {
		return nil, errors.New("whsec_ secret is not valid base64" + bare)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return nil, fmt.Errorf("whsec_ secret decodes to %d bytes, want %d to %d%s",
			len(key), MinSecretBytes, MaxSecretBytes, bare)
	}
	return key, nil
}
