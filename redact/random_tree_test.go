package redact_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

var treeSeeds = flag.Int("tree-seeds", 300, "seeds of TestRandomErrorTreesHoldNoSecret")

// treeSecret is the secret the random trees hide; token-like, so that
// every form of it is looked for.
const treeSecret = "Zq8vK2mW9xR4tL7p"

// secretForms are forms of treeSecret a text must not hold.
func secretForms() []string {
	return []string{treeSecret, strings.ToUpper(treeSecret), strings.ToLower(treeSecret),
		base64.StdEncoding.EncodeToString([]byte(treeSecret)), url.QueryEscape("/" + treeSecret)[3:],
		hex.EncodeToString([]byte(treeSecret))}
}

// fmtErr is an error whose Error() is msg and whose Format prints more
// under one verb (with its flag): a %+v with details, say.
type fmtErr struct {
	msg, more string
	verb      string // as "%+v", "%d"
}

func (e *fmtErr) Error() string { return e.msg }

func (e *fmtErr) Format(f fmt.State, verb rune) {
	if fmt.FormatString(f, verb) == e.verb {
		fmt.Fprintf(f, "%s (%s)", e.msg, e.more)
		return
	}
	fmt.Fprint(f, e.msg)
}

// multiErr is a join of its own: Unwrap() []error, its text the parts' with "; ".
type multiErr []error

func (m multiErr) Error() string {
	var s []string
	for _, e := range m {
		s = append(s, e.Error())
	}
	return strings.Join(s, "; ")
}

func (m multiErr) Unwrap() []error { return m }

// asTargets finds te by an As method, as the Broadcaster's Retract error does.
type asTargets struct {
	msg string
	te  *broadcast.TargetsError
}

func (e *asTargets) Error() string { return e.msg + ": " + e.te.Error() }

func (e *asTargets) As(target any) bool {
	if t, ok := target.(**broadcast.TargetsError); ok {
		*t = e.te
		return true
	}
	return false
}

// treeGen builds random error trees with treeSecret in random places;
// with nils, also errors whose methods panic (see badTree).
type treeGen struct {
	rnd  *rand.Rand
	nils bool
}

// text returns a short text that holds a form of the secret, or not.
func (g treeGen) text() string {
	words := []string{"refused", "post", "read: reset", "429", "hook"}
	w := words[g.rnd.IntN(len(words))]
	if g.rnd.IntN(3) > 0 {
		return w
	}
	forms := secretForms()
	return w + " " + forms[g.rnd.IntN(len(forms))]
}

// split returns the secret cut in two, both halves non-empty.
func (g treeGen) split() (string, string) {
	k := 1 + g.rnd.IntN(len(treeSecret)-1)
	return treeSecret[:k], treeSecret[k:]
}

func (g treeGen) err(depth int) error {
	if g.nils && g.rnd.IntN(5) == 0 {
		return g.badTree(depth)
	}
	n := 3
	if depth > 0 {
		n = 11
	}
	switch g.rnd.IntN(n) {
	case 0:
		return errors.New(g.text())
	case 1:
		verbs := []string{"%v", "%+v", "%#v", "%q", "%s", "%d", "%x"}
		return &fmtErr{msg: g.text(), more: treeSecret, verb: verbs[g.rnd.IntN(len(verbs))]}
	case 2:
		return fmt.Errorf("%s: %w", g.text(), context.DeadlineExceeded)
	case 3:
		return fmt.Errorf("%s: %w", g.text(), g.err(depth-1))
	case 4: // a secret split across a wrapper and its part
		a, b := g.split()
		return fmt.Errorf("x %s%w", a, fmt.Errorf("%s y: %w", b, g.err(depth-1)))
	case 5:
		return errors.Join(g.parts(depth)...)
	case 6:
		return multiErr(g.parts(depth))
	case 7, 8:
		te := g.targets(depth)
		if g.rnd.IntN(3) == 0 {
			return &asTargets{msg: g.text(), te: te}
		}
		return te
	case 9:
		err := g.err(depth - 1)
		switch g.rnd.IntN(3) {
		case 0:
			return broadcast.Permanent(err)
		case 1:
			return broadcast.RetryAfter(err, time.Duration(1+g.rnd.IntN(9))*time.Second)
		}
		return broadcast.Uncertain(err)
	default: // a secret split across two parts of a join
		a, b := g.split()
		return errors.Join(fmt.Errorf("p %s", a), fmt.Errorf("%s q", b))
	}
}

func (g treeGen) parts(depth int) []error {
	ps := make([]error, 1+g.rnd.IntN(3))
	for i := range ps {
		ps[i] = g.err(depth - 1)
	}
	return ps
}

func (g treeGen) targets(depth int) *broadcast.TargetsError {
	te := &broadcast.TargetsError{Total: g.rnd.IntN(6)}
	for i := range 1 + g.rnd.IntN(3) {
		name := fmt.Sprintf("t%d", i)
		if g.rnd.IntN(8) == 0 {
			name += "-" + treeSecret
		}
		f := broadcast.TargetFailure{Target: name, Err: g.err(depth - 1)}
		if g.rnd.IntN(2) == 0 {
			te.Pending = append(te.Pending, f)
		} else {
			te.Failures = append(te.Failures, f)
		}
	}
	return te
}

