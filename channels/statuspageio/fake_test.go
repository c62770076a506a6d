package statuspageio

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// The test page and API key: "/", "+" and "=" make the key's escaped and
// base64 forms differ from it.
const (
	testKey  = "sp-7f3c9a/41e+Zq==d8b2e6c0"
	testPage = "kctbh9vrtdwd"
)

// The fake page's components: two in a group, one alone, and the group.
var fakeComponents = []fakeComponent{
	{ID: "g1edge000001", Name: "Edge network", Group: true},
	{ID: "r8b1d8cdn001", Name: "CDN", GroupID: "g1edge000001"},
	{ID: "r8b1d8dns003", Name: "DNS", GroupID: "g1edge000001"},
	{ID: "r8b1d8api002", Name: "API"},
}

// fakeComponent is a component of the fake page.
type fakeComponent struct {
	ID, Name, GroupID string
	Group             bool
}

// fakeAPI speaks the Statuspage REST API v1 for one page, as its reference
// documents it: the routes the channel uses, their JSON shapes (a request
// with a field the reference does not list is refused), Statuspage's
// validation of names, bodies, statuses, maintenance windows and
// components, and its error shapes. It records every request and the
// incident updates it holds.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server

	mu           sync.Mutex
	failure      channeltest.Failure
	echo         bool // FailEchoDelivered: answers pass through channeltest.EchoAnswer
	canned       []canned
	next         int
	components   []fakeComponent
	incidents    []*fakeIncident
	posts        []*fakeUpdate // every incident update, in the order made
	requests     []request
	dropMetadata bool // answer without metadata, as a page might
	// prepend, when set, is added first to the components once the first
	// page of their list is served, as a component someone creates while
	// the list is read: the next page starts one component earlier.
	prepend *fakeComponent
}

// fakeIncident is an incident the fake holds.
type fakeIncident struct {
	id, name, status, impact string
	created                  time.Time
	metadata                 json.RawMessage
	components               map[string]string
	scheduledFor, until      string
	deleted                  bool
}

// fakeUpdate is an incident update the fake holds.
type fakeUpdate struct {
	inc                  *fakeIncident
	id, status, body     string
	name                 string // the incident's name when it was posted
	created              time.Time
	first                bool
	deliverNotifications bool
	deleted              bool // in the dashboard, which deletes one incident update
}

// request is a request the fake received, as sent.
type request struct {
	method, path, query string
	header              http.Header
	raw                 []byte
}

// canned is an answer given instead of the normal one. With lose, the
// request is carried out and its answer replaced, as when an answer is
// lost on its way back; with pass, the request gets its normal answer.
type canned struct {
	status int
	header map[string]string
	body   string
	lose   bool
	pass   bool
}

func newFake(t *testing.T) *fakeAPI {
	f := &fakeAPI{t: t, components: slices.Clone(fakeComponents)}
	page := "/v1/pages/{page}"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+page, f.guard(f.getPage))
	mux.HandleFunc("GET "+page+"/components", f.guard(f.listComponents))
	mux.HandleFunc("POST "+page+"/incidents", f.guard(f.create))
	mux.HandleFunc("GET "+page+"/incidents", f.guard(f.list(f.search)))
	mux.HandleFunc("GET "+page+"/incidents/unresolved", f.guard(f.list(unresolved)))
	mux.HandleFunc("GET "+page+"/incidents/upcoming", f.guard(f.list(statusIs("scheduled"))))
	mux.HandleFunc("GET "+page+"/incidents/active_maintenance", f.guard(f.list(statusIs("in_progress", "verifying"))))
	mux.HandleFunc("GET "+page+"/incidents/{id}", f.guard(f.get))
	mux.HandleFunc("PATCH "+page+"/incidents/{id}", f.guard(f.update))
	mux.HandleFunc("DELETE "+page+"/incidents/{id}", f.guard(f.remove))
	mux.HandleFunc("PATCH "+page+"/incidents/{id}/incident_updates/{uid}", f.guard(f.edit))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.t.Errorf("fake Statuspage: unexpected %s %s", r.Method, r.URL.Path)
		writeJSON(w, 404, `{"error":"The requested resource could not be found."}`)
	})
	f.srv = httptest.NewServer(f.echoing(mux))
	t.Cleanup(f.srv.Close)
	return f
}

// config is the Config of a channel posting to the fake, paced fast, with
// its own client (which follows no redirect).
func (f *fakeAPI) config() Config {
	return Config{Name: "ops-status", APIKey: redact.NewSecret(testKey), PageID: testPage,
		BaseURL: f.srv.URL + "/v1", RateLimit: 1000}
}

