package webhook

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// The conformance endpoints: fixed URLs, so that their Ledger targets are
// known before each subtest's receiver starts, with a password, a path
// token and a query token, and a credential header. Each request reaches
// the subtest's receiver whatever its host (see conformanceClient).
const (
	confPassword  = "pw-s3cr3t"
	confPathToken = "T0k3nPathSegment42"
	confQuery     = "q/t0k3n+42"
	confAPIKey    = "key-5f4e3d2c1b"
)

var confPaths = []string{"/a/" + confPathToken, "/b/" + confPathToken, "/c/" + confPathToken}

// confURL is the URL of the endpoint at path.
func confURL(path string) string {
	host := "hooks-" + path[1:2] + ".example.com"
	return "http://user:" + confPassword + "@" + host + path + "?token=" + url.QueryEscape(confQuery)
}

// conformanceConfig is the channel's Config as a user writes it, with
// client sending every request to the receiver.
func conformanceConfig(client *http.Client) Config {
	cfg := Config{Name: "subscribers", Headers: map[string]redact.Secret{"X-Api-Key": redact.NewSecret(confAPIKey)}, HTTPClient: client}
	for _, p := range confPaths {
		cfg.Endpoints = append(cfg.Endpoints, Endpoint{URL: redact.NewURL(confURL(p)), Secret: testSecret(p)})
	}
	return cfg
}

// conformanceClient dials rc's server for every host, and follows no
// redirect; its connections close when the test ends.
func conformanceClient(t *testing.T, rc *receiver) *http.Client {
	var d net.Dialer
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, rc.srv.Listener.Addr().String())
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// conformanceBackend is a set of receivers, one per endpoint, that fail on
// demand with the answers webhook receivers give, and that delete an
// update they got when its retraction arrives.
type conformanceBackend struct {
	rc *receiver

	mu       sync.Mutex
	fail     channeltest.Failure
	failures map[string]channeltest.Failure // by target
	deleted  map[string]bool                // target and update ID, retracted
}

func newConformanceBackend(t *testing.T) *conformanceBackend {
	be := &conformanceBackend{rc: newReceiver(t), failures: map[string]channeltest.Failure{}, deleted: map[string]bool{}}
	be.rc.setFallback(be.answer)
	return be
}

func (b *conformanceBackend) Fail(f channeltest.Failure) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = f
}

func (b *conformanceBackend) FailTarget(target string, f channeltest.Failure) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures[target] = f
}

// confTarget returns the Ledger target of the endpoint at path.
func confTarget(path string) string { return EndpointName(confURL(path)) }

