package templates

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CorrectionPrefix is what MarkCorrection puts before the text of an
// update that corrects an earlier one, as the default templates write it.
const CorrectionPrefix = "Correction: "

// MarkCorrection returns text marked as a correction: with
// CorrectionPrefix before it, unless it says so already, starting (after
// white space) with the word "correction" in any case ("Correction:",
// "CORRECTION -", as a template of the user's may write it; not
// "Corrections API down"). Set.Text marks an Overrides text with it, and
// the channels that show a correction's text apart (a card's heading or
// title, a notification) mark that text with it too, so that a correction
// posted anew reads as one everywhere.
func MarkCorrection(text string) string {
	if saysCorrection(text) {
		return text
	}
	return CorrectionPrefix + text
}

// saysCorrection reports whether text starts, after white space, with the
// word "correction" in any case, not followed by a letter or a digit.
func saysCorrection(text string) bool {
	const word = "correction" // no letter of it folds to a non-ASCII one
	text = strings.TrimLeftFunc(text, unicode.IsSpace)
	if len(text) < len(word) || !strings.EqualFold(text[:len(word)], word) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[len(word):])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
}
