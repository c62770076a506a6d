package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
	"github.com/outagecast/outagecast/examples/internal/pagelink"
)

// backend is what the API asks of dispatch and the Store (a fake in the
// unit tests).
type backend interface {
	Enqueue(ctx context.Context, u broadcast.Update) (string, error)
	Correct(ctx context.Context, original string, u broadcast.Update) (string, error)
	Retract(ctx context.Context, id string) error
	Report(ctx context.Context, id string) (*broadcast.Report, bool, error)
	RetractReport(ctx context.Context, id string) (*broadcast.Report, bool, error)
	Receipt(ctx context.Context, id, channel string) (broadcast.Receipt, bool, error)
	Channels() []string
	// Thread and CorrectionRejects are the Broadcaster's: whether the
	// status page has, or an update will make, its incident's page (see
	// pagelink.Page.Link).
	pagelink.Reader
	// Changes wakes a GET that waits when a job of update id may have
	// finished (dispatch.Dispatcher.Changes).
	Changes(id string) (<-chan struct{}, func())
}

// Limits of the API.
const (
	defaultMaxBody = 1 << 20 // bytes of a request body
	// defaultDBTimeout bounds the queries of one request (of each poll of
	// a GET that waits): a database that does not answer, behind a network
	// partition, would hold it until TCP gives up, minutes later.
	defaultDBTimeout = 10 * time.Second
	maxWait          = 30 * time.Second // GET's ?wait
)

// api serves the HTTP API.
type api struct {
	be      backend
	tokens  *tokens
	maxBody int64
	// dbTimeout bounds the queries of a request.
	dbTimeout time.Duration
	log       *slog.Logger
	hide      func(string) string // hides secrets from the environment
	ping      func(context.Context) error
	metrics   http.Handler
	limits    *limits // of each client's updates; nil: none
	// page is the configuration's status page (kind statuspage), whose
	// page of the incident is the link of an update posted without url
	// (see queueLinked); nil without one.
	page *pagelink.Page

	running  atomic.Bool // the workers run and the server is not stopping
	stopOnce sync.Once
	stopping chan struct{} // closed when the server starts to shut down
}

func newAPI(be backend, t *tokens, log *slog.Logger) *api {
	return &api{be: be, tokens: t, maxBody: defaultMaxBody, dbTimeout: defaultDBTimeout, log: log, hide: func(s string) string { return s },
		ping: func(context.Context) error { return nil }, metrics: http.NotFoundHandler(), stopping: make(chan struct{}),
		limits: newLimits(defaultRateLimit, defaultRateBurst)}
}

// drain marks the server as stopping: /readyz fails, and waits end.
func (a *api) drain() {
	a.running.Store(false)
	a.stopOnce.Do(func() { close(a.stopping) })
}

// postUpdate queues an update: 202, or 4xx with nothing queued.
func (a *api) postUpdate(w http.ResponseWriter, r *http.Request) {
	var u broadcast.Update
	unread, ok := a.readUpdate(w, r, &u)
	if !ok {
		return
	}
	checks := checkUpdate(u, a.be.Channels()).all()
	if u.Corrects != "" && !hasField(checks, "corrects") {
		// Posted here, it would go out anew, labelled a correction,
		// leaving the posts of the update it names as they are.
		checks = append(checks, &inputError{field: "corrects",
			msg: "post a correction to POST " + linksOf(u.Corrects).Correct + ", which edits the update's posts; leave corrects out here"})
	}
	if bad := joinErrors(addFaults(unread.all(), checks)); bad != nil {
		writeInputProblem(w, faultStatus(unread), bad)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.dbTimeout)
	defer cancel()
	id, err := a.queueLinked(ctx, u, "", a.be.Enqueue)
	if err != nil {
		a.unavailable(w, r, "queue the update", err)
		return
	}
	// Enqueue filled in the same defaults: its ID, derived from the
	// content, is this one; an ID in use holds the same content.
	writeAccepted(w, accepted{ID: id, IncidentID: u.WithDefaults(time.Now()).IncidentID})
}

