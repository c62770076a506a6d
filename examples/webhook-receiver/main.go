// Command webhook-receiver is a small receiver for outagecast's webhook
// channel: it checks each delivery's Standard Webhooks signature with the
// secret in WEBHOOK_SECRET (the channel's whsec_ secret, or its base64
// without the prefix), drops repeats by webhook-id (a retry of a
// delivery that got through, or the same update sent again: saying so on
// standard error), and prints every event it accepts: updates,
// corrections (which name the update they correct) and retractions (an
// update withdrawn: a real receiver deletes or hides it), each in its own
// form, naming an earlier update by its title too (and by its incident, for
// a retraction sent without one). Ids and updates are remembered for 24
// hours, at most 100 000 of each, and not across a restart. Events of a
// type it does not know are acknowledged and ignored, whatever their data
// holds: of those, only the type and timestamp are read. A type is known
// only as written ("incident.updated ", with a space, is not); one of
// other characters than letters, digits, "_" and "." is printed quoted.
//
//	export WEBHOOK_SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
//	go run ./examples/webhook-receiver -listen 127.0.0.1:8090
//
// Point a webhook channel (examples/announce with examples/announce/local.yaml)
// at http://127.0.0.1:8090/ (any path: local.yaml uses /outagecast) with the
// same secret. To rotate the secret, give the channel the new one as
// secret and the old as previous_secret: it signs with both while
// receivers move, and this receiver, given either in WEBHOOK_SECRET,
// accepts its deliveries. Any method but POST gets 405 (with Allow: POST), and its connection closed. Deliveries
// with a missing signature or a stale timestamp get 401 as soon as their
// headers are in, without their body read, and those with a bad signature
// 401 too; malformed JSON gets 400 (a body that starts with a UTF-8 byte
// order mark, which RFC 8259 forbids a sender, is refused so too, saying
// that it does, and one in UTF-16 or UTF-32, which it forbids too, naming
// its encoding), and so does an event without a field
// its type always carries (an update without a title, a component
// without its name or status, a retraction without an id; a time that is
// the zero time, 0001-01-01T00:00:00Z, what Go sends for a time never set,
// is said to be so rather than missing), a value of the wrong JSON type (named by its field:
// "data.body: want a string, got a number", a component's with its index:
// "data.components[1].status: …"), a time that is not an RFC
// 3339 date-time (named so too) or a status, impact or
// component status that outagecast does not have; a body over 1 MiB gets 413
// (from its Content-Length alone, without the body read, when that says
// so), and one that does not arrive whole 408. Each refusal of a POST is said on standard error too (a 405
// is not: a browser or probe that sent a GET reads the answer itself), and
// each refusal closes the connection without waiting for the rest of the
// body: its sending side at once, after the answer, and the rest a moment
// later, so that a sender still sending the body reads the whole answer
// rather than a reset. A delivery it cannot print (standard output's disk full)
// gets 500, said on standard error, so that the sender retries it, and
// the retry is printed, not dropped as a repeat.
//
// A client that is slow or stuck cannot hold a connection: the request
// headers (64 KiB at most) must arrive within 5s and the whole request
// within 15s, the answer must be written within 20s of the headers, and a
// kept-alive connection is closed after 2 minutes idle (longer than the 90s
// outagecast's own client keeps one, so that the sender closes it first).
//
// On Ctrl-C or SIGTERM it stops taking connections and gives the deliveries
// under way up to 5s to finish; a second Ctrl-C or SIGTERM stops it at once,
// and a third kills it. A delivery the shutdown cut off gets no answer,
// and its sender retries it; one cut off while its body was arriving is
// said so on standard error.
//
// Exit status: 0 after a clean shutdown; 1 when the run failed (the -listen
// address taken, the shutdown's grace period cut deliveries off); 2 on a
// mistake on the command line (a -listen that is not host:port, or given
// twice with two values; an argument) or in WEBHOOK_SECRET, naming it; 130 when a second signal
// stopped it at once. The exit statuses mean the same in every example
// program.
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/examples/internal/jsonfield"
	"github.com/outagecast/outagecast/examples/internal/listenaddr"
	"github.com/outagecast/outagecast/examples/internal/onceflag"
	"github.com/outagecast/outagecast/examples/internal/serverlimits"
	"github.com/outagecast/outagecast/examples/internal/shutdown"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

