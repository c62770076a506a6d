package templates_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/templates"
)

// New names every file of the directory that it refuses, each in an error
// of its own joined into one, so that a directory with several mistakes is
// mended in one go. Before, it stopped at the first file, in name order, and
// the next run met the next one.
func TestNewNamesEveryFileItRefuses(t *testing.T) {
	_, err := templates.New(fstest.MapFS{
		"markdown.tmpl":       {Data: []byte("{{.Titel}}")},
		"short.tmpl":          {Data: []byte("{{.Title}")},
		"subject.tmpl":        {Data: []byte("Incident: {{.Title}}")},
		"text.tmpl":           {Data: []byte("\xff\xfeT\x00")},
		"short.resolved.tmpl": {Data: []byte("{{end}}")},
	})
	require.Error(t, err)
	var joined interface{ Unwrap() []error }
	require.True(t, errors.As(err, &joined), "one error per file: %v", err)
	var files []string
	for _, e := range joined.Unwrap() {
		files = append(files, e.Error())
	}
	require.Len(t, files, 4, "%v", err)
	assert.Contains(t, files[0], "templates: markdown.tmpl: ")
	assert.Contains(t, files[1], "templates: short.resolved.tmpl: ")
	assert.Contains(t, files[2], "templates: short.tmpl: ")
	assert.Contains(t, files[3], "templates: text.tmpl: ")
	assert.NotContains(t, err.Error(), "subject.tmpl", "a file that parses is no fault")

	// One file at fault: the error is that file's, as before.
	_, err = templates.New(fstest.MapFS{"short.tmpl": {Data: []byte("{{.Title}")}, "text.tmpl": {Data: []byte("{{.Title}}")}})
	require.Error(t, err)
	assert.Regexp(t, `^templates: short\.tmpl: [^\n]*$`, err.Error())
}

// A file's name is shown quoted when it holds a line break or another
// character that is not printable, so that every file refused stays on
// a line of its own that starts "templates: ". Before, a name with a line
// break split its error in two, the second line naming no file.
func TestNewNamesAnOddFileOnItsLine(t *testing.T) {
	_, err := templates.New(fstest.MapFS{
		"bad\nname.tmpl": {Data: []byte("{{.Title}}")},
		"short.tmpl":     {Data: []byte("{{.Title}")},
		"tab\tbed.tmpl":  {Data: []byte("{{.Title}}")},
	})
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 3, "%q", err)
	assert.True(t, strings.HasPrefix(lines[0], `templates: "bad\nname.tmpl": `), "%q", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "templates: short.tmpl: "), "%q", lines[1])
	assert.True(t, strings.HasPrefix(lines[2], `templates: "tab\tbed.tmpl": `), "%q", lines[2])
}

// Each error New joins, one per file refused, is a *FileError whose File
// is the file's name as the directory gives it (not quoted), so that a
// caller with faults of its own about the same file can name them on
// New's line; its text and what it wraps are as before.
func TestNewFileErrorNamesTheFile(t *testing.T) {
	_, err := templates.New(fstest.MapFS{
		"bad\nname.tmpl": {Data: []byte("{{.Title}}")},
		"short.tmpl":     {Data: []byte("{{.Title}")},
		"text.tmpl":      {Data: []byte("\xff{{.Title}}")},
	})
	require.Error(t, err)
	var joined interface{ Unwrap() []error }
	require.True(t, errors.As(err, &joined), "one error per file: %v", err)
	var files []string
	for _, e := range joined.Unwrap() {
		var fe *templates.FileError
		require.True(t, errors.As(e, &fe), "%v", e)
		assert.Equal(t, fe.Error(), e.Error())
		files = append(files, fe.File)
	}
	assert.Equal(t, []string{"bad\nname.tmpl", "short.tmpl", "text.tmpl"}, files)
}