// reachable returns every error reachable from err by errors.Unwrap,
// Unwrap() []error, and errors.As into *broadcast.TargetsError (and its
// targets' errors).
func reachable(err error) []error {
	var out []error
	var walk func(e error, depth int)
	walk = func(e error, depth int) {
		if e == nil || depth > 50 {
			return
		}
		out = append(out, e)
		if u := errors.Unwrap(e); u != nil {
			walk(u, depth+1)
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, p := range j.Unwrap() {
				walk(p, depth+1)
			}
		}
		var te *broadcast.TargetsError
		if errors.As(e, &te) && te != e {
			walk(te, depth+1)
		}
		if te, ok := e.(*broadcast.TargetsError); ok {
			for _, l := range [][]broadcast.TargetFailure{te.Pending, te.Failures} {
				for _, f := range l {
					walk(f.Err, depth+1)
				}
			}
		}
	}
	walk(err, 0)
	return out
}

// No error reachable from a redacted error prints the secret, in any form,
// under any verb, whatever tree of joins, TargetsErrors, wrappers, Format
// methods and marks held it where; and the redacted error keeps the
// original's marks and matches what it matched.
func TestRandomErrorTreesHoldNoSecret(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(treeSecret))
	forms := secretForms()
	for seed := range uint64(*treeSeeds) {
		g := treeGen{rnd: rand.New(rand.NewPCG(seed, 48))}
		orig := g.err(4)
		red := r.Error(orig)
		if !r.Holds(orig.Error()) {
			continue // its text holds no secret: returned as it is, as documented
		}
		for _, e := range reachable(red) {
			for _, verb := range []string{"%v", "%+v", "%#v", "%q", "%s", "%d", "%x"} {
				s := fmt.Sprintf(verb, e)
				for _, f := range forms {
					if strings.Contains(s, f) {
						t.Fatalf("seed %d: %s of a %T reached from the redacted error holds %q: %s\noriginal: %+v",
							seed, verb, e, f, s, orig)
					}
				}
				if r.Holds(s) {
					t.Fatalf("seed %d: %s of a %T reached from the redacted error holds a secret: %s", seed, verb, e, s)
				}
			}
		}
		if broadcast.IsPermanent(red) != broadcast.IsPermanent(orig) {
			t.Fatalf("seed %d: IsPermanent %v, original's %v: %+v", seed, broadcast.IsPermanent(red), broadcast.IsPermanent(orig), orig)
		}
		rd, rok := broadcast.RetryDelay(red)
		od, ook := broadcast.RetryDelay(orig)
		if rd != od || rok != ook {
			t.Fatalf("seed %d: RetryDelay %v %v, original's %v %v: %+v", seed, rd, rok, od, ook, orig)
		}
		// MarkAs's rule: Uncertain as the original is, or also for an
		// outcome unknown in part.
		if want := broadcast.IsUncertain(broadcast.MarkAs(errors.New("flat"), orig)); broadcast.IsUncertain(red) != want {
			t.Fatalf("seed %d: IsUncertain %v, want %v: %+v", seed, !want, want, orig)
		}
		// The TargetsError a Fanout's error is, or wraps, keeps every
		// target's outcome: the Broadcaster records each by it.
		if te := chainTargets(orig); te != nil {
			got, ok := errors.AsType[*broadcast.TargetsError](red)
			if !ok {
				t.Fatalf("seed %d: errors.As finds no TargetsError in the redacted error: %+v", seed, orig)
			}
			if want, have := targetOutcomes(te), targetOutcomes(got); !slices.Equal(want, have) {
				t.Fatalf("seed %d: targets' outcomes\n%q, the original's\n%q: %+v", seed, have, want, orig)
			}
		}
		// (The copy of a TargetsError that an As method alone hands out,
		// not its chain, matches what its targets' errors match, which the
		// original may not.)
		if errors.Is(orig, context.DeadlineExceeded) && !errors.Is(red, context.DeadlineExceeded) {
			t.Fatalf("seed %d: errors.Is(DeadlineExceeded) false: %+v", seed, orig)
		}
	}
}

// chainTargets returns the *broadcast.TargetsError that errors.As finds
// in err through its chain of Unwrap() error alone (no join before it),
// as a channel's Fanout error is, or wraps, one; nil when there is none.
func chainTargets(err error) *broadcast.TargetsError {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, join := e.(interface{ Unwrap() []error }); join {
			return nil
		}
		if te, ok := e.(*broadcast.TargetsError); ok {
			return te
		}
		if a, ok := e.(interface{ As(any) bool }); ok {
			if te := (*broadcast.TargetsError)(nil); a.As(&te) {
				return te
			}
		}
	}
	return nil
}

// targetOutcomes returns what te says of each target, as the
// Broadcaster reads it: its name, pending or failed, whether its error is
// Permanent, asks to wait (and how long), is Uncertain (a pending
// target's as broadcast.MarkAs marks it, for an outcome unknown in
// part); and te's Total. (What its error matches with errors.Is may grow:
// see below.)
func targetOutcomes(te *broadcast.TargetsError) []string {
	out := []string{fmt.Sprint("total ", te.Total)}
	for _, l := range []struct {
		kind string
		list []broadcast.TargetFailure
	}{{"pending", te.Pending}, {"failed", te.Failures}} {
		for _, f := range l.list {
			uncertain := broadcast.IsUncertain(f.Err)
			if l.kind == "pending" {
				uncertain = broadcast.IsUncertain(broadcast.MarkAs(errors.New("flat"), f.Err))
			}
			d, wait := broadcast.RetryDelay(f.Err)
			out = append(out, fmt.Sprintf("%s %s permanent=%v wait=%v %v uncertain=%v", l.kind, f.Target,
				broadcast.IsPermanent(f.Err), wait, d, uncertain))
		}
	}
	return out
}
