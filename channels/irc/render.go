package irc

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/templates"
)

// render returns the lines of u for the conservative line budget: those of
// Preview.
func (c *Channel) render(u broadcast.Update) ([]string, error) {
	return c.s.lines(u, c.s.budget)
}

// estimate returns how many lines Send will post for u to each channel,
// before it connects, for the pacing check: as many as with the
// conservative budget or, when u does not fit that (a long URL), with the
// shortest prefix the server could give. A text that does not fit even that
// fails here, permanently, before connecting; one that does may still fail
// once the server has shown the prefix, before anything is posted.
func (c *Channel) estimate(u broadcast.Update) (int, error) {
	lines, err := c.render(u)
	var fe *fitError
	if errors.As(err, &fe) {
		lines, err = c.s.lines(u, c.s.bestBudget)
		if errors.As(err, &fe) {
			fe.atMost = true
		}
	}
	return len(lines), err
}

// lines returns the lines Send posts for u to each channel: the override
// or the template, shortened to at most MaxLines lines of at most budget
// bytes, the URL kept whole. Another link of the text longer than a line
// (one in the body or an override) is left out whole by the shortening,
// as a broken link would be posted otherwise. It fails permanently, with
// a *fitError, when that cannot be done: Update.URL longer than a line, or
// lines too few for the status line, the next update time and the URL (the
// templates' shortest form; anything shorter would leave out the URL or say
// nothing of the status), or for a URL an override holds. An Update.URL the Broadcaster
// would refuse (textsafe.CheckURL) fails permanently too.
func (s *settings) lines(u broadcast.Update, budget int) ([]string, error) {
	if err := textsafe.CheckURL(u.URL, "the lines show it to everyone in the channels"); err != nil {
		return nil, broadcast.Permanent(fmt.Errorf("irc: render: %w", err))
	}
	if _, cut := split(u.URL, budget, u.URL); cut > 0 {
		// The update is never posted without its URL, nor with it cut.
		return nil, broadcast.Permanent(&fitError{why: fmt.Sprintf("a URL of %d bytes cannot be kept whole", cut),
			budget: budget})
	}
	count := func(text string) int {
		lines, cut := split(text, budget, u.URL)
		if cut > 0 {
			// Another link longer than a line (one in the body, say)
			// would be cut in two: the text does not fit, and is
			// shortened until that link is left out whole.
			return s.maxLines + 1
		}
		return len(lines)
	}
	text, err := s.templates.Text(s.name, s.template, u, s.maxLines, count)
	switch {
	case errors.Is(err, templates.ErrTooLong):
		return nil, broadcast.Permanent(&fitError{why: "the status, the URL and any next update time need more room, " +
			"even with the title and the body cut", lines: s.maxLines, budget: budget, err: err})
	case err != nil:
		return nil, broadcast.Permanent(fmt.Errorf("irc: render: %w", err))
	}
	lines, cutURL := split(text, budget, u.URL)
	if cutURL > 0 {
		// A link cut in two is a broken link: refuse before posting anything.
		return nil, broadcast.Permanent(&fitError{why: fmt.Sprintf("a URL of %d bytes cannot be kept whole", cutURL),
			budget: budget})
	}
	if len(lines) == 0 {
		return nil, broadcast.Permanent(errors.New("irc: render: the text is empty"))
	}
	lines = lines[:min(len(lines), s.maxLines)]
	if u.URL != "" && !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, u.URL) }) &&
		s.holdsURL(u) {
		return nil, broadcast.Permanent(&fitError{why: fmt.Sprintf("the URL (%d bytes) would be left out", len(u.URL)),
			lines: s.maxLines, budget: budget})
	}
	return lines, nil
}

// holdsURL reports whether the text for u, not shortened, holds its URL:
// then the lines posted must hold it too.
func (s *settings) holdsURL(u broadcast.Update) bool {
	full, err := s.templates.Text(s.name, s.template, u, 0, nil)
	return err == nil && strings.Contains(full, u.URL)
}

// fitError is the error of a text that cannot be posted whole in the lines
// allowed: it would lose its URL, or its status.
type fitError struct {
	why    string // what does not fit
	lines  int    // the lines allowed (Config.MaxLines); 0: the text does not fit one line
	budget int    // bytes of text a line may carry
	atMost bool   // budget is for the shortest prefix a server could give, not yet the real one
	err    error  // the templates' error, if any
}

func (e *fitError) Error() string {
	room := fmt.Sprintf("%d bytes", e.budget)
	if e.atMost {
		room = fmt.Sprintf("at most %d bytes (with the shortest prefix a server could give)", e.budget)
	}
	if e.lines == 0 {
		return fmt.Sprintf("irc: render: %s: one line has room for %s of text (512 bytes less the prefix "+
			"the server adds when it relays the line, the command and the longest channel name); use a shorter URL",
			e.why, room)
	}
	return fmt.Sprintf("irc: render: %s: Config.MaxLines allows %d %s of %s; raise Config.MaxLines or use a shorter URL",
		e.why, e.lines, plural(e.lines, "line", "lines"), room)
}

func (e *fitError) Unwrap() error { return e.err }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
