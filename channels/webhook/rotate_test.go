package webhook

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

func rotSecret(fill byte) redact.Secret {
	return redact.NewSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(fill), 32))))
}

// While a signing secret is rotated, each delivery carries a signature
// with the new secret and one with the previous: receivers that verify
// with either accept it, so they can move to the new one each at its own
// pace.
func TestPreviousSecretSignsToo(t *testing.T) {
	current, previous := rotSecret('n'), rotSecret('o')
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, body)
		mu.Unlock()
	}))
	defer srv.Close()
	for name, cfg := range map[string]Config{
		"URL":       {URL: redact.NewURL(srv.URL + "/one"), Secret: current, PreviousSecret: previous},
		"Endpoints": {Endpoints: []Endpoint{{URL: redact.NewURL(srv.URL + "/list"), Secret: current, PreviousSecret: previous}}},
	} {
		t.Run(name, func(t *testing.T) {
			mu.Lock()
			got, bodies = nil, nil
			mu.Unlock()
			ch := newTestChannel(t, cfg, nil)
			_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
			require.NoError(t, err)
			require.Len(t, got, 1)
			sigs := strings.Fields(got[0].Header.Get(HeaderSignature))
			require.Len(t, sigs, 2, "one signature per secret")
			for _, s := range []redact.Secret{current, previous} {
				v, err := NewVerifier(s)
				require.NoError(t, err)
				assert.NoError(t, v.Verify(got[0].Header, bodies[0]), "a receiver holding one of the two")
			}
			key, _ := decodeSecret(current)
			assert.Equal(t, sign(key, got[0].Header.Get(HeaderID), mustUnix(t, got[0].Header.Get(HeaderTimestamp)), bodies[0]), sigs[0],
				"the current secret's first")
		})
	}
}

func mustUnix(t *testing.T, s string) int64 {
	var n int64
	_, err := fmt.Sscan(s, &n)
	require.NoError(t, err)
	return n
}

// A previous secret is checked like the secret, errors name it, and it
// makes sense only beside a secret of its own.
func TestPreviousSecretChecked(t *testing.T) {
	u := redact.NewURL("https://hooks.example.com/in")
	bad := redact.NewSecret("whsec_not*base64-9f8e7d")
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{URL: u, PreviousSecret: rotSecret('o'), AllowUnsigned: true}, "webhook: Config.PreviousSecret: set without Secret"},
		{Config{URL: u, Secret: rotSecret('n'), PreviousSecret: bad}, "webhook: Config.PreviousSecret: "},
		{Config{URL: u, Secret: rotSecret('n'), PreviousSecret: rotSecret('n')}, "webhook: Config.PreviousSecret: the same key as Secret"},
		{Config{Endpoints: []Endpoint{{URL: u, Secret: rotSecret('n'), PreviousSecret: bad}}}, "webhook: Config.Endpoints[0].PreviousSecret: "},
		{Config{Endpoints: []Endpoint{{URL: u, Secret: rotSecret('n')}}, PreviousSecret: rotSecret('o')},
			"webhook: Config.PreviousSecret: set only with URL (Endpoints carry their own)"},
	} {
		_, err := New(tt.cfg)
		require.Error(t, err, tt.want)
		assert.Contains(t, err.Error(), tt.want)
		assert.NotContains(t, err.Error(), "9f8e7d", "never quoted")
	}
}

// A receiver echoing the previous secret, or its key in any encoding, has
// it redacted as the current one is.
func TestErrorsHidePreviousSecret(t *testing.T) {
	previous := rotSecret('o')
	raw := []byte(strings.Repeat("o", 32))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no match for "+previous.Reveal()+" key hex "+hex.EncodeToString(raw), http.StatusUnauthorized)
	}))
	defer srv.Close()
	ch := newTestChannel(t, Config{URL: redact.NewURL(srv.URL + "/in"), Secret: rotSecret('n'), PreviousSecret: previous}, nil)
	ledger := channeltest.NewLedger()
	_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no match for")
	texts := append(reported(err, ledger), fmt.Sprintf("%+v", Config{PreviousSecret: previous}), fmt.Sprintf("%+v", ch))
	for _, text := range texts {
		channeltest.AssertNoSecret(t, text, string(raw), previous.Reveal())
	}
}

// The URL form carries the previous secret as previous_secret.
func TestURLFormPreviousSecret(t *testing.T) {
	cfg, err := ParseURL("webhook://hooks.example.com/in?secret=" + rotSecret('n').Reveal() + "&previous_secret=" + rotSecret('o').Reveal())
	require.NoError(t, err)
	assert.Equal(t, rotSecret('o').Reveal(), cfg.PreviousSecret.Reveal())
	back, err := ParseURL(cfg.ChannelURL().Reveal())
	require.NoError(t, err)
	assert.Equal(t, cfg.PreviousSecret.Reveal(), back.PreviousSecret.Reveal())
	assert.Equal(t, "https://hooks.example.com/in", back.URL.Reveal())
}
