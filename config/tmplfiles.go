package config

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/templates"
)

// fileFault is a fault of one file of the templates directory, file as
// fs.ReadDir names it ("" for a fault of the directory), err what is
// wrong with it, without its name.
type fileFault struct {
	file string
	err  error
}

// checkTemplateFiles reports every "<name>.tmpl" file of dir, the
// file's templates directory, whose name no channel renders: not a
// default template, not one a kind renders (Spec.Templates), not one a
// channel names (named). A mistyped name ("x_post.tmpl", "shrot.tmpl")
// would otherwise be a template nobody uses while the default is sent.
func checkTemplateFiles(dir fs.FS, kinds []Kind, named []string) []fileFault {
	entries, err := fs.ReadDir(dir, ".")
	if err != nil {
		return []fileFault{{err: fmt.Errorf("read directory: %w", err)}}
	}
	known := map[string]bool{}
	for _, n := range append(templates.Default().Names(), named...) {
		known[baseName(n)] = true
	}
	for _, k := range kinds {
		for _, n := range k.templates {
			known[baseName(n)] = true
		}
	}
	var faults []fileFault
	for _, e := range entries {
		name, ok := templates.FileTemplate(e.Name())
		if !ok || e.IsDir() || known[baseName(name)] {
			continue
		}
		names := make([]string, 0, len(known))
		for n := range known {
			names = append(names, n)
		}
		slices.Sort(names)
		hint := ""
		if near := nearest(baseName(name), names); near != "" {
			hint = fmt.Sprintf("did you mean %q? ", near)
		}
		faults = append(faults, fileFault{e.Name(), fmt.Errorf("no channel renders a template %q (%sknown: %s; or name it in a channel's template key)",
			baseName(name), hint, strings.Join(names, ", "))})
	}
	return faults
}

// leaveMaybeNamed returns unrendered without the faults of the files
// whose template an entry of refused may name: a channel entry refused
// is not built, so the template its Config would name is not known. An
// entry may name a template one of its values, expanded, holds as a word
// (its template key, a URL's template parameter, in a kind's field of any
// name). The values are read, never quoted.
func leaveMaybeNamed(unrendered []fileFault, refused []*yaml.Node) []fileFault {
	words := map[string]bool{}
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		switch n.Kind {
		case yaml.AliasNode:
			walk(n.Alias)
		case yaml.ScalarNode:
			for _, w := range strings.FieldsFunc(n.Value, notNameRune) {
				words[baseName(w)] = true
			}
		case yaml.MappingNode:
			for i := 1; i < len(n.Content); i += 2 {
				walk(n.Content[i]) // the values: a key names no template
			}
		default:
			for _, c := range n.Content {
				walk(c)
			}
		}
	}
	for _, n := range refused {
		walk(n)
	}
	var out []fileFault
	for _, u := range unrendered {
		name, _ := templates.FileTemplate(u.file)
		if u.file == "" || !words[baseName(name)] {
			out = append(out, u)
		}
	}
	return out
}

// notNameRune reports whether r is no rune of a template's name as a
// word of text: a letter, a digit, "_", "-" or ".".
func notNameRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' && r != '.'
}

// templateFaults returns the faults of the templates directory, each
// naming the file it is about after "templates: " (that prefix left
// out): those of templates.New (refused), in its order, then those of
// checkTemplateFiles (unrendered). A file with one of each is one fault,
// on one line: New's, then "; and" what checkTemplateFiles found.
func templateFaults(refused []error, unrendered []fileFault) []error {
	also := map[string]error{} // file → what checkTemplateFiles found
	for _, u := range unrendered {
		if u.file != "" {
			also[u.file] = u.err
		}
	}
	out := make([]error, 0, len(refused)+len(unrendered))
	for _, err := range refused {
		msg := strings.TrimPrefix(err.Error(), "templates: ")
		if fe := (*templates.FileError)(nil); errors.As(err, &fe) {
			if u, ok := also[fe.File]; ok {
				msg += "; and " + u.Error()
				delete(also, fe.File)
			}
		}
		out = append(out, errors.New(msg))
	}
	for _, u := range unrendered {
		switch _, ok := also[u.file]; {
		case u.file == "":
			out = append(out, u.err)
		case ok:
			out = append(out, fmt.Errorf("%s: %w", templates.ShownFile(u.file), u.err))
		}
	}
	return out
}

// baseName returns a template's name without its status: "short" for
// "short.resolved".
func baseName(name string) string {
	base, _, _ := strings.Cut(name, ".")
	return base
}

// nearest returns the name of names closest to s, if it is a likely typo
// of it: at most two edits apart ('-' for '_' and case changes count
// none), else "".
func nearest(s string, names []string) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "-") }
	best, bestD := "", 3
	for _, n := range names {
		if d := distance(norm(s), norm(n)); d < bestD && d < len(n) {
			best, bestD = n, d
		}
	}
	return best
}

// nearLength returns the names of about the length of s, those nearest
// can find near it: distance takes time that grows with the product of
// the lengths, and a long s is near no name.
func nearLength(s string, names []string) []string {
	var out []string
	for _, n := range names {
		if d := len(n) - len(s); d > -3 && d < 3 {
			out = append(out, n)
		}
	}
	return out
}

// distance is the Levenshtein distance of a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
