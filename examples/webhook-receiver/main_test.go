package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/internal/syncbuf"
	"github.com/outagecast/outagecast/redact"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func TestReceivesSignedDeliveriesOnce(t *testing.T) {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	var out syncbuf.Buffer
	srv := httptest.NewServer(newHandler(v, &out, io.Discard))
	defer srv.Close()

	ch, err := webhook.New(webhook.Config{URL: redact.NewURL(srv.URL + "/outagecast"), Secret: redact.NewSecret(secret)})
	require.NoError(t, err)
	defer ch.Close()
	u := broadcast.Update{
		ID: "u_1", IncidentID: "cdn-42", Title: "Elevated CDN error rates", Status: broadcast.StatusInvestigating,
		Body: "We are investigating.", URL: "https://status.example.com/incidents/42",
		Advice: "Retry failed requests.", Time: time.Date(2026, 11, 24, 14, 2, 0, 0, time.UTC),
	}
	m := broadcast.NewMessage(u)
	for attempt := 1; attempt <= 2; attempt++ { // the second is a retry of a delivery whose answer was lost
		m.Attempt = attempt
		_, err := ch.Send(context.Background(), m)
		require.NoError(t, err)
		m = broadcast.NewMessage(u) // a new Ledger: nothing says the first got through
	}
	assert.Equal(t, "2026-11-24T14:02:00Z incident.updated [investigating] Elevated CDN error rates (incident cdn-42, update u_1)\n"+
		"    Advice: Retry failed requests.\n"+
		"    We are investigating.\n"+
		"    https://status.example.com/incidents/42\n", out.String())
}

// A repeat is acknowledged and not printed again, and the receiver says
// so on its log: the sender reports it delivered (the same update sent by
// a program run twice without a state file, whose webhook-id is the
// same), and before, nothing showed why the receiver printed nothing.
func TestRepeatIsLogged(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)
	body := []byte(`{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1","incident_id":"cdn-42",` +
		`"title":"T","status":"investigating","components":[],"time":"2026-11-24T14:02:00Z"}}`)
	code, _ := signedPost(t, srv, "msg_1", body)
	assert.Equal(t, http.StatusNoContent, code)
	assert.Empty(t, log.String(), "the first delivery is printed, not logged")
	code, _ = signedPost(t, srv, "msg_1", body)
	assert.Equal(t, http.StatusOK, code, "acknowledged, so that the sender does not retry")
	assert.Equal(t, 1, strings.Count(out.String(), "incident.updated"), out.String())
	assert.Regexp(t, `^webhook-receiver: delivery "msg_1" from 127\.0\.0\.1:\d+ repeats one printed already: `+
		`acknowledged, not printed again\n$`, log.String())
}

// Corrections and retractions are printed each in its own form, naming the
// update they are about; a retry of either is dropped.
func TestPrintsCorrectionsAndRetractions(t *testing.T) {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	var out syncbuf.Buffer
	srv := httptest.NewServer(newHandler(v, &out, io.Discard))
	defer srv.Close()
	ch, err := webhook.New(webhook.Config{Name: "hooks", URL: redact.NewURL(srv.URL + "/outagecast"), Secret: redact.NewSecret(secret)})
	require.NoError(t, err)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()

	ctx := context.Background()
	u := broadcast.Update{ID: "u_1", IncidentID: "cdn-42", Title: "Elevated CDN error rates",
		Status: broadcast.StatusIdentified, Body: "A config push.", Time: time.Date(2026, 11, 24, 14, 2, 0, 0, time.UTC)}
	_, err = b.Send(ctx, u)
	require.NoError(t, err)
	fix := u
	fix.ID, fix.Body, fix.Time = "u_2", "A certificate rotation.", u.Time.Add(3*time.Minute)
	_, err = b.Correct(ctx, "u_1", fix)
	require.NoError(t, err)
	_, err = b.Retract(ctx, "u_2")
	require.NoError(t, err)
	prev := broadcast.Receipt{Channel: "hooks", UpdateID: "u_2", Meta: map[string]string{"incident_id": "cdn-42"}}
	require.NoError(t, ch.Retract(ctx, prev), "a retry of the retraction")

	got := out.String()
	wantPrefix := "2026-11-24T14:02:00Z incident.updated [identified] Elevated CDN error rates (incident cdn-42, update u_1)\n" +
		"    A config push.\n" +
		"2026-11-24T14:05:00Z CORRECTION of update u_1 \"Elevated CDN error rates\":\n" +
		"2026-11-24T14:05:00Z incident.corrected [identified] Elevated CDN error rates (incident cdn-42, update u_2)\n" +
		"    A certificate rotation.\n"
	assert.True(t, strings.HasPrefix(got, wantPrefix), got)
	rest := strings.TrimPrefix(got, wantPrefix)
	assert.Regexp(t, `^\S+Z RETRACTED update u_2 "Elevated CDN error rates" of incident cdn-42: withdrawn, delete or hide it\n$`, rest,
		"one retraction: its retry has the same webhook-id")
}

