package config

import (
	"maps"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/redact"
)

// wholeValues hides, in the faults Load's error names at the line of an
// alias, the secrets under minHidden bytes that the alias reaches: the
// values written at keys of secrets (secretScalars: a password "Qz7k", an
// IRC channel's key, a short URL refused), which the hider leaves as they
// are, as it must: hidden wherever they stand, "a" or "to" would be taken
// out of every word the errors write. An alias puts such a secret in any
// key ("kind: *p", "output: *p", "templates: *p", "ca_file: *p"), whose
// fault writes it as the value it refuses, and the checks that write
// those faults (the kinds' check, a kind's own setup, the error of a path)
// do not know it is one. So it is hidden, in the faults of the alias's
// line, where a fault writes a value, and there only:
//
//   - inside quotes (%q, `…`), as the whole quoted text or a part of it
//     that letters or digits do not continue on either side (a value
//     quoted whole, `"Qz7k"`, or within an example made of it,
//     `"Qz7k.bsky.social"`), ignoring case (a channel may quote the value
//     as it reads it), as written or as %q escapes it;
//   - outside quotes, as the whole path, or the last elements of one, that
//     a path separator starts ("stat /etc/outagecast/Qz7k: …") or the
//     operation of a path's error after the alias's key ("ca_file: stat
//     Qz7k: …", a path of no directory), or as the whole value written
//     after the ": " of the key the alias is the value of ("templates:
//     Qz7k does not exist"), where what follows is the end of the line, a
//     space or punctuation (":", ",", ")", ";", a quote), but a space and
//     an absolute path (then it is the operation: "ca_file: stat /…").
//
// Not inside a word, nor as a word of the errors' own text elsewhere: a
// password "file" leaves "no such file or directory" as it is, a password
// "kind" the key of "channels[1]: kind: …", a password "no" the words
// after a path's colon ("…/REDACTED: no such file"). The same
// text written elsewhere without an alias (a kind "nope" beside a header
// value "nope") is no alias of the secret: the faults of its line quote it
// as they quote any value. The longer secrets the hider hides wherever
// they stand, whatever the line.
type wholeValues struct {
	forms  map[string]bool // each secret's forms, lower case; shared, never changed once made
	maxLen int             // of the longest form
	keys   map[string]bool // the keys the aliases are the values of, after whose ": " a value is written
	shared bool            // forms is another's: copied before add changes it
}

// add adds the forms of o to w's (o nil: none).
func (w *wholeValues) add(o *wholeValues) {
	switch {
	case o == nil:
	case w.forms == nil:
		w.forms, w.maxLen, w.shared = o.forms, o.maxLen, true
	default:
		if w.shared {
			w.forms, w.shared = maps.Clone(w.forms), false
		}
		maps.Copy(w.forms, o.forms)
		w.maxLen = max(w.maxLen, o.maxLen)
	}
}

// newWholeValues returns the wholeValues of secrets (those under
// minHidden bytes, not empty, are kept), or nil for none.
func newWholeValues(secrets []string) *wholeValues {
	w := &wholeValues{forms: map[string]bool{}}
	for _, s := range secrets {
		if s == "" || len(s) >= minHidden {
			continue
		}
		q := strconv.Quote(s)
		for _, f := range []string{s, q[1 : len(q)-1]} {
			f = strings.ToLower(f)
			w.forms[f] = true
			w.maxLen = max(w.maxLen, len(f))
		}
	}
	if len(w.forms) == 0 {
		return nil
	}
	return w
}

// Replace returns s with the secrets hidden where it writes them as
// values (see wholeValues).
func (w *wholeValues) Replace(s string) string {
	if w == nil {
		return s
	}
	return inQuotes(w.unquoted(s), w.quoted)
}

// wordByte reports whether c, a byte of a text, continues a word: an ASCII
// letter or digit, or a byte of a character beyond ASCII.
func wordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
}

// valueEnd reports whether c, the byte after a value written outside
// quotes, ends it.
func valueEnd(c byte) bool {
	return strings.IndexByte(" \t\r\n:,);\"'`", c) >= 0
}

// pathSeparator reports whether c separates the elements of a path.
func pathSeparator(c byte) bool {
	return c == '/' || c == filepath.Separator
}

