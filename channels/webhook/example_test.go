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
	"github.com/outagecast/outagecast/redact"
)

// secret is an example secret; make your own from 32 random bytes:
// "whsec_" + base64.StdEncoding.EncodeToString(b).
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// receive is a receiver's handler: verify, then decode and act on the
// event's type.
func receive(v *webhook.Verifier) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := v.VerifyRequest(r, 1<<20)
		if err != nil {
			// 401 for a bad signature, which the sender gives up on; 408
			// for a body cut short, which it retries. Connection: close
			// sends it at once, the body unread (see VerifyRequest).
			w.Header().Set("Connection", "close")
			http.Error(w, "refused", webhook.RefusalStatus(err))
			return
		}
		var p webhook.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		// Deduplicate on r.Header.Get("webhook-id") here: a retry repeats it.
		switch p.Type {
		case webhook.EventRetracted:
			fmt.Printf("received %s: delete update %s\n", p.Type, p.Data.ID)
		case webhook.EventCorrected:
			fmt.Printf("received %s: %s (%s), replacing %s\n", p.Type, p.Data.Title, p.Data.Body, p.Data.Corrects)
		default:
			fmt.Printf("received %s: %s (%s)\n", p.Type, p.Data.Title, p.Data.Status)
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// Send an update to one endpoint through a Broadcaster, which retries.
func Example() {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(receive(v))
	defer srv.Close()

	ch, err := webhook.New(webhook.Config{URL: redact.NewURL(srv.URL + "/hooks/outagecast"), Secret: redact.NewSecret(secret)})
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

// Correct an update, then retract it: receivers get an incident.corrected
// event naming the update it corrects, then an incident.retracted event.
func Example_correctAndRetract() {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(receive(v))
	defer srv.Close()
	ch, err := webhook.New(webhook.Config{URL: redact.NewURL(srv.URL + "/hooks/outagecast"), Secret: redact.NewSecret(secret)})
	if err != nil {
		panic(err)
	}
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	if err != nil {
		panic(err)
	}
	defer b.Close()

	ctx := context.Background()
	u := broadcast.Update{ID: "u_1", Title: "Elevated error rates on the CDN", Status: broadcast.StatusIdentified,
		Body: "A config push to the EU region.", Time: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	if _, err := b.Send(ctx, u); err != nil {
		panic(err)
	}
	fix := u
	fix.ID, fix.Body, fix.Time = "u_2", "A certificate rotation.", u.Time.Add(time.Minute)
	if _, err := b.Correct(ctx, "u_1", fix); err != nil {
		panic(err)
	}
	if _, err := b.Retract(ctx, "u_2"); err != nil {
		panic(err)
	}
	// Output:
	// received incident.updated: Elevated error rates on the CDN (identified)
	// received incident.corrected: Elevated error rates on the CDN (A certificate rotation.), replacing u_1
	// received incident.retracted: delete update u_2
}

// Verify a delivery's headers and body, here the Standard Webhooks
// specification's example signed just now.
func ExampleVerifier() {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	if err != nil {
		panic(err)
	}
	body := []byte(`{"test": 2432232314}`)
	ts := time.Now().Unix()
	sig, err := webhook.Sign(redact.NewSecret(secret), "msg_p5jXN8AQM9LWM0D4loKWxJek", ts, body)
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
	sig, err := webhook.Sign(redact.NewSecret(secret), "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	fmt.Println(sig, err)
	// Output:
	// v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= <nil>
}

// Many endpoints, each with its own secret, and a credential header.
// Secrets and header values are redact.Secret and URLs redact.URL, so
// printing the Config shows none of them; EndpointName names an endpoint
// as errors and Results do.
func ExampleConfig() {
	cfg := webhook.Config{
		Name: "subscribers",
		Endpoints: []webhook.Endpoint{
			{URL: redact.NewURL("https://hooks.example.com/services/T000/B000/XXXXXXXX"), Secret: redact.NewSecret(secret)},
			{URL: redact.NewURL("https://ops:pw@hooks.example.org/b?key=k-123"), Secret: redact.NewSecret(secret)},
		},
		Headers:     map[string]redact.Secret{"Authorization": redact.NewSecret("Bearer tok-123")},
		Concurrency: 50,
	}
	if _, err := webhook.New(cfg); err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", cfg)
	fmt.Println(webhook.EndpointName(cfg.Endpoints[1].URL.Reveal()))
	// Output:
	// {Name:subscribers URL: Secret: PreviousSecret: Endpoints:[{URL:https://hooks.example.com/… Secret:REDACTED PreviousSecret:} {URL:https://hooks.example.org/…?… Secret:REDACTED PreviousSecret:}] AllowUnsigned:false Headers:map[Authorization:REDACTED] Concurrency:50 HTTPClient:<nil>}
	// https://hooks.example.org/…?…#7e08ec2cddad
}
