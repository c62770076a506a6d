package config

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// readGen writes random flow mappings whose values are references, each
// to a variable of its own (${V1}, ${V2}, …), nested mappings and lists,
// with anchors, aliases of what was written before, merge keys of one
// mapping or a list, nested merges and keys that override merged ones.
type readGen struct {
	r        *rand.Rand
	n        int      // references and anchors written
	mappings []string // anchors of mappings complete, which a merge or an alias may name
	values   []string // anchors of any value complete, which an alias may name
}

func (g *readGen) ref() string {
	g.n++
	s := fmt.Sprintf(`"${V%d}"`, g.n)
	if g.r.IntN(3) == 0 {
		a := fmt.Sprintf("s%d", g.n)
		g.values = append(g.values, a)
		s = "&" + a + " " + s
	}
	return s
}

func (g *readGen) value(depth int) string {
	switch c := g.r.IntN(6); {
	case c == 0 && len(g.values) > 0:
		return "*" + g.values[g.r.IntN(len(g.values))]
	case c == 1 && depth > 0:
		return g.mapping(depth - 1)
	case c == 2 && depth > 0:
		var items []string
		for range 1 + g.r.IntN(3) {
			items = append(items, g.value(depth-1))
		}
		return "[" + strings.Join(items, ", ") + "]"
	default:
		return g.ref()
	}
}

func (g *readGen) merged(depth int) string {
	if len(g.mappings) > 0 && g.r.IntN(2) == 0 {
		return "*" + g.mappings[g.r.IntN(len(g.mappings))]
	}
	return g.mapping(depth)
}

func (g *readGen) mapping(depth int) string {
	g.n++
	anchor := fmt.Sprintf("m%d", g.n)
	var keys []string // in the order written: a merge key anywhere
	for _, k := range []string{"a", "b", "c"} {
		if g.r.IntN(2) == 0 {
			keys = append(keys, k)
		}
	}
	if depth > 0 && g.r.IntN(3) > 0 {
		keys = slices.Insert(keys, g.r.IntN(len(keys)+1), "<<")
	}
	var parts []string
	for _, k := range keys {
		if k != "<<" {
			parts = append(parts, k+": "+g.value(depth))
			continue
		}
		m := g.merged(depth - 1)
		if g.r.IntN(2) == 0 {
			items := []string{m}
			for range g.r.IntN(3) {
				items = append(items, g.merged(depth-1))
			}
			m = "[" + strings.Join(items, ", ") + "]"
		}
		parts = append(parts, "<<: "+m)
	}
	g.mappings = append(g.mappings, anchor)
	g.values = append(g.values, anchor)
	return "&" + anchor + " {" + strings.Join(parts, ", ") + "}"
}

// substitute returns v, as the YAML library decodes a file, with each
// reference ${Vn} of a variable that vars sets replaced by its value,
// and notes in read the variables of the references in it.
func substitute(v any, vars map[string]string, read map[string]bool) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = substitute(e, vars, read)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = substitute(e, vars, read)
		}
		return out
	case string:
		name := strings.TrimSuffix(strings.TrimPrefix(v, "${"), "}")
		read[name] = true
		if val, ok := vars[name]; ok {
			return val
		}
	}
	return v
}

// The expansion reads the file as the YAML library does: on random
// documents of anchors, aliases, nested merges and overridden keys, a
// reference to a variable that is not set is an error exactly when the
// library reads its value, and the file expanded decodes to what the
// library reads with the references replaced by their values.
func TestExpansionReadsAsTheLibrary(t *testing.T) {
	unset := regexp.MustCompile(`environment variable (V\d+) is not set`)
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 58))
		g := &readGen{r: r}
		doc := "root: " + g.mapping(3) + "\n"
		vars := map[string]string{}
		for i := 1; i <= g.n; i++ {
			if r.IntN(2) == 0 {
				vars[fmt.Sprintf("V%d", i)] = fmt.Sprintf("v%d", i)
			}
		}
		var lib any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &lib), doc)
		readVars := map[string]bool{}
		want := substitute(lib, vars, readVars)
		var wantErrs []string
		for v := range readVars {
			if _, ok := vars[v]; !ok {
				wantErrs = append(wantErrs, v)
			}
		}
		slices.Sort(wantErrs)

		var root yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(doc), &root), doc)
		ex := &expander{lookup: func(name string) (string, bool) { v, ok := vars[name]; return v, ok }, data: []byte(doc)}
		var errs []error
		ex.walk("t.yaml", "", &root, &errs)
		var gotErrs []string
		for _, err := range errs {
			m := unset.FindStringSubmatch(err.Error())
			require.NotNil(t, m, "seed %d: %s\n%v", seed, doc, err)
			gotErrs = append(gotErrs, m[1])
		}
		slices.Sort(gotErrs)
		require.Equal(t, wantErrs, gotErrs, "seed %d: unset variables named, of those read: %s", seed, doc)

		var got any
		require.NoError(t, root.Decode(&got), doc)
		require.Equal(t, want, got, "seed %d: %s", seed, doc)
	}
}
