package main

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// route is one endpoint of the server. The mux is built from routes()
// alone, so that the OpenAPI test sees every route it serves.
type route struct {
	pattern string // http.ServeMux pattern: "METHOD /path/{wildcard}"
	public  bool   // served without a bearer token
	handle  http.HandlerFunc
	// query are the query parameters it takes; any other is refused (see
	// onlyQuery).
	query []string
}

func (a *api) routes() []route {
	return []route{
		{"POST /v1/updates", false, a.postUpdate, nil},
		{"GET /v1/updates/{id}", false, a.getUpdate, []string{"wait"}},
		{"POST /v1/updates/{id}/correct", false, a.correct, nil},
		{"POST /v1/updates/{id}/retract", false, a.retract, nil},
		{"GET /healthz", true, a.healthz, nil},
		{"GET /readyz", true, a.readyz, nil},
		{"GET /metrics", true, a.metrics.ServeHTTP, nil},
		{"GET /openapi.yaml", true, serveOpenAPIYAML, nil},
		{"GET /openapi.json", true, serveOpenAPIJSON, nil},
	}
}

// handler returns the server's handler: the routes, the API's behind the
// bearer tokens, those that queue updates (POST) behind the rate limits
// too, each refusing a query parameter it does not take, every request
// logged.
func (a *api) handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		h := onlyQuery(rt.query, rt.handle)
		if strings.HasPrefix(rt.pattern, http.MethodPost+" ") {
			h = a.limitUpdates(h)
		}
		if !rt.public {
			h = requireToken(a.tokens, h)
		}
		mux.Handle(rt.pattern, h)
	}
	return a.logRequests(problems(mux))
}

// onlyQuery serves next when r's query holds only parameters of takes,
// each once, and answers 400 naming the others, every one, and those
// given twice: a misspelt parameter
// (?dryrun=1 for a dry_run) ignored would do what the client did not ask.
func onlyQuery(takes []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			writeProblem(w, http.StatusBadRequest, "", "the query is malformed (a bad %-escape, or a semicolon): "+
				"want name=value pairs separated by &")
			return
		}
		say := "this endpoint takes none"
		if len(takes) > 0 {
			say = "this endpoint takes " + strings.Join(takes, ", ")
		}
		var bad []*inputError
		for _, name := range slices.Sorted(maps.Keys(q)) {
			switch {
			case !slices.Contains(takes, name):
				bad = append(bad, &inputError{field: cut(name), msg: "unknown query parameter; " + say})
			case len(q[name]) > 1: // which one counts would be a guess
				bad = append(bad, &inputError{field: name, msg: "query parameter given twice; give it once"})
			}
		}
		if bad := joinErrors(bad); bad != nil {
			writeInputProblem(w, http.StatusBadRequest, bad)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// problems serves mux, answering the requests no route takes (the mux's
// own plain-text 404 and 405) with problem documents, as every other error.
func problems(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			w = &problemWriter{ResponseWriter: w}
		}
		mux.ServeHTTP(w, r)
	})
}

// problemWriter replaces a 404 or 405 answer with a problem document,
// keeping its headers (Allow).
type problemWriter struct {
	http.ResponseWriter
	replaced bool
}

func (w *problemWriter) WriteHeader(code int) {
	switch code {
	case http.StatusNotFound:
		w.replaced = true
		writeProblem(w.ResponseWriter, code, "", "no such endpoint; the API is described at /openapi.yaml")
	case http.StatusMethodNotAllowed:
		w.replaced = true
		writeProblem(w.ResponseWriter, code, "", "this endpoint takes "+w.Header().Get("Allow"))
	default:
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *problemWriter) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil // the mux's text, replaced
	}
	return w.ResponseWriter.Write(b)
}

// logRequests logs each request's method, route, status and duration;
// never its headers (they carry the token) nor its body. Probes and
// scrapes that succeed are logged at debug level only.
func (a *api) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		level := slog.LevelInfo
		if sw.status < 300 && r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/v1/") {
			level = slog.LevelDebug
		}
		a.log.Log(r.Context(), level, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)))
	})
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// healthz is the liveness probe: the process serves.
func (a *api) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, health{Status: "ok"})
}

// health is the answer of the probes. Checks say "ok" or what is wrong,
// without detail: the probes need no token, so the log has the errors.
type health struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// pingTimeout bounds the readiness probe's query.
const pingTimeout = 2 * time.Second

// readyz is the readiness probe: the database answers, this instance's
// workers run, and it is not shutting down (it fails from the moment a
// shutdown starts, so that load balancers stop sending requests).
func (a *api) readyz(w http.ResponseWriter, r *http.Request) {
	h := health{Status: "ok", Checks: map[string]string{"database": "ok", "workers": "ok"}}
	if !a.running.Load() {
		h.Status, h.Checks["workers"] = "unavailable", "not running"
	}
	ctx, cancel := context.WithTimeout(r.Context(), pingTimeout)
	defer cancel()
	if err := a.ping(ctx); err != nil {
		a.log.Warn("readiness: database", slog.String("error", a.hide(err.Error())))
		h.Status, h.Checks["database"] = "unavailable", "unreachable"
	}
	code := http.StatusOK
	if h.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, h)
}
