package redact_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// badTree returns an error whose methods panic, or one that holds such an
// error beside the rest of a random tree: a typed nil, or a nil field its
// methods read.
func (g treeGen) badTree(depth int) error {
	sub := func() error {
		if depth > 0 {
			return g.err(depth - 1)
		}
		return errors.New(g.text())
	}
	switch g.rnd.IntN(10) {
	case 0:
		return (*net.OpError)(nil)
	case 1:
		return (*url.Error)(nil)
	case 2:
		return (*os.SyscallError)(nil)
	case 3:
		return (*ptrJoin)(nil)
	case 4:
		return &net.OpError{Op: "dial", Net: "tcp"}
	case 5:
		return &url.Error{Op: "Post", URL: "https://example.com/" + g.text()}
	case 6:
		return &url.Error{Op: "Post", URL: "https://example.com/", Err: (*net.OpError)(nil)}
	case 7:
		return multiErr{sub(), nil}
	case 8:
		return &broadcast.PreviewError{Channel: "x"}
	}
	return errors.Join(sub(), (*net.DNSError)(nil))
}

// judge returns f's answer, and false when f panics.
func judge[T any](f func() T) (v T, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return f(), true
}

// The random trees of TestRandomErrorTreesHoldNoSecret, with typed nils
// and nil fields in random places: the redaction never panics, nothing a
// caller does with the redacted error panics, no error reachable from it
// prints the secret, and what can be read of the original (its marks,
// errors.Is, a chain's TargetsError) it answers as the original does.
func TestRandomErrorTreesWithTypedNils(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(treeSecret))
	forms := secretForms()
	for seed := range uint64(*treeSeeds) {
		g := treeGen{rnd: rand.New(rand.NewPCG(seed, 49)), nils: true}
		orig := g.err(4)
		red, ok := judge(func() error { return r.Error(orig) })
		if !ok {
			t.Fatalf("seed %d: Error panicked: %#v", seed, orig)
		}
		if s, read := errorText(orig); read && !r.Holds(s) {
			continue // its text holds no secret: returned as it is, as documented
		}
		assertSound(t, red)
		all, ok := judge(func() []error { return reachable(red) })
		if !ok {
			t.Fatalf("seed %d: walking the redacted error panicked", seed)
		}
		for _, e := range all {
			for _, verb := range []string{"%v", "%+v", "%#v", "%q", "%s", "%d", "%x"} {
				s := fmt.Sprintf(verb, e)
				for _, f := range forms {
					if strings.Contains(s, f) {
						t.Fatalf("seed %d: %s of a %T reached from the redacted error holds %q: %s", seed, verb, e, f, s)
					}
				}
				if r.Holds(s) {
					t.Fatalf("seed %d: %s of a %T reached from the redacted error holds a secret: %s", seed, verb, e, s)
				}
			}
		}
		if p, ok := judge(func() bool { return broadcast.IsPermanent(orig) }); ok && p != broadcast.IsPermanent(red) {
			t.Fatalf("seed %d: IsPermanent %v, original's %v", seed, !p, p)
		}
		type delay struct {
			d     any
			waits bool
		}
		if od, ok := judge(func() delay { d, w := broadcast.RetryDelay(orig); return delay{d, w} }); ok {
			d, w := broadcast.RetryDelay(red)
			if (delay{d, w}) != od {
				t.Fatalf("seed %d: RetryDelay %v %v, original's %v %v", seed, d, w, od.d, od.waits)
			}
		}
		if u, ok := judge(func() bool { return broadcast.IsUncertain(broadcast.MarkAs(errors.New("flat"), orig)) }); ok && u != broadcast.IsUncertain(red) {
			t.Fatalf("seed %d: IsUncertain %v, want %v", seed, !u, u)
		}
		if is, ok := judge(func() bool { return errors.Is(orig, context.DeadlineExceeded) }); ok && is && !errors.Is(red, context.DeadlineExceeded) {
			t.Fatalf("seed %d: errors.Is(DeadlineExceeded) false", seed)
		}
		if want, ok := judge(func() []string {
			if te := chainTargets(orig); te != nil {
				return targetOutcomes(te)
			}
			return nil
		}); ok && want != nil {
			got, found := errors.AsType[*broadcast.TargetsError](red)
			if !found {
				t.Fatalf("seed %d: errors.As finds no TargetsError in the redacted error", seed)
			}
			if have := targetOutcomes(got); !slices.Equal(want, have) {
				t.Fatalf("seed %d: targets' outcomes\n%q, the original's\n%q", seed, have, want)
			}
		}
	}
}
