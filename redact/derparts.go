package redact

import (
	"bytes"
	"slices"
	"sort"
	"strings"
)

// minDERPart is the length, in bytes, of the shortest part of a PEM
// block's bytes (its DER) that a Redactor finds alone in hex: sixteen,
// a line of hex.Dump's (hexdump -C's, xxd -g1's), 32 hex digits, where a
// line of a PEM body is found from twelve bytes (see minPEMLine). Not
// fewer: a run of six bytes (twelve hex digits) is what a MAC address, a
// short commit hash or a span ID writes, and every key of a kind starts
// with the same structure (an RSA key's algorithm, 30 0d 06 09 2a 86 48
// 86 f7 0d 01 01 01 05 00, is fifteen bytes); 128 bits of a key match no
// hash or identifier in a log by chance. Neither part of a longer run of
// a line of xxd -p's (thirty bytes) cut in two is found, nor a shorter
// last line alone: with the lines before it, it is.
const minDERPart = 16

// derIndex finds the parts of a Redactor's PEM blocks' bytes (see
// secretBytes) in bytes a text writes in hex: each run of minDERPart of
// them or more, and as far as it goes on. Its blocks' suffixes of
// minDERPart bytes or more are sorted, so that the longest part that
// starts at a place is found by a binary search: a key's bytes are held
// twice (as a form, and here), with four bytes a byte of index.
type derIndex struct {
	ders [][]byte
	// sufs are the suffixes, each as the index in ders of its block
	// (high 8 bits) and its offset there (low 24 bits), in the order of
	// their bytes.
	sufs []uint32
	// pairs has bit a<<8|b set where a suffix starts with the bytes a, b:
	// most places of a text's hex start none.
	pairs [1 << 16 / 64]uint64
}

// newDERIndex returns the index of ders, nil when none has minDERPart
// bytes (or when there are more than 256, or one of 16 MB or more, which
// no key is).
func newDERIndex(ders []string) *derIndex {
	if len(ders) > 1<<8 {
		return nil
	}
	x := &derIndex{}
	for i, d := range ders {
		if len(d) >= 1<<24 {
			return nil
		}
		x.ders = append(x.ders, []byte(d))
		for o := 0; o+minDERPart <= len(d); o++ {
			x.sufs = append(x.sufs, uint32(i)<<24|uint32(o))
			setBit(&x.pairs, uint(d[o])<<8|uint(d[o+1]))
		}
	}
	if x.sufs == nil {
		return nil
	}
	sort.Slice(x.sufs, func(a, b int) bool { return bytes.Compare(x.suffix(x.sufs[a]), x.suffix(x.sufs[b])) < 0 })
	return x
}

func (x *derIndex) suffix(s uint32) []byte { return x.ders[s>>24][s&(1<<24-1):] }

// longest returns the length of the longest part of a block that d
// starts with, 0 when it is shorter than minDERPart.
func (x *derIndex) longest(d []byte) int {
	if len(d) < minDERPart {
		return 0
	}
	if k := uint(d[0])<<8 | uint(d[1]); x.pairs[k>>6]>>(k&63)&1 == 0 {
		return 0
	}
	k := sort.Search(len(x.sufs), func(k int) bool { return bytes.Compare(x.suffix(x.sufs[k]), d) >= 0 })
	n := 0
	for _, j := range []int{k - 1, k} {
		if j >= 0 && j < len(x.sufs) {
			n = max(n, commonBytes(x.suffix(x.sufs[j]), d))
		}
	}
	if n < minDERPart {
		return 0
	}
	return n
}

// commonBytes returns the length of the longest prefix a and b share.
func commonBytes(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// parts calls found with each run of d, bytes a text writes in hex, that
// is a part of a block, from k up to e: where runs overlap, each that
// reaches further than the one before, so that together they cover every
// byte of every part. After a part ending at e, the next that reaches
// further starts at e-minDERPart+1 at the latest (its bytes from there to
// e are a part too): the search resumes there, so that the bytes of a
// long part are not compared again at each of its places.
func (x *derIndex) parts(d []byte, found func(k, e int)) {
	for k := 0; k+minDERPart <= len(d); {
		n := x.longest(d[k:])
		if n == 0 {
			k++
			continue
		}
		found(k, k+n)
		k = max(k+1, k+n-minDERPart+1)
	}
}

// plainHex calls run with each run of hex digits of s written without
// separators (Go's %x or %X, hex.EncodeToString, xxd -p), of minDigits
// digits or more: digits, its digits, and where each of its pieces
// starts in s and in digits. A run goes on across a line break ("\n" or
// "\r\n") when its line ends in it and the next line starts with digits,
// as xxd -p wraps its lines. A shorter run (a word's "cafe", a
// timestamp's digits) is passed over without copying it: most texts hold
// none long enough.
func plainHex(s string, minDigits int, run func(digits []byte, pieces [][2]int)) {
	var digits []byte
	var pieces [][2]int
	for i := 0; i < len(s); {
		if !isHex(s[i]) {
			i++
			continue
		}
		start, n := i, 0
		for {
			j := i
			for i < len(s) && isHex(s[i]) {
				i++
			}
			n += i - j
			brk := hexBreak(s, i)
			if brk == 0 {
				break
			}
			i += brk
		}
		if n < minDigits {
			continue
		}
		digits, pieces = slices.Grow(digits[:0], n), pieces[:0]
		for k := start; k < i; {
			e := k
			for e < i && isHex(s[e]) {
				e++
			}
			pieces = append(pieces, [2]int{k, len(digits)})
			digits = append(digits, s[k:e]...)
			k = e + hexBreak(s, e)
		}
		run(digits, pieces)
	}
}

// hexBreak returns the length of the line break s[i:] starts with
// ("\n" or "\r\n") where a digit follows it, which a run of hex digits
// goes on across (see plainHex); 0 where there is none.
func hexBreak(s string, i int) int {
	brk := 0
	switch {
	case strings.HasPrefix(s[i:], "\n"):
		brk = 1
	case strings.HasPrefix(s[i:], "\r\n"):
		brk = 2
	}
	if brk == 0 || i+brk >= len(s) || !isHex(s[i+brk]) {
		return 0
	}
	return brk
}

// inPlainHex returns the spans of s, start and end, of the forms of
// minFreeForm bytes or more, and of the parts of the matcher's blocks
// (see derIndex), that s writes in hex without separators, lower- or
// upper-case (a server writing the bytes it received with %x, a
// %-escaped secret among them): the digits from the first byte's to the
// last's, the run read with its first digit starting a byte, and its
// second.
func (m *matcher) inPlainHex(s string) [][2]int {
	var spans [][2]int
	var d []byte
	plainHex(s, 2*minFreeForm, func(digits []byte, pieces [][2]int) {
		// at returns where digit k of the run is in s.
		at := func(k int) int {
			p := sort.Search(len(pieces), func(p int) bool { return pieces[p][1] > k }) - 1
			return pieces[p][0] + k - pieces[p][1]
		}
		d = slices.Grow(d[:0], len(digits)/2)
		for a := range 2 {
			d = d[:0]
			for k := a; k+1 < len(digits); k += 2 {
				d = append(d, unhex(digits[k])<<4|unhex(digits[k+1]))
			}
			// span adds the span of bytes k up to e.
			span := func(k, e int) { spans = append(spans, [2]int{at(a + 2*k), at(a+2*e-1) + 1}) }
			for k, f := range m.freeForms(string(d)) {
				span(k, k+len(m.form(f)))
			}
			if m.ders != nil {
				m.ders.parts(d, span)
			}
		}
	})
	return spans
}
