package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/examples/internal/credvalue"
	"github.com/outagecast/outagecast/examples/internal/jsonfield"
	"github.com/outagecast/outagecast/examples/internal/prune"
	"github.com/outagecast/outagecast/internal/bearer"
)

// maxLoggedGroupKey is how many characters of a groupKey the log shows.
// A groupKey holds the route's matchers and the group's label values,
// which the sender chooses: a notification of up to -max-body would
// otherwise put as much into each of its log lines.
const maxLoggedGroupKey = 200

// groupAttr is the log's "group" attribute: groupKey, cut to
// maxLoggedGroupKey characters and an ellipsis when longer. (The
// incident logged beside it is the hash of the whole key.)
func groupAttr(groupKey string) slog.Attr {
	n := 0
	for i := range groupKey {
		if n == maxLoggedGroupKey-1 && utf8.RuneCountInString(groupKey[i:]) > 1 {
			return slog.String("group", groupKey[:i]+"…")
		}
		n++
	}
	return slog.String("group", groupKey)
}

// defaultMaxBody bounds a notification unless -max-body says otherwise.
// Alertmanager sends every alert of a group unless max_alerts is set, at
// 1 to 2 KiB each: 32 MiB holds some 20,000.
const defaultMaxBody = 32 << 20

// defaultMaxConcurrent bounds the notifications read and broadcast at once
// unless -max-concurrent says otherwise. Each holds up to about its size
// in memory, more for a body of very many small alerts; the groups of an
// alert storm seldom flush more at once, and those beyond wait their turn.
const defaultMaxConcurrent = 16

// maxMaxBody bounds -max-body: a notification is held in memory while it
// is broadcast.
const maxMaxBody = 1 << 30

// handler receives notifications and broadcasts them.
type handler struct {
	b *broadcast.Broadcaster
	// channels are b's, in its order, for checkChannels to say why one
	// that is no Checker was not checked.
	channels []broadcast.Channel
	m        mapping
	timeout  time.Duration // per notification, from its arrival; 0: none
	log      *slog.Logger  // never nil
	// say returns msg, an error of channel ("" for none), as users may see
	// it: configuration secrets hidden and, with a configuration file,
	// settings named by the file's keys.
	say func(channel, msg string) string
	// describe says what a channel is configured with, without secrets.
	describe func(channel string) string
	store    broadcast.Store // b's, holding the incidents' records too
	// pruneStore removes what store recorded before cutoff (see -keep);
	// nil: the store cannot.
	pruneStore prune.Func
	groups     groupLocks     // one notification of a group at a time
	tokens     *bearer.Tokens // nil: no bearer token is accepted
	basic      *basicAuth     // nil: no basic credentials are accepted; both nil: any request is
	maxBody    int64          // bytes a notification may have, whole MiB; 0: defaultMaxBody
	// maxConcurrent bounds the notifications read and broadcast at once;
	// 0: defaultMaxConcurrent.
	maxConcurrent int
	slots         chan struct{} // holds a value per notification read or broadcast (see turns)
	slotsOnce     sync.Once
}

