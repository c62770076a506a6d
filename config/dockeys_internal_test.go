package config

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every key of a file is documented where a user reads about it: a key
// of a channel package's Config by that package (its field's doc), every
// other key (the file's top level, the keys config adds to a kind, the
// whole statuspage kind, whose Config the file writes otherwise) by the
// package documentation, as godoc does not show unexported types.
func TestEveryKeyOfConfigsOwnIsDocumented(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	doc := string(src)
	types := []reflect.Type{fileType}
	for _, k := range Kinds() {
		types = append(types, k.impl.entryType())
	}
	for _, typ := range types {
		for _, key := range ownKeys(typ, "", map[reflect.Type]bool{}) {
			last := key[strings.LastIndex(key, ".")+1:]
			assert.Regexp(t, regexp.MustCompile(`\b`+regexp.QuoteMeta(last)+`\b`), doc, "%s: key %s is not in doc.go", typ, key)
		}
	}
}

// ownKeys returns the keys of struct type t that this package's types
// declare: a field inlining another package's struct brings keys that
// package documents.
func ownKeys(t reflect.Type, path string, seen map[reflect.Type]bool) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] || t.PkgPath() != fileType.PkgPath() {
		return nil
	}
	seen[t] = true
	var keys []string
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case name == "-" || !f.IsExported() && !f.Anonymous:
		case opts == "inline":
			keys = append(keys, ownKeys(f.Type, path, seen)...)
		case name != "":
			keys = append(keys, join(path, name))
			keys = append(keys, ownKeys(f.Type, join(path, name), seen)...)
		}
	}
	return keys
}
