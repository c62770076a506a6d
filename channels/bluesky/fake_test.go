package bluesky

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rivo/uniseg"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// The test account. The password holds characters that URL, JSON and
// base64 encodings change.
const (
	testIdentifier = "status.example.com"
	testPassword   = "abcd-efgh/ijkl+mnop="
	testDID        = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
)

// fakeJWT is the n-th token of a kind ("access" or "refresh") the fake
// issues: three base64url segments, as a JWT.
func fakeJWT(kind string, n int) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"typ":"at+jwt","alg":"ES256K"}`))
	payload := enc.EncodeToString([]byte(fmt.Sprintf(`{"scope":"com.atproto.appPass","sub":%q,"jti":"%s-%d"}`, testDID, kind, n)))
	sig := sha256.Sum256([]byte(fmt.Sprintf("%s-%d", kind, n)))
	return header + "." + payload + "." + enc.EncodeToString(sig[:])
}

// fakeJWTExp is fakeJWT with an "exp" claim, as a PDS's access tokens
// have.
func fakeJWTExp(kind string, n int, exp time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"typ":"at+jwt","alg":"ES256K"}`))
	payload := enc.EncodeToString([]byte(fmt.Sprintf(`{"scope":"com.atproto.appPass","sub":%q,"jti":"%s-%d","exp":%d}`, testDID, kind, n, exp.Unix())))
	sig := sha256.Sum256([]byte(fmt.Sprintf("%s-%d", kind, n)))
	return header + "." + payload + "." + enc.EncodeToString(sig[:])
}

// testSecrets are the password and the first tokens the fake issues.
var testSecrets = func() []string {
	out := []string{testPassword}
	for n := 1; n <= 6; n++ {
		out = append(out, fakeJWT("access", n), fakeJWT("refresh", n))
	}
	return out
}()

// fakePDS is an httptest fake of an AT Protocol PDS, as Bluesky's
// reference implementation answers: createSession, refreshSession (which
// rotates the refresh token) and getSession; createRecord, getRecord and
// deleteRecord of app.bsky.feed.post records, checked against the
// lexicon (TID record keys, 300 graphemes and 3,000 bytes of text, facet
// byte ranges inside the text, strong references with URI and CID);
// XRPC errors {"error","message"} with the reference server's names and
// statuses, RateLimit-* headers, a taken record key answered with 500
// InternalServerError, and an expired access token with 400 ExpiredToken.
// It implements channeltest.Backend.
type fakePDS struct {
	*httptest.Server
	writeLimits http.Header // set on every answer to createRecord past its auth check

	// gate, when set, holds the next createRecord before it is handled
	// (see gate).
	gate *gate
	// accessExp, when set, is the "exp" of the access tokens issued.
	accessExp time.Time

	mu        sync.Mutex
	issued    int             // sessions issued
	access    map[string]bool // access token → still valid
	refresh   map[string]bool // refresh token → still valid
	logins    int
	refreshes int
	records   []*fakeRecord
	failure   channeltest.Failure
	echo      bool // FailEchoDelivered: answers pass through channeltest.EchoAnswer
	loseNext  bool // create the next record, then answer 502
	// internalError makes createRecord fail with 500 without creating.
	internalError bool
	// taken, when set, is how createRecord answers a taken record key,
	// as servers other than the reference one do (a 400); unset, it
	// answers as the reference server does, 500 InternalServerError.
	taken *xrpcAnswer
	// readFailure, when set, is how getRecord fails, but for the record
	// key readFailureUnless when that is set.
	readFailure       *xrpcAnswer
	readFailureUnless string
	// noCID makes getRecord answer without the record's cid, which its
	// output schema leaves optional (only uri and value are required).
	noCID    bool
	requests []request
	now      func() time.Time
	// status, when set, is the account's status that getSession reports
	// with "active": false ("deactivated", "takendown", "suspended").
	status string
}

type fakeRecord struct {
	rkey, uri, cid string
	post           post
	deleted        bool
}

// request is what the fake received, for tests that check it.
type request struct {
	Method, NSID string
	Query        url.Values
	Header       http.Header
	Body         string
}

