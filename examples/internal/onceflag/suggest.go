package onceflag

import (
	"flag"
	"fmt"
	"strings"
)

// undefinedPrefix starts the flag package's error for a flag fs does not
// have; the name follows.
const undefinedPrefix = "flag provided but not defined: -"

// withSuggestion returns err, fs.Parse's, with a line naming the flag of
// fs closest to the one it says fs does not have, when that one is close:
// at most one edit (a letter left out, added or changed, or two letters
// swapped) from it, two for a name of six letters or more, and none for a
// name shorter than three, which could be anything. Of flags as close, it
// names the first in order.
func withSuggestion(fs *flag.FlagSet, err error) error {
	name, ok := strings.CutPrefix(err.Error(), undefinedPrefix)
	given := []rune(name)
	if !ok || len(given) < 3 {
		return err
	}
	limit := 1
	if len(given) >= 6 {
		limit = 2
	}
	best, bestDist := "", limit+1
	fs.VisitAll(func(f *flag.Flag) { // in lexical order
		if d := distance(given, []rune(f.Name)); d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	if best == "" {
		return err
	}
	return fmt.Errorf("%w\ndid you mean -%s?", err, best)
}

// distance is the number of edits from a to b: a rune inserted, deleted or
// replaced, or two adjacent ones swapped (optimal string alignment).
func distance(a, b []rune) int {
	// d[i][j] is the distance from a[:i] to b[:j].
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
