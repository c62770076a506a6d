package templates

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
)

// CorrectionPrefix is what MarkCorrection puts before the text of an
// update that corrects an earlier one, as the default templates write it.
const CorrectionPrefix = "Correction: "

// MarkCorrection returns text marked as a correction: with
// CorrectionPrefix before its first line that shows something (see
// broadcast.Blank; lines of white space, zero-width spaces, word joiners
// or bidi marks before it are kept before it, and the marker with them
// would be read alone), unless that line says so already, starting (after
// white space and format characters) with the word "correction" in any
// case ("Correction:", "CORRECTION -", as a template of the user's may
// write it; not "Corrections API down"). Set.Text marks an Overrides text
// with it, and the channels that show a correction's text apart (a card's
// heading or title, a notification) mark that text with it too, so that a
// correction posted anew reads as one everywhere.
func MarkCorrection(text string) string {
	i := firstShownLine(text)
	if saysCorrection(text[i:]) {
		return text
	}
	return text[:i] + CorrectionPrefix + text[i:]
}

// firstShownLine returns the offset in text of its first line (lines end
// at "\n") that shows something (broadcast.Blank), or 0 when none does.
func firstShownLine(text string) int {
	for i := 0; i < len(text); {
		l, _, found := strings.Cut(text[i:], "\n")
		if !broadcast.Blank(l) {
			return i
		}
		if !found {
			break
		}
		i += len(l) + 1
	}
	return 0
}

// saysCorrection reports whether text starts, after white space and
// format characters, with the word "correction" in any case, not followed
// by a letter or a digit.
func saysCorrection(text string) bool {
	const word = "correction" // no letter of it folds to a non-ASCII one
	text = strings.TrimLeftFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) })
	if len(text) < len(word) || !strings.EqualFold(text[:len(word)], word) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[len(word):])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
}