// correct queues a correction of update {id}. An update the server does
// not know is 404 before anything of the body is read or checked: no
// change to the body can make the request right.
func (a *api) correct(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	incident, ok := a.find(w, r, id)
	if !ok {
		return
	}
	u, ok := a.readCorrection(w, r, id, incident)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.dbTimeout)
	defer cancel()
	cid, err := a.queueLinked(ctx, u, id, func(ctx context.Context, u broadcast.Update) (string, error) {
		return a.be.Correct(ctx, id, u)
	})
	if err != nil {
		a.unavailable(w, r, "queue the correction", err)
		return
	}
	writeAccepted(w, accepted{ID: cid, IncidentID: u.WithDefaults(time.Now()).IncidentID, Corrects: id})
}

// queueLinked queues u, a correction of update original when original
// is not "", with queue (the backend's Enqueue or Correct). Posted
// without url, u links its incident's page on the status page, when the
// page has it or u makes it (pagelink.Page.Link, which reads the Store):
// the link of a page the page will not have would lead nowhere. The ID,
// when u has none, is derived without the link, so the same update
// posted again is the same update whichever link it gets: when the queue
// holds that ID with the other link (the page has gained the incident
// since, or a read of its thread failed then), u is queued as it was
// then, not refused as an update with other content.
func (a *api) queueLinked(ctx context.Context, u broadcast.Update, original string, queue func(context.Context, broadcast.Update) (string, error)) (string, error) {
	linked := u
	a.page.Set(ctx, a.be, &linked, original)
	id, err := queue(ctx, linked)
	if !errors.Is(err, dispatch.ErrIDInUse) || u.URL != "" || a.page == nil {
		return id, err
	}
	other := u
	if linked.URL == "" {
		pagelink.Set(&other, a.page.URL)
	}
	if id, err2 := queue(ctx, other); !errors.Is(err2, dispatch.ErrIDInUse) {
		return id, err2
	}
	return id, err
}

// find looks up update id, the resource of r's path, and returns its
// incident; when the update is unknown or the database fails it answers
// 404 or 503 and returns false.
func (a *api) find(w http.ResponseWriter, r *http.Request, id string) (incident string, ok bool) {
	ctx, cancel := context.WithTimeout(r.Context(), a.dbTimeout)
	defer cancel()
	incident, found, err := a.lookup(ctx, id)
	switch {
	case err != nil:
		a.unavailable(w, r, "look the update up", err)
	case !found:
		writeProblem(w, http.StatusNotFound, "", "no update with this ID")
	default:
		return incident, true
	}
	return "", false
}

// readCorrection reads and checks the correction of update id, of
// incident ("" when unknown), and gives it the incident when it has none;
// on failure it answers 4xx, naming every value at fault, and returns
// false.
func (a *api) readCorrection(w http.ResponseWriter, r *http.Request, id, incident string) (broadcast.Update, bool) {
	var u broadcast.Update
	unread, ok := a.readUpdate(w, r, &u)
	if !ok {
		return u, false
	}
	var checks []*inputError
	if u.ID == id {
		checks = append(checks, &inputError{field: "id", msg: "a correction needs an ID of its own; leave it out to derive one"})
	}
	switch {
	case u.IncidentID == "":
		u.IncidentID = incident // so that it threads even when the title changed
	case incident != "" && u.IncidentID != incident:
		checks = append(checks, &inputError{field: "incident_id",
			msg: "the update corrected belongs to incident " + quote(incident) + "; leave it out or give the same"})
	}
	if u.Corrects != "" && u.Corrects != id {
		checks = append(checks, &inputError{field: "corrects", msg: "the update in the URL is corrected; leave it out or give the same ID"})
	}
	u.Corrects = id
	for _, e := range checkUpdate(u, a.be.Channels()).all() {
		if !hasField(checks, e.field) {
			checks = append(checks, e)
		}
	}
	if bad := joinErrors(addFaults(unread.all(), checks)); bad != nil {
		writeInputProblem(w, faultStatus(unread), bad)
		return u, false
	}
	return u, true
}

