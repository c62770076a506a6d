package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// update is a valid update as a client posts it, with the ID "u-1" of
// incident "cdn".
const update = `{"id": "u-1", "incident_id": "cdn", "title": "CDN errors", "status": "investigating",
	"components": [{"name": "CDN", "status": "partial_outage"}]}`

// correction corrects it, without an ID or incident of its own.
const correction = `{"title": "CDN errors in Europe", "status": "investigating", "body": "Only Europe."}`

// apiCase is one request to the API and what it must answer. The
// OpenAPI test runs them all too, to compare what the server answers with
// what the document says.
type apiCase struct {
	name         string
	setup        func(ta *testAPI)
	method, path string
	body         string
	header       []string // pairs of name and value ("" deletes)
	// stalls: after body, the client sends nothing more until the
	// server's read deadline passes (see stalledBody).
	stalls bool
	status int
	field  string // of the problem
	detail string // contained in the problem's detail
	queues int    // jobs the request queues (two channels: 2 per update)
	check  func(t *testing.T, ta *testAPI, rec *httptest.ResponseRecorder)
}

// postedU1 queues update u-1, as an earlier request would have.
func postedU1(ta *testAPI) {
	if _, err := ta.be.enqueue(broadcast.JobSend, broadcast.Update{ID: "u-1", IncidentID: "cdn", Title: "CDN errors",
		Status: broadcast.StatusInvestigating, Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage}}}, ""); err != nil {
		panic(err)
	}
}

// overLimit makes the token of the requests, newToken, use up its updates.
func overLimit(ta *testAPI) {
	postedU1(ta)
	ta.limits = newLimits(1, 1)
	if d := ta.limits.take(ta.request("POST", "/v1/updates", "")); d != 0 {
		panic("over the limit already")
	}
}

func databaseDown(ta *testAPI) { postedU1(ta); ta.be.err = errDatabaseDown }

// databaseHung makes the database stop answering, as behind a network
// partition, where a query waits for TCP to give up (minutes); the API's
// deadline on its queries is cut short so that the test does not wait.
func databaseHung(ta *testAPI) { postedU1(ta); ta.be.hang = true; ta.dbTimeout = time.Millisecond }

func apiCases() []apiCase {
	big := `{"title": "` + strings.Repeat("a", 5<<10) + `", "status": "investigating"}`
	return append(append(append(postCases(big), getCases()...), correctCases(big)...), append(retractCases(), probeCases()...)...)
}

