package config

import (
	"cmp"
	"encoding"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/internal/credshape"
	"github.com/outagecast/outagecast/internal/durlimit"
)

var (
	nodeType        = reflect.TypeFor[yaml.Node]()
	durationType    = reflect.TypeFor[time.Duration]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkKeys returns a fault for every mapping key below n that type t has
// no field for, with its line: "outagecast.yaml:12: channels[1]: unknown
// key "secrt" (known: ...)", and adds the key's node to refused. Shapes
// that do not match t are left to checkValues.
func checkKeys(file, path string, n *yaml.Node, t reflect.Type, refused map[*yaml.Node]bool) []error {
	return checkKeysHint(file, path, n, t, refused, "")
}

// checkKeysHint is checkKeys with hint added to the fault of each unknown
// key of n itself (or merged into it), not to those of a mapping below.
func checkKeysHint(file, path string, n *yaml.Node, t reflect.Type, refused map[*yaml.Node]bool, hint string) []error {
	var faults []error
	_ = walker{file: file, keys: true, faults: &faults, refused: refused, keyHint: hint, top: path}.walk(path, n, t)
	return faults
}

// checkValues returns a fault for every value below n that does not
// decode into its field of type t, or that is written empty (null, which
// the schema refuses), naming its key and line: "outagecast.yaml:4:
// channels[0].concurrency: want a whole number, got "many"", and adds
// the value's node to refused. A value from the environment is quoted as
// ex wrote it: got "${SMTP_PORT}". Keys t has no field for are left to
// checkKeys.
func checkValues(file, path string, n *yaml.Node, t reflect.Type, ex *expander, refused map[*yaml.Node]bool) []error {
	var faults []error
	_ = walker{file: file, values: true, ex: ex, faults: &faults, refused: refused}.walk(path, n, t)
	return faults
}

// checkHead is checkValues of a channel entry's kind and type (type t),
// before its kind is known: a kind written empty is left to the check
// that lists the kinds.
func checkHead(file, path string, n *yaml.Node, t reflect.Type, ex *expander) error {
	return walker{file: file, values: true, ex: ex, nullOK: true}.walk(path, n, t)
}

// checkEnums returns a fault for every key of mapping n whose values
// enums lists (for the schema) and whose value, written in the file, is
// not one of them, as an editor checking the file against the schema
// would, but for a value of refused (checkValues named it): a
// channel's package may read more ("STARTTLS", "Plain", or "" for its
// default), which the schema refuses, so Load refuses it too. True or
// false written as text, quoted or tagged !!str, is not the boolean the
// list holds. A value from the environment, which the schema cannot see,
// is one of them in any case, or empty (see envEnumValue); its error
// quotes the reference, not the value. It looks into merged mappings ("<<:
// {tls: "false"}") and through aliases, as the YAML library does.
func checkEnums(file, path string, n *yaml.Node, enums map[string][]any, ex *expander, refused map[*yaml.Node]bool) []error {
	return enumsAt(file, path, n, 0, enums, ex, refused, newMerges[string]())
}

// enumsAt is checkEnums of n, reached through an alias (or a merge of
// one) at aliasLine, 0 for none: its faults are at that line, as the
// walker's are (see walker.aliasLine). seen holds the mappings merged in
// so far and the keys read, as the walker's do: a value the YAML library
// does not read (overridden) is not looked at.
func enumsAt(file, path string, n *yaml.Node, aliasLine int, enums map[string][]any, ex *expander, refused map[*yaml.Node]bool, seen merges[string]) []error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		if aliasLine == 0 {
			aliasLine = n.Line
		}
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var faults []error
	own := func(k, v *yaml.Node) error {
		line := cmp.Or(aliasLine, v.Line) // v.Line: of the alias, where the value is used
		for v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		vals, ok := enums[k.Value]
		if !ok || v.Kind != yaml.ScalarNode || refused[v] {
			return nil
		}
		var err error
		switch {
		case ex.expanded(v):
			err = envEnumValue(v, vals, ex)
		case ex.atSecret[v]:
			// Written at a key of secrets, aliased here: not quoted.
			if err = enumValue(v, vals); err != nil {
				err = fmt.Errorf("want one of %s, got text (not quoted: it may be a secret)", enumList(vals))
			}
		default:
			err = enumValue(v, vals)
		}
		if err != nil {
			faults = append(faults, faultf(file, line, "%s%w", prefix(join(path, k.Value)), err))
		}
		return nil
	}
	merge := func(v *yaml.Node) error { // "<<: *a", "<<: [*a, *b]"
		for m := range seen.items(path, v) {
			faults = append(faults, enumsAt(file, path, m, aliasLine, enums, ex, refused, seen)...)
		}
		return nil
	}
	_ = seen.mapping(path, n, own, merge)
	return faults
}