// guard records each request, checks the headers every route needs, and
// answers with an injected failure or canned answer first.
func (f *fakeAPI) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw := readAll(r)
		f.mu.Lock()
		f.requests = append(f.requests, request{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery,
			header: r.Header.Clone(), raw: raw})
		failure := f.failure
		var c *canned
		if len(f.canned) > 0 {
			c, f.canned = &f.canned[0], f.canned[1:]
		}
		f.mu.Unlock()
		f.checkHeaders(r, raw)
		if c != nil && c.pass {
			c = nil
		}
		switch {
		case c != nil && !c.lose:
			c.write(w)
		case failure != channeltest.FailNone:
			f.fail(w, r, failure)
		case r.Header.Get("Authorization") != "OAuth "+testKey:
			writeJSON(w, 401, `{"error":"Could not authenticate"}`)
		case r.PathValue("page") != testPage:
			writeJSON(w, 404, `{"error":"The requested resource could not be found."}`)
		case c != nil:
			next(httptest.NewRecorder(), withBody(r, raw)) // done, but the answer is lost
			c.write(w)
		default:
			next(w, withBody(r, raw))
		}
	}
}

// checkHeaders fails the test for a request without the headers the API
// wants.
func (f *fakeAPI) checkHeaders(r *http.Request, raw []byte) {
	if got := r.Header.Get("User-Agent"); got != UserAgent {
		f.t.Errorf("fake Statuspage: User-Agent %q, want %q", got, UserAgent)
	}
	if got := r.Header.Get("Accept"); got != "application/json" {
		f.t.Errorf("fake Statuspage: Accept %q", got)
	}
	if ct := r.Header.Get("Content-Type"); len(raw) > 0 && ct != "application/json" {
		f.t.Errorf("fake Statuspage: %s %s with Content-Type %q", r.Method, r.URL.Path, ct)
	}
}

func (c *canned) write(w http.ResponseWriter) {
	for k, v := range c.header {
		w.Header().Set(k, v)
	}
	writeJSON(w, c.status, c.body)
}

// fail answers as Statuspage (or the CDN before it) does for each class
// of failure.
func (f *fakeAPI) fail(w http.ResponseWriter, r *http.Request, failure channeltest.Failure) {
	switch failure {
	case channeltest.FailTransient:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(503)
		_, _ = w.Write([]byte("<html><body><h1>503 Service Unavailable</h1>No server is available.</body></html>"))
	case channeltest.FailRateLimited:
		w.Header().Set("Retry-After", "3")
		writeJSON(w, 420, `{"error":"Rate limit exceeded"}`)
	case channeltest.FailUnauthorized:
		writeJSON(w, 401, `{"error":"Could not authenticate"}`)
	case channeltest.FailRejected:
		if r.Method == http.MethodGet {
			writeJSON(w, 403, `{"error":"You are not authorized to access this resource."}`)
			return
		}
		writeJSON(w, 422, `{"error":["Name can't be blank"]}`)
	case channeltest.FailEcho:
		// A debugging proxy's answer: the credentials as it got them.
		auth := r.Header.Get("Authorization")
		key := strings.TrimPrefix(auth, "OAuth ")
		body, _ := json.Marshal(map[string]any{"error": "Could not authenticate " + auth, "debug": map[string]string{
			"authorization": auth, "b64": base64.StdEncoding.EncodeToString([]byte(auth)),
			"key_b64": base64.RawURLEncoding.EncodeToString([]byte(key)), "query": "api_key=" + url.QueryEscape(key)}})
		writeJSON(w, 401, string(body)+" raw: "+key)
	case channeltest.FailForeign:
		channeltest.ForeignPage(w, r, http.StatusOK) // the key is in a header
	}
}

func (f *fakeAPI) getPage(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, 200, `{"id":"`+testPage+`","name":"Example","subdomain":"example","url":"https://status.example.com",`+
		`"time_zone":"Etc/UTC","created_at":"2024-01-02T03:04:05.000Z","updated_at":"2025-01-02T03:04:05.000Z"}`)
}

