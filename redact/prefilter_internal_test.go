package redact

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// withoutPrefilter returns r with a matcher whose bitmaps of the starts of
// forms are full, so that mayStart lets every place through to longest.
func withoutPrefilter(r *Redactor) *Redactor {
	out := *r
	out.m = func() *matcher {
		m := newMatcher(r.forms, r.words, r.shown)
		if r.der != nil {
			m.ders = r.der()
		}
		for i := range m.short2 {
			m.short2[i], m.start3[i] = ^uint64(0), ^uint64(0)
		}
		return m
	}
	return &out
}

// The matcher's prefilter of the starts of forms (mayStart) skips no place
// where a form starts: on random secrets (of one byte to many, of mixed
// case, of many lines as a PEM key) and random texts of their forms
// (upper-cased, escaped, in base64, in hex, cut short, at the text's very
// end, overlapping), String, Truncated and Holds answer as they do with
// the prefilter letting every place through.
func TestPrefilterSkipsNoForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const alphabet = "abcXYZ019+/=-_%. \n"
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	pem := func() string {
		var b strings.Builder
		b.WriteString("-----BEGIN PRIVATE KEY-----\n")
		for range 1 + rng.IntN(4) {
			for range 16 + rng.IntN(48) {
				b.WriteByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[rng.IntN(64)])
			}
			b.WriteByte('\n')
		}
		b.WriteString("QUFC\n-----END PRIVATE KEY-----\n")
		return b.String()
	}
	for round := range 120 {
		var secrets []Secret
		for range 1 + rng.IntN(3) {
			switch rng.IntN(4) {
			case 0:
				secrets = append(secrets, NewSecret(word(1+rng.IntN(3))))
			case 1:
				secrets = append(secrets, NewSecret(pem()))
			default:
				secrets = append(secrets, NewSecret(word(4+rng.IntN(20))))
			}
		}
		r := NewRedactor(secrets...)
		if r.m == nil {
			continue
		}
		ref := withoutPrefilter(r)
		for range 20 {
			var b strings.Builder
			for range 1 + rng.IntN(4) {
				switch rng.IntN(3) {
				case 0:
					b.WriteString(word(rng.IntN(8)))
				default:
					f := r.forms[rng.IntN(len(r.forms))]
					switch rng.IntN(4) {
					case 0:
						f = f[rng.IntN(len(f)):]
					case 1:
						f = f[:1+rng.IntN(len(f))]
					}
					b.WriteString(f)
				}
			}
			text := b.String()
			if got, want := r.String(text), ref.String(text); got != want {
				t.Fatalf("round %d: String(%q) = %q, without the prefilter %q", round, text, got, want)
			}
			if got, want := r.Truncated(text), ref.Truncated(text); got != want {
				t.Fatalf("round %d: Truncated(%q) = %q, without the prefilter %q", round, text, got, want)
			}
			if got, want := r.Holds(text), ref.Holds(text); got != want {
				t.Fatalf("round %d: Holds(%q) = %v, without the prefilter %v", round, text, got, want)
			}
		}
	}
}