// addFaults returns errs, the values at fault in a body, with those of
// more that no error of errs covers (see covered): a value that could not
// be read is named once, as read, not again as the zero left in its place;
// a fault of its key (ofKey) is named all the same.
func addFaults(errs, more []*inputError) []*inputError {
	known := errs
	for _, e := range more {
		if e.ofKey || !covered(known, e.field) {
			errs = append(errs, e)
		}
	}
	return errs
}

// faultStatus is the status of an answer naming the values at fault in
// an update: 400 when some could not be read (unread, from readUpdate),
// else 422.
func faultStatus(unread *inputError) int {
	if unread != nil {
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

// retract queues the retraction of update {id}. It takes no body, or an
// empty JSON object ({}), which many clients send when they have nothing
// to say.
func (a *api) retract(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	incident, ok := a.find(w, r, id)
	if !ok {
		return
	}
	var none struct{}
	if unread, ok := a.readBody(w, r, &none, true); !ok {
		return
	} else if unread != nil {
		writeInputProblem(w, http.StatusBadRequest, unread)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.dbTimeout)
	defer cancel()
	if err := a.be.Retract(ctx, id); err != nil {
		a.unavailable(w, r, "queue the retraction", err)
		return
	}
	writeAccepted(w, accepted{ID: id, IncidentID: incident})
}

// getUpdate answers with where update {id} stands; with ?wait=DURATION it
// first waits, at most that long, for every job to finish.
func (a *api) getUpdate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var wait time.Duration
	badWait := false
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		badWait = err != nil || d < 0 || d > maxWait
		if !badWait {
			wait = d
		}
	}
	if !validID(id) {
		writeProblem(w, http.StatusNotFound, "", "no update with this ID")
		return
	}
	// With a bad wait, the first read alone: an unknown update is 404
	// first, as on the other routes.
	st, found, err := a.await(r.Context(), id, wait)
	switch {
	case err != nil:
		a.unavailable(w, r, "read the update's state", err)
	case !found:
		writeProblem(w, http.StatusNotFound, "", "no update with this ID")
	case badWait:
		writeInputProblem(w, http.StatusBadRequest, &inputError{field: "wait", msg: "want a duration from 0s to " + maxWait.String() + ", as 10s"})
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

// await reads the state of update id until every job of it (and of its
// retraction) has finished, wait has passed, the client has gone, or the
// server is stopping. It reads again when a job of the update finishes on
// any instance, as dispatch's Changes says (and at the Dispatcher's
// PollInterval, its safety net), not on a timer of its own: a crowd of
// clients waiting through an outage asks the database little.
func (a *api) await(ctx context.Context, id string, wait time.Duration) (updateStatus, bool, error) {
	deadline := time.Now().Add(wait)
	var changes <-chan struct{} // nil without a wait: the first read answers
	if wait > 0 {
		// Before the first read: a job finishing during it wakes the next.
		var stop func()
		changes, stop = a.be.Changes(id)
		defer stop()
	}
	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	for {
		qctx, cancel := context.WithTimeout(ctx, a.dbTimeout)
		st, found, err := status(qctx, a.be, id, a.hide)
		cancel()
		if err != nil || !found || (st.Done && (st.Retraction == nil || st.Retraction.Done)) || time.Now().After(deadline) {
			return st, found, err
		}
		select {
		case <-ctx.Done():
			return st, found, nil
		case <-a.stopping:
			return st, found, nil
		case <-changes:
		case <-timeout.C: // read once more, and answer
		}
	}
}

// lookup finds update id by its jobs, else by a receipt in the Store: River
// forgets finished jobs after a day, the Store keeps receipts.
func (a *api) lookup(ctx context.Context, id string) (incident string, found bool, err error) {
	if !validID(id) {
		return "", false, nil
	}
	rep, _, err := a.be.Report(ctx, id)
	if err == nil {
		return rep.IncidentID, true, nil
	}
	if !errors.Is(err, dispatch.ErrNoJobs) {
		return "", false, err
	}
	for _, ch := range a.be.Channels() {
		if _, ok, err := a.be.Receipt(ctx, id, ch); err != nil || ok {
			return "", ok, err
		}
	}
	return "", false, nil
}

// tooLarge answers a request whose body is over a.maxBody.
func (a *api) tooLarge(w http.ResponseWriter) {
	writeProblem(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the body is larger than the limit of %d bytes", a.maxBody))
}

// readUpdate reads the JSON body of r into u, as readBody does.
func (a *api) readUpdate(w http.ResponseWriter, r *http.Request, u *broadcast.Update) (unread *inputError, ok bool) {
	return a.readBody(w, r, u, false)
}

// readBody reads the JSON object of r's body into v, a pointer to a
// struct; when the body cannot be read it answers 400, 408, 413 or 415
// and returns false. A body read to its end with values the API cannot
// take (an unknown or repeated key, a value of the wrong type) is not
// answered: unread names those values, and the others are in v, for the
// caller to check too and answer 400 naming every value at fault. With
// optional, an empty body is none, whatever its Content-Type, and leaves
// v as it is.
func (a *api) readBody(w http.ResponseWriter, r *http.Request, v any, optional bool) (unread *inputError, ok bool) {
	if r.ContentLength > a.maxBody {
		// Refused from the header, without reading up to maxBody of a
		// body that will not be taken, nor waiting for it.
		a.tooLarge(w)
		return nil, false
	}
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, a.maxBody))
	// Only an optional body is looked at before its Content-Type: a
	// refusal of another waits for none of it.
	if optional {
		if _, err := body.Peek(1); errors.Is(err, io.EOF) {
			return nil, true
		}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeProblem(w, http.StatusUnsupportedMediaType, "", "Content-Type: want application/json")
		return nil, false
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		w.Header().Set("Accept-Encoding", "identity") // RFC 9110, 12.5.3: the codings a request may have
		writeProblem(w, http.StatusUnsupportedMediaType, "", "Content-Encoding: "+quote(ce)+": not taken; send the body uncompressed")
		return nil, false
	}
	err := decodeStrict(body, v)
	var bad *inputError
	switch {
	case err == nil:
		return nil, true
	case errors.As(err, &bad) && bad.readWhole:
		return bad, true
	case isTooLarge(err):
		a.tooLarge(w)
	case isTimeout(err):
		// RFC 9110, 15.5.9: the client may send it again, on another
		// connection (this one's read deadline has passed).
		w.Header().Set("Connection", "close")
		writeProblem(w, http.StatusRequestTimeout, "",
			fmt.Sprintf("the request did not arrive whole within %v: nothing was queued; send it again", readTimeout))
	case errors.As(err, &bad):
		writeInputProblem(w, http.StatusBadRequest, bad)
	default:
		writeProblem(w, http.StatusBadRequest, "", "reading the body failed")
	}
	return nil, false
}

// unavailable answers 503 to a request the database could not serve, and
// logs why; the client may try again. An invalid update that got past
// checkUpdate is still a 422.
func (a *api) unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, broadcast.ErrInvalidUpdate) {
		writeInputProblem(w, http.StatusUnprocessableEntity, joinErrors(invalidUpdate(err)))
		return
	}
	if errors.Is(err, dispatch.ErrIDInUse) {
		writeInputProblem(w, http.StatusConflict, &inputError{field: "id",
			msg: "an update with this id and other content was posted before; give this one an id of its own"})
		return
	}
	if r.Context().Err() != nil {
		// Not the database's failure: nobody reads the answer.
		a.log.Info("the client went away: could not "+what, slog.String("path", r.URL.Path))
	} else {
		a.log.Error("could not "+what, slog.String("path", r.URL.Path), slog.String("error", a.hide(err.Error())))
	}
	w.Header().Set("Retry-After", "5")
	writeProblem(w, http.StatusServiceUnavailable, "", "could not "+what+": the database is not available; try again")
}
