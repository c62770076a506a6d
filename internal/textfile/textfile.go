// Package textfile decodes the text of a template file, the one way
// every package that reads templates does: UTF-8 only, a leading UTF-8
// byte-order mark dropped. Else a file saved as Latin-1 would be posted
// with U+FFFD in place of each letter outside ASCII, and a file saved by
// a Windows editor would start every message or page with the mark.
package textfile

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrUTF16 is returned by Decode for text that starts with a UTF-16
// byte-order mark.
var ErrUTF16 = errors.New("UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8")

// Decode returns data as text: its leading UTF-8 byte-order mark dropped,
// an error if it is UTF-16 or not valid UTF-8 (see Check). The error does
// not name the file: callers do.
func Decode(data []byte) (string, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return "", ErrUTF16
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	if err := Check(text); err != nil {
		return "", err
	}
	return text, nil
}

// Check returns an error naming the line (from 1) of the first byte of
// text that is not valid UTF-8, or nil if there is none.
func Check(text string) error {
	if utf8.ValidString(text) {
		return nil
	}
	for i, r := range text {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(text[i:]); size == 1 {
				return fmt.Errorf("line %d: not valid UTF-8: save it as UTF-8", 1+strings.Count(text[:i], "\n"))
			}
		}
	}
	return nil // not reached: text is not valid
}