func TestUnknownEventTypeIsAcknowledged(t *testing.T) {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	var out syncbuf.Buffer
	srv := httptest.NewServer(newHandler(v, &out, io.Discard))
	defer srv.Close()

	body := []byte(`{"type":"incident.archived","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1"}}`)
	ts := time.Now().Unix()
	sig, err := webhook.Sign(redact.NewSecret(secret), "id-1", ts, body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("webhook-id", "id-1")
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode, "acknowledged, so that the sender does not retry")
	assert.Equal(t, "2026-11-24T14:02:00Z incident.archived: unknown event type, ignored\n", out.String())
}

// newLoggingReceiver serves a receiver of secret's deliveries until the
// test ends, with what it prints and what it logs.
func newLoggingReceiver(t *testing.T) (srv *httptest.Server, out, log *syncbuf.Buffer) {
	t.Helper()
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	return newReceiver(t, v)
}

// newReceiver serves a receiver of v's deliveries until the test ends,
// with what it prints and what it logs.
func newReceiver(t *testing.T, v *webhook.Verifier) (srv *httptest.Server, out, log *syncbuf.Buffer) {
	t.Helper()
	out, log = &syncbuf.Buffer{}, &syncbuf.Buffer{}
	srv = httptest.NewServer(newHandler(v, out, log))
	t.Cleanup(srv.Close)
	return srv, out, log
}

func TestRejectsUnsignedAndForged(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)

	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"type":"incident.updated"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	other, err := webhook.New(webhook.Config{URL: redact.NewURL(srv.URL), Secret: redact.NewSecret("whsec_" + strings.Repeat("QUJD", 8))})
	require.NoError(t, err)
	defer other.Close()
	_, err = other.Send(context.Background(), broadcast.NewMessage(broadcast.Update{Title: "Forged", Status: broadcast.StatusResolved}))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "401 is permanent")
	assert.Empty(t, out.String())
	// The receiver says why, where its operator looks, and names no secret.
	assert.Equal(t, 2, strings.Count(log.String(), "webhook-receiver: refused a delivery from "), log.String())
	assert.Contains(t, log.String(), "401 Unauthorized")
	assert.NotContains(t, log.String(), "QUJD")
	assert.NotContains(t, log.String(), secret)
}

// signedPost posts body to srv signed with the test secret, and returns
// the answer's status and text.
func signedPost(t *testing.T, srv *httptest.Server, id string, body []byte) (int, string) {
	t.Helper()
	ts := time.Now().Unix()
	sig, err := webhook.Sign(redact.NewSecret(secret), id, ts, body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(text)
}

// A value of the wrong JSON type is named by its field, as the schema
// names it, and a status, impact or component status that is none of
// broadcast's is refused: nothing is printed.
func TestRejectsWrongValues(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)

	const head = `{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1","incident_id":"cdn-42","title":"T",`
	const rest = `"time":"2026-11-24T14:02:00Z"}}`
	for i, tt := range []struct{ body, want string }{
		{head + `"status":"resolved","components":[],"body":5,` + rest, "malformed payload: data.body: want a string, got a number"},
		{head + `"status":true,"components":[],` + rest, "malformed payload: data.status: want a string, got true or false"},
		{head + `"status":"resolved","components":{},` + rest, "malformed payload: data.components: want a list, got an object"},
		{`{"type":5}`, "malformed payload: type: want a string, got a number"},
		// The payload itself, named by no field: no Go type in the answer.
		{`[1,2]`, "malformed payload: want an object, got a list"},
		{`"incident.updated"`, "malformed payload: want an object, got a string"},
		{`5`, "malformed payload: want an object, got a number"},
		{head + `"status":"bogus","components":[],` + rest,
			`invalid payload: data.status: unknown value "bogus" (want investigating, identified, monitoring, resolved, scheduled, in_progress, verifying or completed)`},
		{head + `"status":"resolved\r","components":[],` + rest,
			`invalid payload: data.status: unknown value "resolved\r" (want investigating, identified, monitoring, resolved, scheduled, in_progress, verifying or completed)`},
		{head + `"status":"resolved","impact":"huge","components":[],` + rest,
			`invalid payload: data.impact: unknown value "huge" (want none, minor, major, critical or maintenance)`},
		{head + `"status":"resolved","components":[{"name":"CDN","status":"on fire"}],` + rest,
			`invalid payload: data.components[0].status: unknown value "on fire" (want operational, degraded_performance, partial_outage, major_outage or under_maintenance)`},
	} {
		code, text := signedPost(t, srv, "id-"+strconv.Itoa(i), []byte(tt.body))
		assert.Equal(t, http.StatusBadRequest, code, tt.body)
		assert.Equal(t, tt.want+"\n", text, tt.body)
		assert.Contains(t, log.String(), "400 Bad Request: "+tt.want+"\n", tt.body)
	}
	assert.Empty(t, out.String())
}