// checkBelow is checkKeys and checkValues of the value of key of the
// entry n at path, as a walk of n would make them: through an alias, or
// a merge of one, at the alias's line. nil when n has no such key.
func checkBelow(file, path string, n *yaml.Node, key string, t reflect.Type, ex *expander, refused map[*yaml.Node]bool) []error {
	v := merged(n, key)
	if v == nil {
		return nil
	}
	var faults []error
	w := walker{file: file, faults: &faults, refused: refused}
	if line, aliased := locate(n, []string{key}); aliased {
		w.aliasLine = line
	}
	keys, values := w, w
	keys.keys = true
	values.values, values.ex = true, ex
	_ = keys.walk(join(path, key), v, t)
	_ = values.walk(join(path, key), v, t)
	return faults
}

// envEnumValue returns what is wrong with scalar v, a value from the
// environment for a key of the values vals, or nil when it is one of them
// in any case, or empty (the key left out), as the key's type reads it.
// The error quotes the reference, not the value: a variable of a secret
// put in the wrong key would show otherwise, and the channel's own error
// may quote the value changed (email's auth in upper case), which no
// reference replaces.
func envEnumValue(v *yaml.Node, vals []any, ex *expander) error {
	if v.Value == "" || slices.ContainsFunc(vals, func(x any) bool { return strings.EqualFold(fmt.Sprint(x), v.Value) }) {
		return nil
	}
	got := ex.quoted(v)
	if isURL(got) {
		got = urlNotQuoted
	}
	return fmt.Errorf("want one of %s, got %s", enumList(vals), got)
}

// enumList writes vals for an error: "a, b, c".
func enumList(vals []any) string {
	out := make([]string, len(vals))
	for i, x := range vals {
		out[i] = fmt.Sprint(x)
	}
	return strings.Join(out, ", ")
}

// enumValue returns what is wrong with scalar v, written in the file for
// a key of the values vals, or nil when it is one of them.
func enumValue(v *yaml.Node, vals []any) error {
	var got any
	if v.Decode(&got) == nil && slices.ContainsFunc(vals, func(x any) bool { return reflect.DeepEqual(x, got) }) {
		return nil
	}
	plain := &yaml.Node{Kind: yaml.ScalarNode, Value: v.Value}
	var b bool
	if v.ShortTag() == "!!str" && plain.ShortTag() == "!!bool" && plain.Decode(&b) == nil && slices.Contains(vals, any(b)) {
		why := "quoted, so text: write it without quotes"
		if v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
			why = "tagged !!str, so text: write it without the tag"
		}
		// Quoted: it is a boolean's word.
		return fmt.Errorf("want true or false, got %q (%s)", v.Value, why)
	}
	names := make([]string, len(vals))
	for i, x := range vals {
		names[i] = fmt.Sprint(x)
	}
	want := enumList(vals)
	switch {
	case v.Value == "":
		return fmt.Errorf("empty (write one of %s, or leave the key out for the default)", want)
	case isURL(v.Value):
		return fmt.Errorf("want one of %s, got %s", want, urlNotQuoted)
	}
	var as []string // the listed values v differs from in case alone
	for _, x := range names {
		if strings.EqualFold(x, v.Value) {
			as = append(as, x)
		}
	}
	if len(as) > 0 {
		return fmt.Errorf("want one of %s, got %q (write it as listed: %s)", want, v.Value, strings.Join(as, " or "))
	}
	// Quoted only when it is a listed value misspelt: anything else may
	// be a secret written in the wrong key, as a password in email's
	// auth.
	if near := nearest(v.Value, nearLength(v.Value, names)); near != "" {
		return fmt.Errorf("want one of %s, got %q (did you mean %s?)", want, v.Value, near)
	}
	return fmt.Errorf("want one of %s, got other text (not quoted: it may be a secret)", want)
}

