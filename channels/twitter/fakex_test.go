package twitter

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// Test credentials. The consumer key and the access token hold characters
// that the OAuth 1.0a header percent-encodes (" " as %20, "+" as %2B, "/"
// as %2F), the secrets characters that OAuth 1.0a must percent-encode in
// the signing key, and the bearer token characters that JSON and URL
// escaping change.
const (
	testConsumerKey    = "ck-test+4Jw9 QmTz"
	testConsumerSecret = "cs+test/secret=Z8~vYp3Lq0"
	testAccessToken    = "1234567890-at+test N5/rTkq"
	testAccessSecret   = "as-test&secret H2kWx7"
	testBearerToken    = "bt-test/Q2FuYXJ5+VG9rZW4tZm9yLXRlc3Rz=="
)

var testSecrets = []string{testConsumerKey, testConsumerSecret, testAccessToken, testAccessSecret, testBearerToken}

// fakeX is an httptest fake of the X API v2: POST /2/tweets, DELETE
// /2/tweets/:id and GET /2/users/me. It verifies OAuth 1.0a signatures
// (HMAC-SHA1, RFC 5849) or a bearer token, checks the JSON body, refuses
// duplicate texts and replies to posts that are deleted or unknown, and
// answers with X's success and problem shapes. It implements
// channeltest.Backend.
type fakeX struct {
	*httptest.Server
	bearer bool // expect OAuth 2.0 bearer tokens instead of OAuth 1.0a

	mu       sync.Mutex
	posts    []channeltest.Delivery // every post, deleted ones marked
	dupes    bool                   // refuse a text a post still there has
	nonces   map[string]bool
	failure  channeltest.Failure
	echo     bool         // FailEchoDelivered: answers pass through channeltest.EchoAnswer
	loseNext bool         // accept the next post but answer 503, as if the answer was lost
	answer   http.Handler // when set, answers every request after the auth check
	requests int
	created  map[string]time.Time // when each post was made
	clock    func() time.Time     // the time a post is made at; time.Now unless set
	paths    []string             // the path and query of every request
	minted   int                  // post ids made, versions included
	versions map[string][]string  // each post's versions, oldest first, by its first id
	texts    map[string]string    // the text of each version no longer the latest, by its id
	noEdits  bool                 // the account may not edit (no subscription)
	limits   []string             // header fields (name, value pairs) of every answer
}

func newFakeX(t *testing.T, bearer bool) *fakeX {
	t.Helper()
	f := &fakeX{bearer: bearer, dupes: true, nonces: map[string]bool{}, created: map[string]time.Time{}, clock: time.Now,
		versions: map[string][]string{}, texts: map[string]string{}}
	f.Server = httptest.NewServer(f.echoing(http.HandlerFunc(f.serve)))
	t.Cleanup(f.Close)
	return f
}

// Received implements channeltest.Backend.
func (f *fakeX) Received() []channeltest.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.posts)
}

// Fail implements channeltest.Backend: every request fails as f says.
func (f *fakeX) Fail(failure channeltest.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.echo = failure == channeltest.FailEchoDelivered
	if f.echo { // the platform's answer, echoed
		failure = channeltest.FailNone
	}
	f.failure = failure
}

// respondWith makes the fake answer every authorised request with h.
func (f *fakeX) respondWith(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer = h
}

// deleteOnX deletes the post id as its owner would on x.com, outside the
// channel.
func (f *fakeX) deleteOnX(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := f.find(id); i >= 0 {
		f.posts[i].Deleted = true
	}
}

func (f *fakeX) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

func (f *fakeX) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	f.paths = append(f.paths, r.URL.RequestURI())
	for i := 0; i+1 < len(f.limits); i += 2 {
		w.Header().Set(f.limits[i], f.limits[i+1])
	}
	if f.failure != channeltest.FailNone {
		writeFailure(w, r, f.failure)
		return
	}
	if err := f.authorize(r); err != nil {
		w.Header().Set("X-Test-Auth-Error", err.Error())
		writeProblem(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized", "about:blank")
		return
	}
	id, isPost := strings.CutPrefix(r.URL.Path, "/2/tweets/")
	switch {
	case f.answer != nil:
		f.answer.ServeHTTP(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/2/tweets":
		f.createPost(w, r)
	case r.Method == http.MethodDelete && isPost:
		f.deletePost(w, id)
	case r.Method == http.MethodGet && isPost:
		f.lookupPost(w, r, id)
	case r.Method == http.MethodGet && r.URL.Path == "/2/users/me":
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]string{
			"id": testUserID, "name": "Example Status", "username": "examplestatus"}})
	case r.Method == http.MethodGet && r.URL.Path == "/2/users/"+testUserID+"/tweets":
		f.timeline(w, r)
	default:
		// A route X does not know: 404 with an empty body (older answers
		// held {"errors":[{"message":"Sorry, that page does not exist",
		// "code":34}]}, see TestRetractErrors), never the problem of a
		// post or user not found.
		w.WriteHeader(http.StatusNotFound)
	}
}