func main() {
	listen, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "webhook-receiver: %v\nRun webhook-receiver -help for usage.\n", err)
		os.Exit(2)
	}
	v, err := verifierFromEnv(os.Getenv("WEBHOOK_SECRET"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook-receiver:", err)
		os.Exit(2)
	}
	ctx, abort := shutdown.Signals(os.Interrupt, syscall.SIGTERM) // Ctrl-C, kill
	srv := serverlimits.New(listen, newHandler(v, os.Stdout, os.Stderr), defaultTimeouts)
	if err := listenAndServe(ctx, abort, srv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "webhook-receiver:", err)
		os.Exit(exitStatus(err))
	}
}

// errAbandoned is serveUntil's error when a second signal ended the
// shutdown before the deliveries under way finished.
var errAbandoned = fmt.Errorf("%w: the deliveries under way got no answer (their senders retry them)", shutdown.ErrAbandoned)

// exitStatus is the exit status for listenAndServe's error.
func exitStatus(err error) int {
	if errors.Is(err, shutdown.ErrAbandoned) {
		return shutdown.ExitAbandoned
	}
	return 1
}

// makeSecret is the command that makes a WEBHOOK_SECRET.
const makeSecret = `export WEBHOOK_SECRET="whsec_$(head -c 32 /dev/urandom | base64)"`

// verifierFromEnv returns the Verifier of value, WEBHOOK_SECRET's: a
// whsec_ secret, or its base64 alone, as webhook.ParseSecret takes it (as
// the channel and the Standard Webhooks reference libraries do), with any
// white space around it (a copy and paste) ignored. Its errors name the
// variable and say how to make a secret, never quoting it.
func verifierFromEnv(value string) (*webhook.Verifier, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, fmt.Errorf("WEBHOOK_SECRET: not set or empty; make one with: %s", makeSecret)
	}
	secret, err := webhook.ParseSecret(redact.NewSecret(value))
	if err != nil {
		// Without ParseSecret's "webhook: ParseSecret: ".
		return nil, fmt.Errorf("WEBHOOK_SECRET: %w; make one with: %s", cmp.Or(errors.Unwrap(err), err), makeSecret)
	}
	return webhook.NewVerifier(secret)
}

// parseFlags reads the command line and returns -listen; -help prints the
// flags on standard output and returns flag.ErrHelp.
func parseFlags(args []string) (listen string, err error) {
	fs := flag.NewFlagSet("webhook-receiver", flag.ContinueOnError)
	fs.StringVar(&listen, "listen", "127.0.0.1:8090", "`address` to listen on (host:port)")
	fs.SetOutput(io.Discard)
	if err := onceflag.Parse(fs, args); err != nil { // a flag given twice with two values is an error
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stdout, "Usage: webhook-receiver [-listen ADDR]\n\n"+
				"Receives outagecast's webhook deliveries, checks their signatures with the\n"+
				"whsec_ secret in WEBHOOK_SECRET (the webhook channel's secret; its base64\n"+
				"without the prefix will do) and prints each event once. Make a secret with:\n  %s\n\n"+
				"A flag given twice with two values is an error.\n\nFlags:\n", makeSecret)
			fs.SetOutput(os.Stdout)
			fs.PrintDefaults()
		}
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// A -listen that is no address is a mistake on the command line,
	// not a failure to listen.
	if !listenaddr.Valid(listen) {
		return "", fmt.Errorf("-listen: %q: want host:port, as 127.0.0.1:8090", listen)
	}
	return listen, nil
}

// listenAndServe listens on srv.Addr, says where on log once it does, and serves
// until ctx is done; see serveUntil for abort.
func listenAndServe(ctx context.Context, abort <-chan struct{}, srv *http.Server, log io.Writer) error {
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return fmt.Errorf("-listen: %w", err)
	}
	fmt.Fprintf(log, "webhook-receiver: listening on %s\n", listenaddr.URL(ln.Addr(), "/"))
	return serveUntil(ctx, abort, srv, ln)
}