// take waits for a turn to read and broadcast a notification, or until
// ctx is done; release gives it back. A free turn is taken at once.
func (h *handler) take(ctx context.Context) (release func(), err error) {
	turns := h.turns()
	select {
	case turns <- struct{}{}:
	default:
		select {
		case turns <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return func() { <-turns }, nil
}

// turns returns the channel that holds a value per notification read or
// broadcast, at most maxConcurrent.
func (h *handler) turns() chan struct{} {
	h.slotsOnce.Do(func() { h.slots = make(chan struct{}, cmp.Or(h.maxConcurrent, defaultMaxConcurrent)) })
	return h.slots
}

// groupLocks serializes the notifications of one alert group: two
// Alertmanagers of a high-availability pair may send the same notification
// at once, and the second must find the first's deliveries in the Store
// rather than race it. Each group has its own lock, held only while one of
// its notifications is in flight, so that a group never waits for another.
type groupLocks struct {
	mu sync.Mutex
	m  map[string]*groupLock
}

type groupLock struct {
	turn chan struct{} // holds a value while a notification of the group broadcasts
	refs int           // notifications holding or waiting for turn
}

// lock waits for the turn of group key, or until ctx is done (the request
// ended, or -timeout passed), and then returns ctx's error. unlock gives
// the turn to the next notification of the group.
func (g *groupLocks) lock(ctx context.Context, key string) (unlock func(), err error) {
	g.mu.Lock()
	if g.m == nil {
		g.m = map[string]*groupLock{}
	}
	l := g.m[key]
	if l == nil {
		l = &groupLock{turn: make(chan struct{}, 1)}
		g.m[key] = l
	}
	l.refs++
	g.mu.Unlock()
	select {
	case l.turn <- struct{}{}:
		return func() { <-l.turn; g.release(key, l) }, nil
	case <-ctx.Done():
		g.release(key, l)
		return nil, ctx.Err()
	}
}

// release forgets the lock of a group no notification holds or waits for,
// so that memory is bounded by the notifications in flight.
func (g *groupLocks) release(key string, l *groupLock) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if l.refs--; l.refs == 0 {
		delete(g.m, key)
	}
}

// routes returns the bridge's endpoints: POST /alerts, behind the bearer
// tokens and basic credentials when there are any, and GET /healthz.
func (h *handler) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /alerts", h.guard(http.HandlerFunc(h.alerts)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	return mux
}

// response is the JSON answer to a notification.
type response struct {
	UpdateID   string         `json:"update_id"`
	IncidentID string         `json:"incident_id"`
	Status     string         `json:"status"`
	Results    []resultStatus `json:"results"`
	// Error says, when the channels that failed all refused the update
	// for good (answered 424), which they are: why is in their results.
	Error string `json:"error,omitempty"`
}

type resultStatus struct {
	Channel  string `json:"channel"`
	Outcome  string `json:"outcome"` // delivered, delivered, not recorded, skipped, superseded, not selected, failed
	Attempts int    `json:"attempts"`
	URL      string `json:"url,omitempty"`
	Error    string `json:"error,omitempty"`
}

// alerts handles one notification: 200 when every channel delivered it (or
// had already), 400 for a payload that cannot be used, 415 for a body not
// sent as Alertmanager sends it (see notJSON), 413 when too large,
// 500 when a channel failed in a way a retry may mend, so that Alertmanager
// retries (the channels that delivered are skipped on the retry), 424 when
// every channel that failed refused it for good (see answer).
func (h *handler) alerts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if h.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.timeout)
		defer cancel()
	}
	if msg := notJSON(w, r); msg != "" {
		// Before its body is read: the connection closes without it.
		h.log.Warn("rejected notification", slog.String("error", msg))
		http.Error(w, msg, http.StatusUnsupportedMediaType)
		return
	}
	limit := cmp.Or(h.maxBody, defaultMaxBody)
	if r.ContentLength > limit {
		h.tooBig(w, r, limit) // before its body takes a turn, memory or time
		return
	}
	release, err := h.take(ctx)
	if err != nil {
		// Alertmanager gave up on the request, or -timeout passed: a 5xx
		// makes Alertmanager send it again.
		msg := fmt.Sprintf("nothing posted: the bridge was handling %d notifications already (-max-concurrent): %v",
			cap(h.turns()), err)
		h.log.Warn(msg)
		http.Error(w, msg, http.StatusServiceUnavailable)
		return
	}
	defer release()
	// The server's ReadTimeout counts from the request's arrival: the
	// wait for the turn must not use up the time the body may take. (Not
	// supported, under a test's recorder: nothing to extend.)
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(bodyTime(limit)))
	body := &bodyReader{r: http.MaxBytesReader(w, r.Body, limit)}
	p, err := decodePayload(body)
	if err != nil {
		// The limit may be crossed past the object too, where decoding
		// reads on to see that nothing follows: body.err has it then.
		if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) || errors.As(body.err, &tooBig) {
			h.tooBig(w, r, limit)
			return
		}
		if body.err != nil {
			// Not the payload's fault: the sender's connection broke, or
			// was slower than the server's ReadTimeout allows. A 5xx makes
			// Alertmanager send it again; it does not retry a 4xx.
			msg := "nothing posted: the notification did not arrive whole: " + body.err.Error()
			h.log.Warn(msg)
			http.Error(w, msg, http.StatusServiceUnavailable)
			return
		}
		h.log.Warn("rejected notification", slog.String("error", err.Error()))
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := incidentID(p.GroupKey)
	unlock, err := h.groups.lock(ctx, id)
	if err != nil {
		// Alertmanager gave up on the request, or -timeout passed while
		// the group's previous notification still broadcast: nothing was
		// posted, and a 5xx makes Alertmanager send it again.
		msg := "nothing posted: another notification of the alert group was still being broadcast: " + err.Error()
		h.log.Warn(msg, groupAttr(p.GroupKey), slog.String("incident", id))
		http.Error(w, msg, http.StatusServiceUnavailable)
		return
	}
	u, rep, err := h.send(ctx, p)
	unlock()
	if rep == nil && errors.Is(err, broadcast.ErrInvalidUpdate) {
		// Alertmanager does not retry a 4xx: the log is where it shows.
		msg := h.say("", err.Error())
		h.log.Warn("rejected notification: its update is invalid, nothing posted", groupAttr(p.GroupKey),
			slog.String("incident", id), slog.String("error", msg))
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	if rep == nil {
		msg := h.say("", err.Error())
		h.log.Error("send", slog.String("error", msg))
		http.Error(w, msg, http.StatusInternalServerError)
		return
	}
	code, refused := http.StatusOK, []string(nil)
	if err != nil {
		code, refused = answer(rep)
	}
	out := h.response(u, rep)
	attrs := []any{groupAttr(p.GroupKey), slog.String("status", p.Status),
		slog.String("incident", rep.IncidentID), slog.String("update", rep.UpdateID), slog.Int("code", code)}
	if code == http.StatusFailedDependency {
		// Alertmanager logs only the code and the bridge's URL: the
		// channels' errors are in their own lines before this one.
		names := strings.Join(refused, ", ")
		out.Error = "refused for good by " + names + " (see results): " + refusedAdvice
		h.log.Error("notification refused for good by every channel that failed: "+refusedAdvice,
			append(attrs, slog.String("channels", names))...)
	} else {
		h.log.Info("notification", attrs...)
	}
	writeJSON(w, code, out)
}

