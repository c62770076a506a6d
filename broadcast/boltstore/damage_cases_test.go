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
	incident, update string
	receipt          broadcast.Receipt
}

// sampleReceipts are the receipts in the sample store: two updates of each
// incident on each channel, so that a thread's Root and Last differ.
func sampleReceipts() []sampleReceipt {
	var rs []sampleReceipt
	for i := range 30 {
		for n := range 2 {
			for _, ch := range []string{"email", "x"} {
				update := fmt.Sprintf("u-%d-%d", i, n)
				id := fmt.Sprintf("post-%s-%s", update, ch)
				rs = append(rs, sampleReceipt{fmt.Sprintf("inc-%d", i), update, broadcast.Receipt{
					Channel: ch, ID: id, URL: "https://example.com/" + id,
					Time: time.Date(2025, 3, 1, 12, i, n, 0, time.UTC), Meta: map[string]string{"thread": id},
					UpdateID: update, UpdateTime: time.Date(2025, 3, 1, 11, i, n, 0, time.UTC),
				}})
			}
		}
	}
	return rs
}

// A sample is what a sample store holds, as its Store answers it, in the
// order the store was written.
type sample struct {
	v1       bool // of format version 1, migrated by Open
	threads  []sampleThread
	receipts []sampleReceipt // a zero receipt when Receipt finds none
}

type sampleThread struct{ incident, channel, root, last string }

// wantSample is what the sample store holds. A store migrated from format
// version 1 has, per incident and channel, the latest receipt as Root and
// Last, and no receipt per update.
func wantSample(v1 bool) sample {
	want := sample{v1: v1}
	index := map[[2]string]int{}
	for _, r := range sampleReceipts() {
		k := [2]string{r.incident, r.receipt.Channel}
		i, ok := index[k]
		if !ok {
			i, index[k] = len(want.threads), len(want.threads)
			want.threads = append(want.threads, sampleThread{r.incident, r.receipt.Channel, r.receipt.ID, ""})
		}
		if v1 {
			want.threads[i].root = r.receipt.ID
		}
		want.threads[i].last = r.receipt.ID
		if v1 {
			r.receipt = broadcast.Receipt{Channel: r.receipt.Channel}
		}
		want.receipts = append(want.receipts, r)
	}
	return want
}

// writeSample makes the sample store at path, in format version 1 when v1
// is set.
func writeSample(t *testing.T, path string, v1 bool) {
	t.Helper()
	if v1 {
		writeV1Sample(t, path)
		return
	}
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
		require.NoError(t, s.SaveReceipt(ctx, r.incident, r.update, r.receipt))
	}
	require.NoError(t, s.Close())
}

func writeV1Sample(t *testing.T, path string) {
	var marks []v1Mark
	for _, m := range sampleMarks() {
		marks = append(marks, v1Mark{m.update, m.channel, m.target, m.failure, time.Now()})
	}
	var receipts []v1Receipt
	for _, r := range sampleReceipts() {
		receipts = append(receipts, v1Receipt{incident: r.incident, saved: time.Now(), Channel: r.receipt.Channel,
			ID: r.receipt.ID, URL: r.receipt.URL, Time: r.receipt.Time, Meta: r.receipt.Meta})
	}
	writeV1Store(t, path, marks, receipts)
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
