package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/webhook"
)

// secret is an example secret; make your own from 32 random bytes:
// "whsec_" + base64.StdEncoding.EncodeToString(b).
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// receive is a receiver's handler: verify, then decode.
func receive(v *webhook.Verifier) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := v.VerifyRequest(r, 1<<20)
		if err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		var p webhook.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		// Deduplicate on r.Header.Get("webhook-id") here: a retry repeats it.
		fmt.Printf("received %s: %s (%s)\n", p.Type, p.Data.Title, p.Data.Status)
		w.WriteHeader(http.StatusNoContent)
	}
}

// Send an update to one endpoint through a Broadcaster, which retries.
func Example() {
	v, err := webhook.NewVerifier(secret)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(receive(v))
	defer srv.Close()

	ch, err := webhook.New(webhook.Config{URL: srv.URL + "/hooks/outagecast", Secret: secret})
	if err != nil {
		panic(err)
	}
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	if err != nil {
		panic(err)
	}
	defer b.Close() // also releases the channel's idle connections

	rep, err := b.Send(context.Background(), broadcast.Update{
		Title:  "Elevated error rates on the CDN",
		Status: broadcast.StatusInvestigating,
		URL:    "https://status.example.com/incidents/42",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("delivered to", rep.Results[0].Receipt.Meta["delivered"], "endpoint")
	// Output:
	// received incident.updated: Elevated error rates on the CDN (investigating)
	// delivered to 1 endpoint
}

// Verify a delivery's headers and body, here the Standard Webhooks
// specification's example signed just now.
func ExampleVerifier() {
	v, err := webhook.NewVerifier(secret)
	if err != nil {
		panic(err)
	}
	body := []byte(`{"test": 2432232314}`)
	ts := time.Now().Unix()
	sig, err := webhook.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", ts, body)
	if err != nil {
		panic(err)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", fmt.Sprint(ts))
	h.Set("webhook-signature", sig)
	fmt.Println("genuine:", v.Verify(h, body))
	fmt.Println("tampered:", v.Verify(h, []byte(`{"test": 1}`)))
	// Output:
	// genuine: <nil>
	// tampered: webhook: no matching signature
}

// Sign reproduces the specification's test vector.
func ExampleSign() {
	sig, err := webhook.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	fmt.Println(sig, err)
	// Output:
	// v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= <nil>
}

// Many endpoints, each with its own secret, and a credential header:
// secrets and header values are plain strings, and printing the Config
// hides them. URLs print as EndpointName names them, without the user
// information, path and query that may carry a token.
func ExampleConfig() {
	cfg := webhook.Config{
		Name: "subscribers",
		Endpoints: []webhook.Endpoint{
			{URL: "https://hooks.example.com/services/T000/B000/XXXXXXXX", Secret: secret},
			{URL: "https://ops:pw@hooks.example.org/b", Secret: secret},
		},
		Headers:     map[string]string{"Authorization": "Bearer tok-123"},
		Concurrency: 50,
	}
	if _, err := webhook.New(cfg); err != nil {
		panic(err)
	}
	fmt.Println(cfg.Endpoints[0])
	fmt.Println(cfg.Endpoints[1])
	fmt.Printf("%v\n", cfg)
	// Output:
	// {URL:https://hooks.example.com/…#6d46cbdb Secret:REDACTED}
	// {URL:https://hooks.example.org/…#5fb7f061 Secret:REDACTED}
	// webhook.Config{Name:"subscribers" URL:"" Secret: Endpoints:[{URL:https://hooks.example.com/…#6d46cbdb Secret:REDACTED} {URL:https://hooks.example.org/…#5fb7f061 Secret:REDACTED}] AllowUnsigned:false Headers:map[Authorization:REDACTED] Concurrency:50}
}
