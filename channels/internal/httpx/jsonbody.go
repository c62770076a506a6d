package httpx

import (
	"bytes"
	"encoding/json"
)

// JSONBody encodes v as a request body: compact JSON without a trailing
// newline, and with "<", ">" and "&" as they are, not as \u003c and the
// like, which would only make a message longer (platforms count the
// bytes of a body) and which no API needs.
func JSONBody(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