func postCases(big string) []apiCase {
	return []apiCase{
		{name: "post", method: "POST", path: "/v1/updates", body: update, status: 202, queues: 2,
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				assert.Equal(t, "/v1/updates/u-1", rec.Header().Get("Location"))
				assert.JSONEq(t, `{"id": "u-1", "incident_id": "cdn", "links": {"self": "/v1/updates/u-1",
					"correct": "/v1/updates/u-1/correct", "retract": "/v1/updates/u-1/retract"}}`, rec.Body.String())
			}},
		{name: "post again: the same answer, nothing queued", setup: postedU1, method: "POST", path: "/v1/updates", body: update,
			status: 202, check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				assert.Equal(t, "/v1/updates/u-1", rec.Header().Get("Location"))
			}},
		{name: "post other content under an id in use", setup: postedU1, method: "POST", path: "/v1/updates",
			body: `{"id": "u-1", "incident_id": "dns", "title": "DNS", "status": "resolved"}`, status: 409, field: "id"},
		{name: "post without an id: derived as the library derives it", method: "POST", path: "/v1/updates",
			body: `{"title": "CDN errors", "status": "investigating", "time": "2026-05-01T12:00:00Z"}`, status: 202, queues: 2,
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				want := broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating}.WithDefaults(time.Now())
				var got accepted
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
				assert.Equal(t, want.ID, got.ID)
				assert.Equal(t, "cdn-errors", got.IncidentID)
				assert.Equal(t, "/v1/updates/"+want.ID, rec.Header().Get("Location"))
			}},
		{name: "post with an id to escape", method: "POST", path: "/v1/updates",
			body: `{"id": "deploy/42 #1", "title": "CDN errors", "status": "investigating"}`, status: 202, queues: 2,
			check: func(t *testing.T, ta *testAPI, rec *httptest.ResponseRecorder) {
				assert.Equal(t, "/v1/updates/deploy%2F42%20%231", rec.Header().Get("Location"))
				assert.Equal(t, http.StatusOK, ta.do("GET", rec.Header().Get("Location"), "").Code, "Location leads to the update")
			}},
		{name: "bearer in lower case", method: "POST", path: "/v1/updates", body: update, status: 202, queues: 2,
			header: []string{"Authorization", "bearer " + oldToken}},
		{name: "Content-Type with a charset", method: "POST", path: "/v1/updates", body: update, status: 202, queues: 2,
			header: []string{"Content-Type", "application/json; charset=utf-8"}},
		{name: "malformed JSON", method: "POST", path: "/v1/updates", body: `{"title": "CDN errors",}`, status: 400,
			detail: "malformed JSON at offset"},
		{name: "unknown field", method: "POST", path: "/v1/updates", body: `{"titel": "CDN errors", "status": "resolved"}`,
			status: 400, field: "titel", detail: "titel: unknown field"},
		{name: "several mistakes: all named", method: "POST", path: "/v1/updates", body: `{"titel": "CDN", "status": "fixed", "stauts": 1}`,
			status: 400, field: "titel", detail: "titel: unknown field; stauts: unknown field"},
		{name: "wrong type", method: "POST", path: "/v1/updates", body: `{"title": "CDN", "status": "resolved", "components": [{"name": 7}]}`,
			status: 400, field: "components[0].name", detail: "want a string, got a number"},
		{name: "trailing data", method: "POST", path: "/v1/updates", body: update + `{}`, status: 400, detail: "trailing data"},
		// RFC 8259, 8.1: a sender must not add a byte order mark, but a
		// parser "MAY ignore the presence of a byte order mark rather than
		// treating it as an error"; Windows tools (PowerShell 5's
		// Out-File, Notepad) write one, and an outage is no time to refuse it.
		{name: "a byte order mark before the JSON", method: "POST", path: "/v1/updates", body: "\ufeff" + update, status: 202, queues: 2},
		// encoding/json replaces invalid UTF-8 with U+FFFD without a word:
		// a body in Latin-1 (Windows PowerShell 5's Invoke-RestMethod
		// sends one) would post "Caf\ufffd down" for all to see.
		{name: "a body not in UTF-8", method: "POST", path: "/v1/updates",
			body: "{\"title\": \"Caf\xe9 down\", \"status\": \"investigating\"}", status: 400, detail: "not valid UTF-8 at offset 14"},
		// Offsets count the byte order mark: they are the client's.
		{name: "a body in UTF-16 without a byte order mark", method: "POST", path: "/v1/updates", body: utf16LE(update), status: 400,
			detail: "the body looks like UTF-16 (little-endian), not UTF-8: send JSON in UTF-8"},
		{name: "malformed after a byte order mark", method: "POST", path: "/v1/updates", body: "\ufeff" + `{"title": "CDN errors",}`,
			status: 400, detail: "malformed JSON at offset 26"},
		// Likewise "\ud800", a UTF-16 half (RFC 8259, 8.2: "unpredictable").
		{name: "a lone surrogate", method: "POST", path: "/v1/updates", body: `{"title": "CDN \ud800 errors", "status": "investigating"}`,
			status: 400, field: "title", detail: `title: lone UTF-16 surrogate \ud800`},
		{name: "a byte order mark alone", method: "POST", path: "/v1/updates", body: "\ufeff", status: 400, detail: "empty body"},
		{name: "a byte order mark inside the JSON", method: "POST", path: "/v1/updates", body: " \ufeff" + update, status: 400,
			detail: "malformed JSON"},
		{name: "missing token", method: "POST", path: "/v1/updates", body: update, header: []string{"Authorization", ""},
			status: 401, detail: "missing bearer token", check: challenge(`Bearer realm="outagecast"`)},
		{name: "wrong token", method: "POST", path: "/v1/updates", body: update, header: []string{"Authorization", "Bearer not-" + newToken},
			status: 401, detail: "invalid bearer token", check: challenge(`Bearer realm="outagecast", error="invalid_token"`)},
		{name: "huge body", method: "POST", path: "/v1/updates", body: big, status: 413, detail: "larger than the limit of 4096 bytes"},
		{name: "over the rate limit", setup: overLimit, method: "POST", path: "/v1/updates", body: update, status: 429,
			detail: "too many updates from this token"},
		{name: "not JSON", method: "POST", path: "/v1/updates", body: update, header: []string{"Content-Type", "text/plain"},
			status: 415, detail: "Content-Type: want application/json"},
		{name: "no Content-Type", method: "POST", path: "/v1/updates", body: update, header: []string{"Content-Type", ""},
			status: 415},
		// RFC 9110, 15.5.16 (from RFC 7694): a content coding the server
		// does not take is 415, with Accept-Encoding saying which it does.
		{name: "compressed body", method: "POST", path: "/v1/updates", body: gzipped(update),
			header: []string{"Content-Encoding", "gzip"}, status: 415, detail: `Content-Encoding: "gzip": not taken`,
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				assert.Equal(t, "identity", rec.Header().Get("Accept-Encoding"))
			}},
		{name: "invalid update", method: "POST", path: "/v1/updates", body: `{"title": "CDN errors"}`, status: 422,
			field: "status", detail: "status: missing"},
		{name: "invalid component", method: "POST", path: "/v1/updates",
			body: `{"title": "CDN", "status": "resolved", "components": [{"name": "CDN", "status": "fine"}]}`, status: 422,
			field: "components[0].status", detail: `components[0].status: unknown value "fine"`},
		// The Broadcaster refuses a Time more than 5 minutes ahead of the
		// clock (a local time labelled UTC): every later update of the
		// incident would look older and never be posted.
		{name: "time far ahead", method: "POST", path: "/v1/updates",
			body:   `{"title": "CDN", "status": "investigating", "time": "` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`,
			status: 422, field: "time", detail: "ahead of this machine's clock"},
		// The Broadcaster would post it anew, labelled a correction, and
		// leave the posts of the update named untouched, known or not.
		{name: "post a correction to /v1/updates", setup: postedU1, method: "POST", path: "/v1/updates",
			body: `{"corrects": "u-1", "title": "CDN", "status": "resolved"}`, status: 422, field: "corrects",
			detail: "POST /v1/updates/u-1/correct"},
		{name: "post a correction with an override to /v1/updates", setup: postedU1, method: "POST", path: "/v1/updates",
			body: `{"corrects": "u-1", "title": "CDN", "status": "resolved", "overrides": {"x": "Fixed."}}`, status: 422, field: "corrects"},
		{name: "override for no channel", method: "POST", path: "/v1/updates",
			body: `{"title": "CDN", "status": "resolved", "overrides": {"slack": "hi"}}`, status: 422, field: `overrides["slack"]`},
		// RFC 9110, 15.5.9: the request did not arrive in the time the
		// server waits for it. A 400 would tell the client not to send it
		// again, and an update lost to a slow network would not go out.
		{name: "body cut short by the read timeout", method: "POST", path: "/v1/updates", body: `{"title": "CDN`, stalls: true,
			status: 408, detail: "send it again", check: closesConnection},
		// A misspelt parameter ignored would do what the client did not
		// ask: this one was queued.
		{name: "post with an unknown query parameter", method: "POST", path: "/v1/updates?dryrun=1", body: update, status: 400,
			field: "dryrun", detail: "dryrun: unknown query parameter; this endpoint takes none"},
		{name: "post with a malformed query", method: "POST", path: "/v1/updates?dry_run=1;x=2", body: update, status: 400,
			detail: "the query is malformed"},
		{name: "post with unknown query parameters: all named", method: "POST", path: "/v1/updates?b=1&a=2", body: update, status: 400,
			field: "a", check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				var p problem
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
				assert.Equal(t, []fieldProblem{{Field: "a", Detail: "a: unknown query parameter; this endpoint takes none"},
					{Field: "b", Detail: "b: unknown query parameter; this endpoint takes none"}}, p.Errors)
			}},
		{name: "unknown query parameter without a token: 401 first", method: "POST", path: "/v1/updates?dryrun=1", body: update,
			header: []string{"Authorization", ""}, status: 401, check: challenge(`Bearer realm="outagecast"`)},
		{name: "database down", setup: func(ta *testAPI) { ta.be.err = errDatabaseDown }, method: "POST", path: "/v1/updates",
			body: update, status: 503, detail: "could not queue the update", check: unavailable},
		{name: "database not answering", setup: databaseHung, method: "POST", path: "/v1/updates",
			body: update, status: 503, detail: "could not queue the update", check: timedOut},
	}
}

