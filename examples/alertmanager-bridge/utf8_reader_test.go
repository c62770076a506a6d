package main

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validOf is the oracle: s with its invalid UTF-8 dropped, decoded one
// character at a time, independently of validUTF8's holding and cutting.
func validOf(s []byte) []byte {
	var out []byte
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if r != utf8.RuneError || size > 1 {
			out = append(out, s[:size]...)
		}
		s = s[size:]
	}
	return out
}

// Pieces of a JSON string's text, valid and not, from which the random
// texts are made: every length of character, split anywhere by the
// readers; characters cut short; overlong encodings; surrogates; bytes no
// UTF-8 holds; continuation bytes alone; escapes, which are ASCII.
var utf8Pieces = []string{
	"a", "Z", " ", "é", "€", "😀", "\U0010FFFF", "\ufffd", `\"`, `\\`, `\n`, `\u00e9`, `\ud83d\ude00`,
	"\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xf0", // cut short
	"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xf0\x80\x80\x80", // overlong
	"\xed\xa0\x80", "\xed\xbf\xbf", // surrogates
	"\xf4\x90\x80\x80",                                                 // past U+10FFFF
	"\xf5", "\xf8", "\xfe", "\xff", "\x80", "\xbf", "\x80\x80\x80\x80", // never UTF-8
}

func randomText(rng *rand.Rand) []byte {
	var b []byte
	for range rng.Intn(40) {
		b = append(b, utf8Pieces[rng.Intn(len(utf8Pieces))]...)
	}
	return b
}

// Pieces of what stands between a JSON document's strings, valid and not.
var outsidePieces = []string{"{", "}", "[", "]", ":", ",", " ", "\n", "1", "0", "true", `\`,
	"é", "\xc3", "\xff", "\xed\xa0\x80", "\xf0\x9f\x98", "\xef\xbb\xbf"}

// randomJSON returns strings of random text and what stands between
// them, and the oracle: what validUTF8 should read of in's first n bytes,
// the strings' invalid UTF-8 dropped (a character cut short at n too) and
// what is outside a string left as it is, for the decoder.
func randomJSON(rng *rand.Rand) (in []byte, oracle func(n int) []byte) {
	type part struct {
		b    []byte
		text bool // a string's text, between its quotes
	}
	var parts []part
	for range 1 + rng.Intn(3) {
		if rng.Intn(2) == 0 {
			for range rng.Intn(4) {
				parts = append(parts, part{b: []byte(outsidePieces[rng.Intn(len(outsidePieces))])})
			}
		}
		parts = append(parts, part{b: []byte{'"'}}, part{b: randomText(rng), text: true}, part{b: []byte{'"'}})
	}
	for _, pt := range parts {
		in = append(in, pt.b...)
	}
	return in, func(n int) []byte {
		var out []byte
		for _, pt := range parts {
			b := pt.b[:min(n, len(pt.b))]
			n -= len(b)
			if pt.text {
				b = validOf(b)
			}
			out = append(out, b...)
		}
		return out
	}
}

// chunky returns 1..max bytes a read, an empty read with no error now and
// then, and its last bytes with io.EOF.
type chunky struct {
	rng *rand.Rand
	b   []byte
	max int
}

func (c *chunky) Read(p []byte) (int, error) {
	if c.rng.Intn(5) == 0 {
		return 0, nil
	}
	n := min(1+c.rng.Intn(c.max), len(p), len(c.b))
	copy(p, c.b[:n])
	c.b = c.b[n:]
	if len(c.b) == 0 {
		return n, io.EOF
	}
	return n, nil
}

// counting counts the bytes its reader gave.
type counting struct {
	r io.Reader
	n int
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// readAllIn reads r to its end or error with reads of 4 to 20 bytes (the
// least validUTF8 takes), asking again after an empty read, as
// encoding/json does.
func readAllIn(t *testing.T, rng *rand.Rand, r io.Reader) ([]byte, error) {
	var out []byte
	for empty := 0; ; {
		p := make([]byte, utf8.UTFMax+rng.Intn(17))
		n, err := r.Read(p)
		require.LessOrEqual(t, n, len(p))
		out = append(out, p[:n]...)
		if err != nil {
			return out, err
		}
		if n == 0 {
			empty++
			require.Less(t, empty, 3, "validUTF8 returned (0, nil)")
		} else {
			empty = 0
		}
	}
}

// validUTF8 reads JSON strings' text as the oracle drops its invalid
// UTF-8, and leaves what is between them, however its reader splits it and however small the reads asked
// of it (down to utf8.UTFMax bytes); a read error, mid-character too, is
// returned after what came before it.
func TestValidUTF8ReaderMatchesTheOracle(t *testing.T) {
	rng := rand.New(rand.NewSource(51))
	for i := range 1000 {
		in, oracle := randomJSON(rng)
		want := oracle(len(in))
		readers := map[string]func([]byte) io.Reader{
			"whole":    func(b []byte) io.Reader { return bytes.NewReader(b) },
			"1 to 3":   func(b []byte) io.Reader { return &chunky{rng: rng, b: b, max: 3} },
			"1 to 9":   func(b []byte) io.Reader { return &chunky{rng: rng, b: b, max: 9} },
			"one byte": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
			"half":     func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
			"data+EOF": func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
			"one+EOF":  func(b []byte) io.Reader { return iotest.DataErrReader(iotest.OneByteReader(bytes.NewReader(b))) },
			"half+EOF": func(b []byte) io.Reader { return iotest.DataErrReader(iotest.HalfReader(bytes.NewReader(b))) },
		}
		for name, mk := range readers {
			got, err := readAllIn(t, rng, &validUTF8{r: mk(in)})
			require.ErrorIs(t, err, io.EOF, "%d %s %q", i, name, in)
			require.Equal(t, want, got, "%d %s %q", i, name, in)
		}

		// An error of the reader, after the bytes it gave: those are
		// read as they were, a character they leave cut short dropped.
		cut := &counting{r: &chunky{rng: rng, b: in, max: 7}}
		got, err := readAllIn(t, rng, &validUTF8{r: iotest.TimeoutReader(cut)})
		if !errors.Is(err, io.EOF) || cut.n < len(in) { // all in the first read: no second to time out
			require.ErrorIs(t, err, iotest.ErrTimeout, "%d %q", i, in)
		}
		require.Equal(t, oracle(cut.n), got, "%d timeout %q", i, in)

		at := rng.Intn(len(in) + 1)
		broken := errors.New("connection reset")
		got, err = readAllIn(t, rng, &validUTF8{r: io.MultiReader(
			&chunky{rng: rng, b: in[:at], max: 5}, iotest.ErrReader(broken))})
		require.ErrorIs(t, err, broken, "%d %q", i, in)
		require.Equal(t, oracle(at), got, "%d error at %d %q", i, at, in)
	}
}

// A read with no room for a character's held start and a byte more is
// refused at once, not answered (0, nil) for ever; encoding/json's reads
// have room for 512.
func TestValidUTF8ReaderShortBuffer(t *testing.T) {
	for n := range utf8.UTFMax {
		v := &validUTF8{r: strings.NewReader(`"é"`)}
		k, err := v.Read(make([]byte, n))
		assert.Zero(t, k, n)
		assert.ErrorIs(t, err, io.ErrShortBuffer, n)
	}
	// A 4-byte character split 1+3, read 4 bytes at a time.
	v := &validUTF8{r: io.MultiReader(strings.NewReader("\"\xf0"), strings.NewReader("\x9f\x98\x80\""))}
	got, err := readAllIn(t, rand.New(rand.NewSource(1)), v)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "\"😀\"", string(got))
}

// The body's limit counts the bytes sent, dropped ones too: a body twice
// the limit long, made of invalid UTF-8 in a string, is refused as too
// large (the handler answers 413 to an http.MaxBytesError), not read as a
// short notification.
func TestDroppedBytesCountTowardTheLimit(t *testing.T) {
	const limit = 4096
	body := io.MultiReader(strings.NewReader(`{"version":"4","groupKey":"g","status":"firing","receiver":"`),
		bytes.NewReader(bytes.Repeat([]byte{0xff}, 2*limit)),
		strings.NewReader(`","alerts":[{"status":"firing","annotations":{"summary":"Disk full"}}]}`))
	p, err := decodePayload(http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(body), limit))
	var tooBig *http.MaxBytesError
	require.ErrorAs(t, err, &tooBig, "%+v", p)
	assert.EqualValues(t, limit, tooBig.Limit)
}

