package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// expander replaces ${NAME} and ${NAME:-default} in scalar values and
// remembers every value it inserted, so that errors can hide them.
type expander struct {
	lookup LookupEnv
	used   map[string]string // value → "${NAME}"
}

// expandTree expands every scalar value below n (mapping keys excluded).
func (e *expander) expandTree(file string, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if err := e.expandTree(file, c); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			if err := e.expandTree(file, n.Content[i]); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		return e.expandScalar(file, n)
	}
	return nil
}

func (e *expander) expandScalar(file string, n *yaml.Node) error {
	if !strings.Contains(n.Value, "${") {
		return nil
	}
	v, err := e.expand(n.Value)
	if err != nil {
		return fmt.Errorf("%s:%d: %w", file, n.Line, err)
	}
	if v != n.Value && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		// A plain scalar's type was guessed from "${...}" (a string);
		// guess again from the value, so "port: ${SMTP_PORT}" is a number.
		n.Tag = ""
	}
	n.Value = v
	return nil
}

// expand replaces the references in s. "$${" stands for a literal "${".
func (e *expander) expand(s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i]) // "$${" → "${": s[:i] ends in the first "$"
			b.WriteString("{")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated %q (write $${ for a literal ${)", s[i:])
		}
		v, err := e.value(s[i+2 : i+end])
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		s = s[i+end+1:]
	}
}

// value resolves the inside of one ${...}.
func (e *expander) value(ref string) (string, error) {
	name, def, hasDef := strings.Cut(ref, ":-")
	if !validName(name) {
		return "", fmt.Errorf("${%s}: invalid environment variable name %q", ref, name)
	}
	v, ok := e.lookup(name)
	if !ok || v == "" && hasDef {
		if !hasDef {
			return "", fmt.Errorf("${%s}: environment variable %s is not set (use ${%s:-default} for a default)",
				name, name, name)
		}
		return def, nil
	}
	if e.used == nil {
		e.used = map[string]string{}
	}
	e.used[v] = "${" + name + "}"
	return v, nil
}

func validName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// minHidden is the shortest value from the environment that hide replaces:
// shorter ones (a port, "true") are no secrets and would mangle messages.
const minHidden = 6

// hider returns a replacer of every value taken from the environment by
// the reference that produced it, longest first: each value as it is, and
// as %q writes it inside its quotes (a message may quote a value, and
// quoting escapes `"`, `\` and control characters).
func (e *expander) hider() *strings.Replacer {
	forms := map[string]string{} // form → reference
	for v, ref := range e.used {
		if len(v) < minHidden {
			continue
		}
		forms[v] = ref
		if q := strconv.Quote(v); q[1:len(q)-1] != v {
			forms[q[1:len(q)-1]] = ref
		}
	}
	vals := make([]string, 0, len(forms))
	for v := range forms {
		vals = append(vals, v)
	}
	sort.Slice(vals, func(i, j int) bool {
		return len(vals[i]) > len(vals[j]) || len(vals[i]) == len(vals[j]) && vals[i] < vals[j]
	})
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, forms[v])
	}
	return strings.NewReplacer(pairs...)
}
