package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// WEBHOOK_SECRET is taken with or without its whsec_ prefix, as the
// Standard Webhooks reference libraries take a secret (they trim the
// prefix, then decode the base64), and with the white space a copy and
// paste leaves around it; before, both were refused as "not a whsec_
// secret". Deliveries signed with the whsec_ form verify with either.
func TestSecretWithOrWithoutPrefix(t *testing.T) {
	bare := strings.TrimPrefix(secret, "whsec_")
	for _, value := range []string{secret, bare, " " + secret + " ", "\t" + bare + "\r\n"} {
		v, err := verifierFromEnv(value)
		require.NoError(t, err, "%q", value)
		srv, out, _ := newReceiver(t, v)
		code, _ := signedPost(t, srv, "msg_1", []byte(`{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1",`+
			`"incident_id":"cdn-42","title":"T","status":"investigating","components":[],"time":"2026-11-24T14:02:00Z"}}`))
		assert.Equal(t, 204, code, "%q", value)
		assert.Contains(t, out.String(), "incident.updated [investigating] T", "%q", value)
	}
	// Neither form: refused naming the variable, never quoting it.
	for _, value := range []string{"hunter2-not-whsec", "QUFB", "whsec_QUFB", "whsec_ " + bare} {
		_, err := verifierFromEnv(value)
		require.Error(t, err, value)
		assert.True(t, strings.HasPrefix(err.Error(), "WEBHOOK_SECRET: "), err.Error())
		assert.NotContains(t, err.Error(), value)
		assert.NotContains(t, err.Error(), "QUFB")
	}
}
