package webhook

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// Secret sizes allowed by the Standard Webhooks specification, in bytes.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

const secretPrefix = "whsec_"

// minHidden is the length from which a header value is taken for a
// credential and redacted from errors: shorter ones would blank out
// ordinary words.
const minHidden = 4

// minToken is the length from which a path segment or query value of an
// endpoint URL is taken for a token and redacted from errors.
const minToken = 16

// decodeSecret decodes a whsec_ secret into the HMAC key. Its errors do
// not quote the secret.
func decodeSecret(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(s, secretPrefix)
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

// hide returns REDACTED for a secret that is set, and "" for none.
func hide(secret string) string {
	if secret == "" {
		return ""
	}
	return httpx.Redacted
}

// credentials returns the configured header values that errors must not
// show: after an authorization scheme as in "Bearer <token>", the token
// alone (first, so that errors keep the scheme), and every value of at
// least minHidden bytes.
func credentials(headers map[string]string) []string {
	var out []string
	for _, v := range headers {
		v = strings.TrimSpace(v)
		if len(v) < minHidden {
			continue
		}
		if _, token, ok := strings.Cut(v, " "); ok && len(strings.TrimSpace(token)) >= minHidden {
			out = append(out, strings.TrimSpace(token))
		}
		out = append(out, v)
	}
	return out
}

// redactionForms returns secret as written and as JSON encoders escape it
// (Go's, and those that also escape "/"), since receivers often echo what
// they got inside a JSON error.
func redactionForms(secret string) []string {
	forms := []string{secret}
	b, _ := json.Marshal(secret) // a string always encodes
	quoted := string(b[1 : len(b)-1])
	for _, f := range []string{quoted, strings.ReplaceAll(quoted, "/", `\/`)} {
		if f != forms[len(forms)-1] {
			forms = append(forms, f)
		}
	}
	return forms
}
