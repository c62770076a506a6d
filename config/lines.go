package config

import (
	"strings"
	"unicode/utf8"
)

// lineIndex finds a line of a file, and a column in it as the YAML library
// counts columns (in characters), in time of the line's length the first
// time and of the column's at most after it: the checks that look at where
// a value is written do so for every value of a kind, and a file of one
// line may hold hundreds of thousands of values.
type lineIndex struct {
	text   string
	starts []int // starts[i]: the offset of line i+1
	// chars holds, of each line looked into, the offset of each of its
	// characters when one is of more than a byte; nil for a line of bytes.
	chars map[int][]int32
}

// newLineIndex returns the lineIndex of data.
func newLineIndex(data []byte) *lineIndex {
	x := &lineIndex{text: string(data), starts: []int{0}, chars: map[int][]int32{}}
	for i, b := range data {
		if b == '\n' {
			x.starts = append(x.starts, i+1)
		}
	}
	return x
}

// line returns line n (from 1) of the file, without its line break, as
// lineText does.
func (x *lineIndex) line(n int) string {
	n = max(n, 1)
	if n > len(x.starts) {
		return ""
	}
	s := x.text[x.starts[n-1]:]
	if n < len(x.starts) {
		s = x.text[x.starts[n-1] : x.starts[n]-1]
	}
	return strings.TrimRight(s, "\r")
}

// from returns the text of line n from column (from 1, in characters) to
// the line's end, and false when the line is shorter than that.
func (x *lineIndex) from(n, column int) (string, bool) {
	line := x.line(n)
	offsets, ok := x.chars[n]
	if !ok {
		for i := 0; i < len(line); i++ {
			if line[i] >= utf8.RuneSelf {
				offsets = make([]int32, 0, utf8.RuneCountInString(line))
				for j := range line {
					offsets = append(offsets, int32(j))
				}
				break
			}
		}
		x.chars[n] = offsets
	}
	i := column - 1
	switch {
	case offsets == nil: // of bytes
		if i < 0 || i > len(line) {
			return "", false
		}
		return line[i:], true
	case i < 0 || i > len(offsets):
		return "", false
	case i == len(offsets):
		return "", true
	}
	return line[offsets[i]:], true
}