// A value refused as none of broadcast's is quoted short, as a bad time
// is: a delivery of up to 1 MiB would otherwise put its value whole in
// the answer and in a single line of the log.
func TestRejectedValueIsQuotedShort(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)
	long := strings.Repeat("x", 500_000)
	body := `{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1","incident_id":"cdn-42",` +
		`"title":"T","status":"` + long + `","components":[],"time":"2026-11-24T14:02:00Z"}}`
	code, text := signedPost(t, srv, "id-long", []byte(body))
	assert.Equal(t, http.StatusBadRequest, code)
	want := `invalid payload: data.status: unknown value "` + long[:61] + `…" (want investigating,`
	assert.True(t, strings.HasPrefix(text, want), "answer %.200q", text)
	assert.Less(t, len(text), 400)
	assert.Less(t, len(log.String()), 500)
	assert.Empty(t, out.String())
}

// A correctly signed event without the fields its type always carries is
// refused, naming the first one missing, on the log too, and nothing is
// printed; so is a malformed one.
func TestRejectsIncompleteEvents(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)

	const ts = `"timestamp":"2026-11-24T14:02:00Z"`
	const data = `"id":"u_1","incident_id":"cdn-42","title":"T","status":"resolved","components":[],"time":"2026-11-24T14:02:00Z"`
	for i, tt := range []struct{ body, field string }{
		{`null`, "type"},
		{`{}`, "type"},
		{`{"type":"incident.updated","data":{}}`, "timestamp"},
		{`{"type":"incident.updated",` + ts + `,"data":{}}`, "data.id"},
		{`{"type":"incident.updated",` + ts + `,"data":{"id":"u_1","incident_id":"cdn-42","status":"resolved","components":[],"time":"2026-11-24T14:02:00Z"}}`, "data.title"},
		{`{"type":"incident.updated",` + ts + `,"data":{"id":"u_1","incident_id":"cdn-42","title":"T","status":"resolved","time":"2026-11-24T14:02:00Z"}}`, "data.components"},
		{`{"type":"incident.corrected",` + ts + `,"data":{` + data + `}}`, "data.corrects"},
		{`{"type":"incident.retracted",` + ts + `,"data":{}}`, "data.id"},
		// A component has a name and a status, as the schema says.
		{`{"type":"incident.updated",` + ts + `,"data":{` + strings.Replace(data, `"components":[]`,
			`"components":[{"name":"CDN","status":"major_outage"},{"status":"operational"}]`, 1) + `}}`, "data.components[1].name"},
		{`{"type":"incident.updated",` + ts + `,"data":{` + strings.Replace(data, `"components":[]`,
			`"components":[{"name":"CDN","status":null}]`, 1) + `}}`, "data.components[0].status"},
	} {
		code, text := signedPost(t, srv, "id-"+strconv.Itoa(i), []byte(tt.body))
		assert.Equal(t, http.StatusBadRequest, code, tt.body)
		assert.Equal(t, "incomplete payload: "+tt.field+": missing\n", text, tt.body)
		// Said where the operator looks too, as for a bad signature.
		assert.Contains(t, log.String(), "400 Bad Request: incomplete payload: "+tt.field+": missing\n", tt.body)
	}
	assert.Empty(t, out.String())
	code, text := signedPost(t, srv, "id-malformed", []byte(`{"type":`))
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, text, "malformed payload: ")
	assert.Contains(t, log.String(), "400 Bad Request: malformed payload: ")
	assert.Equal(t, 11, strings.Count(log.String(), "webhook-receiver: refused a delivery from "), log.String())

	code, _ = signedPost(t, srv, "id-complete", []byte(`{"type":"incident.updated",`+ts+`,"data":{`+data+`}}`))
	assert.Equal(t, http.StatusNoContent, code)
	assert.Equal(t, "2026-11-24T14:02:00Z incident.updated [resolved] T (incident cdn-42, update u_1)\n", out.String())
}