func newFakePDS(t *testing.T) *fakePDS {
	t.Helper()
	f := &fakePDS{access: map[string]bool{}, refresh: map[string]bool{}, now: time.Now}
	f.Server = httptest.NewServer(f.echoing(http.HandlerFunc(f.serve)))
	t.Cleanup(f.Close)
	return f
}

// Received implements channeltest.Backend.
func (f *fakePDS) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]channeltest.Delivery, len(f.records))
	for i, r := range f.records {
		d := channeltest.Delivery{Text: r.post.Text, Parts: []string{r.post.Text}, ID: r.uri, Deleted: r.deleted}
		if r.post.Reply != nil {
			d.ReplyTo = r.post.Reply.Parent.URI
		}
		out[i] = d
	}
	return out
}

// Fail implements channeltest.Backend.
func (f *fakePDS) Fail(failure channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.echo = failure == channeltest.FailEchoDelivered
	if f.echo { // the platform's answer, echoed
		failure = channeltest.FailNone
	}
	f.failure = failure
}

// set changes the fake under its lock.
func (f *fakePDS) set(change func(f *fakePDS)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// expireAccess makes every access token issued so far expired.
func (f *fakePDS) expireAccess() {
	f.set(func(f *fakePDS) {
		for tok := range f.access {
			f.access[tok] = false
		}
	})
}

// expireRefresh makes every refresh token issued so far expired.
func (f *fakePDS) expireRefresh() {
	f.set(func(f *fakePDS) {
		for tok := range f.refresh {
			f.refresh[tok] = false
		}
	})
}

// counts returns the logins and refreshes so far.
func (f *fakePDS) counts() (logins, refreshes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins, f.refreshes
}

// received returns the requests for nsid ("" for all).
func (f *fakePDS) received(nsid string) []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.requests {
		if nsid == "" || r.NSID == nsid {
			out = append(out, r)
		}
	}
	return out
}

// gate holds one request in flight: arrived is closed when it came, and
// it is handled once release is closed.
type gate struct{ arrived, release chan struct{} }

func newGate() *gate { return &gate{arrived: make(chan struct{}), release: make(chan struct{})} }