func getCases() []apiCase {
	return []apiCase{
		{name: "get", setup: postedU1, method: "GET", path: "/v1/updates/u-1", status: 200,
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				st := decodeStatus(t, rec)
				assert.True(t, st.Done)
				assert.Equal(t, "cdn", st.IncidentID)
				require.Len(t, st.Channels, 2)
				assert.Equal(t, "delivered", st.Channels[0].Outcome)
				assert.Equal(t, "https://hooks.example.com/u-1", st.Channels[0].Receipt.URL)
				assert.Nil(t, st.Retraction)
			}},
		{name: "get with wait, done already", setup: postedU1, method: "GET", path: "/v1/updates/u-1?wait=30s", status: 200},
		{name: "get each outcome", setup: outcomes, method: "GET", path: "/v1/updates/u-2", status: 200,
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				st := decodeStatus(t, rec)
				assert.False(t, st.Done)
				var got []string
				for _, c := range st.Channels {
					got = append(got, c.Channel+":"+c.Outcome+":"+c.Error)
				}
				assert.Equal(t, []string{"a:pending:", "b:pending:dispatch: not finished yet (retryable); last attempt: HTTP 503",
					"c:failed:HTTP 401", "d:skipped:", "e:superseded:", "f:not_selected:", "g:delivered:",
					"h:delivered_not_recorded:broadcast: delivered, but the Store could not record it: store: mark delivered: connection reset by peer"},
					got)
				assert.Equal(t, []targetFail{{Target: "ops@example.com", Error: "550 no such user"}}, st.Channels[6].Failures)
				assert.Nil(t, st.Channels[6].Receipt, "no receipt to show")
				if assert.NotNil(t, st.Channels[7].Receipt, "the post is named") {
					assert.Equal(t, "post-1", st.Channels[7].Receipt.ID)
				}
			}},
		{name: "get an update whose jobs are gone", setup: func(ta *testAPI) {
			ta.be.receipts["u-0 hooks"] = broadcast.Receipt{Channel: "hooks", ID: "hook-1", URL: "https://hooks.example.com/1"}
		}, method: "GET", path: "/v1/updates/u-0", status: 200,
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				st := decodeStatus(t, rec)
				assert.True(t, st.Done)
				require.Len(t, st.Channels, 2)
				assert.Equal(t, "delivered", st.Channels[0].Outcome)
				assert.Equal(t, "hook-1", st.Channels[0].Receipt.ID)
				assert.Equal(t, "unknown", st.Channels[1].Outcome)
			}},
		{name: "get a retraction whose update's jobs are gone", setup: func(ta *testAPI) { ta.be.retracted["u-0"] = true },
			method: "GET", path: "/v1/updates/u-0?wait=30s", status: 200,
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				st := decodeStatus(t, rec)
				assert.True(t, st.Done, "no job of the update is pending")
				assert.Equal(t, "unknown", st.Channels[0].Outcome)
				require.NotNil(t, st.Retraction)
				assert.True(t, st.Retraction.Done)
			}},
		{name: "get a retracted update", setup: func(ta *testAPI) { postedU1(ta); ta.be.retracted["u-1"] = true },
			method: "GET", path: "/v1/updates/u-1", status: 200,
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				st := decodeStatus(t, rec)
				require.NotNil(t, st.Retraction)
				assert.True(t, st.Retraction.Done)
				assert.Equal(t, "delivered", st.Retraction.Channels[1].Outcome)
			}},
		{name: "get unknown", method: "GET", path: "/v1/updates/u-9", status: 404, detail: "no update with this ID"},
		{name: "get unknown with a bad wait: 404 first", method: "GET", path: "/v1/updates/u-9?wait=forever", status: 404},
		{name: "get an ID no update can have", method: "GET", path: "/v1/updates/a%01b", status: 404},
		{name: "get with a bad wait", setup: postedU1, method: "GET", path: "/v1/updates/u-1?wait=forever", status: 400, field: "wait"},
		{name: "get with too long a wait", setup: postedU1, method: "GET", path: "/v1/updates/u-1?wait=31s", status: 400, field: "wait"},
		{name: "get with an unknown query parameter", setup: postedU1, method: "GET", path: "/v1/updates/u-1?wiat=10s", status: 400,
			field: "wiat", detail: "wiat: unknown query parameter; this endpoint takes wait"},
		// The first was taken, the second ignored: no wait at all here.
		{name: "get with wait given twice", setup: postedU1, method: "GET", path: "/v1/updates/u-1?wait=0s&wait=30s", status: 400,
			field: "wait", detail: "wait: query parameter given twice"},
		{name: "get without a token", setup: postedU1, method: "GET", path: "/v1/updates/u-1", header: []string{"Authorization", ""},
			status: 401},
		{name: "get, database down", setup: databaseDown, method: "GET", path: "/v1/updates/u-1", status: 503, check: unavailable},
		{name: "get, database not answering", setup: databaseHung, method: "GET", path: "/v1/updates/u-1?wait=30s", status: 503,
			check: timedOut},
	}
}

