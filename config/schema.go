package config

import (
	_ "embed" // schema.json
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/outagecast/outagecast/redact"
)

//go:generate go run ./internal/genschema -o schema.json

//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of configuration files
// whose channels are of Kinds(): the package's schema.json, which editors
// use to complete and check a file that starts with
//
//	# yaml-language-server: $schema=PATH/TO/config/schema.json
//
// It is generated (go generate) by GenerateSchema, and a test fails when
// it differs from what GenerateSchema returns.
func Schema() []byte { return slices.Clone(schemaJSON) }

// GenerateSchema returns the JSON Schema of configuration files whose
// channels are of kinds, made from the types their entries decode into,
// with their yaml tags. It is stricter than Load in a few ways: it wants
// strings where Load also takes other scalars as their text (secrets,
// URLs, names: "name: 123"), the values of keys such as tls in the case
// it lists them ("starttls", where Load also takes "STARTTLS"), and a
// kind as written, not from the environment. It is laxer in the checks
// that span keys (first without statuses, a store without its path, a
// stage naming no channel, an initial_interval above max_interval, a
// max_interval under the default initial_interval), in a
// duration's bounds (attempt_timeout of at least MinAttemptTimeout), in
// a whole number with a leading 0 that YAML 1.1 would read as octal (025:
// a schema sees the number YAML 1.2 reads, 25, which Load refuses as
// ambiguous) and in what a channel package's New refuses.
// Values that Load takes from the environment ("${SMTP_PORT}") or from a
// file ("${file:smtp-port}") are valid wherever a number, a boolean or a
// duration is, and the schema of a secret key (redact.Secret) says how to
// keep the secret out of the file.
// A duration is never negative, but in a key its Kind's Spec.Negative
// names (email's idle_timeout, where it means that no connection waits).
func GenerateSchema(kinds []Kind) ([]byte, error) {
	g := &schemaGen{defs: map[string]any{
		"env": map[string]any{"type": "string", "pattern": envPattern,
			"description": "a value from the environment, ${NAME} or ${NAME:-default}, or a file's content: ${file:PATH}"},
		"duration":        anyOf(map[string]any{"type": "string", "pattern": durationPattern}, ref("env")),
		"signed_duration": anyOf(map[string]any{"type": "string", "pattern": signedDurationPattern}, ref("env")),
	}}
	g.defs["when"] = g.when()
	g.defs["channel"] = g.channels(kinds)
	top := g.object(fileType, nil)
	top["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	top["title"] = "outagecast configuration"
	top["required"] = []string{"channels"}
	props := top["properties"].(map[string]any)
	props["channels"] = map[string]any{"type": "array", "minItems": 1, "items": ref("channel"),
		"description": "the channels an update goes to: a channel URL, {url, name, when}, or {kind, …}"}
	props["state"].(map[string]any)["minLength"] = 1     // state: "" is an error
	props["templates"].(map[string]any)["minLength"] = 1 // so is templates: ""
	props["stages"].(map[string]any)["items"].(map[string]any)["minItems"] = 1
	// Load refuses a negative max_attempts (0 is the default).
	retry := props["retry"].(map[string]any)["properties"].(map[string]any)
	retry["max_attempts"] = anyOf(map[string]any{"type": "integer", "minimum": 0}, ref("env"))
	props["store"].(map[string]any)["properties"].(map[string]any)["kind"] = anyOf(map[string]any{"enum": []string{StoreBolt, StoreMemory}}, ref("env"))
	for key, desc := range topDescriptions {
		props[key].(map[string]any)["description"] = desc
	}
	top["$defs"] = g.defs
	out, err := json.MarshalIndent(top, "", "  ")
	return append(out, '\n'), err
}

// topDescriptions describe the top-level keys, for editors.
var topDescriptions = map[string]string{
	"state":           "path of a durable bolt store (relative to this file): shorthand for store: {kind: bolt, path: …}",
	"store":           "where receipts and delivery marks are kept: {kind: bolt, path: FILE} or {kind: memory}",
	"templates":       "directory of <name>.tmpl files replacing the templates of that name (short, text, slack, …; a name no channel renders is an error)",
	"attempt_timeout": "how long one attempt of a channel may take (default 30s, at least 1s)",
	"retry":           "how each channel retries transient failures",
	"stages":          "channels delivered first, stage by stage (a status page first): lists of channel names, none empty",
	"stage_wait":      "the longest wait for a stage before the next starts (default 30s)",
}

const (
	// envPattern matches a value holding a reference to the environment
	// or to a file.
	envPattern = `\$\{([A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?|file:[^}]+)\}`
	// secretDescription describes every secret key.
	secretDescription = "a secret: write ${NAME} to take it from the environment or ${file:PATH} " +
		"from a file (relative to this file), as container platforms mount secrets"
	// durationPattern matches what time.ParseDuration takes, but negative:
	// 0, or numbers each followed by its unit (not 1m0, nor 00), after an
	// optional "+" ("+5s", which Load takes as 5s); after a "-", only
	// zeros ("-0s", which Load takes as 0).
	durationPattern = `^[-+]?0$|^\+?(` + durationNumber + durationUnit + `)+$|^-(` + durationZero + durationUnit + `)+$`
	// signedDurationPattern matches what time.ParseDuration takes, for a
	// key of Spec.Negative.
	signedDurationPattern = `^[-+]?0$|^[-+]?(` + durationNumber + durationUnit + `)+$`
	durationNumber        = `([0-9]+(\.[0-9]*)?|\.[0-9]+)`
	durationZero          = `(0+(\.0*)?|\.0+)`
	durationUnit          = `(ns|us|µs|μs|ms|s|m|h)`
)

var schemeChars = regexp.MustCompile(`[^a-z0-9]`)

// schemaGen builds a schema's definitions from Go types.
type schemaGen struct {
	defs map[string]any
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/$defs/" + name} }

func anyOf(alts ...any) map[string]any { return map[string]any{"anyOf": alts} }

// caseless returns the regular expression re, of letters and other
// characters, matching its letters in either case: "[sS][lL]…". JSON
// Schema's patterns have no flag for it.
func caseless(re string) string {
	var b strings.Builder
	for _, r := range re {
		if lo, up := unicode.ToLower(r), unicode.ToUpper(r); lo != up {
			b.WriteString("[" + string(lo) + string(up) + "]")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// channels is the schema of one channel entry, in any of its forms.
func (g *schemaGen) channels(kinds []Kind) map[string]any {
	var names, schemes []string
	var cases []any
	for _, k := range kinds {
		all := append([]string{k.name}, k.aliases...)
		names = append(names, all...)
		for _, s := range k.schemes {
			schemes = append(schemes, regexp.QuoteMeta(s))
		}
		def := "kind_" + schemeChars.ReplaceAllString(k.name, "_")
		g.defs[def] = nonEmptyName(g.object(k.impl.entryType(), k.impl.enums()))
		props := g.defs[def].(map[string]any)["properties"].(map[string]any)
		for _, key := range k.impl.negative() {
			if _, ok := props[key]; ok {
				props[key] = ref("signed_duration")
			}
		}
		cases = append(cases, map[string]any{
			"if": anyOf(
				map[string]any{"required": []string{"kind"}, "properties": map[string]any{"kind": map[string]any{"enum": all}}},
				map[string]any{"required": []string{"type"}, "properties": map[string]any{"type": map[string]any{"enum": all}}}),
			"then": ref(def),
		})
	}
	slices.Sort(names)
	slices.Sort(schemes)
	// The scheme and a colon, as the loader wants: most kinds write
	// "scheme://…", statuspage also "statuspage:DIR?…". A scheme is read
	// in any case, as URLs have it.
	anyCase := make([]string, len(schemes))
	for i, s := range schemes {
		anyCase[i] = caseless(s)
	}
	url := map[string]any{"type": "string", "pattern": `^(\$\{|(` + strings.Join(anyCase, "|") + `):)`,
		"description": "a channel URL (" + strings.Join(schemes, ", ") + "), or a reference to one: ${SLACK_URL}, ${file:slack-url}"}
	g.defs["channel_url"] = url
	g.defs["channel_short"] = map[string]any{"type": "object", "required": []string{"url"}, "additionalProperties": false,
		"properties": map[string]any{"url": ref("channel_url"), "name": map[string]any{"type": "string", "minLength": 1}, "when": ref("when")}}
	g.defs["channel_full"] = map[string]any{"type": "object",
		"properties": map[string]any{"kind": map[string]any{"enum": names}, "type": map[string]any{"enum": names}},
		"oneOf":      []any{map[string]any{"required": []string{"kind"}}, map[string]any{"required": []string{"type"}}},
		"allOf":      cases}
	return anyOf(ref("channel_url"), ref("channel_short"), ref("channel_full"))
}

// nonEmptyName returns object, the schema of a channel entry, with its
// name of at least one character: Load refuses name: "" (a value lost),
// and ${NAME:-}, the name left out on purpose, is not empty as written.
func nonEmptyName(object map[string]any) map[string]any {
	if name, ok := object["properties"].(map[string]any)["name"].(map[string]any); ok {
		name["minLength"] = 1
	}
	return object
}

// when is the schema of "when:".
func (g *schemaGen) when() map[string]any {
	w := g.object(reflect.TypeFor[when](), nil)
	props := w["properties"].(map[string]any)
	// Values as listed, for completion, or with white space around them,
	// which Load leaves out.
	spaced := func(vals []string) map[string]any {
		return map[string]any{"type": "string", "pattern": `^\s*(` + strings.Join(vals, "|") + `)\s*$`}
	}
	props["statuses"] = map[string]any{"type": "array",
		"items": anyOf(map[string]any{"enum": statusValues}, spaced(statusValues), ref("env"))}
	props["impacts"] = map[string]any{"type": "array",
		"items": anyOf(map[string]any{"enum": impactValues}, spaced(impactValues), ref("env"))}
	// Names, matched ignoring case and the white space around them: blank is none.
	props["components"] = map[string]any{"type": "array", "items": map[string]any{"type": "string", "pattern": `\S`}}
	w["description"] = "the updates this channel gets: every non-empty list must match"
	return w
}

// of returns the schema of the values of t.
func (g *schemaGen) of(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return ref("duration")
	case t == reflect.TypeFor[when]():
		return ref("when")
	case t == reflect.TypeFor[redact.Secret]():
		return map[string]any{"type": "string", "description": secretDescription}
	case t == nodeType || t.Kind() == reflect.Interface:
		return map[string]any{}
	case reflect.PointerTo(t).Implements(textUnmarshaler) && t.Kind() == reflect.Struct && len(yamlFields(t)) > 0:
		// Text, or the struct's keys: a component as "API" or {name: API, description: …}.
		return anyOf(map[string]any{"type": "string"}, g.object(t, nil))
	case reflect.PointerTo(t).Implements(textUnmarshaler):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return anyOf(map[string]any{"type": "boolean"}, ref("env"))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return anyOf(map[string]any{"type": "integer"}, ref("env"))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return anyOf(map[string]any{"type": "integer", "minimum": 0}, ref("env"))
	case reflect.Float32, reflect.Float64:
		return anyOf(map[string]any{"type": "number"}, ref("env"))
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.of(t.Elem())}
	case reflect.Struct:
		return g.object(t, nil)
	}
	return map[string]any{}
}

// object returns the schema of struct t: its yaml keys, and no others.
// enums replace the schema of the keys they name.
func (g *schemaGen) object(t reflect.Type, enums map[string][]any) map[string]any {
	props := map[string]any{}
	for key, ft := range yamlFields(t) {
		props[key] = g.of(ft)
		if vals, ok := enums[key]; ok {
			props[key] = anyOf(map[string]any{"enum": vals}, ref("env"))
		}
	}
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}
