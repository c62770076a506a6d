package config

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The channel packages and the broadcast package name what a file sets by
// its Go name: "webhook: Config.Endpoints[1].Secret: not a whsec_ secret",
// "raise broadcast.Options.AttemptTimeout". The spec structs mirror those
// Config fields, with the file's key in their yaml tags; a key whose Go
// field has another name says which in a "sets" tag (ca_file sets
// TLSConfig). So one mapping, read from the tags, turns every such name
// into the file's key path: "endpoints[1].secret", "attempt_timeout".

var (
	// goName matches a Go name of a setting, with its path of fields and
	// indexes.
	goName = regexp.MustCompile(`\b((?:[a-z]\w*\.)?Config|broadcast\.Options|broadcast\.RetryPolicy)((?:\.[A-Z]\w*|\[[^\]]*\])+)`)
	// goSegment is one step of that path: a field or an index.
	goSegment = regexp.MustCompile(`\.([A-Z]\w*)|\[([^\]]*)\]`)
)

// explain returns msg, an error of the package behind spec (nil: none),
// with the Go names of settings replaced by the file's keys, and the key
// path of the first one replaced. A package's name before a Config field
// ("webhook: Config.URL: missing") is dropped: the caller says which
// channel. Names no key sets are left alone.
func explain(spec reflect.Type, msg string) (string, []string) {
	if pkg, rest, ok := strings.Cut(msg, ": "); ok && isIdent(pkg) && strings.HasPrefix(rest, "Config") {
		msg = rest
	}
	var first []string
	out := goName.ReplaceAllStringFunc(msg, func(s string) string {
		m := goName.FindStringSubmatch(s)
		keys, ok := keysOf(spec, m[1], m[2])
		if !ok {
			return s
		}
		if first == nil {
			first = keys
		}
		return renderKeys(keys)
	})
	return out, first
}

// keysOf resolves the path segs below root, a Go name matched by goName.
func keysOf(spec reflect.Type, root, segs string) ([]string, bool) {
	switch root {
	case "broadcast.Options":
		return keyPath(fileType, segs)
	case "broadcast.RetryPolicy":
		return keyPath(fileType, ".Retry"+segs)
	}
	if spec != nil {
		if keys, ok := keyPath(spec, segs); ok {
			return keys, true
		}
	}
	return keyPath(fileType, segs) // Config.Templates: set by a top-level key
}

// keyPath turns segs (".Endpoints[1].Secret") into the keys of the YAML
// struct t: ["endpoints", "[1]", "secret"].
func keyPath(t reflect.Type, segs string) ([]string, bool) {
	var out []string
	for _, m := range goSegment.FindAllStringSubmatch(segs, -1) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if m[1] == "" { // an index
			if t.Kind() != reflect.Slice && t.Kind() != reflect.Map {
				return nil, false
			}
			out, t = append(out, "["+m[2]+"]"), t.Elem()
			continue
		}
		if t.Kind() != reflect.Struct {
			return nil, false
		}
		key, ft, ok := fieldKey(t, m[1])
		if !ok {
			return nil, false
		}
		out, t = append(out, key), ft
	}
	return out, len(out) > 0
}

// fieldKey returns the YAML key and type of struct t's field that sets the
// Go field name: the field of that name, or the one whose "sets" tag names
// it. Inline fields count as t's own.
func fieldKey(t reflect.Type, name string) (string, reflect.Type, bool) {
	for f := range t.Fields() {
		key, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if opts == "inline" {
			if k, ft, ok := fieldKey(f.Type, name); ok {
				return k, ft, true
			}
			continue
		}
		if !f.IsExported() || key == "-" || (f.Name != name && f.Tag.Get("sets") != name) {
			continue
		}
		if key == "" {
			key = strings.ToLower(f.Name)
		}
		return key, f.Type, true
	}
	return "", nil, false
}

func renderKeys(keys []string) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 && !strings.HasPrefix(k, "[") {
			b.WriteByte('.')
		}
		b.WriteString(k)
	}
	return b.String()
}

// lineOf returns the line of the deepest of keys found below n; n's own
// line when none is (a key merged in with "<<" is not found: the error is
// about n all the same).
func lineOf(n *yaml.Node, keys []string) int {
	line := n.Line
	for _, k := range keys {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		key, val := child(n, k)
		if val == nil {
			return line
		}
		line, n = key.Line, val
	}
	return line
}

// nodeAt returns the node keys name below n, or nil.
func nodeAt(n *yaml.Node, keys []string) *yaml.Node {
	for _, k := range keys {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if _, n = child(n, k); n == nil {
			return nil
		}
	}
	return n
}

// child returns the node that key k ("url", "[1]", `["Host"]`) names in
// n, and the node whose line shows it: a mapping's key, a list's entry.
func child(n *yaml.Node, k string) (*yaml.Node, *yaml.Node) {
	if idx, ok := strings.CutPrefix(k, "["); ok {
		idx = strings.TrimSuffix(idx, "]")
		if n.Kind == yaml.SequenceNode {
			if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i < len(n.Content) {
				return n.Content[i], n.Content[i]
			}
			return nil, nil
		}
		if s, err := strconv.Unquote(idx); err == nil {
			k = s
		}
	}
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k && n.Content[i].Tag != "!!merge" {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

// isIdent reports whether s is a lower-case Go package name.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
