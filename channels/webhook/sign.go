package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"

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
// It fails, without quoting the secret, when secret is not the base64 of
// MinSecretBytes to MaxSecretBytes, with or without its "whsec_" prefix
// (see ParseSecret), and when id is empty or holds a "."
// (which the specification forbids: the signature would also be that of
// another delivery, its id cut at the dot; Verify refuses such an id,
// with ErrInvalidID).
func Sign(secret redact.Secret, id string, timestamp int64, body []byte) (string, error) {
	switch {
	case id == "":
		return "", errors.New("webhook: Sign: id: empty")
	case strings.Contains(id, "."):
		return "", errors.New(`webhook: Sign: id: holds a ".", which Standard Webhooks forbids`)
	}
	key, err := decodeSecret(secret)
	if err != nil {
		return "", fmt.Errorf("webhook: Sign: %w", err)
	}
	return sign(key, id, timestamp, body), nil
}

func sign(key []byte, id string, timestamp int64, body []byte) string {
	sig, _ := appendSignature(nil, id, timestamp, body, hmac.New(sha256.New, key))
	return sig
}

func mac(key []byte, id string, timestamp int64, body []byte) []byte {
	return appendMAC(nil, hmac.New(sha256.New, key), id, timestamp, body)
}

// appendMAC appends to dst the MAC of "id.timestamp.body" computed with h,
// a keyed HMAC-SHA256 that nothing was written to yet. dst's spare capacity
// holds the "id.timestamp." it hashes, so that no copy of body or of its
// prefix is made.
func appendMAC(dst []byte, h hash.Hash, id string, timestamp int64, body []byte) []byte {
	n := len(dst)
	dst = append(dst, id...)
	dst = append(dst, '.')
	dst = strconv.AppendInt(dst, timestamp, 10)
	dst = append(dst, '.')
	h.Write(dst[n:])
	h.Write(body)
	return h.Sum(dst[:n])
}

// appendSignature returns the webhook-signature value: for each of hs, "v1,"
// and the base64 of the MAC computed with it (see appendMAC), separated by
// spaces; and buf, which it used as scratch space: callers that sign many
// requests pass the buf they got back, so that only the returned string is
// allocated.
func appendSignature(buf []byte, id string, timestamp int64, body []byte, hs ...hash.Hash) (string, []byte) {
	buf = buf[:0]
	for _, h := range hs {
		buf = appendMAC(buf, h, id, timestamp, body)
	}
	n := len(buf)
	for i := range hs {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = append(buf, "v1,"...)
		buf = base64.StdEncoding.AppendEncode(buf, buf[i*sha256.Size:(i+1)*sha256.Size])
	}
	return string(buf[n:]), buf
}

// macPool hands out HMAC-SHA256 hashes keyed with one endpoint's key, so
// that a request does not key a new one: a hash reused is Reset, which
// restores its keyed state.
type macPool struct {
	key  []byte
	pool sync.Pool
}

func (p *macPool) get() hash.Hash {
	if h, ok := p.pool.Get().(hash.Hash); ok {
		h.Reset()
		return h
	}
	return hmac.New(sha256.New, p.key)
}

func (p *macPool) put(h hash.Hash) { p.pool.Put(h) }