func (f *fakeX) authorize(r *http.Request) error {
	if f.bearer {
		if r.Header.Get("Authorization") != "Bearer "+testBearerToken {
			return errors.New("bad bearer token")
		}
		return nil
	}
	return verifyOAuth1(r, testConsumerKey, testConsumerSecret, testAccessToken, testAccessSecret, f.nonces)
}

// find returns the index of the post id that is still there, or -1. An
// edited post is found by the id of any of its versions.
func (f *fakeX) find(id string) int {
	return slices.IndexFunc(f.posts, func(d channeltest.Delivery) bool { return f.has(d, id) && !d.Deleted })
}

// has reports whether id is the id of a version of post d.
func (f *fakeX) has(d channeltest.Delivery, id string) bool {
	return d.ID == id || slices.Contains(f.versions[d.ID], id)
}

// newID returns the id of a new post or version.
func (f *fakeX) newID() string {
	f.minted++
	return strconv.Itoa(1850000000000000000 + f.minted)
}

// createPost is POST /2/tweets.
func (f *fakeX) createPost(w http.ResponseWriter, r *http.Request) {
	req, err := decodePost(r)
	if err != nil {
		writeInvalid(w, err.Error())
		return
	}
	if req.Edit != nil {
		f.editPost(w, r, req)
		return
	}
	switch {
	case Weight(req.Text) > MaxWeight:
		writeInvalid(w, "Your Tweet text is too long.")
		return
	case req.Reply != nil && f.find(req.Reply.InReplyToTweetID) < 0:
		writeProblem(w, http.StatusForbidden, "Forbidden",
			"You attempted to reply to a Tweet that is deleted or not visible to you.", "about:blank")
		return
	case f.dupes && slices.ContainsFunc(f.posts, func(d channeltest.Delivery) bool { return d.Text == req.Text && !d.Deleted }):
		writeProblem(w, http.StatusForbidden, "Forbidden",
			"You are not allowed to create a Tweet with duplicate content.", "about:blank")
		return
	}
	id := f.newID()
	d := channeltest.Delivery{Text: req.Text, Parts: []string{req.Text}, ID: id}
	if req.Reply != nil {
		d.ReplyTo = req.Reply.InReplyToTweetID
	}
	f.posts = append(f.posts, d)
	f.created[id] = f.clock().UTC().Truncate(time.Millisecond)
	if f.loseNext {
		f.loseNext = false
		writeFailure(w, r, channeltest.FailTransient)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{
		"id": id, "text": tcoPattern.ReplaceAllString(req.Text, "https://t.co/Ab3dE5gH7j"),
		"edit_history_tweet_ids": []string{id},
	}})
}

// testUserID is the fake's account, the id GET /2/users/me answers.
const testUserID = "2244994945"

// timeline is GET /2/users/:id/tweets: the account's posts still there,
// newest first, filtered by start_time (inclusive, whole seconds), at most
// max_results (5 to 100, default 10) a page, the next page from the
// pagination_token of an answer's meta.next_token (absent on the last
// page). It answers as X does: the text with
// &, < and > as HTML entities and links as t.co links, whose entities give
// the link as written (with "http://" when it had no scheme); created_at
// entities and referenced_tweets only when tweet.fields asks; no "data" when no post is
// left. Sources: https://developer.x.com/en/docs/x-api/tweets/timelines/api-reference/get-users-id-tweets
// (parameters; 900 requests per 15 minutes per user) and
// https://developer.twitter.com/en/docs/twitter-api/data-dictionary/example-payloads
// (created_at, entities.urls, referenced_tweets).
func (f *fakeX) timeline(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 10
	if v := q.Get("max_results"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 || n > 100 {
			writeInvalid(w, "The `max_results` query parameter value ["+v+"] is not between 5 and 100")
			return
		}
		limit = n
	}
	var start time.Time
	if v := q.Get("start_time"); v != "" {
		t, err := time.Parse("2006-01-02T15:04:05Z", v)
		if err != nil {
			writeInvalid(w, "Invalid 'start_time':'"+v+"'.")
			return
		}
		start = t
	}
	skip := 0
	if v := q.Get("pagination_token"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, pageTokenPrefix))
		if !strings.HasPrefix(v, pageTokenPrefix) || err != nil || n <= 0 {
			writeInvalid(w, "The `pagination_token` query parameter value ["+v+"] is not valid")
			return
		}
		skip = n
	}
	fields := strings.Split(q.Get("tweet.fields"), ",")
	var data []map[string]any
	seen, more := 0, false
	for i := len(f.posts) - 1; i >= 0; i-- {
		d := f.posts[i]
		if d.Deleted || f.created[d.ID].Before(start) {
			continue
		}
		if seen++; seen <= skip {
			continue
		}
		if len(data) == limit {
			more = true
			break
		}
		data = append(data, f.timelinePost(d, fields))
	}
	meta := map[string]any{"result_count": len(data)}
	if len(data) > 0 {
		meta["newest_id"], meta["oldest_id"] = data[0]["id"], data[len(data)-1]["id"]
	}
	if more {
		meta["next_token"] = pageTokenPrefix + strconv.Itoa(skip+len(data))
	}
	if skip > 0 {
		meta["previous_token"] = pageTokenPrefix + strconv.Itoa(max(skip-limit, 0))
	}
	body := map[string]any{"meta": meta}
	if len(data) > 0 {
		body["data"] = data
	}
	writeJSON(w, http.StatusOK, body)
}

