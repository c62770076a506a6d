package config

import (
	"cmp"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The channel packages and the broadcast package name what a file sets by
// its Go name: "webhook: Config.Endpoints[1].Secret: whsec_ secret is not valid base64",
// "raise broadcast.Options.AttemptTimeout". The spec structs mirror those
// Config fields, with the file's key in their yaml tags; a key whose Go
// field has another name says which in a "sets" tag (ca_file sets
// TLSConfig, title sets Branding.Title). So one mapping, read from the
// tags, turns every such name into the file's key path:
// "endpoints[1].secret", "attempt_timeout".
//
// The checks of a Config also name fields bare, as Go callers know them:
// "url: missing (Secret is set)", "SASLUser and SASLPassword go together",
// "TLS is TLSPlaintext". For the errors of building a channel (not for
// later ones, whose text may be a server's) the same mapping turns those
// into keys too, and a constant named for its field and one of the key's
// values (TLSPlaintext, TLSOff) into that value as the file writes it.

var (
	// goName matches a Go name of a setting, with its path of fields and
	// indexes.
	goName = regexp.MustCompile(`\b((?:[a-z]\w*\.)?Config|broadcast\.Options|broadcast\.RetryPolicy)((?:\.[A-Z]\w*|\[[^\]]*\])+)`)
	// goSegment is one step of that path: a field or an index.
	goSegment = regexp.MustCompile(`\.([A-Z]\w*)|\[([^\]]*)\]`)
	// bareName matches a Go name used without "Config.": a capitalized
	// word, with the path of fields and indexes after it.
	bareName = regexp.MustCompile(`\b[A-Z]\w*(?:\.[A-Z]\w*|\[[^\]]*\])*`)
	// quotedText matches a quoted value, which is the user's and is left
	// alone.
	quotedText = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
)

// explain returns msg, an error of the package behind spec (nil: none),
// with the Go names of settings replaced by the file's keys, and the key
// path of the first one replaced. A package's name before a Config field
// ("webhook: Config.URL: missing") or before the URL form ("slack: URL:
// query: …") is dropped: the caller says which channel. Names no key sets
// are left alone.
func explain(spec reflect.Type, msg string) (string, []string) {
	if pkg, rest, ok := strings.Cut(msg, ": "); ok && isIdent(pkg) &&
		(strings.HasPrefix(rest, "Config") || strings.HasPrefix(rest, "URL: ")) {
		msg = rest
	}
	msg = strings.TrimPrefix(msg, "Config: ") // about no one field: "Config: no credentials: …"
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

// explainBuild is explain for an error of building a channel whose keys
// are spec's: it also turns the Go names the error uses bare into keys
// ("Secret is set" → "secret is set", "Endpoints[0]" → "endpoints[0]"),
// and a constant named for a field and one of enums' values of its key
// into that value ("TLSPlaintext" → "plaintext"). A bare name is looked
// up in the struct the error is about, then in those that hold it, up to
// spec. Quoted values and names in capitals (URL, TLS: words of prose
// too) are left alone, as are names no key sets.
func explainBuild(spec reflect.Type, enums map[string][]any, msg string) (string, []string) {
	msg, first := explain(spec, msg)
	if spec == nil {
		return msg, first
	}
	scopes := scopesOf(spec, first)
	var b strings.Builder
	last := 0
	for _, q := range quotedText.FindAllStringIndex(msg, -1) {
		b.WriteString(explainBare(scopes, enums, msg[last:q[0]]))
		b.WriteString(msg[q[0]:q[1]])
		last = q[1]
	}
	b.WriteString(explainBare(scopes, enums, msg[last:]))
	return b.String(), first
}

// explainBare replaces the bare Go names in text, outside quotes.
func explainBare(scopes []reflect.Type, enums map[string][]any, text string) string {
	var b strings.Builder
	last := 0
	for _, m := range bareName.FindAllStringIndex(text, -1) {
		if !inProse(text, m[0], m[1]) {
			continue
		}
		b.WriteString(text[last:m[0]])
		b.WriteString(translateBare(scopes, enums, text[m[0]:m[1]]))
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// inProse reports whether text[i:j] stands as a word of the message
// itself: after the start, a space or "(", and before the end, a space or
// a mark that ends a clause. A name inside the user's own text (a path as
// /etc/Name/ca.pem, a template's {{.To}}, an IRC channel #Server, a URL's
// ?Name=) is not the error naming a field, and is left as written.
func inProse(text string, i, j int) bool {
	if i > 0 && text[i-1] != ' ' && text[i-1] != '(' {
		return false
	}
	if j == len(text) {
		return true
	}
	switch text[j] {
	case ' ', ')', ',', ':', ';':
		return true
	case '.':
		return j+1 == len(text) || text[j+1] == ' '
	}
	return false
}

// translateBare returns the key, or the value as the file writes it, for
// s, a bare Go name; s itself when it is neither.
func translateBare(scopes []reflect.Type, enums map[string][]any, s string) string {
	name := s // the first field
	if i := strings.IndexAny(s, ".["); i >= 0 {
		name = s[:i]
	}
	if name == strings.ToUpper(name) {
		return s
	}
	for _, t := range scopes {
		if keys, ok := keyPath(t, "."+s); ok {
			return renderKeys(keys)
		}
	}
	for _, t := range scopes {
		if v, ok := constant(t, enums, s); ok {
			return v
		}
	}
	return s
}

// scopesOf returns the structs a bare name in an error about keys may
// be a field of: the one keys name, those that hold it, then spec.
func scopesOf(spec reflect.Type, keys []string) []reflect.Type {
	out := []reflect.Type{spec}
	t := spec
	for _, k := range keys {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case strings.HasPrefix(k, "["):
			if t.Kind() != reflect.Slice && t.Kind() != reflect.Map {
				return out
			}
			t = t.Elem()
		case t.Kind() != reflect.Struct:
			return out
		default:
			f, ok := yamlFields(t)[k]
			if !ok {
				return out
			}
			t = f
		}
		if e := structOf(t); e != nil {
			out = append([]reflect.Type{e}, out...)
		}
	}
	return out
}

// structOf returns t, or what it points to, when that is a struct.
func structOf(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

// constant returns the value name stands for when it is a Go constant
// named for a field of struct t and a value its key takes, as enums list
// them: TLSPlaintext, of field TLS, is "plaintext" of key tls. Of a key
// that takes a boolean, as a file writes it, a constant named On or Off
// is true or false, the words the file is told to write: irc's TLSOff
// is false of key tls, which takes on and off too.
func constant(t reflect.Type, enums map[string][]any, name string) (string, bool) {
	for i := len(name) - 1; i > 0; i-- {
		key, _, ok := fieldKey(t, name[:i])
		if !ok {
			continue
		}
		word := strings.ToLower(name[i:])
		for _, v := range enums[key] {
			if b, isBool := v.(bool); isBool && (word == "on" && b || word == "off" && !b) {
				return strconv.FormatBool(b), true
			}
		}
		for _, v := range enums[key] {
			if s, isString := v.(string); isString && strings.EqualFold(s, name[i:]) {
				return s, true
			}
		}
	}
	return "", false
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
//
// A key whose "sets" tag names a path of fields ("Branding.Title") stands
// for that whole path; the longest one a key sets is taken.
func keyPath(t reflect.Type, segs string) ([]string, bool) {
	var out []string
	ms := goSegment.FindAllStringSubmatch(segs, -1)
	for i := 0; i < len(ms); i++ {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if ms[i][1] == "" { // an index
			if t.Kind() != reflect.Slice && t.Kind() != reflect.Map {
				return nil, false
			}
			out, t = append(out, "["+ms[i][2]+"]"), t.Elem()
			continue
		}
		if t.Kind() != reflect.Struct {
			return nil, false
		}
		key, ft, ok := fieldKey(t, ms[i][1])
		name, n := ms[i][1], 1
		for j := i + 1; j < len(ms) && ms[j][1] != ""; j++ {
			name += "." + ms[j][1]
			if k, f, found := fieldKey(t, name); found {
				key, ft, ok, n = k, f, true, j-i+1
			}
		}
		if !ok {
			return nil, false
		}
		if key != "" {
			out = append(out, key)
		}
		t = ft
		i += n - 1
	}
	return out, len(out) > 0
}

// fieldKey returns the YAML key and type of struct t's field that sets the
// Go field name (or path of fields, "Branding.Title"): the field of that
// name, or the one whose "sets" tag names it. Inline fields count as t's
// own, and an inline field's own name stands for no key ("").
func fieldKey(t reflect.Type, name string) (string, reflect.Type, bool) {
	for f := range t.Fields() {
		key, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if opts == "inline" {
			if f.Name == name {
				// The Config a file's struct inlines ("Config.Password"
				// of emailFile): no key of its own.
				return "", f.Type, true
			}
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

// lineOf returns the line of the deepest of keys found below n, n's own
// line when none is, found as decoding finds them: through aliases, and
// in the mappings n merges in ("<<: *defaults", the earlier first).
// Through an alias (or a merge of one) it is the alias's line: the one
// rule of the package's faults, as walker.aliasLine says why.
func lineOf(n *yaml.Node, keys []string) int {
	line, _ := locate(n, keys)
	return line
}

// locate is lineOf, and whether keys pass through an alias, or a merge
// of one, below n, or lead to one: the line is then the first alias's.
func locate(n *yaml.Node, keys []string) (line int, aliased bool) {
	line = n.Line
	at := func(l int, alias bool) {
		if !aliased {
			line, aliased = l, alias
		}
	}
	for _, k := range keys {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			at(n.Line, true)
			n = n.Alias
		}
		key, val, alias := mergedChild(n, k, map[*yaml.Node]bool{})
		if val == nil {
			return line, aliased
		}
		if alias != nil {
			at(alias.Line, true)
		} else {
			at(key.Line, false)
		}
		n = val
	}
	if n.Kind == yaml.AliasNode { // the value itself: "when: *w", or "<<: {when: *w}"
		at(n.Line, true)
	}
	return line, aliased
}

// mergedChild is child of key k of n, looked for as merged looks for it:
// in n, else in the mappings n merges in, in turn (seen holds those
// looked into). alias is the first alias a merge went through to find it,
// nil for none.
func mergedChild(n *yaml.Node, k string, seen map[*yaml.Node]bool) (key, val, alias *yaml.Node) {
	if key, val = child(n, k); val != nil || n.Kind != yaml.MappingNode || seen[n] {
		return key, val, nil
	}
	seen[n] = true
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag != "!!merge" {
			continue
		}
		v, va := unalias(n.Content[i+1])
		items := []*yaml.Node{v} // "<<: *a", "<<: {…}"
		if v.Kind == yaml.SequenceNode {
			items = v.Content // "<<: [*a, *b]"
		}
		for _, item := range items {
			src, ia := unalias(item)
			if key, val, below := mergedChild(src, k, seen); val != nil {
				return key, val, cmp.Or(va, ia, below)
			}
		}
	}
	return nil, nil, nil
}

// unalias returns the node alias n stands for, and n; n itself and nil
// for a node that is no alias.
func unalias(n *yaml.Node) (node, alias *yaml.Node) {
	if n.Kind != yaml.AliasNode {
		return n, nil
	}
	alias = n
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n, alias
}

// nodeAt returns the node keys name below n, or nil: the node an alias
// stands for, not the alias ("kind: *k" is the value the anchor k
// holds, which an error quotes).
func nodeAt(n *yaml.Node, keys []string) *yaml.Node {
	for _, k := range keys {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if _, n = child(n, k); n == nil {
			return nil
		}
	}
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
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

// merged returns the value of key k of mapping n as decoding reads it:
// the one written in n, or else the first found in the mappings n merges
// in ("<<: *defaults", "<<: [*a, *b]": the earlier wins), looked into in
// turn; aliases are followed, and a mapping is looked into once (a merge
// may name itself, or many merges one mapping). nil when n has no such key.
func merged(n *yaml.Node, k string) *yaml.Node {
	return mergedIn(n, k, map[*yaml.Node]bool{})
}

func mergedIn(n *yaml.Node, k string, seen map[*yaml.Node]bool) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if seen[n] {
		return nil
	}
	seen[n] = true
	switch n.Kind {
	case yaml.SequenceNode: // "<<: [*a, *b]"
		for _, m := range n.Content {
			if v := mergedIn(m, k, seen); v != nil {
				return v
			}
		}
		return nil
	case yaml.MappingNode:
	default:
		return nil
	}
	if _, v := child(n, k); v != nil {
		for v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		return v
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag == "!!merge" {
			if v := mergedIn(n.Content[i+1], k, seen); v != nil {
				return v
			}
		}
	}
	return nil
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