// notJSON says why the body of r is not taken as Alertmanager sends it,
// or returns "". Alertmanager posts a notification as application/json
// (its notify package's PostJSON), uncompressed. Another Content-Type
// (text/plain, a form's, none) is refused: a web page can have a browser
// send such a POST to any address without asking it first (no CORS
// preflight), and a bridge taking it would let a page open on its machine
// post to every channel through the loopback listener. A compressed body
// is refused too, and the codings taken named (RFC 9110, 12.5.3).
func notJSON(w http.ResponseWriter, r *http.Request) string {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return "Content-Type: want application/json, as Alertmanager sends"
	}
	// A list, which may come in several field lines (RFC 9110, 5.3 and
	// 8.4): each line is looked at, not only the first.
	for _, ce := range r.Header.Values("Content-Encoding") {
		if ce != "" && !strings.EqualFold(ce, "identity") {
			w.Header().Set("Accept-Encoding", "identity")
			return "Content-Encoding: " + jsonfield.Quote(ce) + ": not taken; send the body uncompressed"
		}
	}
	return ""
}

// refusedAdvice ends what the bridge says of a notification answered 424.
const refusedAdvice = "Alertmanager does not send it again at once; fix the channels, " +
	"and the group's next notification tries them again"

// answer returns the code of the answer to a notification whose broadcast
// failed, and, for 424, the channels that refused it. A channel whose
// delivery was only not recorded counts as delivered (see
// broadcast.Result.Unrecorded): sent again, it would post again. 500 when
// a channel failed in a way a retry may mend (a transient error, targets
// still pending, the -timeout), so that Alertmanager sends it again; 424
// (Failed Dependency) when every channel that failed refused the update
// for good (each endpoint answered 404 or 410, the credentials were
// refused, the channel cannot take the update), as a retry, a moment later,
// would be refused again: Alertmanager retries a 5xx until the group's
// next flush, and then does it all again, but does not retry a 4xx, which
// it logs and counts as a failed notification. Not having gone out, the
// notification is sent again at the group's next flush (group_interval);
// channels that delivered it are skipped then. 424, not 400 or 422: the
// notification is not at fault, but what it depends on.
func answer(rep *broadcast.Report) (code int, refused []string) {
	for _, r := range rep.Results {
		switch {
		case r.Err == nil || r.Unrecorded():
		case !broadcast.IsPermanent(r.Err) || len(r.Pending) > 0 ||
			errors.Is(r.Err, context.DeadlineExceeded) || errors.Is(r.Err, context.Canceled):
			// The request's end (-timeout, Alertmanager giving up) may
			// have cut the channel's retries short, whatever its last
			// attempt said.
			return http.StatusInternalServerError, nil
		default:
			refused = append(refused, r.Channel)
		}
	}
	if len(refused) == 0 {
		return http.StatusOK, nil
	}
	return http.StatusFailedDependency, refused
}