func (b *conformanceBackend) answer(n int, w http.ResponseWriter, r *http.Request) bool {
	target := confTarget(r.URL.Path)
	b.mu.Lock()
	f := b.fail
	if f == channeltest.FailNone {
		f = b.failures[target]
	}
	b.mu.Unlock()
	switch f {
	case channeltest.FailTransient:
		http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
	case channeltest.FailRateLimited:
		w.Header().Set("Retry-After", "7")
		http.Error(w, `{"error":"rate limited"}`, http.StatusTooManyRequests)
	case channeltest.FailUnauthorized:
		http.Error(w, `{"error":"bad credentials"}`, http.StatusUnauthorized)
	case channeltest.FailRejected:
		http.Error(w, `{"error":"payload rejected"}`, http.StatusBadRequest)
	case channeltest.FailEcho:
		http.Error(w, echo(r), http.StatusBadRequest)
	case channeltest.FailEchoDelivered:
		var taken bool
		channeltest.EchoAnswer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			taken = b.accept(n, rec, r, target)
			if rec.Code == http.StatusNoContent { // a receiver that names what it took
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"status":"accepted","id":"evt-1"}`)
				return
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		})).ServeHTTP(w, r)
		return taken
	default:
		return b.accept(n, w, r, target)
	}
	return false
}

// accept takes a delivery, and a retraction as the deletion of the update
// it names (which is not a delivery of its own).
func (b *conformanceBackend) accept(n int, w http.ResponseWriter, r *http.Request, target string) bool {
	var p Payload
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.Type != EventRetracted {
		return accept(n, w, r)
	}
	b.mu.Lock()
	b.deleted[target+"\x00"+p.Data.ID] = true
	b.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
	return false
}

// echo is a debugging receiver's error answer: every credential the request
// carried, as it carried them, and the signing secret the receiver knows,
// also without its prefix and decoded, in JSON and as PHP escapes it.
func echo(r *http.Request) string {
	secret := testSecret(r.URL.Path).Reveal()
	key := strings.TrimPrefix(secret, "whsec_")
	raw, _ := base64.StdEncoding.DecodeString(key)
	got := map[string]string{
		"authorization": r.Header.Get("Authorization"), "api_key": r.Header.Get("X-Api-Key"),
		"uri": r.URL.RequestURI(), "query": r.URL.RawQuery, "path": r.URL.Path,
		"secret": secret, "key": key, "raw": string(raw),
	}
	js, _ := json.Marshal(got)
	return fmt.Sprintf("%s php: %s raw: %s %s %s", js, strings.ReplaceAll(string(js), "/", `\/`),
		r.Header.Get("Authorization"), r.URL.RequestURI(), raw)
}

// Received shows each accepted payload as a receiver would display it.
func (b *conformanceBackend) Received() []channeltest.Delivery {
	var out []channeltest.Delivery
	for _, d := range b.rc.deliveries() {
		var p Payload
		if err := json.Unmarshal(d.body, &p); err != nil {
			b.rc.t.Errorf("payload does not decode: %v", err)
			continue
		}
		text := strings.Join([]string{p.Data.Title, p.Data.Status, p.Data.Advice, p.Data.Body, p.Data.URL}, "\n")
		target := confTarget(d.path)
		b.mu.Lock()
		deleted := b.deleted[target+"\x00"+p.Data.ID]
		b.mu.Unlock()
		out = append(out, channeltest.Delivery{Text: text, Parts: []string{text}, ID: d.id,
			Target: target, Key: d.id, Deleted: deleted})
	}
	return out
}

// conformanceSecrets are every secret of conformanceConfig, in the forms
// a receiver may know them.
func conformanceSecrets() []string {
	out := []string{confPassword, confPathToken, confQuery, confAPIKey}
	for _, p := range confPaths {
		secret := testSecret(p).Reveal()
		key := strings.TrimPrefix(secret, "whsec_")
		raw, _ := base64.StdEncoding.DecodeString(key)
		out = append(out, secret, key, string(raw))
	}
	return out
}

func TestConformance(t *testing.T) {
	var targets []string
	for _, p := range confPaths {
		targets = append(targets, confTarget(p))
	}
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			be := newConformanceBackend(t)
			ch, err := New(conformanceConfig(conformanceClient(t, be.rc)))
			require.NoError(t, err)
			return ch, be
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			ch, err := New(conformanceConfig(conformanceClient(t, be.(*conformanceBackend).rc)))
			require.NoError(t, err)
			return ch
		},
		OwnClient: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			be := newConformanceBackend(t)
			cfg := conformanceConfig(nil)
			for i, p := range confPaths { // the endpoints at the receiver itself: no client can redirect them
				cfg.Endpoints[i].URL = redact.NewURL(be.rc.srv.URL + p)
			}
			ch, err := New(cfg)
			require.NoError(t, err)
			return ch, be
		},
		Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
			cfg := conformanceConfig(nil)
			for i, p := range confPaths {
				cfg.Endpoints[i].URL = redact.NewURL(serverURL + p)
			}
			return newTestChannel(t, cfg, nil)
		},
		Secrets: conformanceSecrets(),
		Config:  conformanceConfig(&http.Client{}),
		Targets: targets,
		Keyed:   true,
		// No FailForeign: the receiver is whatever server the endpoint
		// names, so its every answer is its own. Any 2xx, an HTML page
		// too, is a delivery by design, and a 404 page is the receiver's
		// refusal; no answer can be told to be another server's.
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
			channeltest.FailEchoDelivered},
	})
}