// walker checks a node tree against the Go type it decodes into, so that
// errors name the key: the YAML library's own errors give only a line.
type walker struct {
	file   string
	keys   bool // report keys the type has no field for
	values bool // report values of the wrong shape or type
	// ex, when values are checked, quotes values from the environment
	// as their references and retypes them.
	ex *expander
	// nullOK takes a value written empty (null) as the key left out,
	// for a first look at a channel's kind, whose own check says more.
	nullOK bool
	// secret is set below a value of secrets (an IRC channel list's
	// entries, which hold the channels' keys): none is quoted.
	secret bool
	// aliasLine is the line of the alias the walk went through (a
	// value's, or a merge's: "<<: *defaults"), 0 for none: a fault below
	// it is at the alias, where the value is used, not at its anchor. It
	// is the package's one rule for faults reached through an alias: the
	// line is then that of the key path the fault names (the entry using
	// the value, not another key's that holds the anchor), so that it is
	// ordered among that entry's faults; the value may be right where the
	// anchor is and wrong where it is used (a key one kind takes merged
	// into another kind's entry), and the fault quotes the value, which
	// the alias leads to.
	aliasLine int
	// faults, when set, takes every fault the walk finds, and the walk
	// goes on after each: the file's own keys are checked at once.
	faults *[]error
	// refused, when set, takes the nodes of the values and keys refused.
	refused map[*yaml.Node]bool
	// keyHint, when set, is added to the fault of an unknown key of the
	// mapping the walk starts at (merged in or not), and not to one
	// below it.
	keyHint string
	// top is the path the walk starts at, that keyHint is for.
	top string
	// mergedAt, made at the first mapping the walk reaches (a walk that
	// meets none, of a channel URL written as text, makes none), holds
	// the mappings it merged in and the keys it read, each at its path
	// (see merges): paths below that mapping, which no other mapping of
	// the walk shares.
	mergedAt merges[string]
}

// fail returns err, a fault found (or nil), or adds it to w.faults and
// returns nil, for the walk to go on, when w names every fault.
func (w walker) fail(err error) error {
	if err == nil || w.faults == nil {
		return err
	}
	*w.faults = append(*w.faults, err)
	return nil
}

// refuse is fail of err, a fault of n, a value or a key (or nil), which
// it adds to w.refused.
func (w walker) refuse(n *yaml.Node, err error) error {
	if err != nil && w.refused != nil {
		w.refused[n] = true
	}
	return w.fail(err)
}

// line returns the line of an error about node n.
func (w walker) line(n *yaml.Node) int {
	if w.aliasLine != 0 {
		return w.aliasLine
	}
	return n.Line
}

func (w walker) walk(path string, n *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		if w.aliasLine == 0 {
			w.aliasLine = n.Line
		}
		return w.walk(path, n.Alias, t)
	}
	if holdsSecret(t, 0) {
		w.secret = true
	}
	if t == nodeType || t.Kind() == reflect.Interface {
		return nil // anything goes
	}
	if n.ShortTag() == "!!null" {
		// "port:" with no value: the schema refuses it, and it is most
		// likely a value a tool writing the file lost. An empty
		// reference, ${PORT:-}, is the key left out on purpose.
		if !w.values || w.nullOK || w.ex.expanded(n) || t.Kind() == reflect.Slice && t.Elem() == nodeType {
			return nil // channels: says "none configured"
		}
		instead := "leave the key out"
		if strings.HasSuffix(path, "]") {
			instead = "leave the item out"
		}
		if w.aliasLine == 0 && w.ex.commented(n) {
			// "- #ops": the IRC channel, or a password, taken for a
			// comment. Not quoted: it may be a password.
			return w.refuse(n, faultf(w.file, w.line(n), `%sempty (to YAML, a "#" after a space starts a comment: quote a value that starts with "#", as in "#ops")`,
				prefix(path)))
		}
		return w.refuse(n, faultf(w.file, w.line(n), "%sempty (write a value, or %s)", prefix(path), instead))
	}
	if n.Kind == yaml.MappingNode && len(n.Content) > 0 && w.mergedAt.keys == nil {
		w.mergedAt = newMerges[string]() // none for "{}", which has no key to note
	}
	switch {
	case reflect.PointerTo(t).Implements(textUnmarshaler) && (t.Kind() != reflect.Struct || len(yamlFields(t)) == 0):
		// Read from text only (a redact.Secret, a redact.URL: structs of
		// no keys): a mapping or list is a wrong type. A struct with keys
		// takes text or a mapping (a status page component).
		if w.values {
			return w.refuse(n, w.value(path, n, t))
		}
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		return w.fields(path, n, t)
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		return w.mergedAt.mapping(path, n, func(k, v *yaml.Node) error {
			return w.walk(join(path, k.Value), v, t.Elem())
		}, func(v *yaml.Node) error { return w.merge(path, v, t) })
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			if err := w.walk(fmt.Sprintf("%s[%d]", path, i), c, t.Elem()); err != nil {
				return err
			}
		}
	case w.values:
		return w.refuse(n, w.value(path, n, t))
	}
	return nil
}

