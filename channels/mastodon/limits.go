package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/templates"
)

// limits are an instance's limits on a status, from GET /api/v2/instance
// or, on a server without it, GET /api/v1/instance.
type limits struct {
	MaxCharacters    int // configuration.statuses.max_characters, or max_toot_chars
	CharactersPerURL int // configuration.statuses.characters_reserved_per_url
	Count            counting
	// TwoLetterLanguage says the server takes only a two-letter ISO 639-1
	// code as a status's language and refuses any other (Akkoma's
	// ActivityDraft, with 422 "Invalid language").
	TwoLetterLanguage bool
	// NoKeys says the server ignores Idempotency-Key (GoToSocial): a
	// retry finds the status an earlier attempt posted by looking for it.
	NoKeys bool
}

// language returns the language code to send for configured, which
// validLanguage accepted: configured itself, or, to a server that takes
// only a two-letter code, its primary subtag when that has two letters
// ("zh" of "zh-TW"), else none ("ast", which has no two-letter code):
// the instance then guesses, rather than refuse the status.
func (l limits) language(configured string) string {
	if !l.TwoLetterLanguage {
		return configured
	}
	if primary, _, _ := strings.Cut(configured, "-"); len(primary) == 2 {
		return primary
	}
	return ""
}

// counting is how a server counts a status's length.
type counting int

const (
	// countLinks is Mastodon's count: grapheme clusters, each link as
	// CharactersPerURL (Measure).
	countLinks counting = iota
	// countWhole is code points with every URL whole: GoToSocial's
	// (validateStatusContent), whatever characters_reserved_per_url it
	// reports, and an upper bound of Pleroma's and Akkoma's, which count
	// grapheme clusters, URLs whole (String.length).
	countWhole
	// countEither is the larger of the two, for a server that does not
	// say how it counts: a URL counts whole, and at least
	// CharactersPerURL.
	countEither
)

// measure returns how the instance counts a status's length.
func (l limits) measure() templates.Measure {
	switch l.Count {
	case countWhole:
		return templates.Runes
	case countEither:
		links := Measure(l.CharactersPerURL)
		return func(s string) int { return max(templates.Runes(s), links(s)) }
	}
	return Measure(l.CharactersPerURL)
}

// unit names what the instance counts, for a Preview.
func (l limits) unit() string {
	switch l.Count {
	case countWhole:
		return "characters (Unicode code points; a URL counts whole)"
	case countEither:
		return fmt.Sprintf("characters (Unicode code points, or with a URL counting %d, whichever is more)", l.CharactersPerURL)
	}
	return fmt.Sprintf("characters (a URL counts %d)", l.CharactersPerURL)
}

// defaultLimits are Mastodon's defaults, used until the instance's limits
// are read and whenever they cannot be.
var defaultLimits = limits{MaxCharacters: DefaultMaxCharacters, CharactersPerURL: DefaultCharactersPerURL}

// limitCache reads an instance's limits once. A read that found them, or
// found for good that they cannot be read (the instance answered both
// endpoints, but not with its limits: see fetchLimits), is kept for the
// Channel's life. A read that failed (a network error, 429, 5xx, another
// server's answer, a done context) is the caller's error, and tried again
// by the next caller: a status is never fitted to limits guessed because
// the instance could not be asked just now. Only one read runs at a time.
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
// not known yet. fetch's final reports limits worth keeping; its error is
// get's.
func (l *limitCache) get(ctx context.Context, fetch func(context.Context) (limits, bool, error)) (limits, error) {
	if lim, ok := l.known(); ok {
		return lim, nil
	}
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return limits{}, fmt.Errorf("mastodon: %s: %w", opLimits, ctx.Err())
	}
	defer func() { <-l.sem }()
	if lim, ok := l.known(); ok { // read by the caller we waited for
		return lim, nil
	}
	lim, final, err := fetch(ctx)
	if err != nil {
		return limits{}, err
	}
	if final {
		l.mu.Lock()
		l.got, l.read = lim, true
		l.mu.Unlock()
	}
	return lim, nil
}

// replace keeps lim, read anew, for the Channel's life.
func (l *limitCache) replace(lim limits) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got, l.read = lim, true
}

func (l *limitCache) known() (limits, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.got, l.read
}

// Paths of the instance's description: v2 since Mastodon 4.0, v1 before
// (and still on Pleroma, Akkoma and older GoToSocial).
const (
	instanceV2 = "/api/v2/instance"
	instanceV1 = "/api/v1/instance"
)