// pageTokenPrefix starts the fake's pagination tokens, opaque to the
// channel as X's are.
const pageTokenPrefix = "7140dibdnow9c7btw3w29"

// timelinePost is a post of the timeline as X returns it.
func (f *fakeX) timelinePost(d channeltest.Delivery, fields []string) map[string]any {
	var text strings.Builder
	var urls []map[string]any
	last := 0
	for _, u := range findURLs(d.Text) {
		text.WriteString(d.Text[last:u.start])
		link := u.link(d.Text)
		if withoutScheme(link) == link {
			link = "http://" + link
		}
		tco := "https://t.co/Ab3dE5gH7j" // as createPost answers
		urls = append(urls, map[string]any{"url": tco, "expanded_url": link, "display_url": withoutScheme(link)})
		text.WriteString(tco)
		last = u.end
	}
	text.WriteString(d.Text[last:])
	p := map[string]any{"id": d.ID, "edit_history_tweet_ids": []string{d.ID},
		"text": strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(text.String())}
	if slices.Contains(fields, "created_at") {
		p["created_at"] = f.created[d.ID].Format("2006-01-02T15:04:05.000Z")
	}
	if slices.Contains(fields, "entities") && len(urls) > 0 {
		p["entities"] = map[string]any{"urls": urls}
	}
	if slices.Contains(fields, "referenced_tweets") && d.ReplyTo != "" {
		p["referenced_tweets"] = []map[string]string{{"type": "replied_to", "id": d.ReplyTo}}
	}
	return p
}

// deletePost is DELETE /2/tweets/:id: deleted true, false for a post
// already deleted, 404 for an id it never had.
func (f *fakeX) deletePost(w http.ResponseWriter, id string) {
	if !slices.ContainsFunc(f.posts, func(d channeltest.Delivery) bool { return f.has(d, id) }) {
		writeNotFound(w)
		return
	}
	i := f.find(id)
	if i >= 0 {
		f.posts[i].Deleted = true
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]bool{"deleted": i >= 0}})
}

var tcoPattern = regexp.MustCompile(`https?://\S+`)

// decodePost reads a POST /2/tweets body strictly.
func decodePost(r *http.Request) (postRequest, error) {
	var req postRequest
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		return req, fmt.Errorf("Content-Type %q", ct)
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, fmt.Errorf("body: %v", err)
	}
	switch {
	case req.Text == "":
		return req, errors.New("text: missing")
	case req.Reply != nil && req.Reply.InReplyToTweetID == "":
		return req, errors.New("reply.in_reply_to_tweet_id: missing")
	case req.Edit != nil && req.Edit.PreviousPostID == "":
		return req, errors.New("edit_options.previous_post_id: missing")
	case req.Edit != nil && req.Reply != nil:
		return req, errors.New("edit_options with reply: an edit keeps the post's place")
	}
	return req, nil
}