// fields walks the keys of mapping n, decoded into struct type t, that
// the YAML library reads (see merges.mapping).
func (w walker) fields(path string, n *yaml.Node, t reflect.Type) error {
	fields := yamlFields(t)
	return w.mergedAt.mapping(path, n, func(k, v *yaml.Node) error {
		ft, ok := fields[k.Value]
		if !ok {
			if w.keys {
				known := sortedKeys(fields)
				hint := ""
				if near := nearest(k.Value, known); near != "" {
					hint = fmt.Sprintf("did you mean %q? ", near)
				}
				key := " " + strconv.Quote(k.Value)
				switch {
				case isURL(k.Value):
					// "- slack://…:" with its name below: a URL is a value.
					key, hint = ", "+urlNotQuoted, "write it as the value of url; "
				case credentialKey(k.Value):
					key, hint = ", "+keyNotQuoted, ""
				}
				more := ""
				if path == w.top {
					more = w.keyHint
				}
				if err := w.refuse(k, faultf(w.file, w.line(k), "%sunknown key%s (%sknown: %s)%s",
					prefix(path), key, hint, strings.Join(known, ", "), more)); err != nil {
					return err
				}
			}
			return nil
		}
		return w.walk(join(path, k.Value), v, ft)
	}, func(v *yaml.Node) error { return w.merge(path, v, t) }) // "<<: *defaults", or a list of them
}

// merge walks v, the value of a merge key of the mapping at path: a
// mapping, or a list of them. A mapping merged in at path before, in the
// walk of the one mapping (through "<<: [*x, *x]", or two mappings that
// both merge it), is not walked again: its keys are read once, so are
// its faults named.
func (w walker) merge(path string, v *yaml.Node, t reflect.Type) error {
	if w.values {
		if err := w.mergeable(join(path, "<<"), v); err != nil {
			return err
		}
	}
	for m := range w.mergedAt.items(path, v) {
		if u, _ := unalias(m); u.Kind != yaml.MappingNode {
			continue // no mapping: mergeable names it
		}
		if err := w.walk(path, m, t); err != nil {
			return err
		}
	}
	return nil
}

// mergeable fails v, the value of the merge key at path, when the YAML
// library does not merge it: a mapping, an alias of one, or a list
// written in place of those, is merged; anything else, or an item of the
// list that is not one of the first two ("path[1]"), is a fault of its
// own, at its line.
func (w walker) mergeable(path string, v *yaml.Node) error {
	if v.Kind != yaml.SequenceNode {
		if u, _ := unalias(v); u.Kind != yaml.MappingNode {
			return w.refuse(v, w.notMerged(path, v, "a mapping or a list of mappings", "key"))
		}
		return nil
	}
	for i, m := range v.Content {
		if u, _ := unalias(m); u.Kind != yaml.MappingNode {
			if err := w.refuse(m, w.notMerged(fmt.Sprintf("%s[%d]", path, i), m, "a mapping", "item")); err != nil {
				return err
			}
		}
	}
	return nil
}

// notMerged is the fault of n at path, a merge key's value (what "key")
// or an item of its list ("item"), that is none of want. A value reached
// through an alias is not quoted: its anchor may be on a secret
// ("password: &pw …", "<<: *pw").
func (w walker) notMerged(path string, n *yaml.Node, want, what string) error {
	u, alias := unalias(n)
	var got string
	switch {
	case u.ShortTag() == "!!null" && alias == nil && !w.ex.expanded(u):
		return faultf(w.file, w.line(n), "%sempty (write %s to merge, or leave the %s out)", prefix(path), want, what)
	case alias != nil && u.Kind == yaml.SequenceNode && what == "key":
		got = "an alias of a list (write the list itself here, or a list of aliases)"
	case alias != nil && u.Kind == yaml.SequenceNode:
		got = "an alias of a list"
	case alias != nil && u.ShortTag() == "!!null":
		got = "an alias of an empty value"
	case alias != nil:
		got = "an alias of text (not quoted: it may be a secret)"
	case u.Kind == yaml.SequenceNode:
		got = "a list"
	case w.secret:
		got = "text (not quoted: it may be a secret)"
	case isURL(w.ex.quoted(u)):
		got = urlNotQuoted
	default:
		got = w.ex.quoted(u)
	}
	return faultf(w.file, w.line(n), "%swant %s to merge, got %s", prefix(path), want, got)
}

// merges holds the mappings merged in at each path, and the keys read at
// each, in the check of one mapping: the one mechanism by which every
// check (the walker's, checkEnums, the expansion of references) reads a
// mapping's keys as the YAML library decodes them
// (yaml.org/type/merge.html): its own keys win over those merged in, and
// an earlier merge's over a later one's, so that a value overridden, which
// the library never reads, is not checked; and a mapping merged in twice
// is looked into once. P is how a walk names a path: its text, or, for a
// walk of the whole file (whose nodes may be nested thousands deep), the
// *pathStep the walk made for it, which it passes again for a mapping
// merged in at that path.
type merges[P comparable] struct {
	mappings map[mergedAt[P]]bool
	keys     map[keyAt[P]]bool
}