// shutdownGrace is how long the deliveries under way get to finish once
// the first signal came.
const shutdownGrace = 5 * time.Second

// serveUntil is shutdown.Serve with shutdownGrace, and errAbandoned's
// words.
func serveUntil(ctx context.Context, abort <-chan struct{}, srv *http.Server, ln net.Listener) error {
	if err := shutdown.Serve(ctx, abort, srv, ln, shutdownGrace); err != nil {
		if errors.Is(err, shutdown.ErrAbandoned) {
			return errAbandoned
		}
		return err
	}
	return nil
}

// maxBody bounds a delivery's body.
const maxBody = 1 << 20

// tooLarge is the answer to a body over maxBody.
const tooLarge = "request body larger than 1 MiB, the most this receiver takes"

// defaultTimeouts are those of the package comment.
var defaultTimeouts = serverlimits.Timeouts{
	ReadHeader: 5 * time.Second,
	Read:       15 * time.Second,
	Write:      20 * time.Second,
	Idle:       2 * time.Minute,
}

// receiver verifies, deduplicates and prints deliveries, and says on log
// why it refused one.
type receiver struct {
	verifier *webhook.Verifier
	out      io.Writer
	log      io.Writer
	now      func() time.Time // when an id was seen

	printing sync.Mutex // held from a delivery's repeat check until it is printed and marked seen

	mu      sync.Mutex
	seen    *recent[struct{}] // webhook-ids printed lately
	updates *recent[known]    // the updates received lately, by update ID
}

// known is what the receiver keeps of an update it printed, to name it in
// a later correction or retraction.
type known struct{ title, incident string }

