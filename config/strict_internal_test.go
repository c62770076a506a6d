package config

import (
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// plainNode returns text as a plain scalar, tagged as the YAML library
// resolves it.
func plainNode(text string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: text}
	n.Tag = n.ShortTag()
	return n
}

// The range check of a whole number reads it as the YAML library does, a
// float64 where it has a point or an exponent, and never converts all its
// digits exactly (big.Float.SetString takes time quadratic in them): a
// number of 100,000 digits costs it no more allocations than 1e3 does.
func TestOutOfRangeReadsNoMoreThanTheYAMLLibrary(t *testing.T) {
	zeros := strings.Repeat("0", 100000)
	tint := reflect.TypeFor[int]()
	short := plainNode("1e3")
	base := testing.AllocsPerRun(3, func() { outOfRange(short, tint) })
	for long, want := range map[string]bool{
		"1." + zeros + "e3":       false, // 1000
		"1" + zeros:               true,
		"-1" + zeros:              true,
		zeros + "5":               false,
		"0." + zeros + "1e100002": false, // 10
	} {
		n := plainNode(long)
		if got := outOfRange(n, tint); got != want {
			t.Errorf("%.8s…: out of range %v, want %v", long, got, want)
		}
		if got := testing.AllocsPerRun(3, func() { outOfRange(n, tint) }); got > base {
			t.Errorf("%.8s…: %v allocations, want at most 1e3's %v", long, got, base)
		}
	}
}