// keyAt is key of the mapping at path.
type keyAt[P comparable] struct {
	path P
	key  string
}

func newMerges[P comparable]() merges[P] {
	return merges[P]{mappings: map[mergedAt[P]]bool{}, keys: map[keyAt[P]]bool{}}
}

// mapping calls own for each key of mapping n at path that the YAML
// library reads, then merge for the value of n's merge key, if any: the
// library reads a mapping's own keys first, whatever their place, and
// then the mappings it merges in, each key once: one read before at path
// (of a mapping that merges n in, or merged in before) is left out.
func (s merges[P]) mapping(path P, n *yaml.Node, own func(k, v *yaml.Node) error, merge func(v *yaml.Node) error) error {
	var merged *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			merged = v // given once: checkMappings refuses a key given twice
			continue
		}
		if at := (keyAt[P]{path, k.Value}); !s.keys[at] {
			s.keys[at] = true
			if err := own(k, v); err != nil {
				return err
			}
		}
	}
	if merged == nil {
		return nil
	}
	return merge(merged)
}

// mergedAt is a mapping n merged in at path.
type mergedAt[P comparable] struct {
	path P
	n    *yaml.Node
}

// items yields the items of v, the value of a merge key of the mapping
// at path (a mapping, or a list of them), that were not merged in at
// path before, noting each as it is yielded: one that a mapping yielded
// before it merges in is read there first, as the YAML library reads it
// ("<<: [{<<: *a}, *a]"), not skipped for being later in this list.
func (s merges[P]) items(path P, v *yaml.Node) iter.Seq[*yaml.Node] {
	return func(yield func(*yaml.Node) bool) {
		items := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			items = v.Content
		}
		for _, m := range items {
			at := mergedAt[P]{path, m}
			if u, _ := unalias(m); u.Kind == yaml.MappingNode {
				at.n = u
			}
			if s.mappings[at] {
				continue
			}
			s.mappings[at] = true
			if !yield(m) {
				return
			}
		}
	}
}

// value checks that n decodes into type t.
func (w walker) value(path string, n *yaml.Node, t reflect.Type) error {
	var err error
	if n.Kind == yaml.ScalarNode {
		if err = n.Decode(reflect.New(t).Interface()); err == nil && fits(n, t) {
			return nil
		}
		text := reflect.PointerTo(t).Implements(textUnmarshaler) // reads the text, quoted or not
		// A type that reads text takes a reference's value as text, but
		// an empty one, "${IRC_TLS:-}", as the key left out.
		if t.Kind() != reflect.String && (!text || n.Value == "") && w.ex.retag(n) {
			switch derr := n.Decode(reflect.New(t).Interface()); {
			case derr == nil && fits(n, t):
				return nil // port: "${SMTP_PORT}", quoted as flow collections need
			case derr == nil && !text:
				// Read as its value unquoted, but not as YAML 1.2
				// reads it (025): explained as unquoted, by why.
				err = nil
			default:
				n.Tag = "!!str"
			}
		}
	}
	// Written in the file for a key of secrets, it may be one: headers
	// as curl takes them, "Authorization: Bearer …". So is one written at
	// a key of secrets and aliased here, which the hider leaves as it is
	// when it is short.
	secret := n.Kind == yaml.ScalarNode && len(w.ex.used[n]) == 0 && (w.secret || holdsSecret(t, 4) || w.ex.atSecret[n])
	if n.Kind == yaml.ScalarNode && reflect.PointerTo(t).Implements(textUnmarshaler) && !secret {
		// The type says what it wants: "unknown TLS mode "maybe" (want …)".
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if isURL(w.ex.quoted(n)) {
			msg = strings.ReplaceAll(msg, strconv.Quote(n.Value), urlNotQuoted)
		} else {
			msg = w.ex.requote(msg, n) + w.why(path, n, t, err)
		}
		return faultf(w.file, w.line(n), "%s%s", prefix(path), msg)
	}
	if n.Kind == yaml.ScalarNode && reflect.PointerTo(t).Implements(textUnmarshaler) && secret && err != nil && n.Value != "" && n.Style&yaml.TaggedStyle == 0 {
		// The type's own words, the value left out: "unknown TLS mode
		// (not quoted: …) (want …)", if they quote it only so.
		msg := strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: "), strconv.Quote(n.Value), "(not quoted: it may be a secret)")
		if !strings.Contains(msg, n.Value) && strings.Contains(msg, "(not quoted: it may be a secret)") {
			return faultf(w.file, w.line(n), "%s%s", prefix(path), msg)
		}
	}
	got := "a list"
	switch {
	case secret && n.Style&yaml.TaggedStyle != 0:
		// A tag (!!int) makes the YAML library's error quote the value.
		got = "text tagged " + n.ShortTag() + " (not quoted: it may be a secret)"
	case secret:
		got = "text (not quoted: it may be a secret)"
	case n.Kind == yaml.ScalarNode && isURL(w.ex.quoted(n)):
		// "channels: slack://…", its "- " forgotten.
		got = urlNotQuoted
	case n.Kind == yaml.ScalarNode:
		got = w.ex.quoted(n) + w.why(path, n, t, err)
	case n.Kind == yaml.MappingNode:
		got = "a mapping"
	}
	return faultf(w.file, w.line(n), "%swant %s, got %s", prefix(path), want(t), got)
}

