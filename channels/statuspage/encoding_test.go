package statuspage_test

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A theme file is read as the templates package reads its own: a file
// that is not UTF-8 (saved as Latin-1 or UTF-16) is an error naming the
// file and the line, not a page with U+FFFD in place of each letter
// outside ASCII; a file that is not a regular file is refused, not read.
func TestThemeFileNotUTF8(t *testing.T) {
	for _, tc := range []struct {
		name string
		file *fstest.MapFile
		want string
	}{
		{"latin-1", &fstest.MapFile{Data: []byte("{{define \"contact\"}}\n<p>St\xf6rung</p>{{end}}")},
			"statuspage: Config.Templates: contact.tmpl: line 2: not valid UTF-8: save it as UTF-8"},
		{"utf-16", &fstest.MapFile{Data: []byte("\xff\xfe{\x00{\x00")},
			"statuspage: Config.Templates: contact.tmpl: UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"},
		{"named pipe", &fstest.MapFile{Mode: fs.ModeNamedPipe},
			"statuspage: Config.Templates: read contact.tmpl: contact.tmpl is not a regular file (a named pipe)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := statuspage.New(statuspage.Config{Dir: t.TempDir(), BaseURL: "https://s.test/",
				Templates: fstest.MapFS{"contact.tmpl": tc.file}})
			assert.EqualError(t, err, tc.want)
		})
	}
}

// A theme file saved by a Windows editor starts with a UTF-8 byte-order
// mark: dropped, not written into every page that uses the template.
func TestThemeFileByteOrderMark(t *testing.T) {
	p := newPage(t, statuspage.Config{Templates: fstest.MapFS{
		"footer.tmpl": {Data: []byte("\uFEFF" + `{{define "footer"}}<footer id="contact">Call us</footer></body></html>{{end}}`)},
	}})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
	site := p.site()
	for _, name := range []string{"index.html", "incidents/a.html"} {
		require.Contains(t, string(site.Files[name]), "Call us", name)
		assert.NotContains(t, string(site.Files[name]), "\uFEFF", name)
	}
}