// The command line is read whole: an address given without -listen is an
// error, not ignored while the receiver listens on the default port.
func TestParseFlags(t *testing.T) {
	listen, err := parseFlags([]string{"-listen", "127.0.0.1:8091"})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8091", listen)
	listen, err = parseFlags(nil)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8090", listen)

	_, err = parseFlags([]string{"127.0.0.1:8091"})
	require.EqualError(t, err, `unexpected argument "127.0.0.1:8091"`)
	_, err = parseFlags([]string{"-port", "8091"})
	require.EqualError(t, err, "flag provided but not defined: -port")
}

// A -listen that is no address is a mistake on the command line, named
// as one (exit status 2, with the usage hint), as in the other examples,
// not a failure to listen. A service name for the port is taken, as
// net.Listen, the server and the bridge take it.
func TestParseFlagsListenAddress(t *testing.T) {
	for _, listen := range []string{":8091", "[::1]:8091", "localhost:0", "localhost:http", "127.0.0.1:https"} {
		got, err := parseFlags([]string{"-listen", listen})
		require.NoError(t, err, listen)
		assert.Equal(t, listen, got)
	}
	for _, listen := range []string{"nope", "8091", "127.0.0.1:no-such-service-here", "127.0.0.1:65536", ""} {
		_, err := parseFlags([]string{"-listen", listen})
		require.Error(t, err, listen)
		assert.Equal(t, fmt.Sprintf("-listen: %q: want host:port, as 127.0.0.1:8090", listen), err.Error())
	}
}

// A retraction may come without data.incident_id: the schema allows that
// when the sender no longer knew it (channels/webhook/schema.json, the
// retraction's "incident_id"). It names the incident as its update did when
// that was received here, and otherwise leaves the incident out rather than
// printing "of incident " with nothing after it.
func TestPrintsRetractionWithoutIncident(t *testing.T) {
	clock := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	rc := testReceiver(t, &clock)
	var out bytes.Buffer
	rc.out = &out
	rc.print(webhook.Payload{Type: webhook.EventUpdated, Timestamp: clock,
		Data: webhook.Data{ID: "u_1", IncidentID: "cdn-42", Title: "Elevated CDN error rates", Status: "investigating"}})
	out.Reset()

	rc.print(webhook.Payload{Type: webhook.EventRetracted, Timestamp: clock, Data: webhook.Data{ID: "u_1"}})
	rc.print(webhook.Payload{Type: webhook.EventRetracted, Timestamp: clock, Data: webhook.Data{ID: "u_9"}})
	assert.Equal(t, "2026-11-24T14:00:00Z RETRACTED update u_1 \"Elevated CDN error rates\" of incident cdn-42: withdrawn, delete or hide it\n"+
		"2026-11-24T14:00:00Z RETRACTED update u_9: withdrawn, delete or hide it\n", out.String())
}

// A 405 names the method the receiver takes: RFC 9110 section 15.5.6 says
// an origin server MUST send Allow with a 405, and tools (curl -i, a
// monitoring probe) show it to the person who sent a GET, so that, as the
// package doc says, it is not said on standard error too.
func TestMethodNotAllowedSaysAllow(t *testing.T) {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut} {
		t.Run(method, func(t *testing.T) {
			w := httptest.NewRecorder()
			var log strings.Builder
			newHandler(v, io.Discard, &log).ServeHTTP(w, httptest.NewRequest(method, "/outagecast", nil))
			assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
			assert.Equal(t, http.MethodPost, w.Header().Get("Allow"))
			assert.Empty(t, log.String())
		})
	}
}

// WEBHOOK_SECRET that is unset, empty or not a whsec_ secret is refused
// with the variable's name and the command that makes one, never the
// value; "secret 1" (NewVerifier's count of secrets) means nothing here.
func TestVerifierFromEnv(t *testing.T) {
	v, err := verifierFromEnv(secret)
	require.NoError(t, err)
	assert.NotNil(t, v)
	for _, value := range []string{"", "hunter2-not-whsec", "whsec_AAAA"} {
		_, err := verifierFromEnv(value)
		require.Error(t, err, value)
		assert.True(t, strings.HasPrefix(err.Error(), "WEBHOOK_SECRET: "), err.Error())
		assert.Contains(t, err.Error(), `export WEBHOOK_SECRET="whsec_$(head -c 32 /dev/urandom | base64)"`)
		assert.NotContains(t, err.Error(), "secret 1")
		if value != "" {
			assert.NotContains(t, err.Error(), value)
		}
	}
}

