package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/templates"
)

// limits are an instance's limits on a status, from GET /api/v2/instance.
type limits struct {
	MaxCharacters    int // configuration.statuses.max_characters
	CharactersPerURL int // configuration.statuses.characters_reserved_per_url
	// CodePoints is an instance that counts a status in code points with
	// every URL whole, whatever characters_reserved_per_url it reports:
	// GoToSocial (its validateStatusContent).
	CodePoints bool
}

// measure returns how the instance counts a status's length.
func (l limits) measure() templates.Measure {
	if l.CodePoints {
		return templates.Runes
	}
	return Measure(l.CharactersPerURL)
}

// unit names what the instance counts, for a Preview.
func (l limits) unit() string {
	if l.CodePoints {
		return "characters (Unicode code points; a URL counts whole)"
	}
	return fmt.Sprintf("characters (a URL counts %d)", l.CharactersPerURL)
}

// defaultLimits are Mastodon's defaults, used until the instance's limits
// are read and whenever they cannot be.
var defaultLimits = limits{MaxCharacters: DefaultMaxCharacters, CharactersPerURL: DefaultCharactersPerURL}

// limitCache reads an instance's limits once. A read that fails for good
// (the instance answered, but not with its limits: an older version, a
// fork) is cached as the defaults; one that fails for now (a network
// error, 429, 5xx, a done context) gives the defaults for this attempt and
// is tried again by the next. One that another server answered (errNotInstance)
// is the caller's error, and tried again by the next. Only one read runs
// at a time; a caller whose context ends while it waits gets the defaults.
type limitCache struct {
	sem  chan struct{} // holds one token while a read runs
	mu   sync.Mutex
	got  limits
	read bool // got is final
}

func newLimitCache() *limitCache { return &limitCache{sem: make(chan struct{}, 1)} }

// cached returns the limits read so far, or the defaults, without I/O.
func (l *limitCache) cached() limits {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.read {
		return l.got
	}
	return defaultLimits
}

// get returns the instance's limits, reading them with fetch when they are
// not known yet. Its error is fetch's when another server answered
// (errNotInstance).
func (l *limitCache) get(ctx context.Context, fetch func(context.Context) (limits, bool, error)) (limits, error) {
	if lim, ok := l.known(); ok {
		return lim, nil
	}
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return defaultLimits, nil
	}
	defer func() { <-l.sem }()
	if lim, ok := l.known(); ok { // read by the caller we waited for
		return lim, nil
	}
	lim, final, err := fetch(ctx)
	switch {
	case errors.Is(err, errNotInstance):
		return limits{}, err
	case err != nil:
		lim = defaultLimits
	}
	if final {
		l.mu.Lock()
		l.got, l.read = lim, true
		l.mu.Unlock()
	}
	return lim, nil
}

func (l *limitCache) known() (limits, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.got, l.read
}

// fetchLimits reads GET /api/v2/instance. final reports an answer worth
// caching: the limits, or an answer of the instance that will not change
// on a retry (any 4xx but 408, 425 and 429, or a 2xx without limits). An
// answer that is not the instance's (httpx.Foreign: a redirect, a 404 page
// without Mastodon's error entity; a 2xx that is not JSON) is the
// Permanent error wrapping errNotInstance: the post would go to the same
// server.
func (c *Channel) fetchLimits(ctx context.Context) (limits, bool, error) {
	resp, err := c.do(ctx, http.MethodGet, "/api/v2/instance", nil, "")
	if err != nil {
		return limits{}, false, err
	}
	if httpx.NotJSON(resp) {
		return limits{}, false, c.notInstance(opLimits, resp)
	}
	if resp.Status >= 200 && resp.Status <= 299 {
		lim, ok := parseLimits(resp.Body)
		if !ok {
			return defaultLimits, true, nil
		}
		return lim, true, nil
	}
	if _, foreign := httpx.Foreign(resp, apiMessage(resp.Body) != ""); foreign {
		return limits{}, false, c.s.redactor.Error(c.classify(opLimits, resp))
	}
	if httpx.Transient(resp.Status) {
		return limits{}, false, errInstance
	}
	return defaultLimits, true, nil
}
