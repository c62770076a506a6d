package boltstore_test

// The store TestDamagedFiles damages, and the damages.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

type sampleMark struct{ update, channel, target, failure string }

// sampleMarks are the marks in the sample store: enough for many pages.
func sampleMarks() []sampleMark {
	var marks []sampleMark
	for u := range 3 {
		for _, ch := range []struct {
			name    string
			targets int
		}{{"email", 200}, {"webhook", 50}} {
			for i := range ch.targets {
				m := sampleMark{fmt.Sprintf("u-%d", u), ch.name, fmt.Sprintf("rcpt-%03d@example.com", i), ""}
				if i%7 == 0 {
					m.failure = fmt.Sprintf("550 no such user rcpt-%03d", i)
				}
				marks = append(marks, m)
			}
		}
	}
	return marks
}

type sampleReceipt struct {
	incident string
	receipt  broadcast.Receipt
}

func sampleReceipts() []sampleReceipt {
	var rs []sampleReceipt
	for i := range 30 {
		for _, ch := range []string{"email", "x"} {
			id := fmt.Sprintf("post-%d-%s", i, ch)
			rs = append(rs, sampleReceipt{fmt.Sprintf("inc-%d", i), broadcast.Receipt{
				Channel: ch, ID: id, URL: "https://example.com/" + id,
				Time: time.Date(2025, 3, 1, 12, i, 0, 0, time.UTC), Meta: map[string]string{"thread": id},
			}})
		}
	}
	return rs
}

// writeSample makes the sample store at path.
func writeSample(t *testing.T, path string) {
	t.Helper()
	s, err := boltstore.Open(path, nil)
	require.NoError(t, err)
	ctx := context.Background()
	for _, m := range sampleMarks() {
		var failure error
		if m.failure != "" {
			failure = errors.New(m.failure)
		}
		require.NoError(t, s.Mark(ctx, m.update, m.channel, m.target, failure))
	}
	for _, r := range sampleReceipts() {
		require.NoError(t, s.SaveReceipt(ctx, r.incident, r.receipt))
	}
	require.NoError(t, s.Close())
}

// A damage makes a damaged copy of a file.
type damage struct {
	Name  string
	apply func(sample []byte) []byte
}

// damages returns the damages TestDamagedFiles tries on sample, the same
// for the same seed.
func damages(seed uint64, sample []byte) []damage {
	rng := rand.New(rand.NewPCG(seed, 0))
	n, ps := len(sample), os.Getpagesize()
	sizes := []int{0, 1, 16, ps - 1, ps, ps + 1, 2 * ps, 3 * ps, n / 2, n * 3 / 4, n - ps, n - 1}
	for range 80 {
		sizes = append(sizes, rng.IntN(n))
	}
	var ds []damage
	for _, size := range sizes {
		ds = append(ds, damage{fmt.Sprintf("truncated to %d of %d bytes", size, n),
			func(b []byte) []byte { return bytes.Clone(b[:size]) }})
	}
	for p := range n / ps {
		ds = append(ds, damage{fmt.Sprintf("page %d (offset %d) zeroed", p, p*ps), overwritePage(p, ps, nil)})
		noise := make([]byte, ps)
		fill(noise, rng.Uint64())
		ds = append(ds, damage{fmt.Sprintf("page %d (offset %d) random", p, p*ps), overwritePage(p, ps, noise)})
	}
	ds = append(ds, damage{"both header pages zeroed", func(b []byte) []byte {
		return overwritePage(1, ps, nil)(overwritePage(0, ps, nil)(b))
	}})
	return append(ds, foreignFiles(rng.Uint64(), ps)...)
}

// overwritePage returns a damage that overwrites page p with content, or
// zeroes it when content is nil.
func overwritePage(p, ps int, content []byte) func([]byte) []byte {
	return func(b []byte) []byte {
		b = bytes.Clone(b)
		page := b[p*ps : (p+1)*ps]
		clear(page)
		copy(page, content)
		return b
	}
}

// foreignFiles are files of other kinds in place of the store.
func foreignFiles(seed uint64, ps int) []damage {
	sqlite := make([]byte, 4*ps)
	copy(sqlite, "SQLite format 3\x00\x10\x00\x01\x01\x00\x40\x20\x20")
	noise := make([]byte, 3*ps)
	fill(noise, seed)
	files := map[string][]byte{
		"a text file":   []byte("state = /var/lib/outagecast\n"),
		"a JSON file":   []byte(`{"receipts": {}, "marks": {}}`),
		"a SQLite file": sqlite,
		"random bytes":  noise,
	}
	var ds []damage
	for _, name := range []string{"a text file", "a JSON file", "a SQLite file", "random bytes"} {
		content := files[name]
		ds = append(ds, damage{"replaced by " + name, func([]byte) []byte { return bytes.Clone(content) }})
	}
	return ds
}

func fill(b []byte, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}