// send maps notification p of an incident to its update and broadcasts
// it, with its group's turn held. The Report is nil when nothing was sent.
func (h *handler) send(ctx context.Context, p *payload) (broadcast.Update, *broadcast.Report, error) {
	prev, err := h.incident(ctx, incidentID(p.GroupKey))
	if err != nil {
		return broadcast.Update{}, nil, err
	}
	u := h.m.update(p, prev)
	if err := u.Validate(); err != nil {
		return u, nil, err
	}
	if u, err = h.unannounced(ctx, p, u); err != nil {
		return u, nil, err
	}
	u = h.m.pageless(ctx, h.b, p, u)
	var proven bool
	if u, proven, err = h.again(ctx, p, prev, u); err != nil {
		return u, nil, err
	}
	if prev.Update != "" && prev.Update != u.ID && sameContent(prev.Content, u) {
		// Nothing new to say (see content): the latest update again,
		// skipped where it was delivered. (The latest update's own
		// notification again, Alertmanager's retry, is that update.)
		h.log.Info("notification says what the incident's latest update said: that update is sent instead",
			groupAttr(p.GroupKey), slog.String("incident", u.IncidentID), slog.String("update", prev.Update))
		u.ID = prev.Update
	}
	rep, err := h.b.Send(ctx, u)
	if rep != nil && slices.ContainsFunc(rep.Results, func(r broadcast.Result) bool {
		return (r.Err == nil || r.Unrecorded()) && !r.Superseded && !r.NotSelected
	}) {
		// The Time the update went out with, first (the Broadcaster's):
		// an update older than the one on record, skipped everywhere (a
		// late copy of a notification the other Alertmanager of a pair
		// sent), is not the incident's latest word again. Read even when
		// the request ended (Alertmanager gave up while a channel was
		// still trying): what went out must be on record.
		if t, ok, _ := h.b.SentTime(context.WithoutCancel(ctx), u.ID); ok {
			u.Time = t
		}
		if !prev.Time.After(u.Time) {
			// Answered 500, the notification is sent again (see answer):
			// what its Alertmanager said last is not yet what it was
			// answered (see record).
			retried := err != nil
			if retried {
				code, _ := answer(rep)
				retried = code == http.StatusInternalServerError
			}
			h.remember(ctx, u, record(prev, u, p, proven, !retried))
		}
	}
	return u, rep, err
}

// recordChannel is the Store channel under which the bridge keeps what it
// knows of its incidents (see incident): no channel's name starts with
// NUL, so it is no channel's thread.
const recordChannel = "\x00alertmanager-bridge"

// incident reads the Store's record of incident id: the title of its
// first update, and the impact, id and content of its latest; zero when
// none of its updates went out.
func (h *handler) incident(ctx context.Context, id string) (incident, error) {
	th, err := h.store.Thread(ctx, id, recordChannel)
	if err != nil {
		return incident{}, fmt.Errorf("read the incident's record: %w", err)
	}
	inc := incident{Title: th.Root.Meta["title"], Impact: broadcast.Impact(th.Last.Meta["impact"]),
		Update: th.Last.Meta["update"], Content: th.Last.Meta["content"], Time: th.Last.UpdateTime}
	if s := th.Last.Meta["senders"]; s != "" {
		inc.Senders = strings.Split(s, ",")
	}
	inc.Last, inc.Earlier = said(th.Last.Meta["last"]), said(th.Last.Meta["earlier"])
	return inc, nil
}

