package irc

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// caseMapping is how a server folds channel names (RPL_ISUPPORT
// CASEMAPPING): two names it folds alike are one channel there.
type caseMapping uint32

const (
	// mapUnnamed is a server that names no CASEMAPPING, or one this
	// package does not know: RFC 1459's, the default, with letters beyond
	// ASCII folded too, as mapRFC8265 folds them.
	mapUnnamed caseMapping = iota
	mapASCII               // "ascii": A-Z only (ngIRCd, Ergo's default)
	mapRFC1459             // "rfc1459": A-Z, and {}|^ are the lower case of []\~
	mapStrict              // "strict-rfc1459": A-Z, and {}| are the lower case of []\
	mapRFC8265             // "rfc8265" (and "rfc7613"): A-Z, and every letter beyond ASCII in NFC
)

// parseCaseMapping reads the value of a CASEMAPPING token.
func parseCaseMapping(v string) caseMapping {
	switch strings.ToLower(v) {
	case "ascii":
		return mapASCII
	case "rfc1459":
		return mapRFC1459
	case "strict-rfc1459":
		return mapStrict
	case "rfc8265", "rfc7613", "precis":
		return mapRFC8265
	}
	return mapUnnamed
}

// String returns the CASEMAPPING value cm stands for, "unnamed" for
// mapUnnamed.
func (cm caseMapping) String() string {
	return [...]string{"unnamed", "ascii", "rfc1459", "strict-rfc1459", "rfc8265"}[cm]
}

// fold maps a channel name to the form two names of one channel share on
// a server of casemapping cm.
func (cm caseMapping) fold(s string) string {
	switch cm {
	case mapASCII:
		return foldRunes(s, false, false, false)
	case mapRFC1459:
		return foldRunes(s, false, true, true)
	case mapStrict:
		return foldRunes(s, false, true, false)
	case mapRFC8265:
		return foldRunes(norm.NFC.String(s), true, false, false)
	}
	return fold(s)
}

// foldRunes maps A-Z to a-z in s, letters beyond ASCII to lower case with
// beyond, "[]\" to "{}|" with brackets, and "~" to "^" with tilde: the
// parts of every casemapping's fold.
func foldRunes(s string, beyond, brackets, tilde bool) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		case r >= utf8.RuneSelf:
			if beyond {
				return unicode.ToLower(r)
			}
		case !brackets:
		case r == '[':
			return '{'
		case r == ']':
			return '}'
		case r == '\\':
			return '|'
		case r == '~' && tilde:
			return '^'
		}
		return r
	}, s)
}

// foldEvery maps a channel name to the form two names share when every
// casemapping makes them one channel: only the letters A-Z fold. New
// refuses two entries of Config.Channels that it maps alike; names that
// only some servers take for one ("#ops[1]" and "#ops{1}", "#Café" and
// "#café") are posted to once on those servers (see session.deliver).
func foldEvery(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
