package webhook

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// conformanceBackend is a receiver that fails on demand with the answers
// webhook receivers give.
type conformanceBackend struct {
	rc   *receiver
	mu   sync.Mutex
	fail channeltest.Failure
}

func (b *conformanceBackend) Fail(f channeltest.Failure) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = f
}

func (b *conformanceBackend) answer(_ int, w http.ResponseWriter, _ *http.Request) bool {
	b.mu.Lock()
	f := b.fail
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
	default:
		return accept(0, w, nil)
	}
	return false
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
		text := strings.Join([]string{p.Data.Title, p.Data.Status, p.Data.Body, p.Data.URL}, "\n")
		out = append(out, channeltest.Delivery{Text: text, Parts: []string{text}})
	}
	return out
}

func TestConformance(t *testing.T) {
	const password, token = "s3cr3t-pw", "tok-abc123"
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			be := &conformanceBackend{rc: newReceiver(t)}
			be.rc.setFallback(be.answer)
			ep := be.rc.endpoint("/hook")
			ep.URL = strings.Replace(ep.URL, "://", "://user:"+password+"@", 1) + "?token=" + token
			ch, err := New(Config{URL: ep.URL, Secret: ep.Secret, Headers: map[string]string{"Authorization": "Bearer " + token}})
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			return ch, be
		},
		Secrets: []string{testSecret("/hook"), strings.TrimPrefix(testSecret("/hook"), "whsec_"), password, token},
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected},
	})
}
