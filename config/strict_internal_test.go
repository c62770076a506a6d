package config

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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
// number of 100,000 digits costs it about as many allocations as one of
// 1,000.
func TestOutOfRangeReadsNoMoreThanTheYAMLLibrary(t *testing.T) {
	tint := reflect.TypeFor[int]()
	tests := []struct {
		name   string
		number func(zeros string) string
		out    bool
	}{
		{"1.0…0e3", func(z string) string { return "1." + z + "e3" }, false},
		{"10…0", func(z string) string { return "1" + z }, true},
		{"-10…0", func(z string) string { return "-1" + z }, true},
		{"0…05", func(z string) string { return z + "5" }, false},
		{"0.0…01e…", func(z string) string { return "0." + z + "1e" + strconv.Itoa(len(z)+2) }, false}, // 10
	}
	for _, tt := range tests {
		long, short := plainNode(tt.number(strings.Repeat("0", 100000))), plainNode(tt.number(strings.Repeat("0", 1000)))
		for _, n := range []*yaml.Node{short, long} {
			if got := outOfRange(n, tint); got != tt.out {
				t.Errorf("%s of %d digits: out of range %v, want %v", tt.name, len(n.Value), got, tt.out)
			}
		}
		// With room for the runtime's own (the race detector's, a
		// conversion's buffer): reading every digit exactly made about
		// 1,000 allocations here, against 40.
		want := 2*testing.AllocsPerRun(10, func() { outOfRange(short, tint) }) + 10
		if got := testing.AllocsPerRun(10, func() { outOfRange(long, tint) }); got > want {
			t.Errorf("%s: %v allocations for 100,000 digits, want at most %v, about as for 1,000", tt.name, got, want)
		}
	}
}

// requote names a value from the environment by its reference in an
// error that quotes it in another case, as a channel may quote what it
// read (email's auth, in upper case).
func TestRequoteInAnyCase(t *testing.T) {
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: "Hunter2xyz"}
	ex := &expander{source: map[*yaml.Node]string{n: "${P}"}}
	for _, msg := range []string{`unknown method "HUNTER2XYZ"`, `unknown method "hunter2xyz"`, `unknown method "Hunter2xyz"`} {
		assert.Equal(t, `unknown method "${P}"`, ex.requote(msg, n), msg)
	}
	written := &yaml.Node{Kind: yaml.ScalarNode, Value: "Hunter2xyz"}
	assert.Equal(t, `unknown method "HUNTER2XYZ"`, ex.requote(`unknown method "HUNTER2XYZ"`, written), "a value written in the file is left")
}
