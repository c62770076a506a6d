package config_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/config"
)

// A secret written in the file and reached through an alias in a key that
// is no secret ("password: &pw …", then "port: *pw", "when: {statuses:
// [*pw]}", "kind: *pw", …) is quoted in no error, whatever check refuses
// it: every key of the schema is tried, each way its value may be written
// (text, a list's item, a mapping's value). Before, every error that
// quotes a value quoted it (TestMergeOfAliasedSecretNotQuoted fixed a
// merge of it only).
func TestAliasedSecretQuotedNowhere(t *testing.T) {
	places := aliasedSecretPlaces(t)
	assertAliasedNowhere(t, []string{"Hunter2-s3cret", "pass\"word"}, places)
}

// assertAliasedNowhere checks that no error of a file that writes each of
// pws as an e-mail's password, and an alias of it at each of places,
// quotes it, as written or as %q writes it.
func assertAliasedNowhere(t *testing.T, pws, places []string) {
	t.Helper()
	for _, pw := range pws {
		for _, place := range places {
			file := lines(
				"x: &pw "+pw,
				place,
			)
			if !strings.HasPrefix(place, "channels:") {
				file += "channels:\n"
			}
			// The secret's own key: an email's password.
			file = strings.Replace(file, "x: &pw "+pw+"\n", "", 1)
			file += lines(
				"  - {kind: email, name: anchor, host: smtp.example.com, from: a@example.com, to: [b@example.com],",
				"     username: u, password: &pw "+pw+"}",
			)
			file = moveAnchorFirst(file)
			_, _, err := parse(t, file, nil)
			quoted := strconv.Quote(pw)
			if err != nil && (strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), quoted[1:len(quoted)-1])) {
				t.Errorf("%s\nerror quotes the password:\n%v", file, err)
			}
		}
	}
}

// aliasedSecretPlaces returns every place of the schema an alias *pw may
// go: a top-level line, or a channel entry ("channels:\n  - …").
func aliasedSecretPlaces(t *testing.T) []string {
	t.Helper()
	var schema map[string]any
	if err := json.Unmarshal(config.Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	defs := schema["$defs"].(map[string]any)
	var places []string // a YAML value or top-level line, each with *pw somewhere
	for _, key := range sortedKeysOf(schema["properties"].(map[string]any)) {
		if key == "channels" {
			continue
		}
		for _, v := range aliasPlaces(defs, schema["properties"].(map[string]any)[key].(map[string]any), 0) {
			places = append(places, key+": "+v)
		}
	}
	entries := []string{"*pw", "{url: *pw}", "{url: console://, name: *pw, template: x}", "{kind: *pw}", "{type: *pw}"}
	for _, def := range sortedKeysOf(defs) {
		kind, ok := strings.CutPrefix(def, "kind_")
		if !ok {
			continue
		}
		props := defs[def].(map[string]any)["properties"].(map[string]any)
		for _, key := range sortedKeysOf(props) {
			if key == "kind" || key == "type" {
				continue
			}
			for _, v := range aliasPlaces(defs, props[key].(map[string]any), 0) {
				entries = append(entries, fmt.Sprintf("{kind: %s, %s: %s}", kind, key, v))
			}
		}
	}
	for _, e := range entries {
		places = append(places, "channels:\n  - "+e)
	}
	return places
}

// moveAnchorFirst moves the last channel entry, which holds the anchor,
// to the head of the file's channels, so that the aliases after it find
// it: an alias names an anchor written before it.
func moveAnchorFirst(file string) string {
	i := strings.Index(file, "  - {kind: email, name: anchor")
	anchor := file[i:]
	file = file[:i]
	head, rest, _ := strings.Cut(file, "channels:\n")
	return "channels:\n" + anchor + rest + head
}

// aliasPlaces returns the ways to write *pw as the value of a key of
// schema s, or below it: itself, an item of its list, a value of its
// mapping (each key of it, or any key).
func aliasPlaces(defs, s map[string]any, depth int) []string {
	if ref, ok := s["$ref"].(string); ok {
		return aliasPlaces(defs, defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any), depth)
	}
	out := []string{"*pw"}
	if depth > 3 {
		return out
	}
	for _, alt := range anyList(s["anyOf"]) {
		for _, v := range aliasPlaces(defs, alt.(map[string]any), depth+1) {
			if v != "*pw" {
				out = append(out, v)
			}
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		for _, v := range aliasPlaces(defs, items, depth+1) {
			out = append(out, "["+v+"]")
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for _, k := range sortedKeysOf(props) {
			for _, v := range aliasPlaces(defs, props[k].(map[string]any), depth+1) {
				out = append(out, "{"+k+": "+v+"}")
			}
		}
	}
	if more, ok := s["additionalProperties"].(map[string]any); ok {
		for _, v := range aliasPlaces(defs, more, depth+1) {
			out = append(out, "{X-Any: "+v+"}")
		}
	}
	return out
}

func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}

func sortedKeysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
