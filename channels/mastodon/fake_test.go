package mastodon

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// testToken holds characters that URL, JSON and base64 encodings change.
const testToken = "Zm9v-Ym_Fyc2VjcmV0/dG9r+ZW4=="

// fakeMastodon is an httptest fake of a Mastodon instance's REST API:
// POST /api/v1/statuses (JSON, with Idempotency-Key replays kept for an
// hour), PUT and DELETE /api/v1/statuses/:id, GET
// /api/v1/accounts/verify_credentials and GET /api/v2/instance. It checks
// the bearer token and the JSON bodies strictly, counts the status's length
// as Mastodon does (grapheme clusters, every URL as characters_reserved_per_url),
// and answers with Mastodon's Status, Account, Instance and error entities.
// It implements channeltest.Backend: a POST answered from the idempotency
// cache is a Delivery too, of the same status (the Send reached it).
type fakeMastodon struct {
	*httptest.Server
	postLimits http.Header // set on every answer to POST /api/v1/statuses
	// deleteLimits are set on every answer to DELETE /api/v1/statuses/:id.
	deleteLimits http.Header

	mu         sync.Mutex
	statuses   []*fakeStatus
	deliveries []delivery             // one per successful POST
	keys       map[string]*fakeStatus // Idempotency-Key → status
	failure    channeltest.Failure
	echo       bool // FailEchoDelivered: answers pass through channeltest.EchoAnswer
	maxChars   int  // configuration.statuses.max_characters
	perURL     int  // configuration.statuses.characters_reserved_per_url
	instance   int  // the status of GET /api/v2/instance; 0: 200; v2NoLimit: 200 without statuses
	// v1 is the body of GET /api/v1/instance; nil: Mastodon 4's V1::Instance
	// of maxChars and perURL. v1Status, when not 0, is its status instead.
	v1       map[string]any
	v1Status int
	// instanceHeader is set on an answer of GET /api/v2/instance that is
	// not 200.
	instanceHeader http.Header
	// pleroma counts a status as Pleroma and Akkoma do (CommonAPI's
	// validate_character_limit): String.length of the whole text, URLs
	// whole, and, as Pleroma 2.x, a status of the limit itself too long.
	// It refuses a reply to a gone status as they do (422, ActivityDraft's
	// in_reply_to), and keeps every answer to a POST with an
	// Idempotency-Key, a refusal too, to replay it to the next POST with
	// that key, whatever its body (their IdempotencyPlug).
	pleroma bool
	// akkoma words the refusal of a reply to a gone status as Akkoma
	// does, with pleroma.
	akkoma   bool
	replays  map[string]*httptest.ResponseRecorder // pleroma: Idempotency-Key → answer
	loseNext bool                                  // create or edit the next status, then answer 502
	// failPosts is how many of the next POSTs of a status the server
	// itself refuses with 503, as a busy database makes it: behind
	// Pleroma's IdempotencyPlug, that answer is kept too.
	failPosts int
	// failStatus is the HTTP status of those refusals; 0 is 503.
	failStatus int
	// gts is GoToSocial: it refuses a reply to a gone status with 400, not
	// as Mastodon (404), and ignores Idempotency-Key (its API has no
	// support for it: every POST makes a status).
	gts bool
	// markdown is the account's default content type being text/markdown,
	// which a GoToSocial account can choose: a status posted without
	// content_type is then parsed as Markdown.
	markdown bool
	requests []request
	now      func() time.Time
	// scopes are the token's OAuth scopes; nil is "read write", all of
	// them.
	scopes []string
	// notOwned are the ids of statuses another account posted, which
	// DELETE and PUT answer with 404 "Record not found" while they stay
	// up (GET shows them), as Mastodon (Status.where(account: …).find in
	// Api::V1::StatusesController#update and #destroy) and Pleroma and
	// Akkoma (StatusController.delete maps every failure to 404) do.
	notOwned map[string]bool
	// editForbidden answers the edit of a status of notOwned with 403
	// "This action is not allowed" instead, as a server that finds the
	// status among all (Status.find) and then asks StatusPolicy#update?
	// would: Api::BaseController's answer to Mastodon::NotPermittedError.
	editForbidden bool
	// editFails is how many of the next edits answer 500 "Something went
	// wrong", a failure of the server's own.
	editFails int
	// dupKey500 answers a POST whose Idempotency-Key already made a
	// status with 500, as Mastodon releases with a broken duplicate path
	// do (PostStatusService finds the status of the key, then fails on
	// it: NoMethodError, which Rails answers in JSON as
	// {"status":500,"error":"Internal Server Error"}).
	dupKey500 bool
}

