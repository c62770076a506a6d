package templates

import (
	"errors"
	"fmt"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
)

// ErrTooLong is wrapped by the error of RenderFit and Text when even the
// shortest form of an update does not fit the limit.
var ErrTooLong = errors.New("templates: text too long")

// RenderFit renders the template name for u (see Render) so that the result
// measures at most limit in m (nil m: Runes; limit <= 0: no limit). It does
// not modify u.
//
// When the full text is too long, RenderFit shortens, in order: the Body
// (cut with an Ellipsis, at a word end where possible, down to nothing); the
// Components (dropped, then the Body tried in full and shortened again); the
// Advice (cut the same way, down to nothing, only once no Body is left); the
// Title (cut down to a lone Ellipsis). The status line's headline and
// correction marker, the "Next update by" line and the URL are never
// shortened. Every cut falls between grapheme clusters.
//
// If even the shortest form is too long (a tiny limit, or a URL longer than
// the limit), RenderFit returns that form cut with Shorten, which still
// respects the limit but may lose the end of the text or the URL, together
// with an error wrapping ErrTooLong. Callers with a hard limit should treat
// that error as permanent.
func (s *Set) RenderFit(name string, u broadcast.Update, limit int, m Measure) (string, error) {
	e, err := s.lookup(name, u.Status)
	if err != nil {
		return "", err
	}
	if m == nil {
		m = Runes
	}
	full, err := e.render(u)
	if err != nil || limit <= 0 || m(full) <= limit {
		return full, err
	}
	f := &fitter{e: e, limit: limit, m: m}
	if out, ok := f.body(u); ok {
		return out, f.err
	}
	v := u
	v.Components = nil
	if out, ok := f.whole(v); ok {
		return out, f.err
	}
	if out, ok := f.body(v); ok {
		return out, f.err
	}
	v.Body = ""
	if out, ok := f.advice(v); ok {
		return out, f.err
	}
	v.Advice = ""
	if out, ok := f.title(v); ok {
		return out, f.err
	}
	v.Title = Ellipsis
	shortest, err := e.render(v)
	if err != nil {
		return "", err
	}
	return Shorten(shortest, limit, m), fmt.Errorf("%w: %s: the shortest form measures %d, the limit is %d",
		ErrTooLong, name, m(shortest), limit)
}

// Text is the text channel sends for u: u.Overrides[channel] when it is set
// and not blank (tidied like the output of the template name, so one line
// for "short", and cut with Shorten if it is too long), else
// RenderFit(name, u, limit, m). The name must exist either way.
func (s *Set) Text(channel, name string, u broadcast.Update, limit int, m Measure) (string, error) {
	o := u.Overrides[channel]
	if strings.TrimSpace(o) == "" {
		return s.RenderFit(name, u, limit, m)
	}
	e, err := s.lookup(name, u.Status)
	if err != nil {
		return "", err
	}
	return Shorten(normalize([]byte(o), e.single), limit, m), nil
}

// fitter searches the longest variant of an update whose rendering fits.
type fitter struct {
	e     *entry
	limit int
	m     Measure
	err   error // the first render error; variants that fail count as too long
}

func (f *fitter) render(u broadcast.Update) (string, bool) {
	out, err := f.e.render(u)
	if err != nil {
		if f.err == nil {
			f.err = err
		}
		return "", false
	}
	return out, f.m(out) <= f.limit
}

func (f *fitter) whole(u broadcast.Update) (string, bool) {
	return f.render(u)
}

// body keeps as much of u.Body as fits; none at all counts as a fit.
func (f *fitter) body(u broadcast.Update) (string, bool) {
	c := newCutter(u.Body)
	return f.search(c, func(i int) broadcast.Update {
		u.Body = ""
		if i > 0 {
			u.Body = c.head(i, Ellipsis)
		}
		return u
	})
}

// advice keeps as much of u.Advice as fits; none at all counts as a fit.
func (f *fitter) advice(u broadcast.Update) (string, bool) {
	c := newCutter(u.Advice)
	return f.search(c, func(i int) broadcast.Update {
		u.Advice = ""
		if i > 0 {
			u.Advice = c.head(i, Ellipsis)
		}
		return u
	})
}

// title keeps as much of u.Title as fits, at least an Ellipsis.
func (f *fitter) title(u broadcast.Update) (string, bool) {
	c := newCutter(oneLine(u.Title))
	return f.search(c, func(i int) broadcast.Update {
		u.Title = c.head(i, Ellipsis)
		return u
	})
}

func (f *fitter) search(c *cutter, variant func(i int) broadcast.Update) (string, bool) {
	if len(c.cuts) == 0 {
		return "", false
	}
	return c.fit(func(i int) (string, bool) { return f.render(variant(i)) })
}
