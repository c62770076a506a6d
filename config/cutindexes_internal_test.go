package config

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// cutIndexes finds the list indexes the regular expression \[[0-9]+\]
// finds, and replaces their digits as its ReplaceAllLiteralString would.
func TestCutIndexesAsTheRegexp(t *testing.T) {
	index := regexp.MustCompile(`\[[0-9]+\]`)
	for _, path := range []string{"", "a", "channels[0].when.statuses[12]", "stages[1][0]", "[", "[]", "[1", "a[x]", "[[3]]",
		"a[1]b[22]c[", "[0][1][2]", "a.<<[3]", "x[01a][7]"} {
		var want []string
		for _, ix := range index.FindAllString(path, -1) {
			want = append(want, ix[1:len(ix)-1])
		}
		got, digits := cutIndexes(path, "\x01")
		assert.Equal(t, index.ReplaceAllLiteralString(path, "[\x01]"), got, path)
		assert.Equal(t, want, digits, path)
	}
}