type fakeStatus struct {
	id, text, replyTo, visibility, language string
	contentType                             string // how the text was parsed: text/plain or text/markdown
	deleted                                 bool
	edits                                   int
	created                                 time.Time
}

type delivery struct {
	st  *fakeStatus
	key string
}

// request is what the fake received, for tests that check it.
type request struct {
	Method, Path string
	Header       http.Header
	Body         string
}

func newFakeMastodon(t *testing.T) *fakeMastodon {
	t.Helper()
	f := &fakeMastodon{keys: map[string]*fakeStatus{}, maxChars: 500, perURL: 23, now: time.Now}
	f.Server = httptest.NewServer(f.echoing(http.HandlerFunc(f.serve)))
	t.Cleanup(f.Close)
	return f
}

// Received implements channeltest.Backend.
func (f *fakeMastodon) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]channeltest.Delivery, len(f.deliveries))
	for i, d := range f.deliveries {
		out[i] = channeltest.Delivery{Text: d.st.text, Parts: []string{d.st.text}, ReplyTo: d.st.replyTo,
			ID: d.st.id, Key: d.key, Deleted: d.st.deleted}
	}
	return out
}

// Fail implements channeltest.Backend.
func (f *fakeMastodon) Fail(failure channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.echo = failure == channeltest.FailEchoDelivered
	if f.echo { // the platform's answer, echoed
		failure = channeltest.FailNone
	}
	f.failure = failure
}

// set changes the fake under its lock.
func (f *fakeMastodon) set(change func(f *fakeMastodon)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// received returns the requests the fake got to path (all with "").
func (f *fakeMastodon) received(method, path string) []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.requests {
		if (method == "" || r.Method == method) && (path == "" || r.Path == path) {
			out = append(out, r)
		}
	}
	return out
}

// statusCount returns how many statuses the fake holds, deleted ones
// included.
func (f *fakeMastodon) statusCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.statuses)
}

