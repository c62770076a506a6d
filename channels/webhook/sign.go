package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
)

// Header names of the Standard Webhooks specification.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// MessageID returns the webhook-id of the update with ID updateID sent to
// endpointURL: "msg_" and 32 base32 characters of a SHA-256 over both
// (updateID length-prefixed, so no two pairs hash alike). It is the same on
// every attempt, so receivers can drop a delivery they have seen.
func MessageID(updateID, endpointURL string) string {
	sum := sha256.Sum256([]byte(strconv.Itoa(len(updateID)) + ":" + updateID + endpointURL))
	return "msg_" + idEncoding.EncodeToString(sum[:20])
}

// targetOf is an endpoint's Ledger target: a hash, so that a durable Store
// holds no credential of the URL.
func targetOf(endpointURL string) string {
	sum := sha256.Sum256([]byte("outagecast-webhook-endpoint\x00" + endpointURL))
	return "ep_" + hex.EncodeToString(sum[:16])
}

// Sign returns the webhook-signature header value for a delivery signed
// with secret: "v1," and the base64 of the HMAC-SHA256, keyed with the
// secret's decoded bytes, of "id.timestamp.body", timestamp in Unix seconds.
// It fails, without quoting the secret, when secret is not a whsec_ secret
// of MinSecretBytes to MaxSecretBytes.
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", fmt.Errorf("webhook: Sign: %w", err)
	}
	return sign(key, id, timestamp, body), nil
}

func sign(key []byte, id string, timestamp int64, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, timestamp, body))
}

func mac(key []byte, id string, timestamp int64, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write(strconv.AppendInt(nil, timestamp, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}
