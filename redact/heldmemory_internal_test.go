package redact

import (
	"encoding/pem"
	"math/rand/v2"
	"runtime"
	"testing"
)

// heldBy returns the memory that the Redactor build returns holds once
// its matcher is built (heap in use after, less heap in use before, each
// after a collection), and the bytes of its forms.
func heldBy(build func() *Redactor) (held, forms int) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := build()
	r.String("x")
	runtime.GC()
	runtime.ReadMemStats(&after)
	for _, f := range r.forms {
		forms += len(f)
	}
	runtime.KeepAlive(r)
	return int(after.HeapAlloc) - int(before.HeapAlloc), forms
}

// A Redactor holds its forms and little more: the text of each form once
// (not the spare room of the buffer it was written in), its pairs and its
// matcher (about 20 KB, and a few bytes a form). A Redactor of a PEM key
// of an RSA 2048-bit key's size, whose forms are about 1 MB, holds at
// most a fifth more than their bytes.
func TestRedactorHoldsItsFormsOnce(t *testing.T) {
	der := make([]byte, 1218)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range der {
		der[i] = byte(rnd.Uint32())
	}
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	held, forms := heldBy(func() *Redactor { return NewRedactor(NewSecret(key)) })
	t.Logf("held %d bytes, forms %d bytes", held, forms)
	if max := forms + forms/5; held > max {
		t.Errorf("a Redactor of a PEM key holds %d bytes, its forms are %d bytes: want at most %d", held, forms, max)
	}
	// One made by With shares the forms of the one it was made from: it
	// holds the new secret's forms, its pairs and its matcher.
	r := NewRedactor(NewSecret(key))
	r.String("x")
	more, _ := heldBy(func() *Redactor { return r.With(NewSecret("another-token-0123456789")) })
	t.Logf("With: held %d bytes more", more)
	if more > forms/10 {
		t.Errorf("a Redactor made by With holds %d bytes beyond the one it was made from, whose forms are %d bytes: want at most %d", more, forms, forms/10)
	}
	runtime.KeepAlive(r)
}