// outcomes sets the Report of u-2: one channel in each state.
func outcomes(ta *testAPI) {
	pending := errors.New("dispatch: not finished yet (retryable); last attempt: HTTP 503")
	ta.be.reports["u-2"] = &broadcast.Report{UpdateID: "u-2", IncidentID: "cdn", Results: []broadcast.Result{
		{Channel: "a", Err: dispatch.ErrPending},
		{Channel: "b", Attempts: 1, Err: wrapPending{pending}},
		{Channel: "c", Attempts: 1, Err: broadcast.Permanent(errors.New("HTTP 401"))},
		{Channel: "d", Skipped: true},
		{Channel: "e", Superseded: true},
		{Channel: "f", NotSelected: true},
		{Channel: "g", Attempts: 1, Failures: []broadcast.TargetFailure{{Target: "ops@example.com", Err: errors.New("550 no such user")}}},
		// Delivered, but the Store could not record it: not failed.
		{Channel: "h", Attempts: 1, Receipt: broadcast.Receipt{Channel: "h", ID: "post-1"},
			Err: broadcast.Permanent(fmt.Errorf("%w: store: mark delivered: connection reset by peer", broadcast.ErrNotRecorded))},
	}}
}

// wrapPending is an error of a job not finished after a failed attempt.
type wrapPending struct{ error }

