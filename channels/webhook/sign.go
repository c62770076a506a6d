package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/outagecast/outagecast/redact"
)

// Header names of the Standard Webhooks specification.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// retractionKey is the webhook-id of the retraction of update updateID
// sent by the channel named channel to target: like Message.Key, 32 hex
// digits, the same on every attempt, after a restart and on every
// instance, and never the id of an update's delivery (other inputs hash
// otherwise).
func retractionKey(channel, updateID, target string) string {
	h := sha256.New()
	for _, s := range []string{"outagecast-webhook-retraction-v1", channel, updateID, target} {
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// Sign returns the webhook-signature header value for a delivery signed
// with secret: "v1," and the base64 of the HMAC-SHA256, keyed with the
// secret's decoded bytes, of "id.timestamp.body", timestamp in Unix seconds.
// It fails, without quoting the secret, when secret is not a whsec_ secret
// of MinSecretBytes to MaxSecretBytes.
func Sign(secret redact.Secret, id string, timestamp int64, body []byte) (string, error) {
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