func (f *fakeAPI) listComponents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pageNo, err1 := strconv.Atoi(q.Get("page"))
	per, err2 := strconv.Atoi(q.Get("per_page"))
	if err1 != nil || err2 != nil || pageNo < 1 || per < 1 || per > 100 {
		f.t.Errorf("fake Statuspage: components listed with page=%q per_page=%q", q.Get("page"), q.Get("per_page"))
		writeJSON(w, 400, `{"error":"invalid pagination"}`)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []map[string]any{}
	for i, c := range f.components {
		if i >= (pageNo-1)*per && i < pageNo*per {
			out = append(out, map[string]any{"id": c.ID, "page_id": testPage, "group_id": nullable(c.GroupID),
				"name": c.Name, "description": nil, "position": i + 1, "status": "operational", "showcase": true,
				"group": c.Group, "only_show_if_degraded": false, "created_at": "2024-01-02T03:04:05.000Z",
				"updated_at": "2024-01-02T03:04:05.000Z", "start_date": "2024-01-02"})
		}
	}
	if f.prepend != nil && pageNo == 1 {
		f.components = append([]fakeComponent{*f.prepend}, f.components...)
		f.prepend = nil
	}
	writeValue(w, 200, out)
}

func (f *fakeAPI) create(w http.ResponseWriter, r *http.Request) {
	var b incidentBody
	if !decode(w, r, &b) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.problem(b, true, nil); p != "" {
		writeValue(w, 422, map[string]any{"error": []string{p}})
		return
	}
	in := b.Incident
	inc := &fakeIncident{id: f.id("inc"), name: *in.Name, status: "investigating", created: time.Now().UTC(),
		metadata: in.Metadata, components: map[string]string{}}
	if in.ScheduledFor != nil {
		inc.scheduledFor, inc.until = *in.ScheduledFor, *in.ScheduledUntil
	}
	f.incidents = append(f.incidents, inc)
	f.apply(inc, b, true)
	writeValue(w, 201, f.incidentJSON(inc))
}

// apply sets the fields b gives on inc and adds its incident update.
func (f *fakeAPI) apply(inc *fakeIncident, b incidentBody, first bool) {
	in := b.Incident
	was := inc.status
	if in.Name != nil {
		inc.name = *in.Name
	}
	if in.Status != nil {
		inc.status = *in.Status
	}
	if in.ImpactOverride != nil {
		inc.impact = *in.ImpactOverride
	}
	for id, s := range in.Components {
		inc.components[id] = *s
	}
	// A request with no body text that leaves the status makes no
	// incident update.
	if !first && (in.Body == nil || *in.Body == "") && inc.status == was {
		return
	}
	upd := &fakeUpdate{inc: inc, id: f.id("upd"), status: inc.status, name: inc.name, created: time.Now().UTC(),
		first: first, deliverNotifications: in.DeliverNotifications == nil || *in.DeliverNotifications}
	if in.Body != nil {
		upd.body = *in.Body
	}
	f.posts = append(f.posts, upd)
}

func (f *fakeAPI) update(w http.ResponseWriter, r *http.Request) {
	var b incidentBody
	if !decode(w, r, &b) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	inc := f.find(w, r.PathValue("id"))
	if inc == nil {
		return
	}
	if p := f.problem(b, false, inc); p != "" {
		writeValue(w, 422, map[string]any{"error": []string{p}})
		return
	}
	f.apply(inc, b, false)
	writeValue(w, 200, f.incidentJSON(inc))
}

func (f *fakeAPI) get(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if inc := f.find(w, r.PathValue("id")); inc != nil {
		writeValue(w, 200, f.incidentJSON(inc))
	}
}

func (f *fakeAPI) remove(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if inc := f.find(w, r.PathValue("id")); inc != nil {
		inc.deleted = true
		writeValue(w, 200, f.incidentJSON(inc))
	}
}

// editBody is the request body of Update a previous incident update.
type editBody struct {
	IncidentUpdate *struct {
		WantsTwitterUpdate   *bool   `json:"wants_twitter_update"`
		Body                 *string `json:"body"`
		DisplayAt            *string `json:"display_at"`
		DeliverNotifications *bool   `json:"deliver_notifications"`
	} `json:"incident_update"`
}

func (f *fakeAPI) edit(w http.ResponseWriter, r *http.Request) {
	var b editBody
	if !decode(w, r, &b) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	inc := f.find(w, r.PathValue("id"))
	if inc == nil {
		return
	}
	i := slices.IndexFunc(f.posts, func(u *fakeUpdate) bool { return u.inc == inc && u.id == r.PathValue("uid") && !u.deleted })
	switch {
	case i < 0:
		writeJSON(w, 404, `{"error":"The requested resource could not be found."}`)
	case b.IncidentUpdate == nil || b.IncidentUpdate.Body == nil:
		writeValue(w, 422, map[string]any{"error": []string{"Body can't be blank"}})
	case utf8.RuneCountInString(*b.IncidentUpdate.Body) > MaxBody:
		writeValue(w, 422, map[string]any{"error": []string{"Body is too long (maximum is 25000 characters)"}})
	default:
		f.posts[i].body = *b.IncidentUpdate.Body
		writeValue(w, 200, updateJSON(f.posts[i]))
	}
}