func (f *fakeMastodon) serve(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	if r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses" {
		for k, v := range f.postLimits {
			w.Header()[k] = v
		}
	}
	if r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/api/v1/statuses/") {
		for k, v := range f.deleteLimits {
			w.Header()[k] = v
		}
	}
	if f.failure != channeltest.FailNone {
		f.writeFailure(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		writeError(w, http.StatusUnauthorized, "The access token is invalid")
		return
	}
	id, isStatus := strings.CutPrefix(r.URL.Path, "/api/v1/statuses/")
	if need, ok := f.allowed(r.Method, r.URL.Path); !ok && f.pleroma {
		// Pleroma's and Akkoma's OAuthScopesPlug: no WWW-Authenticate.
		writeError(w, http.StatusForbidden, "Insufficient permissions: "+need+".")
		return
	} else if !ok && f.gts {
		// GoToSocial's apiutil.TokenAuth (0.19 and later, which enforce
		// scopes): gtserror.NewErrorForbidden, no WWW-Authenticate.
		writeError(w, http.StatusForbidden, "Forbidden: token has insufficient scope permission")
		return
	} else if !ok {
		// Api::BaseController#doorkeeper_forbidden_render_options, and
		// Doorkeeper's header (RFC 6750 section 3.1).
		w.Header().Set("WWW-Authenticate", `Bearer realm="Doorkeeper", error="insufficient_scope", `+
			`error_description="The request requires higher privileges than provided by the access token."`)
		writeError(w, http.StatusForbidden, "This action is outside the authorized scopes")
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v2/instance":
		f.serveInstance(w)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/instance":
		f.serveInstanceV1(w)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses":
		f.createReplaying(w, r, body)
	case r.Method == http.MethodPut && isStatus:
		f.edit(w, r, id, body)
	case r.Method == http.MethodDelete && isStatus:
		f.remove(w, id)
	case r.Method == http.MethodGet && isStatus:
		f.show(w, id)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/accounts/"+fakeAccountID+"/statuses":
		f.accountStatuses(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/accounts/verify_credentials":
		writeJSON(w, http.StatusOK, map[string]any{"id": fakeAccountID, "username": "examplestatus",
			"acct": "examplestatus", "display_name": "Example Status", "bot": true})
	default:
		writeError(w, http.StatusNotFound, "Record not found")
	}
}

// allowed reports whether the token's scopes let it make the request, as
// Mastodon's controllers ask: statuses need write or write:statuses
// (Api::V1::StatusesController), reading the account profile, read or
// read:accounts (Api::V1::Accounts::CredentialsController); the instance's
// description is public.
func (f *fakeMastodon) allowed(method, path string) (scope string, ok bool) {
	var need []string
	switch {
	case path == "/api/v1/accounts/verify_credentials":
		need = []string{"profile", "read", "read:accounts"}
	case strings.HasPrefix(path, "/api/v1/accounts/") && strings.HasSuffix(path, "/statuses") && !f.pleroma:
		need = []string{"read", "read:statuses"}
	case strings.HasPrefix(path, "/api/v1/statuses") && method != http.MethodGet:
		need = []string{"write", "write:statuses"}
	case strings.HasPrefix(path, "/api/v1/statuses/") && !f.pleroma:
		// Mastodon's authorize_if_got_token!: a token must have the scope;
		// Pleroma's and Akkoma's OAuthScopesPlug reads as anonymous.
		need = []string{"read", "read:statuses"}
	}
	if f.scopes == nil || need == nil {
		return "", true
	}
	return need[len(need)-1], slices.ContainsFunc(need, func(s string) bool { return slices.Contains(f.scopes, s) })
}

func readBody(r *http.Request) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

// v2NoLimit is fakeMastodon.instance for a v2 Instance without
// configuration.statuses.
const v2NoLimit = -1

func (f *fakeMastodon) serveInstance(w http.ResponseWriter) {
	if f.instance == v2NoLimit {
		writeJSON(w, http.StatusOK, map[string]any{"domain": "mastodon.example", "version": "4.3.0", "configuration": map[string]any{}})
		return
	}
	if f.instance != 0 && f.instance != http.StatusOK {
		for k, v := range f.instanceHeader {
			w.Header()[k] = v
		}
		writeError(w, f.instance, http.StatusText(f.instance))
		return
	}
	version, source := "4.3.0", "https://github.com/mastodon/mastodon"
	if f.gts {
		// GoToSocial's InstanceToAPIV2Instance: its source, a Mastodon
		// version it speaks, and 25 reserved per URL, which its own
		// validation does not apply.
		version, source = "3.5.3+0.19.1", "https://codeberg.org/superseriousbusiness/gotosocial"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"domain": "mastodon.example", "title": "Example", "version": version, "source_url": source,
		"configuration": map[string]any{"statuses": map[string]int{
			"max_characters": f.maxChars, "max_media_attachments": 4, "characters_reserved_per_url": f.perURL}},
	})
}

// serveInstanceV1 is GET /api/v1/instance: f.v1, or Mastodon's
// V1::Instance (REST::V1::InstanceSerializer, Mastodon 3.4.2 and later).
func (f *fakeMastodon) serveInstanceV1(w http.ResponseWriter) {
	switch {
	case f.v1Status != 0:
		writeError(w, f.v1Status, http.StatusText(f.v1Status))
	case f.v1 != nil:
		writeJSON(w, http.StatusOK, f.v1)
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			"uri": "mastodon.example", "title": "Example", "version": "4.3.0",
			"configuration": map[string]any{"statuses": map[string]int{
				"max_characters": f.maxChars, "max_media_attachments": 4, "characters_reserved_per_url": f.perURL}},
		})
	}
}

