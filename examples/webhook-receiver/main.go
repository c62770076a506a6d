// Command webhook-receiver is a small receiver for outagecast's webhook
// channel: it checks each delivery's Standard Webhooks signature with the
// secret in WEBHOOK_SECRET, drops repeats by webhook-id (a retry of a
// delivery that got through), and prints every update it accepts.
//
//	export WEBHOOK_SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
//	go run ./examples/webhook-receiver -listen 127.0.0.1:8090
//
// Point a webhook channel (examples/announce with examples/announce/local.yaml)
// at http://127.0.0.1:8090/ with the same secret. Deliveries with a bad or
// missing signature get 401, a stale timestamp too; malformed JSON gets 400.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/channels/webhook"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8090", "address to listen on")
	flag.Parse()
	secret := os.Getenv("WEBHOOK_SECRET")
	if secret == "" {
		fmt.Fprintln(os.Stderr, `webhook-receiver: WEBHOOK_SECRET is not set (make one with: echo "whsec_$(head -c 32 /dev/urandom | base64)")`)
		os.Exit(2)
	}
	v, err := webhook.NewVerifier(secret)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook-receiver: WEBHOOK_SECRET:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	srv := &http.Server{Addr: *listen, Handler: newHandler(v, os.Stdout), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	fmt.Fprintf(os.Stderr, "webhook-receiver: listening on http://%s/\n", *listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "webhook-receiver:", err)
		os.Exit(1)
	}
}

// receiver verifies, deduplicates and prints deliveries.
type receiver struct {
	verifier *webhook.Verifier
	out      io.Writer

	mu   sync.Mutex
	seen map[string]bool // webhook-ids accepted so far
}

func newHandler(v *webhook.Verifier, out io.Writer) http.Handler {
	return &receiver{verifier: v, out: out, seen: map[string]bool{}}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := rc.verifier.VerifyRequest(r, 1<<20)
	if err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, webhook.ErrBodyTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		http.Error(w, err.Error(), status)
		return
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "malformed payload: "+err.Error(), http.StatusBadRequest)
		return
	}
	id := r.Header.Get("webhook-id")
	rc.mu.Lock()
	repeat := rc.seen[id]
	rc.seen[id] = true
	rc.mu.Unlock()
	if repeat {
		w.WriteHeader(http.StatusOK) // already have it: acknowledge, do nothing
		return
	}
	d := p.Data
	fmt.Fprintf(rc.out, "%s %s [%s] %s (incident %s)\n", p.Timestamp.UTC().Format(time.RFC3339), p.Type, d.Status, d.Title, d.IncidentID)
	if d.Body != "" {
		fmt.Fprintf(rc.out, "    %s\n", strings.ReplaceAll(d.Body, "\n", "\n    "))
	}
	if d.URL != "" {
		fmt.Fprintf(rc.out, "    %s\n", d.URL)
	}
	w.WriteHeader(http.StatusNoContent)
}
