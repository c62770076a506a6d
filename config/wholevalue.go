package config

import (
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
//     a path separator starts ("stat /etc/outagecast/Qz7k: …"), or as the
//     whole value written after a key's ": " ("templates: Qz7k does not
//     exist"), where what follows is the end of the line, a space or
//     punctuation (":", ",", ")", ";", a quote).
//
// Not inside a word, nor as a word of the errors' own text elsewhere: a
// password "file" leaves "no such file or directory" as it is. The same
// text written elsewhere without an alias (a kind "nope" beside a header
// value "nope") is no alias of the secret: the faults of its line quote it
// as they quote any value. The longer secrets the hider hides wherever
// they stand, whatever the line.
type wholeValues struct {
	forms  map[string]bool // each secret's forms, lower case
	maxLen int             // of the longest form
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

// afterKey reports whether s[:i] ends with a key and ": " ("templates: ",
// "to[0]: ", "ca_file: "), where a fault writes the value it refuses.
func afterKey(s string, i int) bool {
	if i < 3 || s[i-1] != ' ' || s[i-2] != ':' {
		return false
	}
	c := s[i-3]
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == ']'
}

// find returns the length of the longest form of a secret that t, lower
// case, starts with and that end accepts what follows (the byte after it,
// or none: -1), or 0 for none.
func (w *wholeValues) find(t string, end func(next int) bool) int {
	for n := min(w.maxLen, len(t)); n > 0; n-- {
		if !w.forms[t[:n]] {
			continue
		}
		next := -1
		if n < len(t) {
			next = int(t[n])
		}
		if end(next) {
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
	low := lower(s)
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if i == 0 || !pathSeparator(s[i-1]) && !afterKey(s, i) {
			continue
		}
		n := w.find(low[i:], func(next int) bool { return next < 0 || valueEnd(byte(next)) })
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

// quoted hides the secrets of q, a text inside quotes, where letters or
// digits do not continue them (see wholeValues).
func (w *wholeValues) quoted(q string) string {
	low := lower(q)
	var b strings.Builder
	last := 0
	for i := 0; i < len(q); i++ {
		if i > 0 && wordByte(q[i-1]) {
			continue
		}
		n := w.find(low[i:], func(next int) bool { return next < 0 || !wordByte(byte(next)) })
		if n == 0 {
			continue
		}
		b.WriteString(q[last:i])
		b.WriteString(redact.Redacted)
		last = i + n
		i += n - 1
	}
	if last == 0 {
		return q
	}
	b.WriteString(q[last:])
	return b.String()
}

// aliasedShortSecrets returns, for each line of the file whose top level
// is root where a fault about an alias may be, the wholeValues of the
// secrets it reaches (nodes, those secretScalars finds: itself, or below
// the mapping or list it names), by their texts (an IRC channel's key, of
// its list's item); none for another line. A fault about an alias is at
// its line, or, as the value of a key, at the key's, or at the mapping's
// holding the key (a channel entry's, where the kind's check and a kind's
// fault of no key known are: "- kind:" then "*p" on the next line). Each
// anchor's scalars are gathered once.
func aliasedShortSecrets(root *yaml.Node, nodes map[*yaml.Node]bool) map[int]*wholeValues {
	if root == nil || len(nodes) == 0 {
		return nil
	}
	below := map[*yaml.Node][]string{} // each anchor's secrets
	var gather func(n *yaml.Node, seen map[*yaml.Node]bool, out *[]string)
	gather = func(n *yaml.Node, seen map[*yaml.Node]bool, out *[]string) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if seen[n] {
			return
		}
		seen[n] = true
		if texts, ok := below[n]; ok {
			*out = append(*out, texts...)
			return
		}
		if nodes[n] {
			*out = append(*out, n.Value)
			if _, key := ircChannel(n.Value); key != "" {
				*out = append(*out, key)
			}
		}
		for _, c := range n.Content {
			gather(c, seen, out)
		}
	}
	texts := map[int][]string{}
	// walk walks n, at the lines of faults about it besides its own:
	// of the key it is the value of, and of the mapping holding that key.
	var walk func(n *yaml.Node, lines ...int)
	walk = func(n *yaml.Node, lines ...int) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			found, ok := below[n.Alias]
			if !ok {
				gather(n.Alias, map[*yaml.Node]bool{}, &found)
				below[n.Alias] = found
			}
			if len(found) > 0 {
				for _, line := range append(lines, n.Line) {
					texts[line] = append(texts[line], found...)
				}
			}
			return
		}
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 1 {
				walk(c, n.Content[i-1].Line, n.Line)
			} else {
				walk(c)
			}
		}
	}
	walk(root)
	out := map[int]*wholeValues{}
	for line, t := range texts {
		if w := newWholeValues(t); w != nil {
			out[line] = w
		}
	}
	return out
}