func (f *fakePDS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	nsid, _ := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if nsid == "com.atproto.repo.createRecord" {
		f.mu.Lock()
		g := f.gate
		f.gate = nil
		f.mu.Unlock()
		if g != nil {
			close(g.arrived)
			<-g.release
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, request{Method: r.Method, NSID: nsid, Query: r.URL.Query(), Header: r.Header.Clone(), Body: string(body)})
	if f.failure != channeltest.FailNone {
		f.writeFailure(w, r, body)
		return
	}
	handlers := map[string]func(http.ResponseWriter, *http.Request, []byte){
		"POST com.atproto.server.createSession":  f.createSession,
		"POST com.atproto.server.refreshSession": f.refreshSession,
		"GET com.atproto.server.getSession":      f.getSession,
		"POST com.atproto.repo.createRecord":     f.createRecord,
		"GET com.atproto.repo.getRecord":         f.getRecord,
		"POST com.atproto.repo.deleteRecord":     f.deleteRecord,
		"POST com.atproto.repo.putRecord":        f.putRecord,
	}
	h, ok := handlers[r.Method+" "+nsid]
	if !ok {
		writeXRPC(w, http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented")
		return
	}
	h(w, r, body)
}

// issue returns a new session's output.
func (f *fakePDS) issue() map[string]any {
	f.issued++
	access, refresh := fakeJWT("access", f.issued), fakeJWT("refresh", f.issued)
	if !f.accessExp.IsZero() {
		access = fakeJWTExp("access", f.issued, f.accessExp)
	}
	f.access[access], f.refresh[refresh] = true, true
	return map[string]any{"accessJwt": access, "refreshJwt": refresh, "handle": testIdentifier, "did": testDID,
		"email": "ops@example.com", "emailConfirmed": true, "active": true,
		"didDoc": map[string]any{"id": testDID, "alsoKnownAs": []string{"at://" + testIdentifier}}}
}

func (f *fakePDS) createSession(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		Identifier      string `json:"identifier"`
		Password        string `json:"password"`
		AuthFactorToken string `json:"authFactorToken"`
	}
	if err := decodeStrict(r, body, &in); err != nil {
		writeXRPC(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	if (in.Identifier != testIdentifier && in.Identifier != testDID) || in.Password != testPassword {
		writeXRPC(w, http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
		return
	}
	f.logins++
	writeJSON(w, http.StatusOK, f.issue())
}

func (f *fakePDS) refreshSession(w http.ResponseWriter, r *http.Request, _ []byte) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	valid, known := f.refresh[tok]
	switch {
	case !known && f.access[tok]:
		writeXRPC(w, http.StatusBadRequest, "InvalidToken", "Bad token scope")
	case !known:
		writeXRPC(w, http.StatusBadRequest, "InvalidToken", "Token could not be verified")
	case !valid:
		writeXRPC(w, http.StatusBadRequest, "ExpiredToken", "Token has been revoked")
	default:
		f.refresh[tok] = false // rotated
		f.refreshes++
		writeJSON(w, http.StatusOK, f.issue())
	}
}

// authorized checks the access token and answers as the PDS does when it
// is missing, expired or unknown.
func (f *fakePDS) authorized(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	valid, known := f.access[tok]
	switch {
	case !ok:
		writeXRPC(w, http.StatusUnauthorized, "AuthMissing", "Authentication Required")
	case known && !valid:
		writeXRPC(w, http.StatusBadRequest, "ExpiredToken", "Token has expired")
	case !known:
		writeXRPC(w, http.StatusBadRequest, "InvalidToken", "Token could not be verified")
	default:
		return true
	}
	return false
}

func (f *fakePDS) getSession(w http.ResponseWriter, r *http.Request, _ []byte) {
	if !f.authorized(w, r) {
		return
	}
	out := map[string]any{"handle": testIdentifier, "did": testDID, "active": true}
	if f.status != "" {
		out["active"], out["status"] = false, f.status
	}
	writeJSON(w, http.StatusOK, out)
}

// tidPattern is the syntax of a TID.
var tidPattern = regexp.MustCompile(`^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$`)

func (f *fakePDS) createRecord(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.authorized(w, r) {
		return
	}
	// The PDS counts a write against the account's points once its
	// token is checked, and says so in the answer's headers.
	for k, v := range f.writeLimits {
		w.Header()[k] = v
	}
	var in struct {
		Repo       string          `json:"repo"`
		Collection string          `json:"collection"`
		RKey       string          `json:"rkey"`
		Record     json.RawMessage `json:"record"`
	}
	if err := decodeStrict(r, body, &in); err != nil {
		writeXRPC(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	p, problem := f.checkCreate(in.Repo, in.Collection, in.RKey, in.Record)
	switch {
	case problem == "unauthorized":
		writeXRPC(w, http.StatusUnauthorized, "AuthenticationRequired", "Authentication Required")
	case problem != "":
		writeXRPC(w, http.StatusBadRequest, "InvalidRequest", problem)
	case f.internalError:
		writeXRPC(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
	case f.find(in.RKey) != nil && f.taken != nil:
		f.taken.write(w, f.now())
	case f.find(in.RKey) != nil:
		// The repository's tree refuses a second value under a key, and
		// the reference server reports it as an internal error.
		writeXRPC(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
	default:
		f.store(w, in.RKey, p, in.Record)
	}
}

func (f *fakePDS) store(w http.ResponseWriter, rkey string, p post, raw []byte) {
	sum := sha256.Sum256(raw)
	cid := "bafyrei" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))[:52]
	rec := &fakeRecord{rkey: rkey, uri: "at://" + testDID + "/" + Collection + "/" + rkey, cid: cid, post: p}
	f.records = append(f.records, rec)
	if f.loseNext {
		f.loseNext = false
		writeXRPC(w, http.StatusBadGateway, "UpstreamFailure", "Upstream Failure")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"uri": rec.uri, "cid": rec.cid,
		"commit": map[string]string{"cid": "bafyreicommit" + rkey, "rev": rkey}, "validationStatus": "valid"})
}

// checkCreate validates a createRecord input as the PDS does; the problem
// is "" when it is valid.
func (f *fakePDS) checkCreate(repo, collection, rkey string, raw []byte) (post, string) {
	var p post
	switch {
	case repo != testDID && repo != testIdentifier:
		return p, "unauthorized"
	case collection != Collection:
		return p, "Unknown lexicon type: " + collection
	case !tidPattern.MatchString(rkey):
		return p, "Invalid record key for app.bsky.feed.post: must be a valid TID"
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, "Invalid app.bsky.feed.post record: " + err.Error()
	}
	if problem := checkPost(p); problem != "" {
		return p, "Invalid app.bsky.feed.post record: " + problem
	}
	return p, ""
}

// checkPost checks a post against the app.bsky.feed.post lexicon.
func checkPost(p post) string {
	switch {
	case p.Type != Collection:
		return "Record/$type must be app.bsky.feed.post"
	case uniseg.GraphemeClusterCount(p.Text) > MaxGraphemes:
		return "Record/text must not be longer than 300 graphemes"
	case len(p.Text) > MaxBytes:
		return "Record/text must not be longer than 3000 characters"
	case len(p.Langs) > 3:
		return "Record/langs must not have more than 3 elements"
	}
	if _, err := time.Parse(time.RFC3339Nano, p.CreatedAt); err != nil {
		return "Record/createdAt must be an valid atproto datetime"
	}
	for i, fc := range p.Facets {
		if fc.Index.ByteStart < 0 || fc.Index.ByteEnd > len(p.Text) || fc.Index.ByteStart >= fc.Index.ByteEnd ||
			len(fc.Features) != 1 || fc.Features[0].Type != linkFeature && fc.Features[0].Type != tagFeature {
			return fmt.Sprintf("Record/facets/%d is invalid", i)
		}
		if ft := fc.Features[0]; ft.Type == tagFeature {
			if ft.Tag == "" || len(ft.Tag) > 640 || uniseg.GraphemeClusterCount(ft.Tag) > 64 || ft.URI != "" {
				return fmt.Sprintf("Record/facets/%d/features/0/tag is invalid", i)
			}
			continue
		}
		if u, err := url.Parse(fc.Features[0].URI); err != nil || u.Scheme == "" {
			return fmt.Sprintf("Record/facets/%d/features/0/uri must be a uri", i)
		}
	}
	if r := p.Reply; r != nil && (!strings.HasPrefix(r.Root.URI, "at://") || r.Root.CID == "" ||
		!strings.HasPrefix(r.Parent.URI, "at://") || r.Parent.CID == "") {
		return "Record/reply must have root and parent strong references"
	}
	return ""
}

func (f *fakePDS) getRecord(w http.ResponseWriter, r *http.Request, _ []byte) {
	// A read needs no token, but one sent is checked, as the PDS does.
	if r.Header.Get("Authorization") != "" && !f.authorized(w, r) {
		return
	}
	q := r.URL.Query()
	if f.readFailure != nil && (f.readFailureUnless == "" || q.Get("rkey") != f.readFailureUnless) {
		f.readFailure.write(w, f.now())
		return
	}
	rec := f.find(q.Get("rkey"))
	if rec == nil || q.Get("repo") != testDID || q.Get("collection") != Collection {
		writeXRPC(w, http.StatusBadRequest, "RecordNotFound",
			"Could not locate record: at://"+q.Get("repo")+"/"+q.Get("collection")+"/"+q.Get("rkey"))
		return
	}
	out := map[string]any{"uri": rec.uri, "cid": rec.cid, "value": rec.post}
	if f.noCID {
		delete(out, "cid")
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *fakePDS) deleteRecord(w http.ResponseWriter, r *http.Request, body []byte) {
	if !f.authorized(w, r) {
		return
	}
	var in deleteRecord
	if err := decodeStrict(r, body, &in); err != nil {
		writeXRPC(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	if in.Repo != testDID || in.Collection != Collection {
		writeXRPC(w, http.StatusUnauthorized, "AuthenticationRequired", "Authentication Required")
		return
	}
	if rec := f.find(in.RKey); rec != nil {
		rec.deleted = true
		writeJSON(w, http.StatusOK, map[string]any{"commit": map[string]string{"cid": "bafyreidel", "rev": in.RKey}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{}) // no-op if the record already doesn't exist
}

// putRecord answers an update of a record, which the channel never
// makes, for the tests of what it costs of the write limit.
func (f *fakePDS) putRecord(w http.ResponseWriter, r *http.Request, _ []byte) {
	if f.authorized(w, r) {
		writeJSON(w, http.StatusOK, map[string]any{"uri": "at://" + testDID + "/" + Collection + "/3lkf5cbqw2a2k", "cid": "bafyreiput"})
	}
}

// find returns the record under rkey unless there is none or it was deleted.
func (f *fakePDS) find(rkey string) *fakeRecord {
	for _, r := range f.records {
		if r.rkey == rkey && !r.deleted {
			return r
		}
	}
	return nil
}

// writeFailure answers as the PDS does for a failure class.
func (f *fakePDS) writeFailure(w http.ResponseWriter, r *http.Request, body []byte) {
	switch f.failure {
	case channeltest.FailTransient:
		writeXRPC(w, http.StatusBadGateway, "UpstreamFailure", "Upstream Failure")
	case channeltest.FailRateLimited:
		h := w.Header()
		h.Set("RateLimit-Limit", "5000")
		h.Set("RateLimit-Remaining", "0")
		h.Set("RateLimit-Reset", fmt.Sprint(f.now().Add(time.Hour).Unix()))
		h.Set("RateLimit-Policy", "5000;w=3600")
		writeXRPC(w, http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded")
	case channeltest.FailUnauthorized:
		writeXRPC(w, http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
	case channeltest.FailEcho:
		writeEcho(w, r, body)
	case channeltest.FailForeign:
		r.Body = io.NopCloser(bytes.NewReader(body)) // a login's password is in it
		channeltest.ForeignPage(w, r, http.StatusOK)
	default:
		writeXRPC(w, http.StatusBadRequest, "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must be a string")
	}
}

// writeEcho answers 400 as a debugging proxy might: with the Authorization
// header, the request body as received (a password in it JSON-escaped),
// and the bearer token in base64.
func writeEcho(w http.ResponseWriter, r *http.Request, body []byte) {
	auth := r.Header.Get("Authorization")
	tok, _ := strings.CutPrefix(auth, "Bearer ")
	msg, _ := json.Marshal(fmt.Sprintf("bad request: authorization=%s body=%s", auth, body))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `{"error":"InvalidRequest","message":%s,"b64":%q} %s %s`, msg,
		base64.StdEncoding.EncodeToString([]byte(tok)), body, auth)
}

// xrpcAnswer is an error answer the fake gives on demand.
type xrpcAnswer struct {
	status        int
	name, message string // an XRPC error body; name "" writes message as it is (a proxy's page)
	rateLimited   bool   // with the RateLimit-* headers of an exhausted budget
	drop          bool   // no answer: the connection is closed
}

func (a *xrpcAnswer) write(w http.ResponseWriter, now time.Time) {
	switch {
	case a.drop:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	case a.rateLimited:
		h := w.Header()
		h.Set("RateLimit-Limit", "3000")
		h.Set("RateLimit-Remaining", "0")
		h.Set("RateLimit-Reset", fmt.Sprint(now.Add(5*time.Minute).Unix()))
		h.Set("RateLimit-Policy", "3000;w=300")
	}
	if a.name == "" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.message)
		return
	}
	writeXRPC(w, a.status, a.name, a.message)
}

func decodeStrict(r *http.Request, body []byte, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		return fmt.Errorf("Content-Type %q", ct)
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func writeXRPC(w http.ResponseWriter, status int, name, message string) {
	writeJSON(w, status, map[string]string{"error": name, "message": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// echoing passes the answers of h through channeltest.EchoAnswer while the
// fake injects FailEchoDelivered.
func (f *fakePDS) echoing(h http.Handler) http.Handler {
	return channeltest.EchoAnswerWhile(func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.echo
	}, h)
}