func newHandler(v *webhook.Verifier, out, log io.Writer) http.Handler {
	return &receiver{verifier: v, out: out, log: log, now: time.Now,
		seen: newRecent[struct{}](rememberFor, rememberMax), updates: newRecent[known](rememberFor, rememberMax)}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost) // RFC 9110: a 405 says what is allowed
		answerAndClose(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	// MaxBytesReader also makes the server close the connection rather
	// than read on.
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	body, err := rc.verifier.VerifyRequest(r, maxBody)
	if errors.Is(err, net.ErrClosed) {
		// The server closed the connection under the read: only the
		// shutdown does (http.Server.Close, once its grace period is
		// over or at a second signal). No answer can reach the sender,
		// whose own error is the connection's end, not a 408.
		fmt.Fprintf(rc.log, "webhook-receiver: a delivery from %s was cut off by the shutdown before its body "+
			"arrived whole: not printed, no answer sent (its sender may send it again)\n", r.RemoteAddr)
		return
	}
	if err != nil {
		status, why := webhook.RefusalStatus(err), err.Error()
		if status == http.StatusRequestEntityTooLarge {
			// net/http's words say nothing of the limit: the sender's
			// operator reads this answer in its error.
			why = tooLarge
		}
		rc.refuse(w, r, status, why)
		return
	}
	p, err := decode(body)
	if err != nil {
		rc.refuse(w, r, http.StatusBadRequest, "malformed payload: "+jsonProblem(err, body))
		return
	}
	if field := missing(p); field != "" {
		rc.refuse(w, r, http.StatusBadRequest, "incomplete payload: "+field+": "+absence(body, field))
		return
	}
	if problem := invalid(p); problem != "" {
		rc.refuse(w, r, http.StatusBadRequest, "invalid payload: "+problem)
		return
	}
	id := r.Header.Get("webhook-id")
	// One delivery at a time from here: a copy of a delivery still being
	// printed waits for its outcome rather than be acknowledged as a
	// repeat of one that may yet fail.
	rc.printing.Lock()
	defer rc.printing.Unlock()
	if rc.seenID(id) {
		// Already have it: acknowledge, print nothing, but say so: a
		// sender that delivered the same update again (a program run
		// twice without a state file) reports it delivered, and nothing
		// would show why it was not printed.
		fmt.Fprintf(rc.log, "webhook-receiver: delivery %q from %s repeats one printed already: acknowledged, not printed again\n",
			id, r.RemoteAddr)
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := rc.print(p); err != nil {
		// Not printed (standard output's disk full, say): a 5xx makes
		// the sender retry it, and its id is not taken as seen, so that
		// the retry is printed.
		msg := "could not print the delivery: " + err.Error()
		fmt.Fprintf(rc.log, "webhook-receiver: delivery %q from %s: %s\n", id, r.RemoteAddr, msg)
		http.Error(w, msg, http.StatusInternalServerError)
		return
	}
	rc.markSeen(id)
	w.WriteHeader(http.StatusNoContent)
}

// refuse answers a delivery with status and why, and says so on the log
// too: a sender whose secret differs (a new WEBHOOK_SECRET in one terminal
// only) or whose payloads are incomplete sees only its own error. It
// closes the connection (see answerAndClose).
func (rc *receiver) refuse(w http.ResponseWriter, r *http.Request, status int, why string) {
	fmt.Fprintf(rc.log, "webhook-receiver: refused a delivery from %s: %d %s: %s\n",
		r.RemoteAddr, status, http.StatusText(status), why)
	answerAndClose(w, why, status)
}

// answerAndClose answers a refused request with status and why, and
// closes its connection without reading on whatever of the body the
// refusal left unread (all of it, when the headers are refused): the
// server would otherwise read up to 256 KiB of it, before answering and
// again before letting the connection go, waiting for a client that sends
// it slowly or not at all, and a shutdown would wait out its grace period
// for it. It closes the connection as the other example servers close a
// refused one (serverlimits.CloseCarefully): the answer and a FIN first,
// the socket a moment later, so that a client still sending the body
// reads the answer rather than a reset.
func answerAndClose(w http.ResponseWriter, why string, status int) {
	serverlimits.CloseCarefully(w)
	http.Error(w, why, status)
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}

// decode decodes a delivery's body: an event of a type the receiver knows
// whole, and of another only its type and timestamp, all it prints of
// one. Standard Webhooks gives each event type a schema of its own: the
// data of a type added later may hold a field named as one of an update's
// with a value of another shape, which decoded as an update would have the
// event refused rather than acknowledged and ignored.
func decode(body []byte) (webhook.Payload, error) {
	var head struct {
		Type      string    `json:"type"`
		Timestamp time.Time `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return webhook.Payload{}, err
	}
	switch head.Type {
	case webhook.EventUpdated, webhook.EventCorrected, webhook.EventRetracted:
		var p webhook.Payload
		err := json.Unmarshal(body, &p)
		return p, err
	}
	return webhook.Payload{Type: head.Type, Timestamp: head.Timestamp}, nil
}

// missing names the first field p lacks of those every payload of its type
// carries (see channels/webhook's schema.json), or returns "". Of an event
// type it does not know, only type and timestamp are required.
func missing(p webhook.Payload) string {
	d := p.Data
	type field struct {
		name string
		set  bool
	}
	fields := []field{{"type", p.Type != ""}, {"timestamp", !p.Timestamp.IsZero()}}
	switch p.Type {
	case webhook.EventUpdated, webhook.EventCorrected:
		fields = append(fields, field{"data.id", d.ID != ""}, field{"data.incident_id", d.IncidentID != ""},
			field{"data.title", d.Title != ""}, field{"data.status", d.Status != ""},
			field{"data.components", d.Components != nil}, field{"data.time", !d.Time.IsZero()})
		if p.Type == webhook.EventCorrected {
			fields = append(fields, field{"data.corrects", d.Corrects != ""})
		}
		for i, c := range d.Components {
			at := fmt.Sprintf("data.components[%d].", i)
			fields = append(fields, field{at + "name", c.Name != ""}, field{at + "status", c.Status != ""})
		}
	case webhook.EventRetracted:
		fields = append(fields, field{"data.id", d.ID != ""})
	}
	for _, f := range fields {
		if !f.set {
			return f.name
		}
	}
	return ""
}

// absence says how field, which missing named, is missing from body:
// "missing", or, for a time that is there but the zero time (year 1, what
// Go writes for a time.Time never set), that time quoted and said so.
func absence(body []byte, field string) string {
	for _, f := range payloadTimes(body) {
		var s string
		// null decodes into a string too, as "": it is missing.
		if f.name == field && bytes.HasPrefix(f.raw, []byte(`"`)) && json.Unmarshal(f.raw, &s) == nil {
			return jsonfield.Quote(s) + ", the zero time: a time never set"
		}
	}
	return "missing"
}