// said reads a record's list of what Alertmanagers said (see
// incident.Last), written by saidString: "sender=notification", separated
// by commas. Malformed entries are left out; nil when none is left.
func said(s string) map[string]string {
	var m map[string]string
	for e := range strings.SplitSeq(s, ",") {
		if k, id, ok := strings.Cut(e, "="); ok && k != "" && id != "" {
			if m == nil {
				m = map[string]string{}
			}
			m[k] = id
		}
	}
	return m
}

// saidString writes m as said reads it, in the order of its keys.
func saidString(m map[string]string) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return strings.Join(out, ",")
}

// maxSenders is how many Alertmanagers' notifications of one update the
// record keeps: those of a cluster, which has a few.
const maxSenders = 8

// senderKey stands for the Alertmanager whose externalURL is externalURL
// in the record: a digest, short whatever the URL's length, and without
// the credentials a URL may carry. Empty for an empty externalURL.
func senderKey(externalURL string) string {
	if externalURL == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(externalURL))
	return hex.EncodeToString(sum[:8])
}

// senders is the Alertmanagers to record as having sent u, notification p:
// p's sender, when proven (see handler.again), and those on record for u
// when u is the incident's latest update already (the other Alertmanager
// of a pair sent it too).
func senders(prev incident, u broadcast.Update, p *payload, proven bool) []string {
	var out []string
	if prev.Update == u.ID {
		out = slices.Clone(prev.Senders)
	}
	if k := senderKey(p.ExternalURL); proven && k != "" && !slices.Contains(out, k) && len(out) < maxSenders {
		out = append(out, k)
	}
	return out
}

// senderRecord is what the record of an incident's latest update says of
// the Alertmanagers (see incident).
type senderRecord struct {
	sentBy        []string          // incident.Senders
	last, earlier map[string]string // incident.Last and Earlier
}

// record is what remember writes of u, notification p: who sent it (see
// senders) and what each Alertmanager had answered last, while u is the
// latest update and before it went out (see incident.Last). p counts as
// answered only if answered is set: a notification answered 500 is sent
// again by its Alertmanager (its retry, which may come after a newer
// update from another, is no re-fire).
func record(prev incident, u broadcast.Update, p *payload, proven, answered bool) *senderRecord {
	last, earlier := map[string]string{}, maps.Clone(prev.Earlier)
	if prev.Update == u.ID {
		maps.Copy(last, prev.Last)
	} else {
		// u went out now: what they said until now came before it.
		if earlier == nil {
			earlier = map[string]string{}
		}
		for k, id := range prev.Last {
			if _, ok := earlier[k]; ok || len(earlier) < maxSenders {
				earlier[k] = id
			}
		}
	}
	if k := senderKey(p.ExternalURL); k != "" && answered {
		if _, ok := last[k]; ok || len(last) < maxSenders {
			last[k] = updateID(p)
		}
	}
	return &senderRecord{sentBy: senders(prev, u, p, proven), last: last, earlier: earlier}
}