// list answers a list of incidents: those keep selects, newest first.
func (f *fakeAPI) list(keep func(*fakeIncident, url.Values) bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		out := []map[string]any{}
		for _, inc := range slices.Backward(f.incidents) {
			if !inc.deleted && keep(inc, r.URL.Query()) {
				out = append(out, f.incidentJSON(inc))
			}
		}
		writeValue(w, 200, out)
	}
}

func unresolved(inc *fakeIncident, _ url.Values) bool {
	return slices.Contains(realtimeStatuses, inc.status) && inc.status != "resolved"
}

func statusIs(statuses ...string) func(*fakeIncident, url.Values) bool {
	return func(inc *fakeIncident, _ url.Values) bool { return slices.Contains(statuses, inc.status) }
}

// search keeps the incidents whose name or updates hold q.
func (f *fakeAPI) search(inc *fakeIncident, q url.Values) bool {
	text := strings.ToLower(q.Get("q"))
	if strings.Contains(strings.ToLower(inc.name), text) {
		return true
	}
	return slices.ContainsFunc(f.posts, func(u *fakeUpdate) bool {
		return u.inc == inc && strings.Contains(strings.ToLower(u.body), text)
	})
}

// find returns the incident id, answering 404 as Statuspage does for one
// unknown or deleted.
func (f *fakeAPI) find(w http.ResponseWriter, id string) *fakeIncident {
	for _, inc := range f.incidents {
		if inc.id == id && !inc.deleted {
			return inc
		}
	}
	writeJSON(w, 404, `{"error":"The requested resource could not be found."}`)
	return nil
}

// id returns a new 12-character id.
func (f *fakeAPI) id(prefix string) string {
	f.next++
	return fmt.Sprintf("%s%09d", prefix, f.next)
}

// Received returns the incident updates as readers of the page see them:
// the incident's name, the update's status and its body. An incident's
// first update has the incident's id; later ones their own id, and reply
// to the incident.
func (f *fakeAPI) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]channeltest.Delivery, len(f.posts))
	for i, u := range f.posts {
		label := broadcast.Status(u.status).Label()
		d := channeltest.Delivery{Text: u.name + "\n" + label + "\n" + u.body, Parts: []string{u.name, label, u.body},
			ID: u.id, ReplyTo: u.inc.id, Deleted: u.inc.deleted || u.deleted}
		if u.first {
			d.ID, d.ReplyTo = u.inc.id, ""
		}
		out[i] = d
	}
	return out
}

// Fail makes every request fail as failure says.
func (f *fakeAPI) Fail(failure channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.echo = failure == channeltest.FailEchoDelivered
	if f.echo { // the platform's answer, echoed
		failure = channeltest.FailNone
	}
	f.failure = failure
}

// answer makes the next requests get cs, in order, instead of their
// normal answers.
func (f *fakeAPI) answer(cs ...canned) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.canned = append(f.canned, cs...)
}

// sent returns the requests the fake received.
func (f *fakeAPI) sent() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// addComponent adds a component to the page, as its owner may at any time.
func (f *fakeAPI) addComponent(c fakeComponent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.components = append(f.components, c)
}

// incidentCount returns how many incidents the fake made.
func (f *fakeAPI) incidentCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.incidents)
}

// replaceComponent removes the component id from the page and, when with
// has an id, adds with in its place, as the page's owner may at any time.
func (f *fakeAPI) replaceComponent(id string, with fakeComponent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.components = slices.DeleteFunc(f.components, func(c fakeComponent) bool { return c.ID == id })
	if with.ID != "" {
		f.components = append(f.components, with)
	}
}

// deleteUpdate deletes the incident update id, as the page's owner may in
// the dashboard (the API cannot).
func (f *fakeAPI) deleteUpdate(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.posts {
		if u.id == id {
			u.deleted = true
		}
	}
}

// echoing passes the answers of h through channeltest.EchoAnswer while the
// fake injects FailEchoDelivered.
func (f *fakeAPI) echoing(h http.Handler) http.Handler {
	return channeltest.EchoAnswerWhile(func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.echo
	}, h)
}