// urlNotQuoted stands for a URL in an error about a value: a URL is never
// quoted, as it may hold credentials.
const urlNotQuoted = "a URL (not quoted: it may hold credentials)"

// credentialKey reports whether key has the shape of a credential
// (package credshape's rules) and is not spelled as the file's own keys
// are, in lower case, digits and "_" ("xoauth2_token_url", a token's shape
// too): such a key is written, and a secret the file holds is hidden in it
// as anywhere in Load's error.
func credentialKey(key string) bool {
	return !ownKeyShape.MatchString(key) && credshape.Any(key)
}

// ownKeyShape matches a key spelled as the file's own keys are.
var ownKeyShape = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// keyNotQuoted stands for a key with the shape of a credential in an
// error: a curl header pasted as a header's name ("Authorization: Bearer
// …"), a token or "user:password" written where a key stands. A channel
// does not quote such a value either (the rules of package credshape).
const keyNotQuoted = "a key (not quoted: it may be a credential)"

// quoteValue returns " " and value quoted, for an error's "unknown
// value", or ", " and urlNotQuoted for a URL.
func quoteValue(value string) string {
	if isURL(value) {
		return ", " + urlNotQuoted
	}
	return " " + strconv.Quote(value)
}

// isURL reports whether text, a value as an error would quote it, holds a
// URL.
func isURL(text string) bool { return strings.Contains(text, "://") }

// holdsSecret reports whether a value of type t holds a secret, a URL that
// may carry credentials or an IRC channel key, looking depth levels of
// lists, maps and structs deep.
func holdsSecret(t reflect.Type, depth int) bool {
	switch {
	case t == secretType || t == urlType || t == ircChannelsType:
		return true
	case depth == 0:
		return false
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsSecret(t.Elem(), depth-1)
	case reflect.Map:
		return holdsSecret(t.Key(), depth-1) || holdsSecret(t.Elem(), depth-1)
	case reflect.Struct:
		for _, ft := range yamlFields(t) {
			if holdsSecret(ft, depth-1) {
				return true
			}
		}
	}
	return false
}

// why says what is wrong with scalar n at path, which is not a value of
// type t, where the value and the type alone do not: "" when nothing more
// is known. decodeErr is the YAML library's error decoding n into t.
func (w walker) why(path string, n *yaml.Node, t reflect.Type, decodeErr error) string {
	fromEnv := len(w.ex.used[n]) > 0
	switch {
	case decodeErr == nil && textBool(n, t) && !fromEnv: // "on", read as YAML 1.1 did
		return " (YAML 1.2 reads " + n.Value + " as text)"
	case decodeErr != nil && reflect.PointerTo(t).Implements(textUnmarshaler) && !fromEnv && yaml11Bool(n) &&
		reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte("true")) == nil:
		return " (YAML 1.2 reads " + n.Value + " as text)" // IRC's "tls: yes"
	case t.Kind() != reflect.String && !fromEnv && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 &&
		plainFits(n.Value, t):
		return " (quoted, so text: write it without quotes)" // port: "587"
	case outOfRange(n, t) && (path == "port" || strings.HasSuffix(path, ".port")):
		return " (out of range: a port is 1 to 65535)" // not the range of its int
	case outOfRange(n, t):
		lo, hi := bounds(t)
		return fmt.Sprintf(" (out of range: %d to %d)", lo, hi)
	case yaml11Whole(n, t):
		return yaml11WholeWhy(n, fromEnv)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String && n.Kind == yaml.ScalarNode &&
		n.Style == 0 && n.Value != "" && !fromEnv:
		return " (a list of one is written [" + n.Value + "], or \"- " + n.Value + "\" on the line below)" // to: ops@example.com
	case t == durationType && !fromEnv:
		if _, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return " (a duration needs a unit, as in 30s)"
		}
		if signedDurationSyntax.MatchString(n.Value) {
			// Any key decodes a negative duration (Spec.Negative says
			// which take one), so one too far below zero passes the least.
			words, limit := durlimit.Limit(n.Value)
			return fmt.Sprintf(" (out of range: %s %dh)", words, int64(limit/time.Hour))
		}
		if lastUnitMissing.MatchString(n.Value) {
			return " (the number after the last unit needs one, as in 1m30s)"
		}
	}
	return ""
}

