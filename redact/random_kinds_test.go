package redact_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// errSentinel is a sentinel the random trees of every kind of secret wrap.
var errSentinel = errors.New("sentinel")

// kindsGen builds random error trees holding secrets of every kind a
// Redactor knows (a token, a Standard Webhooks secret's key and bytes, a
// PEM key of many lines, a URL's password, path token and query value, a
// login's Basic and PLAIN forms), wrapped by fmt.Errorf's %w,
// errors.Join, *broadcast.TargetsError, *url.Error and *net.OpError.
type kindsGen struct {
	rnd   *rand.Rand
	texts []string // the texts a tree may hold
}

func newKindsGen() (kindsGen, *redact.Redactor, []string) {
	const (
		token = "tok-Zq8vK2mW9xR4"
		whkey = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		pem   = "-----BEGIN KEY-----\nMIIBVgIBADANBgkqhkiG9w0BAQEFAASCAUAw\nggE8AgEAAkEAq7BFUpkGp3+LQmlQ\n-----END KEY-----"
		raw   = "https://ops:Pw-93kq7x@hooks.example.com/in/T0K3N-abcdef12?sig=s1g-99aa&x=1"
		user  = "bot"
		pass  = "sasl-Pw7"
	)
	keyBytes, _ := base64.StdEncoding.DecodeString(whkey)
	r := redact.NewRedactor(redact.NewSecret(token), redact.NewSecret("whsec_"+whkey), redact.NewSecret(pem)).
		WithURLs(redact.NewURL(raw)).WithLogin(user, redact.NewSecret(pass))
	b64 := base64.StdEncoding.EncodeToString
	texts := []string{token, strings.ToUpper(token), url.QueryEscape("/" + token), b64([]byte(token)),
		"whsec_" + whkey, whkey, string(keyBytes), pem, strings.ReplaceAll(pem, "\n", "\r\n"),
		raw, "Pw-93kq7x", "T0K3N-abcdef12", "s1g-99aa", b64([]byte("ops:Pw-93kq7x")),
		b64([]byte("\x00" + user + "\x00" + pass)), b64([]byte(user + ":" + pass)), pass}
	// What no redacted text may hold: the secrets themselves.
	secrets := []string{token, whkey, pem, "Pw-93kq7x", "T0K3N-abcdef12", "s1g-99aa", pass}
	return kindsGen{texts: texts}, r, secrets
}

func (g kindsGen) text() string {
	words := []string{"refused", "401", "read: reset", "hook"}
	w := words[g.rnd.IntN(len(words))]
	if g.rnd.IntN(2) == 0 {
		return w
	}
	return w + " " + g.texts[g.rnd.IntN(len(g.texts))]
}

func (g kindsGen) err(depth int) error {
	n := 2
	if depth > 0 {
		n = 9
	}
	switch g.rnd.IntN(n) {
	case 0:
		return fmt.Errorf("%s: %w", g.text(), errSentinel)
	case 1:
		return fmt.Errorf("%s: %w", g.text(), context.DeadlineExceeded)
	case 2:
		return fmt.Errorf("%s: %w", g.text(), g.err(depth-1))
	case 3:
		ps := make([]error, 1+g.rnd.IntN(3))
		for i := range ps {
			ps[i] = g.err(depth - 1)
		}
		return errors.Join(ps...)
	case 4:
		te := &broadcast.TargetsError{Total: 3}
		for i := range 1 + g.rnd.IntN(2) {
			f := broadcast.TargetFailure{Target: fmt.Sprintf("t%d", i), Err: g.err(depth - 1)}
			if g.rnd.IntN(2) == 0 {
				te.Pending = append(te.Pending, f)
			} else {
				te.Failures = append(te.Failures, f)
			}
		}
		return te
	case 5:
		u := g.texts[g.rnd.IntN(len(g.texts))]
		if g.rnd.IntN(2) == 0 {
			u = "https://example.com/" + u
		}
		return &url.Error{Op: "Post", URL: u, Err: g.err(depth - 1)}
	case 6:
		return &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 443},
			Err: g.err(depth - 1)}
	case 7:
		return broadcast.Permanent(g.err(depth - 1))
	default:
		return broadcast.Uncertain(g.err(depth - 1))
	}
}

// Random trees of every kind of secret a Redactor knows, wrapped by %w,
// errors.Join, TargetsError, *url.Error and *net.OpError: no error
// reachable from the redacted one prints a secret under the verbs
// ReplaceError promises (every verb: %v, %+v, %#v, %s, %q, %x, %d), and
// errors.Is still finds the sentinels the original wrapped, and errors.As
// the TargetsError its chain holds.
func TestRandomTreesOfEverySecretKind(t *testing.T) {
	g, r, secrets := newKindsGen()
	for seed := range uint64(*treeSeeds) {
		g.rnd = rand.New(rand.NewPCG(seed, 77))
		orig := g.err(4)
		red := r.Error(orig)
		for _, e := range reachable(red) {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
				s := fmt.Sprintf(verb, e)
				for _, sec := range secrets {
					if strings.Contains(s, sec) {
						t.Fatalf("seed %d: %s of a %T holds %q: %s\noriginal: %v", seed, verb, e, sec, s, orig)
					}
				}
				if r.Holds(s) {
					t.Fatalf("seed %d: %s of a %T holds a secret: %s\noriginal: %v", seed, verb, e, s, orig)
				}
			}
		}
		for _, s := range []error{errSentinel, context.DeadlineExceeded} {
			if errors.Is(orig, s) && !errors.Is(red, s) {
				t.Fatalf("seed %d: errors.Is(%v) false: %v", seed, s, orig)
			}
		}
		if chainTargets(orig) != nil {
			if _, ok := errors.AsType[*broadcast.TargetsError](red); !ok {
				t.Fatalf("seed %d: errors.As finds no TargetsError: %v", seed, orig)
			}
		}
		if broadcast.IsPermanent(red) != broadcast.IsPermanent(orig) {
			t.Fatalf("seed %d: IsPermanent %v, original's %v: %v", seed, broadcast.IsPermanent(red), broadcast.IsPermanent(orig), orig)
		}
	}
}