// fetchLimits reads the instance's limits from GET /api/v2/instance, or,
// when that answer does not hold them (an instance's own 4xx, such as
// Mastodon's 404 before 4.0, or a 2xx without them), from GET
// /api/v1/instance. When neither holds them, the limits are the
// defaults, final: the servers that allow more than 500 characters say so
// in one of the two (Mastodon since 3.4.2, glitch-soc, Pleroma, Akkoma,
// GoToSocial), and Mastodon before 3.4.2, which says nothing, allows 500.
// A read that fails for now (a network error, 408, 425, 429, 5xx) is a
// transient error, with the 429's wait; an answer that is not the
// instance's (httpx.Foreign: a redirect, a 404 page without Mastodon's
// error entity; a 2xx that is not JSON) is the Permanent error wrapping
// errNotInstance: the post would go to the same server.
func (c *Channel) fetchLimits(ctx context.Context) (limits, bool, error) {
	for _, path := range [...]string{instanceV2, instanceV1} {
		lim, found, err := c.readLimits(ctx, path)
		if err != nil || found {
			return lim, found, err
		}
	}
	return defaultLimits, true, nil
}

// limitsChanged returns err, the error of op, a status fitted to used that
// the instance refused (a 400 or 422 but for a reply to a status gone or
// an edit changing nothing), or, when the limits read anew now differ from
// used, a transient error saying so: the next attempt is fitted to the new
// ones, which are kept. A read that fails leaves err as it is; one that
// finds no limits reads the defaults, as the first read does.
func (c *Channel) limitsChanged(ctx context.Context, op string, used limits, err error) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest && apiErr.Status != http.StatusUnprocessableEntity ||
		errors.Is(err, errReplyGone) || errors.Is(err, errUnchanged) || errors.Is(err, errNotInstance) {
		return err
	}
	lim, _, rerr := c.fetchLimits(ctx)
	if rerr != nil || lim == used {
		return err
	}
	c.s.limits.replace(lim)
	return fmt.Errorf("mastodon: %s: refused, and the instance's limit is now %d %s, not %d %s as read before: %w",
		op, lim.MaxCharacters, lim.unit(), used.MaxCharacters, used.unit(), apiErr)
}

// editTooLong returns the error of an edit of text, fitted to used, that
// the instance answered with 500 (err), when the limits read anew now
// make text too long: Pleroma and Akkoma answer an edit over their limit
// with 500, not 422 (their StatusController.update maps every failure of
// CommonAPI.update to 500), which alone would be retried to the same
// answer. The new limits are kept, so that the next attempt is fitted to
// them, as after a post refused (see limitsChanged); the error, transient,
// says that the edit was too long and what the limit is. It returns nil
// for any other answer, when the limits cannot be read, and when text fits
// them: a 500 of the server's own, left as it is.
func (c *Channel) editTooLong(ctx context.Context, text string, used limits, err error) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusInternalServerError || errors.Is(err, errNotInstance) {
		return nil
	}
	lim, _, rerr := c.fetchLimits(ctx)
	if rerr != nil || lim == used {
		return nil
	}
	n := lim.measure()(text)
	if n <= lim.MaxCharacters {
		return nil
	}
	c.s.limits.replace(lim)
	return fmt.Errorf("mastodon: %s: the edit is too long: %d %s, and the instance's limit is now %d, not %d as read before: %w",
		opEdit, n, lim.unit(), lim.MaxCharacters, used.MaxCharacters, apiErr)
}

// readLimits reads the limits at path; found is false when the instance's
// answer does not hold them.
func (c *Channel) readLimits(ctx context.Context, path string) (lim limits, found bool, err error) {
	resp, err := c.do(ctx, http.MethodGet, path, nil, "")
	if err != nil {
		return limits{}, false, c.s.redactor.Error(fmt.Errorf("mastodon: %s: %w", opLimits, err))
	}
	if httpx.NotJSON(resp) {
		return limits{}, false, c.notInstance(opLimits, resp)
	}
	if resp.Status >= 200 && resp.Status <= 299 {
		lim, found = parseLimits(resp.Body)
		return lim, found, nil
	}
	_, foreign := httpx.Foreign(resp, apiMessage(resp.Body) != "")
	if foreign || httpx.Transient(resp.Status) {
		return limits{}, false, c.s.redactor.Error(c.classify(opLimits, resp))
	}
	return limits{}, false, nil
}