// jsonProblem says what json.Unmarshal's err found in body, naming a
// value of the wrong type by its field as the schema does: "data.body:
// want a string, got a number", not the Go type it would have filled; a
// bad time too, which encoding/json reports without its field; a byte
// order mark, which it reports as "invalid character 'ï'"; and a body in
// UTF-16 or UTF-32, which it reports as "invalid character 'ÿ'" or
// "'\x00'", by its encoding.
func jsonProblem(err error, body []byte) string {
	if enc := jsonfield.WideEncoding(body); enc != "" {
		return "the body looks like " + enc + ", not UTF-8: send JSON in UTF-8 (RFC 8259, 8.1)"
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return "empty body, want a JSON object" // encoding/json: "unexpected end of JSON input"
	}
	if bytes.HasPrefix(body, []byte("\uFEFF")) {
		// Refused, not skipped as RFC 8259 (8.1) allows a parser to: the
		// sender breaks its MUST NOT, and parsers such as encoding/json and
		// JavaScript's JSON.parse refuse it, so a receiver taking it would
		// hide from the sender what fails elsewhere.
		return "the body starts with a UTF-8 byte order mark, which a JSON text sent over a network must not have (RFC 8259, 8.1)"
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		var se *json.SyntaxError
		if !errors.As(err, &se) {
			if problem := timeProblem(body); problem != "" {
				return problem
			}
		}
		return err.Error()
	}
	want := "want " + jsonfield.Kind(te.Type.Kind()) + ", got " + jsonfield.Got(te.Value)
	field := te.Field
	if field == "data.components" || strings.HasPrefix(field, "data.components.") {
		// encoding/json's path has no index: "data.components.status"
		// of any component, and "data.components" of one that is no
		// object.
		if i, ok := componentAt(body, te.Offset); ok {
			field = fmt.Sprintf("data.components[%d]", i) + strings.TrimPrefix(field, "data.components")
		}
	}
	if field == "" {
		return want // the payload itself: a list, say, where an object goes
	}
	return field + ": " + want
}

// componentAt returns the index of the element of body's data.components
// that holds offset, where encoding/json reported a value of the wrong
// type, or false when none does (data.components being no list). Of a
// key given twice, the list that holds offset counts, not the last one,
// which encoding/json decodes; so does the "data" that holds it, of a
// "data" given twice, whose values encoding/json decodes into one; keys
// match as encoding/json matches them, case aside.
func componentAt(body []byte, offset int64) (int, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	for enterKey(dec, "data", '{') {
		for enterKey(dec, "components", '[') {
			for i := 0; dec.More(); i++ {
				start := dec.InputOffset()
				if dec.Decode(new(json.RawMessage)) != nil {
					return 0, false
				}
				if start < offset && offset <= dec.InputOffset() {
					return i, true
				}
			}
			if _, err := dec.Token(); err != nil { // the "]"
				return 0, false
			}
		}
		if _, err := dec.Token(); err != nil { // data's "}"
			return 0, false
		}
	}
	return 0, false
}

// enterKey reads dec's object, whose "{" it has read unless it is the
// first token, up to key's value if that opens with delim, which it
// reads; it skips the other values. It returns false at the object's end.
func enterKey(dec *json.Decoder, key string, delim json.Delim) bool {
	if dec.InputOffset() == 0 {
		if t, err := dec.Token(); err != nil || t != json.Delim('{') {
			return false
		}
	}
	for dec.More() {
		t, err := dec.Token()
		name, ok := t.(string)
		if err != nil || !ok {
			return false
		}
		if strings.EqualFold(name, key) {
			if t, err := dec.Token(); err != nil {
				return false
			} else if t == delim {
				return true
			} else if d, ok := t.(json.Delim); ok && !skipRest(dec, d) {
				return false
			}
			continue
		}
		if dec.Decode(new(json.RawMessage)) != nil {
			return false
		}
	}
	return false
}

