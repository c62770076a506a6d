package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/bearer"
)

// defaultMaxBody bounds a notification unless -max-body says otherwise.
// Alertmanager sends every alert of a group unless max_alerts is set, at
// 1 to 2 KiB each: 32 MiB holds some 20,000.
const defaultMaxBody = 32 << 20

// maxMaxBody bounds -max-body: a notification is held in memory while it
// is broadcast.
const maxMaxBody = 1 << 30

// handler receives notifications and broadcasts them.
type handler struct {
	b       *broadcast.Broadcaster
	m       mapping
	timeout time.Duration // per notification; 0: none
	log     *slog.Logger  // never nil
	// say returns msg, an error of channel ("" for none), as users may see
	// it: configuration secrets hidden and, with a configuration file,
	// settings named by the file's keys.
	say func(channel, msg string) string
	// describe says what a channel is configured with, without secrets.
	describe func(channel string) string
	groups   stripes        // one notification of a group at a time
	tokens   *bearer.Tokens // nil: POST /alerts takes any request
	maxBody  int64          // bytes a notification may have, whole MiB; 0: defaultMaxBody
}

// stripes serializes the notifications of one alert group: two
// Alertmanagers of a high-availability pair may send the same notification
// at once, and the second must find the first's deliveries in the Store
// rather than race it. Groups share a stripe by hash, so memory is bounded.
type stripes [64]sync.Mutex

func (s *stripes) lock(key string) func() {
	h := fnv.New32a()
	h.Write([]byte(key))
	m := &s[h.Sum32()%uint32(len(s))]
	m.Lock()
	return m.Unlock
}

// routes returns the bridge's endpoints: POST /alerts, behind the bearer
// tokens when there are any, and GET /healthz.
func (h *handler) routes() http.Handler {
	mux := http.NewServeMux()
	alerts := http.Handler(http.HandlerFunc(h.alerts))
	if h.tokens != nil {
		alerts = h.tokens.Require("alertmanager-bridge", alerts, func(w http.ResponseWriter, err error) {
			h.log.Warn("refused notification", slog.String("error", err.Error()))
			http.Error(w, err.Error(), http.StatusUnauthorized)
		})
	}
	mux.Handle("POST /alerts", alerts)
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
}

type resultStatus struct {
	Channel  string `json:"channel"`
	Outcome  string `json:"outcome"` // delivered, skipped, superseded, not selected, failed
	Attempts int    `json:"attempts"`
	URL      string `json:"url,omitempty"`
	Error    string `json:"error,omitempty"`
}

// alerts handles one notification: 200 when every channel delivered it (or
// had already), 400 for a payload that cannot be used, 413 when too large,
// 500 when a channel failed, so that Alertmanager retries; the channels
// that delivered are skipped on the retry.
func (h *handler) alerts(w http.ResponseWriter, r *http.Request) {
	limit := h.maxBody
	if limit <= 0 {
		limit = defaultMaxBody
	}
	p, err := decodePayload(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
			// Alertmanager does not retry a 4xx, and a retry would be as
			// large: say loudly, on both sides, what to change.
			msg := fmt.Sprintf("notification refused, nothing posted: larger than the bridge's limit of %d MiB: "+
				"raise the bridge's -max-body, or set max_alerts in Alertmanager's webhook_config", limit>>20)
			h.log.Error(msg, slog.Int64("content_length", r.ContentLength))
			http.Error(w, msg, http.StatusRequestEntityTooLarge)
			return
		}
		h.log.Warn("rejected notification", slog.String("error", err.Error()))
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	u := h.m.update(p)
	if err := u.Validate(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if h.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.timeout)
		defer cancel()
	}
	unlock := h.groups.lock(u.IncidentID)
	rep, err := h.b.Send(ctx, u)
	unlock()
	if rep == nil {
		msg := h.say("", err.Error())
		h.log.Error("send", slog.String("error", msg))
		http.Error(w, msg, http.StatusInternalServerError)
		return
	}
	code := http.StatusOK
	if err != nil {
		code = http.StatusInternalServerError
	}
	h.log.Info("notification", slog.String("group", p.GroupKey), slog.String("status", p.Status),
		slog.String("incident", rep.IncidentID), slog.String("update", rep.UpdateID), slog.Int("code", code))
	writeJSON(w, code, h.response(u, rep))
}

func (h *handler) response(u broadcast.Update, rep *broadcast.Report) response {
	out := response{UpdateID: rep.UpdateID, IncidentID: rep.IncidentID, Status: string(u.Status),
		Results: make([]resultStatus, len(rep.Results))}
	for i, r := range rep.Results {
		rs := resultStatus{Channel: r.Channel, Outcome: "delivered", Attempts: r.Attempts, URL: r.Receipt.URL}
		switch {
		case r.Skipped:
			rs.Outcome = "skipped"
		case r.Superseded:
			rs.Outcome = "superseded"
		case r.NotSelected:
			rs.Outcome = "not selected"
		case r.Err != nil:
			rs.Outcome, rs.Error = "failed", h.say(r.Channel, r.Err.Error())
		}
		out.Results[i] = rs
	}
	return out
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
