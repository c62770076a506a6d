package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode"

	"github.com/outagecast/outagecast/internal/bearer"
)

// basicAuthEnv names the variable holding the user names and passwords
// POST /alerts accepts with HTTP basic authentication (Alertmanager's
// http_config.basic_auth).
const basicAuthEnv = "OUTAGECAST_BRIDGE_BASIC_AUTH"

// realm is the WWW-Authenticate realm of POST /alerts.
const realm = "alertmanager-bridge"

// basicAuth holds the user:password pairs POST /alerts accepts, only as
// digests, as package bearer keeps tokens.
type basicAuth struct {
	set bearer.Digests
}

// parseBasicAuth reads v, the value of the variable name: one or more
// user:password pairs separated by commas or white space (so that a new
// password can be added before the old one is removed), each password at
// least bearer.MinLength characters. Errors name the variable and an entry
// by its position, never by its value.
func parseBasicAuth(name, v string) (*basicAuth, error) {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	if len(fields) == 0 {
		return nil, fmt.Errorf("%s: not set: give at least one user:password", name)
	}
	b := &basicAuth{}
	for i, f := range fields {
		user, pass, ok := strings.Cut(f, ":")
		var problem string
		switch {
		case !ok:
			problem = "want user:password"
		case user == "":
			problem = "user name missing"
		case len([]rune(pass)) < bearer.MinLength:
			problem = fmt.Sprintf("password shorter than %d characters", bearer.MinLength)
		case strings.ContainsFunc(f, unicode.IsControl):
			problem = "control character: Alertmanager cannot send it"
		}
		if problem != "" {
			return nil, fmt.Errorf("%s: entry %d of %d: %s", name, i+1, len(fields), problem)
		}
		b.set.Add(f)
	}
	return b, nil
}

// valid reports, in constant time, whether r carries one of the pairs.
func (b *basicAuth) valid(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	return b.set.Match(user+":"+pass) && ok
}

// Errors of a request refused for its basic credentials.
var (
	errBasicMissing = errors.New("missing credentials: send basic authentication (Alertmanager: http_config.basic_auth)")
	errBasicInvalid = errors.New("invalid user name or password")
)

// guard serves next the requests that carry one of the bearer tokens or
// basic credentials, when there are any, before it reads anything of
// them; it answers the others 401 with a challenge for each scheme the
// bridge accepts (RFC 6750 for bearer, RFC 7617 for basic), and closes
// their connections without reading their bodies.
func (h *handler) guard(next http.Handler) http.Handler {
	if h.tokens == nil && h.basic == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h.authorize(r)
		if err == nil {
			next.ServeHTTP(w, r)
			return
		}
		if h.tokens != nil {
			c := fmt.Sprintf("Bearer realm=%q", realm)
			if err == bearer.ErrInvalid {
				c += `, error="invalid_token"`
			}
			w.Header().Add("WWW-Authenticate", c)
		}
		if h.basic != nil {
			w.Header().Add("WWW-Authenticate", fmt.Sprintf(`Basic realm=%q, charset="UTF-8"`, realm))
		}
		h.log.Warn("refused notification", slog.String("error", err.Error()))
		// Answered before its body is read, and the connection closed,
		// by the server's serverlimits.CloseRefused.
		http.Error(w, err.Error(), http.StatusUnauthorized)
	})
}

// authorize checks the request's credentials by the scheme it uses.
func (h *handler) authorize(r *http.Request) error {
	scheme, _, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	switch {
	case h.basic != nil && strings.EqualFold(scheme, "Basic"):
		if !h.basic.valid(r) {
			return errBasicInvalid
		}
		return nil
	case h.tokens != nil:
		return h.tokens.Check(r)
	}
	return errBasicMissing
}