// afterKey reports whether s[:i] ends with one of the keys the aliases
// are the values of and ": " ("templates: ", "store.kind: ", "to[0]: "),
// where a fault writes the value it refuses: the key as the last element
// of a path, without its list indexes. Another key's ": " ("channels[1]:
// kind: " of "output: *p"), or the colon of the fault's own text ("…/x:
// no such file"), starts no value of the aliases.
func (w *wholeValues) afterKey(s string, i int) bool {
	k, ok := strings.CutSuffix(s[:i], ": ")
	if !ok {
		return false
	}
	for strings.HasSuffix(k, "]") {
		j := strings.LastIndexByte(k, '[')
		if j < 0 || strings.TrimLeft(k[j+1:len(k)-1], "0123456789") != "" {
			return false
		}
		k = k[:j]
	}
	j := len(k)
	for j > 0 && (wordByte(k[j-1]) || k[j-1] == '_' || k[j-1] == '-') {
		j--
	}
	return j < len(k) && w.keys[k[j:]]
}

// afterOperation reports whether s[:i] ends with one of the keys the
// aliases are the values of, ": ", a word and a space: the operation of a
// path's error, which the path follows ("ca_file: stat Qz7k: …", of a
// path with no directory, as a file loaded by a bare name joins it).
func (w *wholeValues) afterOperation(s string, i int) bool {
	op, ok := strings.CutSuffix(s[:i], " ")
	if !ok {
		return false
	}
	j := len(op)
	for j > 0 && ('a' <= op[j-1] && op[j-1] <= 'z') {
		j--
	}
	return j < len(op) && w.afterKey(s, j)
}

// beforePath reports whether rest, what follows a value written after a
// key, is a space and then an absolute path: the value is then the
// operation of a path's error ("ca_file: stat /etc/x: …"), a word of the
// error's own.
func beforePath(rest string) bool {
	p, ok := strings.CutPrefix(rest, " ")
	return ok && p != "" && (pathSeparator(p[0]) || filepath.VolumeName(p) != "")
}

// find returns the length of the longest form of a secret that t, lower
// case, starts with and that end accepts what follows (the rest of t),
// or 0 for none.
func (w *wholeValues) find(t string, end func(rest string) bool) int {
	for n := min(w.maxLen, len(t)); n > 0; n-- {
		if w.forms[t[:n]] && end(t[n:]) {
			return n
		}
	}
	return 0
}

// lower returns s in lower case, when that keeps each byte where it is
// (ASCII case), else s as it is: a form is then found only as written.
func lower(s string) string {
	if l := strings.ToLower(s); len(l) == len(s) {
		return l
	}
	return s
}

// unquoted hides the secrets of s where a path or a key's value is
// written (see wholeValues).
func (w *wholeValues) unquoted(s string) string {
	return w.hide(s, func(i int) func(rest string) bool {
		if i == 0 {
			return nil
		}
		path := pathSeparator(s[i-1]) || w.afterOperation(s, i)
		if !path && !w.afterKey(s, i) {
			return nil
		}
		return func(rest string) bool { return rest == "" || valueEnd(rest[0]) && (path || !beforePath(rest)) }
	})
}

// quoted hides the secrets of q, a text inside quotes, where letters or
// digits do not continue them (see wholeValues).
func (w *wholeValues) quoted(q string) string {
	return w.hide(q, func(i int) func(rest string) bool {
		if i > 0 && wordByte(q[i-1]) {
			return nil
		}
		return func(rest string) bool { return rest == "" || !wordByte(rest[0]) }
	})
}