// writeFailure answers with X's answer for a failure class.
func writeFailure(w http.ResponseWriter, r *http.Request, failure channeltest.Failure) {
	switch failure {
	case channeltest.FailTransient:
		writeProblem(w, http.StatusServiceUnavailable, "Service Unavailable", "Service Unavailable", "about:blank")
	case channeltest.FailRateLimited:
		now := time.Now().Unix()
		h := w.Header()
		h.Set("x-rate-limit-limit", "100")
		h.Set("x-rate-limit-remaining", "0")
		h.Set("x-rate-limit-reset", strconv.FormatInt(now+900, 10))
		h.Set("x-user-limit-24hour-limit", "17")
		h.Set("x-user-limit-24hour-remaining", "16")
		h.Set("x-user-limit-24hour-reset", strconv.FormatInt(now+86_000, 10))
		writeProblem(w, http.StatusTooManyRequests, "Too Many Requests", "Too Many Requests", "about:blank")
	case channeltest.FailUnauthorized:
		writeProblem(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized", "about:blank")
	case channeltest.FailEcho:
		writeEcho(w, r)
	case channeltest.FailForeign:
		channeltest.ForeignPage(w, r, http.StatusOK) // the credentials are in a header
	default:
		writeProblem(w, http.StatusForbidden, "Forbidden", "You are not permitted to perform this action.", "about:blank")
	}
}

// writeEcho answers 400 as a debugging proxy might: with the Authorization
// header the request carried (the OAuth 1.0a parameters percent-encoded,
// or the bearer token), raw, JSON-escaped, and JSON-escaped with "/" as
// "\/".
func writeEcho(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	escaped, _ := json.Marshal(map[string]string{"authorization": auth})
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, "bad request; received: %s\n%s\n%s", auth, escaped, strings.ReplaceAll(string(escaped), "/", `\/`))
}

func writeNotFound(w http.ResponseWriter) {
	writeProblem(w, http.StatusNotFound, "Not Found Error", "Could not find the requested resource.",
		"https://api.twitter.com/2/problems/resource-not-found")
}

// writeInvalid answers 400 with X's invalid-request problem.
func writeInvalid(w http.ResponseWriter, message string) {
	writeBody(w, http.StatusBadRequest, problemJSON, map[string]any{
		"errors": []map[string]any{{"message": message}},
		"title":  "Invalid Request",
		"detail": "One or more parameters to your request was invalid.",
		"type":   "https://api.twitter.com/2/problems/invalid-request",
	})
}

// writeProblem answers with a problem document, in the media type X's
// OpenAPI description gives its problems.
func writeProblem(w http.ResponseWriter, status int, title, detail, typ string) {
	writeBody(w, status, problemJSON, map[string]any{"title": title, "detail": detail, "type": typ, "status": status})
}

// problemJSON is the media type of X's problem documents (RFC 9457).
const problemJSON = "application/problem+json"

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeBody(w, status, "application/json; charset=utf-8", v)
}

func writeBody(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// verifyOAuth1 checks the OAuth 1.0a HMAC-SHA1 signature of r (RFC 5849
// section 3.4), recomputed from the Authorization header's parameters and
// the query; a JSON body is not signed. nonces records the nonces seen, so
// that a replayed request fails.
func verifyOAuth1(r *http.Request, consumerKey, consumerSecret, token, tokenSecret string, nonces map[string]bool) error {
	params, err := parseOAuthHeader(r.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	ts, _ := strconv.ParseInt(params["oauth_timestamp"], 10, 64)
	switch {
	case params["oauth_consumer_key"] != consumerKey:
		return errors.New("wrong consumer key")
	case params["oauth_token"] != token:
		return errors.New("wrong token")
	case params["oauth_signature_method"] != "HMAC-SHA1":
		return errors.New("signature method is not HMAC-SHA1")
	case params["oauth_version"] != "" && params["oauth_version"] != "1.0":
		return errors.New("version is not 1.0")
	case time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute:
		return errors.New("timestamp too far from now")
	case params["oauth_nonce"] == "" || nonces[params["oauth_nonce"]]:
		return errors.New("missing or replayed nonce")
	}
	nonces[params["oauth_nonce"]] = true
	got := params["oauth_signature"]
	mac := hmac.New(sha1.New, []byte(percentEncode(consumerSecret)+"&"+percentEncode(tokenSecret)))
	mac.Write([]byte(signatureBase(r, params)))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(got), []byte(want)) {
		return errors.New("signature mismatch")
	}
	return nil
}

// parseOAuthHeader reads `OAuth k="v", …` into decoded parameters.
func parseOAuthHeader(h string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(h, "OAuth ")
	if !ok {
		return nil, errors.New("no OAuth authorization")
	}
	params := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, fmt.Errorf("malformed parameter %q", part)
		}
		key, err1 := url.PathUnescape(k)
		value, err2 := url.PathUnescape(v[1 : len(v)-1])
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		params[key] = value
	}
	return params, nil
}