// skipRest reads the rest of the list or object whose opening d dec read.
func skipRest(dec *json.Decoder, d json.Delim) bool {
	for dec.More() {
		if d == '{' {
			if _, err := dec.Token(); err != nil {
				return false
			}
		}
		if dec.Decode(new(json.RawMessage)) != nil {
			return false
		}
	}
	_, err := dec.Token()
	return err == nil
}

// timeProblem names the first of the payload's times in body that is not
// an RFC 3339 date-time in a JSON string, and says what it is; or returns
// "".
func timeProblem(body []byte) string {
	for _, f := range payloadTimes(body) {
		if problem := jsonfield.Time(f.raw); problem != "" {
			return f.name + ": " + problem
		}
	}
	return ""
}

// rawTime is one of a payload's times, named by its field, as body holds
// it (empty when absent).
type rawTime struct {
	name string
	raw  json.RawMessage
}

// payloadTimes returns the payload's times in body, in the order they are
// checked, or none when body is no object.
func payloadTimes(body []byte) []rawTime {
	var times struct {
		Timestamp json.RawMessage `json:"timestamp"`
		Data      struct {
			Time       json.RawMessage `json:"time"`
			NextUpdate json.RawMessage `json:"next_update"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &times) != nil {
		return nil
	}
	return []rawTime{{"timestamp", times.Timestamp}, {"data.time", times.Data.Time}, {"data.next_update", times.Data.NextUpdate}}
}

// The values broadcast knows, in the order the errors list them.
var (
	statuses = []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified,
		broadcast.StatusMonitoring, broadcast.StatusResolved, broadcast.StatusScheduled,
		broadcast.StatusInProgress, broadcast.StatusVerifying, broadcast.StatusCompleted}
	impacts = []broadcast.Impact{broadcast.ImpactNone, broadcast.ImpactMinor, broadcast.ImpactMajor,
		broadcast.ImpactCritical, broadcast.ImpactMaintenance}
	componentStatuses = []broadcast.ComponentStatus{broadcast.ComponentOperational, broadcast.ComponentDegraded,
		broadcast.ComponentPartialOutage, broadcast.ComponentMajorOutage, broadcast.ComponentMaintenance}
)

// invalid says what value of update or correction p is none of broadcast's
// (a status, impact or component status), or returns "": the receiver
// would otherwise print a status no sender can have meant.
func invalid(p webhook.Payload) string {
	if p.Type != webhook.EventUpdated && p.Type != webhook.EventCorrected {
		return ""
	}
	d := p.Data
	if !broadcast.Status(d.Status).Valid() {
		return unknown("data.status", d.Status, statuses)
	}
	if d.Impact != "" && !broadcast.Impact(d.Impact).Valid() {
		return unknown("data.impact", d.Impact, impacts)
	}
	for i, c := range d.Components {
		if !broadcast.ComponentStatus(c.Status).Valid() {
			return unknown(fmt.Sprintf("data.components[%d].status", i), c.Status, componentStatuses)
		}
	}
	return ""
}

// unknown says that field holds value, none of known.
func unknown[T ~string](field, value string, known []T) string {
	words := make([]string, len(known))
	for i, k := range known {
		words[i] = string(k)
	}
	last := len(words) - 1
	// Quoted as %q quotes, control characters escaped ("resolved\r" says
	// what is wrong), and cut short: a delivery may be 1 MiB.
	return fmt.Sprintf("%s: unknown value %s (want %s or %s)", field, jsonfield.Quote(value), strings.Join(words[:last], ", "), words[last])
}

// seenID reports whether the delivery of a webhook-id was printed lately.
func (rc *receiver) seenID(id string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	_, seen := rc.seen.get(id, rc.now())
	return seen
}

// markSeen records that the delivery of a webhook-id was printed.
func (rc *receiver) markSeen(id string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.seen.put(id, struct{}{}, rc.now())
}

// print shows an event as its type calls for, with one Write: the lines
// of deliveries handled at the same time do not interleave. Its error is
// the Write's.
func (rc *receiver) print(p webhook.Payload) error {
	// By its type as received, as decode, missing and invalid went:
	// cleaned, "incident.updated " would print as an update with nothing
	// in it.
	typ := p.Type
	p.Data = printable(p.Data)
	var b strings.Builder
	at := p.Timestamp.UTC().Format(time.RFC3339)
	switch typ {
	case webhook.EventUpdated, webhook.EventCorrected:
		rc.printUpdate(&b, at, p.Type, p.Data)
	case webhook.EventRetracted:
		// A retraction may lack the incident (see the schema): the one its
		// update named, if received here, or none rather than a blank.
		k := rc.recall(p.Data.ID)
		of := ""
		if incident := cmp.Or(p.Data.IncidentID, k.incident); incident != "" {
			of = " of incident " + incident
		}
		fmt.Fprintf(&b, "%s RETRACTED update %s%s%s: withdrawn, delete or hide it\n",
			at, p.Data.ID, quoted(k.title), of)
	default:
		fmt.Fprintf(&b, "%s %s: unknown event type, ignored\n", at, eventType(typ))
	}
	_, err := io.WriteString(rc.out, b.String())
	return err
}

// eventType shows t, an event type, as is when it is made of the
// characters Standard Webhooks recommends for one (letters, digits and "_",
// "." between identifiers), and otherwise quoted, its invisible and
// control characters escaped: "incident.updated " and
// "incident.updated\u200b" are no update, and must not read as one.
func eventType(t string) string {
	plain := t != "" && !strings.ContainsFunc(t, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.')
	})
	if plain {
		return t
	}
	return jsonfield.Quote(t)
}

// printable returns d with its text as broadcast.Update.Clean makes an
// update's: without terminal escape sequences and other control
// characters, which a sender could use to retitle the terminal or hide
// lines; the keys and the URL on one line. Every right-to-left override,
// embedding or isolate a field opens is closed at the end of its line
// (templates.BalanceBidi), so that a field cannot reverse, in a terminal
// or viewer that shows bidirectional text, the rest of the line it is
// printed in: "(incident …, update …)" after a title.
func printable(d webhook.Data) webhook.Data {
	c := broadcast.Update{Title: d.Title, Body: d.Body, Advice: d.Advice}.Clean()
	d.Title, d.Body, d.Advice = templates.BalanceBidi(c.Title), templates.BalanceBidi(c.Body), templates.BalanceBidi(c.Advice)
	for _, s := range []*string{&d.ID, &d.IncidentID, &d.Status, &d.URL, &d.Corrects} {
		*s = oneLine(*s)
	}
	return d
}

// oneLine is s cleaned as a Title is, trimmed, and with the bidi controls
// it leaves open closed at its end.
func oneLine(s string) string {
	return templates.BalanceBidi(strings.TrimSpace(broadcast.Update{Title: s}.Clean().Title))
}

// printUpdate shows an update on b, or a correction after the line that
// says which update it corrects.
func (rc *receiver) printUpdate(b *strings.Builder, at, typ string, d webhook.Data) {
	if typ == webhook.EventCorrected {
		fmt.Fprintf(b, "%s CORRECTION of update %s%s:\n", at, d.Corrects, quoted(rc.recall(d.Corrects).title))
	}
	rc.remember(d)
	fmt.Fprintf(b, "%s %s [%s] %s (incident %s, update %s)\n", at, typ, d.Status, d.Title, d.IncidentID, d.ID)
	for _, line := range []struct{ label, text string }{{"Advice: ", d.Advice}, {"", d.Body}, {"", d.URL}} {
		if line.text != "" {
			for _, l := range strings.Split(line.label+line.text, "\n") {
				if l != "" {
					l = "    " + l // a blank line stays blank: no trailing spaces
				}
				b.WriteString(l + "\n")
			}
		}
	}
}

// remember records update d as received here.
func (rc *receiver) remember(d webhook.Data) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.updates.put(d.ID, known{title: d.Title, incident: d.IncidentID}, rc.now())
}

// recall returns what was recorded of update id, or the zero known if it
// was not received here or is forgotten.
func (rc *receiver) recall(id string) known {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	k, _ := rc.updates.get(id, rc.now())
	return k
}

// quoted returns ` "title"`, or "" for an update not received here.
func quoted(title string) string {
	if title == "" {
		return ""
	}
	return fmt.Sprintf(" %q", title)
}
