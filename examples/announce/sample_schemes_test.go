package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// The sample's list of the URL schemes a channel entry can use is the
// loader's: every scheme of config.Kinds, the one an unknown scheme's error
// lists, and no other.
func TestSampleConfigListsEverySchemeTheLoaderTakes(t *testing.T) {
	raw, err := os.ReadFile("outagecast.sample.yaml")
	require.NoError(t, err)
	list := regexp.MustCompile(`(?s)# A channel is either a URL \((.*?)\), usually from the environment`).FindStringSubmatch(string(raw))
	require.NotNil(t, list, "the sample's sentence listing the URL schemes")
	var listed []string
	for _, m := range regexp.MustCompile(`([a-z][a-z0-9+.-]*):(?://)?`).FindAllStringSubmatch(list[1], -1) {
		listed = append(listed, m[1])
	}
	var known []string
	for _, k := range config.Kinds() {
		known = append(known, k.Schemes()...)
	}
	slices.Sort(listed)
	slices.Sort(known)
	require.NotEmpty(t, known)
	assert.Equal(t, known, listed, "the schemes the sample lists (%s)", strings.Join(strings.Fields(strings.ReplaceAll(list[1], "#", "")), " "))
}