// again returns u, a notification whose update went out before and is not
// the incident's latest, with an id of its own when the incident did
// change back to what it says: a group whose alerts resolved (Prometheus
// fell silent past resolve_timeout, restarted during the outage, say)
// fires again with the start it had; an alert of a group still firing
// resolves and fires again; a group that fired again resolves with the
// ends it had (Alertmanager keeps an alert's earliest start, and its
// latest explicit end, when it merges what it receives of it:
// types/types.go, Alert.Merge). The update's id, made of the alerts'
// starts and ends (see updateID), is then that of an earlier update, which
// the Broadcaster would skip as delivered. Such a notification is also
// what a late copy of that earlier one looks like, from the other
// Alertmanager of a pair (its retries, or a copy its deduplication missed
// while the pair was cut off from each other), which posted would undo
// the incident's latest word with nothing to restore it: that
// Alertmanager's own copy of the latest is deduplicated away. One
// Alertmanager, though, sends a group's notifications one after another,
// each with its retries done before the next (dispatch/dispatch.go:
// aggrGroup.run calls aggrGroup.flush, which waits for the notify
// pipeline, and flushes again only after it returned; a group whose alerts
// all resolved is destroyed once that resolution went out, and its next
// alerts open a new group; notify/notify.go: FanoutStage waits for every
// integration; notify/retry_stage.go: RetryStage.exec tries until it
// succeeds or the flush's context ends; notify/cluster_stages.go:
// ClusterWaitStage delays each peer by its position in the cluster, and
// notify/dedup_stage.go: DedupStage leaves out what the peers'
// notification log, gossiped between them, says was sent). So such a
// notification from an Alertmanager that sent the latest update (the same
// externalURL, not empty) came after it; so did one from an Alertmanager
// that had this very notification answered before the latest update went
// out (incident.Earlier), as it does not send again what it was answered
// (its DedupStage sends the same alerts again after the peers' log said
// the group resolved: the re-fire of the other Alertmanager of a pair).
// Either is proven: it is posted, as an update whose
// id comes from both its own and the latest update's, so that this
// Alertmanager's retries of it are that update once more (the retries
// that come once it is on record say what it says: see send), and each
// cycle of a flapping group has ids of its own. From another
// Alertmanager, or when an externalURL is empty (two Alertmanagers behind
// one address cannot be told apart), it is skipped, as is one after a
// record written before the bridge kept its senders. A notification that
// says what the latest update says is that update again (see send), its
// sender counted among the latest's (see senders) only when proven: a late
// copy of an earlier update that says the same would otherwise let that
// Alertmanager's next late copy pass as coming after the latest. One never
// sent before is posted as the newest, whichever its sender, and proven.
func (h *handler) again(ctx context.Context, p *payload, prev incident, u broadcast.Update) (_ broadcast.Update, proven bool, err error) {
	if prev.Update == "" || prev.Update == u.ID {
		return u, true, nil
	}
	_, sent, err := h.b.SentTime(ctx, u.ID)
	if err != nil {
		return u, false, fmt.Errorf("read whether the notification was sent before: %w", err)
	}
	if !sent {
		return u, true, nil
	}
	k := senderKey(p.ExternalURL)
	proven = k != "" && len(prev.Senders) > 0 && (slices.Contains(prev.Senders, k) || prev.Earlier[k] == u.ID)
	if sameContent(prev.Content, u) {
		// The latest update again (see send), whoever sent it; its sender
		// counts as the latest's only when proven.
		return u, proven, nil
	}
	if proven {
		h.log.Info("the alerts changed back to what an earlier notification said (fired or resolved again, with "+
			"their earlier start and end), from an Alertmanager that sent the incident's latest update, or had "+
			"this notification answered before it: posted as a new update",
			groupAttr(p.GroupKey), slog.String("incident", u.IncidentID), slog.String("latest", prev.Update))
		u.ID = againID(u.ID, prev.Update)
		return u, true, nil
	}
	why := "it comes from another Alertmanager than the incident's latest update, which had not had it answered before that update"
	if k == "" || len(prev.Senders) == 0 {
		why = "no externalURL tells whether it comes from the Alertmanager that sent the incident's latest update"
	}
	h.log.Info("notification already sent, before the incident's latest update: skipped as a possible late copy "+
		"from the other Alertmanager of a pair, as "+why+" (if the alerts did change back, the group's next change "+
		"is posted)", groupAttr(p.GroupKey), slog.String("incident", u.IncidentID), slog.String("update", u.ID))
	return u, false, nil
}