// Invalid UTF-8 is dropped from the body's strings only: elsewhere it is
// not JSON, and the body is refused as it was before the bridge dropped
// any, not read as what is left once it is gone (a count of 1, 0 read as
// 10; the check that nothing follows the object passed).
func TestInvalidUTF8OutsideAStringIsRefused(t *testing.T) {
	const head = `{"version":"4","groupKey":"g","status":"firing",`
	const alerts = `"alerts":[{"status":"firing","annotations":{"summary":"Disk full"}}]`
	for _, body := range []string{
		head + `"truncatedAlerts":1` + "\xff" + `0,` + alerts + `}`,
		head + alerts + "}\xff",
		head + alerts + "}\n\xc3\xa9",
		"\xef\xbb\xbf" + head + alerts + "}", // a byte order mark is not JSON either
		head + "\xff" + alerts + `}`,
		"\xff" + head + alerts + `}`,
		head + `"receiver":"r"` + "\xed\xa0\x80" + `,` + alerts + `}`,
		head + `"receiver":"r\` + "\xff" + `",` + alerts + `}`, // not an escape
	} {
		p, err := decodePayload(iotest.OneByteReader(strings.NewReader(body)))
		require.Error(t, err, "%q: %+v", body, p)
		assert.ErrorIs(t, err, errPayload, "%q", body)
	}
	// In a string, escaped quotes and backslashes around it included, it
	// is dropped.
	p, err := decodePayload(strings.NewReader(head + `"receiver":"a\\` + "\xff" + `\"` + "\xc3" + `b\\",` + alerts + `}`))
	require.NoError(t, err)
	assert.Equal(t, `a\"b\`, p.Receiver)
}
