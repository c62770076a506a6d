package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"reflect"
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

// secretFileNames returns whether a file of the templates directory is
// named as a secret of held, the secrets the file writes ("Qz7k.tmpl",
// a password "Qz7k"): its faults name no file (see templateFaults). A
// secret under minHidden bytes is hidden by no error where it stands,
// and the names' checks take it for a secret whatever its length,
// quoting it nowhere.
func secretFileNames(held heldSecrets) func(file string) bool {
	secret := map[string]bool{}
	for _, v := range slices.Concat(held.values, held.urls, held.words) {
		secret[v] = true
	}
	return func(file string) bool {
		name, ok := templates.FileTemplate(file)
		return ok && (secret[name] || secret[baseName(name)])
	}
}

// secretFile starts the fault of a file named as a secret, in place of
// its name.
const secretFile = "a file named as a secret written in the channels (not quoted: it may be a secret)"

// leaveMaybeNamed returns unrendered without the faults of the files
// whose template an entry of refused may name: a channel entry refused
// is not built, so the template its Config would name is not known. An
// entry names a template where its kind's Config field Template is set
// (keys, the yaml keys of that field in the kinds: "template"), or a
// key written close to one of keys ("templat", an unknown key, which
// once fixed names it), or a URL's template parameter (or one written
// close to it); the value, expanded, holds the name as a word. Its other
// values (a name "status", a host) name none: a file named as one of
// them is named with the entry's faults, in the same error. The values
// are read, never quoted.
func leaveMaybeNamed(unrendered []fileFault, refused []*yaml.Node, keys []string) []fileFault {
	words := map[string]bool{}
	addWords := func(v string) {
		for _, w := range strings.FieldsFunc(v, notNameRune) {
			words[baseName(w)] = true
		}
	}
	names := func(key string) bool { return slices.Contains(keys, key) || nearest(key, keys) != "" }
	type visit struct {
		n      *yaml.Node
		naming bool // read where a key names a template: an alias may stand there and elsewhere
	}
	seen := map[visit]bool{}
	var walk func(n *yaml.Node, naming bool)
	walk = func(n *yaml.Node, naming bool) {
		if n == nil || seen[visit{n, naming}] {
			return
		}
		seen[visit{n, naming}] = true
		switch n.Kind {
		case yaml.AliasNode:
			walk(n.Alias, naming)
		case yaml.ScalarNode:
			if naming {
				addWords(n.Value)
			}
			// A URL's parameters: "template=short" (or a key close to it).
			for _, part := range strings.FieldsFunc(n.Value, func(r rune) bool { return r == '?' || r == '&' || r == '#' || r == ';' }) {
				if k, v, ok := strings.Cut(part, "="); ok && names(strings.ToLower(k)) {
					if u, err := url.QueryUnescape(v); err == nil {
						v = u
					}
					addWords(v)
				}
			}
		case yaml.MappingNode:
			for i := 1; i < len(n.Content); i += 2 {
				walk(n.Content[i], names(n.Content[i-1].Value)) // the values: a key names no template
			}
		default:
			for _, c := range n.Content {
				walk(c, naming)
			}
		}
	}
	for _, n := range refused {
		walk(n, false)
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

// templateKeys returns the yaml keys of the Config field Template of
// kinds, each once: the keys that name the template a channel renders.
func templateKeys(kinds []Kind) []string {
	var keys []string
	var find func(t reflect.Type, depth int)
	find = func(t reflect.Type, depth int) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || depth > 8 {
			return
		}
		for f := range t.Fields() {
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			switch {
			case opts == "inline" || f.Anonymous && name == "":
				find(f.Type, depth+1)
			case f.Name == "Template" && name != "-":
				if name == "" {
					name = strings.ToLower(f.Name)
				}
				if !slices.Contains(keys, name) {
					keys = append(keys, name)
				}
			}
		}
	}
	for _, k := range kinds {
		find(k.impl.entryType(), 0)
	}
	if keys == nil {
		keys = []string{"template"}
	}
	return keys
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
// on one line: New's, then "; and" what checkTemplateFiles found. A file
// that secretName reports named as a secret is not named, nor is what
// New found (its error names the file, as the template's name).
func templateFaults(refused []error, unrendered []fileFault, secretName func(file string) bool) []error {
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
			secret := secretName(fe.File)
			if secret {
				msg = secretFile + ": not a template templates.New takes (its error, which names it, not shown)"
			}
			if u, ok := also[fe.File]; ok {
				if secret {
					msg += "; and no channel renders its template"
				} else {
					msg += "; and " + u.Error()
				}
				delete(also, fe.File)
			}
		}
		out = append(out, errors.New(msg))
	}
	for _, u := range unrendered {
		switch _, ok := also[u.file]; {
		case u.file == "":
			out = append(out, u.err)
		case ok && secretName(u.file):
			out = append(out, errors.New(secretFile+": no channel renders its template; rename it"))
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