func (wrapPending) Unwrap() error { return dispatch.ErrPending }

func correctCases(big string) []apiCase {
	return []apiCase{
		{name: "correct", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct", body: correction, status: 202, queues: 2,
			check: func(t *testing.T, ta *testAPI, rec *httptest.ResponseRecorder) {
				var got accepted
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
				assert.Equal(t, "u-1", got.Corrects)
				assert.Equal(t, "cdn", got.IncidentID, "the incident of the update corrected, though the title changed")
				assert.NotEqual(t, "u-1", got.ID)
				assert.Equal(t, "/v1/updates/"+got.ID, rec.Header().Get("Location"))
				u := ta.be.updates[got.ID]
				assert.Equal(t, "u-1", u.Corrects)
				assert.Equal(t, "cdn", u.IncidentID)
			}},
		{name: "correct an update whose jobs are gone", setup: func(ta *testAPI) {
			ta.be.receipts["u-0 x"] = broadcast.Receipt{Channel: "x", ID: "1"}
		}, method: "POST", path: "/v1/updates/u-0/correct", body: correction, status: 202, queues: 2},
		{name: "correct unknown", method: "POST", path: "/v1/updates/u-9/correct", body: correction, status: 404},
		// The resource of the path first, as most APIs (GitHub's among
		// them) do: a correction of an update the server does not know
		// cannot be made right by mending its body.
		{name: "correct unknown with an invalid body: 404 first", method: "POST", path: "/v1/updates/u-9/correct",
			body: `{"title": "CDN", "status": "fixed"}`, status: 404, detail: "no update with this ID"},
		{name: "correct unknown with malformed JSON: 404 first", method: "POST", path: "/v1/updates/u-9/correct",
			body: `{"title": `, status: 404},
		{name: "correct unknown with form data: 404 first", method: "POST", path: "/v1/updates/u-9/correct", body: "title=x",
			header: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 404},
		{name: "correct with the id of another correction", setup: func(ta *testAPI) {
			postedU1(ta)
			if _, err := ta.be.Correct(context.Background(), "u-1", broadcast.Update{ID: "c-1", IncidentID: "cdn",
				Title: "CDN", Status: broadcast.StatusInvestigating}); err != nil {
				panic(err)
			}
		}, method: "POST", path: "/v1/updates/u-1/correct", body: `{"id": "c-1", "title": "CDN", "status": "resolved"}`,
			status: 409, field: "id"},
		{name: "correct an ID no update can have", method: "POST", path: "/v1/updates/a%01b/correct", body: correction, status: 404},
		{name: "correct with the same id", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct",
			body: `{"id": "u-1", "title": "CDN", "status": "resolved"}`, status: 422, field: "id"},
		{name: "correct another update", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct",
			body: `{"corrects": "u-0", "title": "CDN", "status": "resolved"}`, status: 422, field: "corrects"},
		{name: "correct into another incident", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct",
			body: `{"incident_id": "dns", "title": "CDN", "status": "resolved"}`, status: 422, field: "incident_id"},
		// Every value at fault in one answer, the incident among them.
		{name: "correct into another incident, with another mistake: both named", setup: postedU1, method: "POST",
			path: "/v1/updates/u-1/correct", body: `{"incident_id": "dns", "title": "CDN", "status": "fixed"}`, status: 422,
			field: "incident_id", detail: `belongs to incident "cdn"; leave it out or give the same; status: unknown value "fixed"`,
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				var p problem
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
				require.Len(t, p.Errors, 2, rec.Body.String())
				assert.Equal(t, []string{"incident_id", "status"}, []string{p.Errors[0].Field, p.Errors[1].Field})
			}},
		{name: "correct into another incident: errors lists it", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct",
			body: `{"incident_id": "dns", "title": "CDN", "status": "resolved"}`, status: 422, field: "incident_id",
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				var p problem
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
				require.Len(t, p.Errors, 1, rec.Body.String())
				assert.Equal(t, "incident_id", p.Errors[0].Field)
			}},
		{name: "correct with an invalid update", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct",
			body: `{"title": "CDN", "status": "fixed"}`, status: 422, field: "status"},
		{name: "correct with a time far ahead", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct",
			body:   `{"title": "CDN", "status": "resolved", "time": "` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`,
			status: 422, field: "time", detail: "ahead of this machine's clock"},
		{name: "correct with an unknown field", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct",
			body: `{"title": "CDN", "status": "resolved", "reason": "typo"}`, status: 400, field: "reason"},
		{name: "correct with a huge body", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct", body: big, status: 413},
		{name: "correct with a body cut short by the read timeout", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct",
			body: `{"title": `, stalls: true, status: 408, check: closesConnection},
		{name: "correct with an unknown query parameter", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct?notify=0",
			body: correction, status: 400, field: "notify"},
		{name: "correct over the rate limit", setup: overLimit, method: "POST", path: "/v1/updates/u-1/correct", body: correction,
			status: 429, detail: "too many updates from this token"},
		{name: "correct with form data", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct", body: "title=x",
			header: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415},
		{name: "correct without a token", setup: postedU1, method: "POST", path: "/v1/updates/u-1/correct", body: correction,
			header: []string{"Authorization", ""}, status: 401},
		{name: "correct, database down", setup: databaseDown, method: "POST", path: "/v1/updates/u-1/correct", body: correction,
			status: 503, check: unavailable},
		{name: "correct, database not answering", setup: databaseHung, method: "POST", path: "/v1/updates/u-1/correct",
			body: correction, status: 503, check: timedOut},
	}
}

func retractCases() []apiCase {
	return []apiCase{
		{name: "retract over the rate limit", setup: overLimit, method: "POST", path: "/v1/updates/u-1/retract", status: 429,
			detail: "too many updates from this token"},
		{name: "retract", setup: postedU1, method: "POST", path: "/v1/updates/u-1/retract", status: 202, queues: 2,
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				assert.Equal(t, "/v1/updates/u-1", rec.Header().Get("Location"))
				assert.JSONEq(t, `{"id": "u-1", "incident_id": "cdn", "links": {"self": "/v1/updates/u-1",
					"correct": "/v1/updates/u-1/correct", "retract": "/v1/updates/u-1/retract"}}`, rec.Body.String())
			}},
		{name: "retract again: nothing queued", setup: func(ta *testAPI) { postedU1(ta); ta.be.retracted["u-1"] = true },
			method: "POST", path: "/v1/updates/u-1/retract", status: 202},
		{name: "retract with an unknown query parameter", setup: postedU1, method: "POST", path: "/v1/updates/u-1/retract?force=1",
			status: 400, field: "force"},
		{name: "retract unknown", method: "POST", path: "/v1/updates/u-9/retract", status: 404},
		{name: "retract an ID no update can have", method: "POST", path: "/v1/updates/a%00b/retract", status: 404},
		// Many clients send {} when a POST has nothing to say (an empty
		// JSON object where no field is required).
		{name: "retract with an empty object", setup: postedU1, method: "POST", path: "/v1/updates/u-1/retract", body: `{}`,
			status: 202, queues: 2},
		{name: "retract with an empty object, white space and a byte order mark", setup: postedU1, method: "POST",
			path: "/v1/updates/u-1/retract", body: "\ufeff { }\n", status: 202, queues: 2},
		{name: "retract with a JSON Content-Type and no body", setup: postedU1, method: "POST", path: "/v1/updates/u-1/retract",
			header: []string{"Content-Type", "application/json"}, status: 202, queues: 2},
		{name: "retract with a field", setup: postedU1, method: "POST", path: "/v1/updates/u-1/retract", body: `{"reason": "typo"}`,
			status: 400, field: "reason", detail: "unknown field"},
		{name: "retract with null", setup: postedU1, method: "POST", path: "/v1/updates/u-1/retract", body: `null`,
			status: 400, detail: "want a JSON object"},
		{name: "retract with a body not JSON", setup: postedU1, method: "POST", path: "/v1/updates/u-1/retract", body: "{}",
			header: []string{"Content-Type", "text/plain"}, status: 415},
		{name: "retract with a huge body", setup: postedU1, method: "POST", path: "/v1/updates/u-1/retract",
			body: `{"` + strings.Repeat("a", 5<<10) + `": 1}`, status: 413},
		{name: "retract with a body cut short by the read timeout", setup: postedU1, method: "POST", path: "/v1/updates/u-1/retract",
			body: `{`, stalls: true, status: 408, check: closesConnection},
		{name: "retract unknown with a body: 404 first", method: "POST", path: "/v1/updates/u-9/retract", body: `{"reason": "typo"}`,
			status: 404},
		{name: "retract with a wrong token", setup: postedU1, method: "POST", path: "/v1/updates/u-1/retract",
			header: []string{"Authorization", "Bearer " + strings.ToUpper(newToken)}, status: 401},
		{name: "retract, database down", setup: databaseDown, method: "POST", path: "/v1/updates/u-1/retract", status: 503,
			check: unavailable},
		{name: "retract, database not answering", setup: databaseHung, method: "POST", path: "/v1/updates/u-1/retract",
			status: 503, check: timedOut},
	}
}

func probeCases() []apiCase {
	noToken := []string{"Authorization", ""}
	return []apiCase{
		{name: "healthz", method: "GET", path: "/healthz", header: noToken, status: 200},
		{name: "healthz with the database down", setup: databaseDown, method: "GET", path: "/healthz", header: noToken, status: 200},
		{name: "readyz", method: "GET", path: "/readyz", header: noToken, status: 200,
			check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				assert.JSONEq(t, `{"status": "ok", "checks": {"database": "ok", "workers": "ok"}}`, rec.Body.String())
			}},
		{name: "readyz, database down", setup: func(ta *testAPI) { ta.ping = func(context.Context) error { return errDatabaseDown } },
			method: "GET", path: "/readyz", header: noToken, status: 503,
			check: func(t *testing.T, ta *testAPI, rec *httptest.ResponseRecorder) {
				assert.JSONEq(t, `{"status": "unavailable", "checks": {"database": "unreachable", "workers": "ok"}}`, rec.Body.String())
				assert.Contains(t, ta.log.String(), "connection refused", "the log says why")
			}},
		{name: "readyz, shutting down", setup: func(ta *testAPI) { ta.drain() }, method: "GET", path: "/readyz", header: noToken,
			status: 503, check: func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
				assert.JSONEq(t, `{"status": "unavailable", "checks": {"database": "ok", "workers": "not running"}}`, rec.Body.String())
			}},
		{name: "metrics", method: "GET", path: "/metrics", header: noToken, status: 200},
		{name: "openapi.yaml", method: "GET", path: "/openapi.yaml", header: noToken, status: 200},
		{name: "openapi.json", method: "GET", path: "/openapi.json", header: noToken, status: 200},
		{name: "healthz with a query parameter", method: "GET", path: "/healthz?verbose=1", header: noToken, status: 400, field: "verbose"},
		{name: "readyz with a query parameter", method: "GET", path: "/readyz?verbose=1", header: noToken, status: 400, field: "verbose"},
		{name: "metrics with a query parameter", method: "GET", path: "/metrics?name[]=x", header: noToken, status: 400, field: "name[]"},
		{name: "openapi.yaml with a query parameter", method: "GET", path: "/openapi.yaml?v=2", header: noToken, status: 400, field: "v"},
		{name: "openapi.json with a query parameter", method: "GET", path: "/openapi.json?v=2", header: noToken, status: 400, field: "v"},
	}
}

func challenge(want string) func(*testing.T, *testAPI, *httptest.ResponseRecorder) {
	return func(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
		assert.Equal(t, want, rec.Header().Get("WWW-Authenticate"))
	}
}

func unavailable(t *testing.T, ta *testAPI, rec *httptest.ResponseRecorder) {
	assert.Equal(t, "5", rec.Header().Get("Retry-After"))
	assert.NotContains(t, rec.Body.String(), "connection refused", "database errors stay in the log")
	assert.Contains(t, ta.log.String(), "connection refused")
}

// closesConnection checks that the answer closes the connection, whose
// read deadline has passed: no other request can be read on it.
func closesConnection(t *testing.T, _ *testAPI, rec *httptest.ResponseRecorder) {
	assert.Equal(t, "close", rec.Header().Get("Connection"))
}

// gzipped is s compressed with gzip.
func gzipped(s string) string {
	var b strings.Builder
	zw := gzip.NewWriter(&b)
	io.WriteString(zw, s)
	zw.Close()
	return b.String()
}

// timedOut checks the answer to a request whose queries the database did
// not answer: 503 with Retry-After, as for a database that refuses, so that
// the client retries instead of waiting without end.
func timedOut(t *testing.T, ta *testAPI, rec *httptest.ResponseRecorder) {
	assert.Equal(t, "5", rec.Header().Get("Retry-After"))
	assert.Contains(t, ta.log.String(), "deadline exceeded")
}

func decodeStatus(t *testing.T, rec *httptest.ResponseRecorder) updateStatus {
	t.Helper()
	var st updateStatus
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st), rec.Body.String())
	return st
}

func TestAPI(t *testing.T) {
	for _, c := range apiCases() {
		t.Run(c.name, func(t *testing.T) {
			ta := newTestAPI()
			if c.setup != nil {
				c.setup(ta)
			}
			before := ta.be.queued()
			rec := httptest.NewRecorder()
			ta.h.ServeHTTP(rec, ta.requestOf(c))
			require.Equal(t, c.status, rec.Code, rec.Body.String())
			assert.Equal(t, c.queues, ta.be.queued()-before, "jobs queued")
			if rec.Code >= 400 && c.path != "/readyz" {
				var p problem
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
				assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
				assert.Equal(t, c.status, p.Status)
				assert.Equal(t, c.field, p.Field)
				assert.Contains(t, p.Detail, c.detail)
			}
			if c.check != nil {
				c.check(t, ta, rec)
			}
			assert.NotContains(t, ta.log.String(), oldToken)
			assert.NotContains(t, ta.log.String(), newToken)
		})
	}
}

// A path or a method the API does not have is answered, like every other
// error, with a problem document, so that clients parse one error shape.
func TestUnknownRoutesAnswerProblems(t *testing.T) {
	for _, c := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/v1/nothing", 404, ""},
		{"GET", "/v1/updates/", 404, ""},
		{"PUT", "/v1/updates", 405, "POST"},
		{"DELETE", "/v1/updates/u-1", 405, "GET, HEAD"},
		{"GET", "/v1/updates/u-1/retract", 405, "POST"},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			ta := newTestAPI()
			rec := ta.do(c.method, c.path, "")
			require.Equal(t, c.status, rec.Code, rec.Body.String())
			assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
			assert.Equal(t, c.allow, rec.Header().Get("Allow"))
			var p problem
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p), rec.Body.String())
			assert.Equal(t, c.status, p.Status)
			assert.Equal(t, http.StatusText(c.status), p.Title)
			assert.NotEmpty(t, p.Detail)
		})
	}
}

// An update posted again under an ID already used is not queued: the
// first one stands, and the answer names its incident, not the one the
// second post asked for.
func TestPostAgainWithOtherContentConflicts(t *testing.T) {
	ta := newTestAPI()
	postedU1(ta)
	rec := ta.do("POST", "/v1/updates", `{"id": "u-1", "incident_id": "dns", "title": "DNS", "status": "resolved"}`)
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	var p problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	assert.Equal(t, "id", p.Field)
	// errors lists every value at fault, as in every other answer that
	// names one: a client reading errors alone sees it too.
	if assert.Len(t, p.Errors, 1, rec.Body.String()) {
		assert.Equal(t, "id", p.Errors[0].Field)
	}
	assert.Equal(t, "cdn", ta.be.updates["u-1"].IncidentID, "the update that stands")

	rec = ta.do("POST", "/v1/updates", update)
	require.Equal(t, http.StatusAccepted, rec.Code, "the same content again: %s", rec.Body.String())
}

// A client that goes away while its request waits for the database is no
// server error: it is logged as such, at Info, not at Error as a database
// that failed, which an operator would be paged for.
func TestClientGoneIsNoError(t *testing.T) {
	ta := newTestAPI()
	postedU1(ta)
	ta.be.hang = true
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := ta.request("POST", "/v1/updates", update).WithContext(ctx)
	ta.h.ServeHTTP(httptest.NewRecorder(), req)
	assert.NotContains(t, ta.log.String(), "level=ERROR")
	assert.Contains(t, ta.log.String(), "level=INFO")
	assert.Contains(t, ta.log.String(), "the client went away")
}