// againID is the id of the update whose notification maps to id, sent
// again after latest (see handler.again). Made as the version that posted
// again only a firing notification after a resolved one made it, so that
// the retry of such an update that version sent is that update again.
func againID(id, latest string) string {
	h := sha256.New()
	fmt.Fprintf(h, "refire;%d:%s;%d:%s;", len(id), id, len(latest), latest)
	return "am_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// remember records u, delivered to a channel, as its incident's latest
// update, with its impact and content, the Alertmanagers that sent it,
// and what each said last while it is the latest and before (sr; nil:
// none), and, when it is the first, its title. (And its
// status, which a version of the bridge that posted again only a firing
// notification after a resolved one reads: such a bridge, run on this
// record, decides as it did.) A failure is logged: u went out, and the
// next notification of the group maps as if it had not.
func (h *handler) remember(ctx context.Context, u broadcast.Update, sr *senderRecord) {
	if sr == nil {
		sr = &senderRecord{}
	}
	r := broadcast.Receipt{Channel: recordChannel, UpdateID: u.ID, UpdateTime: u.Time, Time: time.Now().UTC(),
		Meta: map[string]string{"title": u.Title, "impact": string(u.Impact), "update": u.ID, "content": content(u),
			"status": string(u.Status), "senders": strings.Join(sr.sentBy, ","), "last": saidString(sr.last),
			"earlier": saidString(sr.earlier)}}
	if err := h.store.SaveReceipt(context.WithoutCancel(ctx), u.IncidentID, recordChannel+u.IncidentID, r); err != nil {
		h.log.Error("record the incident's title and impact: the next notification of the group may change them",
			slog.String("incident", u.IncidentID), slog.String("error", h.say("", err.Error())))
	}
}

// tooBig refuses a notification larger than limit bytes. Alertmanager does
// not retry a 4xx, and a retry would be as large: it says loudly, on both
// sides, what to change.
func (h *handler) tooBig(w http.ResponseWriter, r *http.Request, limit int64) {
	msg := fmt.Sprintf("notification refused, nothing posted: larger than the bridge's limit of %d MiB: "+
		"raise the bridge's -max-body, or set max_alerts in Alertmanager's webhook_config", limit>>20)
	h.log.Error(msg, slog.Int64("content_length", r.ContentLength))
	http.Error(w, msg, http.StatusRequestEntityTooLarge)
}

// bodyReader keeps the error of reading a request's body, other than its
// end, to tell a body that did not arrive from a bad payload.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// unannounced returns u, with the body that says what happened when u
// resolves a group none of whose earlier updates is on record.
func (h *handler) unannounced(ctx context.Context, p *payload, u broadcast.Update) (broadcast.Update, error) {
	if u.Status != broadcast.StatusResolved {
		return u, nil
	}
	announced, err := h.announced(ctx, u)
	if err != nil || announced {
		return u, err
	}
	h.log.Info("resolved group without an earlier update on record (the bridge started late, or its store "+
		"was lost): its update says what the alerts reported", groupAttr(p.GroupKey),
		slog.String("incident", u.IncidentID))
	u.Body = resolvedUnannouncedBody(p)
	return u, nil
}

// announced reports whether a channel has on record a post of u's
// incident other than u's own (a retry of u finds u's posts on the
// channels that delivered it, and must still say what happened on those
// that did not).
func (h *handler) announced(ctx context.Context, u broadcast.Update) (bool, error) {
	for _, name := range h.b.Channels() {
		th, err := h.b.Thread(ctx, u.IncidentID, name)
		if err != nil {
			return false, fmt.Errorf("read the incident's earlier posts: %w", err)
		}
		if !th.Root.IsZero() && th.Root.UpdateID != u.ID {
			return true, nil
		}
	}
	return false, nil
}

func (h *handler) response(u broadcast.Update, rep *broadcast.Report) response {
	out := response{UpdateID: rep.UpdateID, IncidentID: rep.IncidentID, Status: string(u.Status),
		Results: make([]resultStatus, len(rep.Results))}
	for i, r := range rep.Results {
		rs := resultStatus{Channel: r.Channel, Outcome: "delivered", Attempts: r.Attempts, URL: h.link(r.Channel, r.Receipt.URL)}
		switch {
		case r.Skipped:
			rs.Outcome = "skipped"
		case r.Superseded:
			rs.Outcome = "superseded"
		case r.NotSelected:
			rs.Outcome = "not selected"
		case r.Unrecorded():
			rs.Outcome, rs.Error = "delivered, not recorded", h.say(r.Channel, r.Err.Error())
		case r.Err != nil:
			rs.Outcome, rs.Error = "failed", h.say(r.Channel, r.Err.Error())
		}
		out.Results[i] = rs
	}
	return out
}

// link is link, the post's URL in channel's receipt, as the bridge
// answers and logs it: with the configuration's secrets hidden (say) and
// without credentials of its own (credvalue.Link), which a platform's
// answer may carry. Alertmanager logs the answer to a notification that
// failed.
func (h *handler) link(channel, link string) string {
	return credvalue.Link(h.say(channel, link))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