// statusBody is POST /api/v1/statuses's and PUT's JSON body, read strictly.
// content_type is GoToSocial's and glitch-soc's (text/plain or
// text/markdown); Mastodon drops it, as it drops every parameter it does
// not permit.
type statusBody struct {
	Status      *string `json:"status"`
	InReplyToID string  `json:"in_reply_to_id"`
	Visibility  string  `json:"visibility"`
	Language    string  `json:"language"`
	ContentType string  `json:"content_type"`
}

// contentType is how the fake parses a status's text, as GoToSocial
// does (internal/processing/status/common.go, processContent; edit.go,
// processContentType): content_type when given, else current, which is
// the account's default content type for a new status and the status's
// own for an edit. ok is false for a type it does not know.
func contentType(sb statusBody, current string) (ct string, ok bool) {
	if sb.ContentType == "" {
		return current, true
	}
	return sb.ContentType, sb.ContentType == "text/plain" || sb.ContentType == "text/markdown"
}

// defaultContentType is the account's default content type.
func (f *fakeMastodon) defaultContentType() string {
	if f.markdown {
		return "text/markdown"
	}
	return "text/plain"
}

func decodeStatus(r *http.Request, body string) (statusBody, error) {
	var sb statusBody
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		return sb, fmt.Errorf("Content-Type %q", ct)
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sb); err != nil {
		return sb, err
	}
	return sb, nil
}