// writes records each Write as a whole.
type writes struct {
	mu  sync.Mutex
	got []string
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got = append(w.got, string(p))
	return len(p), nil
}

// Each event is printed with one Write, so that the lines of deliveries
// handled at the same time (the sender posts several updates at once) do
// not interleave: a correction's heading stays above the update it
// introduces. (Writes to one *os.File do not interleave.) A blank line
// between paragraphs stays blank, without the indent's trailing spaces.
func TestPrintsEachEventInOneWrite(t *testing.T) {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	var out writes
	srv := httptest.NewServer(newHandler(v, &out, io.Discard))
	defer srv.Close()
	const data = `"incident_id":"cdn-42","title":"T","status":"resolved","components":[],"time":"2026-11-24T14:02:00Z","body":"one\n\ntwo","advice":"Retry.","url":"https://status.example/i/cdn-42"`
	status, text := signedPost(t, srv, "id-1", []byte(`{"type":"incident.corrected","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_2","corrects":"u_1",`+data+`}}`))
	require.Equal(t, http.StatusNoContent, status, text)
	out.mu.Lock()
	defer out.mu.Unlock()
	require.Len(t, out.got, 1, "%q", out.got)
	assert.Equal(t, "2026-11-24T14:02:00Z CORRECTION of update u_1:\n"+
		"2026-11-24T14:02:00Z incident.corrected [resolved] T (incident cdn-42, update u_2)\n"+
		"    Advice: Retry.\n    one\n\n    two\n    https://status.example/i/cdn-42\n", out.got[0])
}

// A payload's text is printed without terminal escape sequences or other
// control characters (as broadcast.Update.Clean removes them): a sender
// could otherwise retitle the operator's terminal or hide lines.
func TestPrintsNoControlCharacters(t *testing.T) {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	var out syncbuf.Buffer
	srv := httptest.NewServer(newHandler(v, &out, io.Discard))
	defer srv.Close()
	body := `{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1\u001b[2K","incident_id":"cdn\u0007",` +
		`"title":"\u001b]0;pwned\u0007CDN \u001b[31mdown","status":"resolved","components":[],"time":"2026-11-24T14:02:00Z",` +
		`"body":"Line one.\u001b[1A\u001b[2K\nLine two.","advice":"Retry\u0008\u0008\u0008\u0008\u0008Panic.","url":"https://s.example.com/\u001b[0m"}}`
	code, _ := signedPost(t, srv, "id-escapes", []byte(body))
	require.Equal(t, http.StatusNoContent, code)
	got := out.String()
	assert.NotRegexp(t, `[\x00-\x08\x0b-\x1f\x7f]`, got)
	assert.Contains(t, got, "[resolved] CDN down (incident cdn, update u_1)")
	assert.Contains(t, got, "    Line one.\n    Line two.\n")
}

// failingWriter fails every Write while fail is set, as standard output
// on a full disk does, and records what it wrote otherwise.
type failingWriter struct {
	mu   sync.Mutex
	fail bool
	got  strings.Builder
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fail {
		return 0, errors.New("write /srv/events.log: no space left on device")
	}
	return w.got.Write(p)
}

// A delivery the receiver could not print is answered 500, so that the
// sender retries it, and its retry, with the same webhook-id, is printed:
// before, it was acknowledged (204) and lost, and the retry was dropped as
// a repeat.
func TestUnprintedDeliveryIsRetried(t *testing.T) {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	out := &failingWriter{fail: true}
	var log syncbuf.Buffer
	srv := httptest.NewServer(newHandler(v, out, &log))
	defer srv.Close()
	body := []byte(`{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1","incident_id":"cdn-42",` +
		`"title":"T","status":"investigating","components":[],"time":"2026-11-24T14:02:00Z"}}`)

	code, text := signedPost(t, srv, "msg_1", body)
	assert.Equal(t, http.StatusInternalServerError, code, "a 5xx: the sender retries")
	assert.Contains(t, text, "no space left on device")
	assert.Contains(t, log.String(), `delivery "msg_1" from `)
	assert.Contains(t, log.String(), "could not print the delivery: write /srv/events.log: no space left on device")

	out.mu.Lock()
	out.fail = false
	out.mu.Unlock()
	code, _ = signedPost(t, srv, "msg_1", body) // the sender's retry
	assert.Equal(t, http.StatusNoContent, code)
	out.mu.Lock()
	defer out.mu.Unlock()
	assert.Equal(t, "2026-11-24T14:02:00Z incident.updated [investigating] T (incident cdn-42, update u_1)\n", out.got.String())
}
