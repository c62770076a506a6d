package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

var nodeType = reflect.TypeFor[yaml.Node]()

// checkKeys reports the first mapping key below n that type t has no field
// for, with its line: "outagecast.yaml:12: channels[1]: unknown key
// "secrt" (known: ...)". Shapes that do not match t are left to the
// decoder, which reports them with their line too.
func checkKeys(file, path string, n *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nodeType {
		return nil
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return checkKeys(file, path, n.Alias, t)
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" { // "<<: *defaults" merges another mapping
				if err := checkKeys(file, path, v, t); err != nil {
					return err
				}
				continue
			}
			ft, ok := fields[k.Value]
			if !ok {
				return fmt.Errorf("%s:%d: %sunknown key %q (known: %s)",
					file, k.Line, prefix(path), k.Value, strings.Join(sortedKeys(fields), ", "))
			}
			if err := checkKeys(file, join(path, k.Value), v, ft); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkKeys(file, join(path, n.Content[i].Value), n.Content[i+1], t.Elem()); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			if err := checkKeys(file, fmt.Sprintf("%s[%d]", path, i), c, t.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}

// yamlFields maps the YAML keys of struct type t to their field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
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

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}