// hide returns s with REDACTED for each form of a secret found (find) at
// an index i where at(i) returns the test of what may follow it (nil: no
// value starts there).
func (w *wholeValues) hide(s string, at func(i int) func(rest string) bool) string {
	low := lower(s)
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		end := at(i)
		if end == nil {
			continue
		}
		n := w.find(low[i:], end)
		if n == 0 {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(redact.Redacted)
		last = i + n
		i += n - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// aliasedShortSecrets returns, for each line of the file whose top level
// is root where a fault about an alias may be, the wholeValues of the
// secrets it reaches (nodes, those secretScalars finds: itself, or below
// the mapping or list it names), by their texts (an IRC channel's key, of
// its list's item), with the keys those aliases are the values of (the
// key itself, "kind" of "kind: *p", "to" of "to: [*p]", and those below
// it that reach a secret); none for another line. A fault about an alias
// is at its line, or, as the value of a key, at the key's, or at the
// mapping's holding the key (a channel entry's, where the kind's check
// and a kind's fault of no key known are: "- kind:" then "*p" on the next
// line), and, for a key of a mapping merged into another ("<<:"), whose
// keys are the other's, at the lines of that one too. Each anchor's
// scalars are gathered once, and their forms made once, shared by every
// line that reaches that anchor alone.
func aliasedShortSecrets(root *yaml.Node, nodes map[*yaml.Node]bool) aliasedValues {
	if root == nil || len(nodes) == 0 {
		return aliasedValues{}
	}
	type reached struct {
		texts []string // the secrets' texts
		keys  []string // the keys whose values reach them
		forms *wholeValues
	}
	below := map[*yaml.Node]*reached{} // of each anchor
	var gather func(n *yaml.Node, seen map[*yaml.Node]bool, out *reached)
	gather = func(n *yaml.Node, seen map[*yaml.Node]bool, out *reached) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if seen[n] {
			return
		}
		seen[n] = true
		if r, ok := below[n]; ok {
			out.texts = append(out.texts, r.texts...)
			out.keys = append(out.keys, r.keys...)
			return
		}
		if nodes[n] {
			out.texts = append(out.texts, n.Value)
			if _, key := ircChannel(n.Value); key != "" {
				out.texts = append(out.texts, key)
			}
		}
		for i, c := range n.Content {
			before := len(out.texts)
			gather(c, seen, out)
			if n.Kind == yaml.MappingNode && i%2 == 1 && len(out.texts) > before {
				out.keys = append(out.keys, n.Content[i-1].Value)
			}
		}
	}
	anchor := func(n *yaml.Node) *reached {
		r, ok := below[n]
		if !ok {
			r = &reached{}
			gather(n, map[*yaml.Node]bool{}, r)
			r.forms = newWholeValues(r.texts)
			below[n] = r
		}
		return r
	}
	type atLine struct {
		anchors map[*yaml.Node]bool
		keys    map[string]bool
	}
	found := map[int]*atLine{}
	// walk walks n, the value of key ("" for none), at the lines of
	// faults about it besides its own (lines), where a mapping's keys
	// are also at outer's (the lines of the mapping n is merged into).
	var walk func(n *yaml.Node, key string, outer, lines []int)
	walk = func(n *yaml.Node, key string, outer, lines []int) {
		switch n.Kind {
		case yaml.AliasNode:
			if n.Alias == nil {
				return
			}
			r := anchor(n.Alias)
			if r.forms == nil {
				return
			}
			for _, line := range append(lines[:len(lines):len(lines)], n.Line) {
				at := found[line]
				if at == nil {
					at = &atLine{anchors: map[*yaml.Node]bool{}, keys: map[string]bool{}}
					found[line] = at
				}
				at.anchors[n.Alias] = true
				if key != "" {
					at.keys[key] = true
				}
				for _, k := range r.keys {
					at.keys[k] = true
				}
			}
		case yaml.MappingNode:
			here := append(outer[:len(outer):len(outer)], n.Line)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				at := append([]int{k.Line}, here...)
				if k.Tag == "!!merge" {
					walk(v, "", at, at) // its keys are this mapping's
				} else {
					walk(v, k.Value, nil, at)
				}
			}
		default:
			for _, c := range n.Content {
				walk(c, key, outer, outer)
			}
		}
	}
	walk(root, "", nil, nil)
	if len(found) == 0 {
		return aliasedValues{}
	}
	out := aliasedValues{byLine: map[int]*wholeValues{}, all: &wholeValues{keys: map[string]bool{}}}
	every := map[*yaml.Node]bool{}
	for line, at := range found {
		w := &wholeValues{keys: at.keys}
		for a := range at.anchors {
			w.add(below[a].forms)
			if !every[a] {
				every[a] = true
				out.all.add(below[a].forms)
			}
		}
		maps.Copy(out.all.keys, at.keys)
		out.byLine[line] = w
	}
	return out
}

// aliasedValues is what hides, in Load's error, the secrets under
// minHidden bytes that aliases reach (aliasedShortSecrets).
type aliasedValues struct {
	byLine map[int]*wholeValues // by the line of a fault
	all    *wholeValues         // of every line, for a text whose lines cannot be told apart; nil for none
}
