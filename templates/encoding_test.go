package templates_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A template file saved by a Windows editor starts with a UTF-8
// byte-order mark: no part of the text, which would otherwise start every
// message with an invisible U+FEFF.
func TestNewDropsAByteOrderMark(t *testing.T) {
	set, err := templates.New(fstest.MapFS{"short.tmpl": {Data: []byte("\uFEFFUpdate: {{.Title}}")}})
	require.NoError(t, err)
	out, err := set.Render("short", broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating})
	require.NoError(t, err)
	assert.Equal(t, "Update: CDN errors", out)
}

// A template that is not UTF-8 (a file saved as Latin-1 or UTF-16) is an
// error naming the file and the line, not a text posted with U+FFFD in
// place of each letter outside ASCII.
func TestTemplateNotUTF8(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"latin-1", "{{.Title}}\nSt\xf6rung", "templates: short.tmpl: line 2: not valid UTF-8: save it as UTF-8"},
		{"utf-16", "\xff\xfeU\x00", "templates: short.tmpl: UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"},
		{"utf-16 big-endian", "\xfe\xff\x00U", "templates: short.tmpl: UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := templates.New(fstest.MapFS{"short.tmpl": {Data: []byte(tt.data)}})
			assert.EqualError(t, err, tt.want)
		})
	}
	t.Run("With", func(t *testing.T) {
		_, err := templates.Default().With("text", "{{.Title}}\n\n{{.Body}}\n\xe9t\xe9")
		assert.EqualError(t, err, "templates: text: line 4: not valid UTF-8: save it as UTF-8")
	})
}
