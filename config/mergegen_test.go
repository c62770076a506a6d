package config_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// mergeGen writes random flow mappings of max_attempts values, good (3)
// or bad (x1, x2, …, each once), with merge keys of one mapping or a
// list, nested merges, anchors and aliases of mappings written before.
type mergeGen struct {
	r       *rand.Rand
	n       int      // values and anchors written
	done    []string // anchors of mappings complete, which an alias may name
	aliased map[string]bool
}

func (g *mergeGen) value() string {
	if g.r.IntN(2) == 0 {
		return "3"
	}
	g.n++
	return fmt.Sprintf("x%d", g.n)
}

func (g *mergeGen) item(depth int) string {
	if len(g.done) > 0 && g.r.IntN(3) == 0 {
		a := g.done[g.r.IntN(len(g.done))]
		g.aliased[a] = true
		return "*" + a
	}
	return g.mapping(depth)
}

func (g *mergeGen) mapping(depth int) string {
	g.n++
	anchor := fmt.Sprintf("m%d", g.n)
	var parts []string
	if g.r.IntN(3) > 0 {
		parts = append(parts, "max_attempts: "+g.value())
	}
	if depth > 0 && g.r.IntN(3) > 0 {
		var m string
		if g.r.IntN(2) == 0 {
			m = g.item(depth - 1)
		} else {
			var items []string
			for range 1 + g.r.IntN(3) {
				items = append(items, g.item(depth-1))
			}
			m = "[" + strings.Join(items, ", ") + "]"
		}
		parts = append(parts, "<<: "+m)
		if g.r.IntN(2) == 0 { // the merge key first
			parts[0], parts[len(parts)-1] = parts[len(parts)-1], parts[0]
		}
	}
	g.done = append(g.done, anchor)
	return "&" + anchor + " {" + strings.Join(parts, ", ") + "}"
}

// The package checks the values the YAML library reads, and only those:
// on random documents of merges, the file is refused exactly when the
// max_attempts the library decodes is bad, naming that value alone.
func TestMergePrecedenceMatchesLibrary(t *testing.T) {
	for seed := range uint64(2000) {
		g := &mergeGen{r: rand.New(rand.NewPCG(seed, 53)), aliased: map[string]bool{}}
		m := g.mapping(3)
		for _, a := range g.done {
			if !g.aliased[a] {
				m = strings.Replace(m, "&"+a+" ", "", 1)
			}
		}
		doc := "retry: " + m + "\nchannels: [console://]\n"
		var got map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &got), doc)
		retry, _ := got["retry"].(map[string]any)
		read := retry["max_attempts"]
		_, _, err := parse(t, doc, nil)
		if s, bad := read.(string); bad {
			require.Error(t, err, "seed %d: %s", seed, doc)
			require.Len(t, strings.Split(err.Error(), "\n"), 1, "seed %d: %s\n%v", seed, doc, err)
			require.Contains(t, err.Error(), fmt.Sprintf("%q", s), "seed %d: %s", seed, doc)
		} else {
			require.NoError(t, err, "seed %d: %s (read %v)", seed, doc, read)
		}
	}
}