// yaml11Bool reports whether scalar n is text that YAML 1.1 read as a
// boolean: yes, no, on, off, y, n.
func yaml11Bool(n *yaml.Node) bool {
	var b bool
	return n.ShortTag() != "!!bool" && n.Decode(&b) == nil
}

// fits reports whether scalar n, which the YAML library decodes into type
// t, is a value of t the schema also takes.
func fits(n *yaml.Node, t reflect.Type) bool {
	return !fraction(n, t) && !textBool(n, t) && !outOfRange(n, t) && !yaml11Whole(n, t)
}

// plainFits reports whether text, written without quotes, would be a
// value of type t.
func plainFits(text string, t reflect.Type) bool {
	plain := &yaml.Node{Kind: yaml.ScalarNode, Value: text}
	plain.Tag = plain.ShortTag()
	return plain.Decode(reflect.New(t).Interface()) == nil && fits(plain, t)
}

var (
	// signedDurationSyntax matches what time.ParseDuration reads, at any
	// size, negative too.
	signedDurationSyntax = regexp.MustCompile(signedDurationPattern)
	// lastUnitMissing matches a duration whose last number has no unit:
	// 1m0, 30s0.5.
	lastUnitMissing = regexp.MustCompile(`^(` + durationNumber + durationUnit + `)+` + durationNumber + `$`)
)

// bounds returns the least and the greatest whole number of type t.
func bounds(t reflect.Type) (lo, hi *big.Int) {
	bits := uint(t.Bits())
	hi = new(big.Int).Lsh(big.NewInt(1), bits)
	if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 {
		return new(big.Int), hi.Sub(hi, big.NewInt(1))
	}
	hi.Rsh(hi, 1)
	lo = new(big.Int).Neg(hi)
	return lo, hi.Sub(hi, big.NewInt(1))
}

// outOfRange reports whether scalar n is a whole number too large or too
// small for type t, a whole number type, as the YAML library reads it. It
// refuses one too large, but wraps one too small ("port:
// -99999999999999999999"), and reads a number with a point or an
// exponent as a float64, where 9223372036854775807.0 is 2^63, which it
// wraps too. Reading the text as the library does also keeps the check
// linear in its length: an exact reading (big.Float) is quadratic.
func outOfRange(n *yaml.Node, t reflect.Type) bool {
	if !whole(t) {
		return false
	}
	v, ok := wholeValue(n.Value)
	if !ok {
		return false
	}
	lo, hi := bounds(t)
	return v.Cmp(new(big.Float).SetInt(lo)) < 0 || v.Cmp(new(big.Float).SetInt(hi)) > 0
}

// wholeValue returns the value of text, written as a whole number without
// quotes, as the YAML library reads it: exactly where it fits an int64 or
// a uint64, else as the nearest float64, infinite where it is too large
// for that. ok is false when text is no whole number.
func wholeValue(text string) (v *big.Float, ok bool) {
	plain := strings.ReplaceAll(text, "_", "")
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return new(big.Float).SetInt64(i), true
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return new(big.Float).SetUint64(u), true
	}
	if strings.Trim(plain, "0123456789.eE+-") != "" {
		return nil, false // no float the YAML library reads: inf, 0x1p3
	}
	f, err := strconv.ParseFloat(plain, 64) // ±Inf when too large
	if err != nil && !errors.Is(err, strconv.ErrRange) || f != math.Trunc(f) {
		return nil, false
	}
	return new(big.Float).SetFloat64(f), true
}

// whole reports whether t is a whole number type read as a number (not a
// duration, nor a type that reads its own text).
func whole(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return t != durationType && !reflect.PointerTo(t).Implements(textUnmarshaler)
	}
	return false
}

// fraction reports whether scalar n is a number with a fraction, for a
// whole number of type t: the YAML library would truncate it ("port:
// 587.9" as 587), where the schema refuses it.
func fraction(n *yaml.Node, t reflect.Type) bool {
	var f float64
	return whole(t) && n.ShortTag() == "!!float" && n.Decode(&f) == nil && f != math.Trunc(f)
}

// yaml12Whole matches the whole numbers of YAML 1.2's core schema, which
// editors and the schema follow, as the YAML library reads them too:
// decimal without a leading 0, or with leading 0s before one digit 0 to
// 7 (octal in YAML 1.1, the same number: 00, 07), 0o octal and 0x
// hexadecimal.
var yaml12Whole = regexp.MustCompile(`^([-+]?(0|[1-9][0-9]*)|[-+]?0+[0-7]|0o[0-7]+|0x[0-9a-fA-F]+)$`)