// signatureBase is "METHOD&base-URI&parameters", each part percent-encoded.
// The parameters are the OAuth ones (without realm and signature) and the
// query's, encoded, sorted by name then value, joined with "&".
func signatureBase(r *http.Request, oauth map[string]string) string {
	var pairs [][2]string
	add := func(k, v string) { pairs = append(pairs, [2]string{percentEncode(k), percentEncode(v)}) }
	for k, v := range oauth {
		if k != "realm" && k != "oauth_signature" {
			add(k, v)
		}
	}
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			add(k, v)
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	})
	joined := make([]string, len(pairs))
	for i, p := range pairs {
		joined[i] = p[0] + "=" + p[1]
	}
	uri := "http://" + strings.ToLower(r.Host) + r.URL.EscapedPath()
	return strings.ToUpper(r.Method) + "&" + percentEncode(uri) + "&" + percentEncode(strings.Join(joined, "&"))
}

// percentEncode encodes every byte but the unreserved characters as %XX
// (RFC 5849 section 3.6).
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum16(uint16(c)) || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// editPost is POST /2/tweets with edit_options, as X's edit rules say
// (https://docs.x.com/x-api/fundamentals/edit-posts): the previous post
// must be the latest version of a post still there, made less than 30
// minutes ago by the fake's clock and edited fewer than 5 times, by an
// account that may edit; the edit makes a new version with an id of its
// own and answers it with the chain's edit_history_tweet_ids. The post's
// Delivery keeps its first id, the post as its audience sees it, and
// takes the new text; a reply, a retraction or a further edit reaches it
// through any version's id X allows.
func (f *fakeX) editPost(w http.ResponseWriter, r *http.Request, req postRequest) {
	prev := req.Edit.PreviousPostID
	i := f.find(prev)
	if i < 0 {
		writeNotFound(w)
		return
	}
	d := &f.posts[i]
	versions := f.versions[d.ID]
	if versions == nil {
		versions = []string{d.ID}
	}
	switch {
	case f.noEdits:
		writeProblem(w, http.StatusForbidden, "Forbidden",
			"You are not permitted to edit this Post. Editing requires an X Premium subscription.", "about:blank")
		return
	case versions[len(versions)-1] != prev:
		writeProblem(w, http.StatusForbidden, "Forbidden",
			"You can only edit the latest version of a Post.", "about:blank")
		return
	case f.clock().Sub(f.created[d.ID]) >= EditWindow:
		writeProblem(w, http.StatusForbidden, "Forbidden",
			"This Post is no longer eligible for editing: the edit window has closed.", "about:blank")
		return
	case len(versions)-1 >= MaxEdits:
		writeProblem(w, http.StatusForbidden, "Forbidden",
			"This Post has been edited the maximum number of times.", "about:blank")
		return
	case Weight(req.Text) > MaxWeight:
		writeInvalid(w, "Your Tweet text is too long.")
		return
	}
	id := f.newID()
	versions = append(slices.Clone(versions), id)
	f.versions[d.ID] = versions
	f.texts[prev] = d.Text
	d.Text, d.Parts = req.Text, []string{req.Text}
	f.created[id] = f.clock().UTC().Truncate(time.Millisecond)
	if f.loseNext {
		f.loseNext = false
		writeFailure(w, r, channeltest.FailTransient)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"id": id, "text": tcoPattern.ReplaceAllString(req.Text, "https://t.co/Ab3dE5gH7j"),
		"edit_history_tweet_ids": versions,
	}})
}

// lookupPost is GET /2/tweets/:id: the version id names, with its text
// and the edit_history_tweet_ids of the whole post, its latest version
// last, as X answers it (the latest version unless a past one is asked
// for by its id); 404 with X's problem for a post not there.
func (f *fakeX) lookupPost(w http.ResponseWriter, r *http.Request, id string) {
	i := f.find(id)
	if i < 0 {
		writeNotFound(w)
		return
	}
	d := f.posts[i]
	if text, ok := f.texts[id]; ok {
		d.Text = text // a past version, asked for by its id
	}
	p := f.timelinePost(d, strings.Split(r.URL.Query().Get("tweet.fields"), ","))
	if versions := f.versions[d.ID]; versions != nil {
		p["id"], p["edit_history_tweet_ids"] = id, versions
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": p})
}

// echoing passes the answers of h through channeltest.EchoAnswer while the
// fake injects FailEchoDelivered.
func (f *fakeX) echoing(h http.Handler) http.Handler {
	return channeltest.EchoAnswerWhile(func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.echo
	}, h)
}