// createReplaying is POST /api/v1/statuses behind Pleroma's
// IdempotencyPlug when f.pleroma: the answer kept for the request's
// Idempotency-Key, whatever it was, else create's, kept.
func (f *fakeMastodon) createReplaying(w http.ResponseWriter, r *http.Request, body string) {
	key := r.Header.Get("Idempotency-Key")
	if !f.pleroma || key == "" {
		f.create(w, r, body)
		return
	}
	rec, ok := f.replays[key]
	if !ok {
		rec = httptest.NewRecorder()
		f.create(rec, r, body)
		if f.replays == nil {
			f.replays = map[string]*httptest.ResponseRecorder{}
		}
		f.replays[key] = rec
	} else {
		w.Header().Set("Idempotent-Replayed", "true")
		if st := f.keys[key]; rec.Code == http.StatusOK && st != nil {
			f.deliveries = append(f.deliveries, delivery{st: st, key: key})
		}
	}
	w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// create is POST /api/v1/statuses.
func (f *fakeMastodon) create(w http.ResponseWriter, r *http.Request, body string) {
	sb, err := decodeStatus(r, body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if f.failPosts > 0 {
		f.failPosts--
		if f.failStatus == http.StatusInternalServerError {
			writeJSON(w, f.failStatus, map[string]any{"status": 500, "error": "Internal Server Error"})
			return
		}
		writeError(w, cmp.Or(f.failStatus, http.StatusServiceUnavailable), "Something went wrong")
		return
	}
	if sb.InReplyToID != "" && f.find(sb.InReplyToID) == nil {
		switch {
		case f.akkoma:
			writeError(w, http.StatusUnprocessableEntity, "Parent post does not exist or was deleted")
			return
		case f.pleroma:
			writeError(w, http.StatusUnprocessableEntity, "Cannot reply to a deleted status")
			return
		}
		if f.gts {
			// GoToSocial's processInReplyTo: gtserror.NewErrorBadRequest,
			// whose safe text is the status text and the help text.
			writeError(w, http.StatusBadRequest, "Bad Request: cannot reply to status that does not exist")
			return
		}
		writeError(w, http.StatusNotFound, "The post you are trying to reply to does not appear to exist.")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if f.gts {
		key = "" // GoToSocial: no Idempotency-Key support
	}
	if st := f.keys[key]; key != "" && st != nil && !st.deleted && f.dupKey500 {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"status": 500, "error": "Internal Server Error"})
		return
	}
	if st := f.keys[key]; key != "" && st != nil && !st.deleted {
		f.deliveries = append(f.deliveries, delivery{st: st, key: key})
		writeJSON(w, http.StatusOK, f.entity(st))
		return
	}
	if msg := f.invalid(sb); msg != "" {
		writeError(w, f.invalidStatus(), msg)
		return
	}
	ct, ok := contentType(sb, f.defaultContentType())
	if !ok {
		writeError(w, http.StatusBadRequest, "Bad Request: invalid status format")
		return
	}
	st := &fakeStatus{id: strconv.Itoa(110000000000000001 + len(f.statuses)), text: *sb.Status,
		replyTo: sb.InReplyToID, visibility: cmp.Or(sb.Visibility, "public"), language: sb.Language, contentType: ct,
		created: f.now().UTC()}
	f.statuses = append(f.statuses, st)
	if key != "" {
		f.keys[key] = st
	}
	f.deliveries = append(f.deliveries, delivery{st: st, key: key})
	if f.loseNext {
		// A proxy whose upstream answered too late: the status exists,
		// the client hears of a failure.
		f.loseNext = false
		writeError(w, http.StatusBadGateway, "Bad Gateway")
		return
	}
	writeJSON(w, http.StatusOK, f.entity(st))
}

// invalid returns Mastodon's validation message for a status body, "" if
// it is valid.
func (f *fakeMastodon) invalid(sb statusBody) string {
	switch {
	case sb.Status == nil || strings.TrimSpace(*sb.Status) == "":
		return "Validation failed: Text can't be blank"
	case f.pleroma && uniseg.GraphemeClusterCount(strings.TrimSpace(*sb.Status)) >= f.maxChars:
		return "The status is over the character limit"
	case f.gts && utf8.RuneCountInString(*sb.Status) > f.maxChars:
		// GoToSocial's validateStatusContent: code points, URLs whole.
		return fmt.Sprintf("Bad Request: text with spoiler exceed max chars (%d)", f.maxChars)
	case !f.gts && !f.pleroma && countable(*sb.Status, f.perURL) > f.maxChars:
		return fmt.Sprintf("Validation failed: Text character limit of %d exceeded", f.maxChars)
	case !slices.Contains([]string{"", "public", "unlisted", "private", "direct"}, sb.Visibility):
		return "Validation failed: Visibility is not included in the list"
	case f.akkoma && sb.Language != "" && !slices.Contains(akkomaLanguages, sb.Language):
		// Akkoma's ActivityDraft: Pleroma.ISO639.valid_alpha2?.
		return "Invalid language"
	}
	return ""
}

// akkomaLanguages are some of the ISO 639-1 codes Akkoma's language list
// (priv/language-codes.json) holds: two letters each, nothing else.
var akkomaLanguages = []string{"de", "en", "es", "fr", "ja", "nl", "pt", "zh"}

// invalidStatus is the HTTP status of a refused status: Mastodon's 422,
// GoToSocial's 400.
func (f *fakeMastodon) invalidStatus() int {
	if f.gts {
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

// fakeURL is how the fake finds URLs: Mastodon replaces each with
// characters_reserved_per_url placeholder characters before counting.
var fakeURL = regexp.MustCompile(`https?://\S+`)

// countable is a status's length as Mastodon's StatusLengthValidator counts
// it: URLs replaced by perURL characters, then grapheme clusters.
func countable(text string, perURL int) int {
	return uniseg.GraphemeClusterCount(fakeURL.ReplaceAllString(text, strings.Repeat("x", perURL)))
}

// edit is PUT /api/v1/statuses/:id.
func (f *fakeMastodon) edit(w http.ResponseWriter, r *http.Request, id, body string) {
	sb, err := decodeStatus(r, body)
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, err.Error())
	case sb.InReplyToID != "" || sb.Visibility != "":
		writeError(w, http.StatusBadRequest, "in_reply_to_id and visibility cannot be edited")
	case f.find(id) == nil:
		writeError(w, http.StatusNotFound, "Record not found")
	case f.notOwned[id] && f.editForbidden:
		writeError(w, http.StatusForbidden, "This action is not allowed")
	case f.notOwned[id]:
		writeError(w, http.StatusNotFound, "Record not found")
	case f.editFails > 0:
		f.editFails--
		writeError(w, http.StatusInternalServerError, "Something went wrong")
	case f.invalid(sb) != "" && f.pleroma:
		// StatusController.update maps every failure of CommonAPI.update,
		// a text over the limit among them, to 500.
		writeError(w, http.StatusInternalServerError, "Something went wrong")
	case f.invalid(sb) != "":
		writeError(w, f.invalidStatus(), f.invalid(sb))
	default:
		st := f.find(id)
		ct, ok := contentType(sb, st.contentType)
		if !ok {
			writeError(w, http.StatusBadRequest, "Bad Request: invalid status format")
			return
		}
		if f.gts && st.text == *sb.Status && st.contentType == ct {
			// GoToSocial's Edit (internal/processing/status/edit.go): an
			// edit that changes nothing is refused; Mastodon's
			// UpdateStatusService swallows it and answers 200.
			writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity: status was not changed")
			return
		}
		st.text, st.edits, st.contentType = *sb.Status, st.edits+1, ct
		if sb.Language != "" {
			st.language = sb.Language
		}
		if f.loseNext {
			f.loseNext = false
			writeError(w, http.StatusBadGateway, "Bad Gateway")
			return
		}
		writeJSON(w, http.StatusOK, f.entity(st))
	}
}

// remove is DELETE /api/v1/statuses/:id: the deleted status with its source
// text, or 404 for one that is gone.
func (f *fakeMastodon) remove(w http.ResponseWriter, id string) {
	st := f.find(id)
	if st == nil || f.notOwned[id] {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	st.deleted = true
	e := f.entity(st)
	e["text"] = st.text
	writeJSON(w, http.StatusOK, e)
}

// show is GET /api/v1/statuses/:id: the status, or 404 for one that is
// gone.
func (f *fakeMastodon) show(w http.ResponseWriter, id string) {
	st := f.find(id)
	if st == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	writeJSON(w, http.StatusOK, f.entity(st))
}

// fakeAccountID is the id of the account the token acts for.
const fakeAccountID = "109876"

// accountStatuses is GET /api/v1/accounts/:id/statuses: the account's
// statuses, newest first, at most limit (default 20, at most 40).
func (f *fakeMastodon) accountStatuses(w http.ResponseWriter, r *http.Request) {
	limit, err := strconv.Atoi(cmp.Or(r.URL.Query().Get("limit"), "20"))
	if err != nil {
		limit = 20
	}
	limit = min(max(limit, 1), 40)
	out := []map[string]any{}
	for i := len(f.statuses) - 1; i >= 0 && len(out) < limit; i-- {
		if st := f.statuses[i]; !st.deleted {
			out = append(out, f.entity(st))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// fakeContent is the HTML Mastodon's TextFormatter makes of a plain-text
// status: escaped, every link an anchor of spans (the scheme and what
// is cut off invisible), paragraphs of <p> split at blank lines, lines
// joined by <br />.
func fakeContent(text string) string {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
	var b strings.Builder
	last := 0
	for _, loc := range fakeURL.FindAllStringIndex(text, -1) {
		b.WriteString(esc.Replace(text[last:loc[0]]))
		u := text[loc[0]:loc[1]]
		scheme, rest, _ := strings.Cut(u, "://")
		shown, cut := rest, ""
		if len(rest) > 30 {
			shown, cut = rest[:30], rest[30:]
		}
		fmt.Fprintf(&b, `<a href="%s" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">%s://</span>`+
			`<span class="%s">%s</span><span class="invisible">%s</span></a>`,
			esc.Replace(u), scheme, map[bool]string{true: "ellipsis", false: ""}[cut != ""], esc.Replace(shown), esc.Replace(cut))
		last = loc[1]
	}
	b.WriteString(esc.Replace(text[last:]))
	var paras []string
	for _, p := range regexp.MustCompile(`\n\n+`).Split(b.String(), -1) {
		paras = append(paras, "<p>"+strings.ReplaceAll(p, "\n", "<br />")+"</p>")
	}
	return strings.Join(paras, "")
}

// find returns the status id unless it is unknown or deleted.
func (f *fakeMastodon) find(id string) *fakeStatus {
	for _, st := range f.statuses {
		if st.id == id && !st.deleted {
			return st
		}
	}
	return nil
}

// entity is the Status entity of st.
func (f *fakeMastodon) entity(st *fakeStatus) map[string]any {
	e := map[string]any{
		"id": st.id, "created_at": cmp.Or(st.created, f.now().UTC()).Format("2006-01-02T15:04:05.000Z"),
		"uri":        "https://mastodon.example/users/examplestatus/statuses/" + st.id,
		"url":        "https://mastodon.example/@examplestatus/" + st.id,
		"content":    fakeContent(st.text),
		"visibility": st.visibility, "sensitive": false, "spoiler_text": "",
		"in_reply_to_id": nil, "language": nil, "edited_at": nil,
	}
	if st.replyTo != "" {
		e["in_reply_to_id"] = st.replyTo
	}
	if st.language != "" {
		e["language"] = st.language
	}
	if st.edits > 0 {
		e["edited_at"] = f.now().UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return e
}

// writeFailure answers as Mastodon does for a failure class.
func (f *fakeMastodon) writeFailure(w http.ResponseWriter, r *http.Request) {
	switch f.failure {
	case channeltest.FailTransient:
		writeError(w, http.StatusServiceUnavailable, "There was a temporary problem serving your request, please try again")
	case channeltest.FailRateLimited:
		now := f.now().UTC()
		h := w.Header()
		h.Set("X-RateLimit-Limit", "300")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", now.Add(5*time.Minute).Truncate(5*time.Minute).Format("2006-01-02T15:04:05.000000Z"))
		writeError(w, http.StatusTooManyRequests, "Too many requests")
	case channeltest.FailUnauthorized:
		writeError(w, http.StatusUnauthorized, "The access token is invalid")
	case channeltest.FailEcho:
		writeEcho(w, r)
	case channeltest.FailForeign:
		channeltest.ForeignPage(w, r, http.StatusOK) // the token is in a header
	default:
		if r.Method == http.MethodPost || r.Method == http.MethodPut {
			writeError(w, http.StatusUnprocessableEntity, "Validation failed: Text can't be blank")
			return
		}
		writeError(w, http.StatusForbidden, "This action is not allowed")
	}
}

// writeEcho answers 401 as a debugging proxy might: with the Authorization
// header it got, raw, JSON-escaped, and its token in base64.
func writeEcho(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	token, _ := strings.CutPrefix(auth, "Bearer ")
	msg, _ := json.Marshal("invalid token " + auth)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintf(w, `{"error":%s,"token_b64":%q,"raw":%q} %s`, msg,
		base64.StdEncoding.EncodeToString([]byte(token)), auth, strings.ReplaceAll(token, "/", `\/`))
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fakeMention is Mastodon's Account::MENTION_RE,
// (?<![=/[:word:]])@((USERNAME_RE)(?:@[[:word:].-]+[[:word:]]+)?)/i,
// with its look-behind as a group of its own: Go's regexp has none.
var fakeMention = regexp.MustCompile(`(?i)(^|[^=/\pL\pM\p{Nd}\p{Pc}])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?(?:@[\pL\pM\p{Nd}\p{Pc}.-]+[\pL\pM\p{Nd}\p{Pc}]+)?)`)

// mentioned returns the accounts a status of text notifies: Mastodon's
// ProcessMentionsService scans the whole text with MENTION_RE, URLs
// included.
func mentioned(text string) []string {
	var names []string
	for _, m := range fakeMention.FindAllStringSubmatch(text, -1) {
		names = append(names, m[2])
	}
	return names
}

// echoing passes the answers of h through channeltest.EchoAnswer while the
// fake injects FailEchoDelivered.
func (f *fakeMastodon) echoing(h http.Handler) http.Handler {
	return channeltest.EchoAnswerWhile(func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.echo
	}, h)
}