// yaml11Whole reports whether scalar n, for a whole number of type t, is
// one the YAML library reads as YAML 1.1 did and YAML 1.2 does not: 025
// as octal 21 (YAML 1.2: 25), and 1_000, 0b11 and 0X1F as numbers (YAML
// 1.2: text). 07 is 7 in both. t may be a float type too: rate_limit:
// 025 is 21 to the library.
func yaml11Whole(n *yaml.Node, t reflect.Type) bool {
	number := whole(t) || t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64
	return number && n.ShortTag() == "!!int" && !yaml12Whole.MatchString(n.Value)
}

// leadingZero matches a whole number YAML 1.1 reads as octal for its
// leading 0, with a value of 8 or more, which YAML 1.2 reads otherwise:
// 025, -010, 0_25 (0_7 is 7 as octal too: its trouble is the "_").
var leadingZero = regexp.MustCompile(`^([-+]?)0[0_]*([1-7][0-7_]*[0-7][0-7_]*)$`)

// yaml11WholeWhy says what to write instead of scalar n, a number of
// yaml11Whole; fromEnv keeps the value, from the environment, out.
func yaml11WholeWhy(n *yaml.Node, fromEnv bool) string {
	const octal = " (YAML 1.1 reads a leading 0 as octal, YAML 1.2 does not: "
	m := leadingZero.FindStringSubmatch(n.Value)
	switch {
	case m != nil && fromEnv:
		return octal + "write the number without it, or with 0o for octal)"
	case m != nil:
		digits := strings.ReplaceAll(m[2], "_", "")
		if m[1] != "" { // YAML 1.2 writes no sign before 0o
			return octal + "write " + m[1] + digits + ")"
		}
		return octal + "write " + digits + ", or 0o" + digits + " for octal)"
	case fromEnv:
		return " (YAML 1.2 reads it as text: write a decimal number)"
	}
	if v, ok := wholeValue(n.Value); ok {
		return " (YAML 1.2 reads " + n.Value + " as text: write " + v.Text('f', 0) + ")"
	}
	return " (YAML 1.2 reads " + n.Value + " as text)"
}

// textBool reports whether scalar n, for a boolean of type t, is text the
// YAML library takes for one when decoding into a bool ("on", "yes", "y",
// as YAML 1.1 did), where YAML 1.2, which editors and the schema follow,
// reads text: true and false (also True, TRUE, False, FALSE) are the only
// booleans.
func textBool(n *yaml.Node, t reflect.Type) bool {
	return t.Kind() == reflect.Bool && !reflect.PointerTo(t).Implements(textUnmarshaler) && n.ShortTag() != "!!bool"
}

// want describes the values of type t for people.
func want(t reflect.Type) string {
	switch {
	case t == durationType:
		return "a duration such as 30s or 1m30s"
	case reflect.PointerTo(t).Implements(textUnmarshaler):
		return "a string"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	}
	return t.String()
}

// yamlFields maps the YAML keys of struct type t to their field types. The
// map is made once for each type and shared: the walks look a struct's
// keys up for every mapping of it (each channel entry, several times), so
// that a file of 300,000 entries cost its Load gigabytes of maps made
// anew. Callers do not change it.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := yamlFieldsOf.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m, _ := yamlFieldsOf.LoadOrStore(t, makeYAMLFields(t))
	return m.(map[string]reflect.Type)
}

// yamlFieldsOf holds yamlFields' map of each type it was asked for: a
// few dozen, the types of the configuration and its channels.
var yamlFieldsOf sync.Map // reflect.Type → map[string]reflect.Type

// makeYAMLFields returns a new map of the YAML keys of struct type t to
// their field types.
func makeYAMLFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if opts == "inline" {
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func sortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// join returns the path of key below path. A key that is a URL (a header
// written as one) is not quoted: it may hold credentials.
func join(path, key string) string {
	key = pathKey(key)
	if path == "" {
		return key
	}
	return path + "." + key
}

// pathKey returns key as a path writes it: a URL, or a key with the shape
// of a credential (keyNotQuoted), not written, and a key holding a
// character that is not printable (a terminal escape, a character that
// shows nothing or turns the text after it around, U+202E, invalid UTF-8)
// quoted, as an unknown key is, so that an error shown on a terminal shows
// the key the file wrote. A merge key is "<<", as the file writes it.
func pathKey(key string) string {
	if isURL(key) {
		return "<" + urlNotQuoted + ">"
	}
	if credentialKey(key) {
		return "<" + keyNotQuoted + ">"
	}
	if !utf8.ValidString(key) || strings.IndexFunc(key, func(r rune) bool { return !strconv.IsPrint(r) }) >= 0 {
		return strconv.Quote(key)
	}
	return key
}

func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}
