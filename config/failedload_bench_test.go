package config_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/config"
)

// manyLinksFailing returns a file of a status page with n links, each a
// URL of its own, and one fault (an unknown key): a Load that fails.
func manyLinksFailing(n int) string {
	var sb strings.Builder
	sb.WriteString("channels:\n  - kind: statuspage\n    dir: ./site\n    base_url: https://status.example.com/\n    nope: 1\n    links:\n")
	for i := range n {
		fmt.Fprintf(&sb, "      - {text: Link %d, url: 'https://docs.example.com/guides/%s'}\n", i, word(i))
	}
	return sb.String()
}

// word returns a lower-case word of its own for i, as a path's words are
// ("status-bkd"): no token.
func word(i int) string {
	w := []byte("status-")
	for ; i > 0 || len(w) == len("status-"); i /= 26 {
		w = append(w, byte('a'+i%26))
	}
	return string(w)
}

// BenchmarkLoadFailingManyURLs is a Load that fails, of a status page
// with 3,200 links: its error hides the credentials of every URL of the
// file, of which these links hold none.
func BenchmarkLoadFailingManyURLs(b *testing.B) {
	data := manyLinksFailing(3200)
	benchLoadFails(b, data)
}

// BenchmarkLoadFailingManyEntries is a Load that fails, of 4,000 channel
// entries, each a fault: of no kind ("{}", walked as every kind's type in
// the search for the file's secrets), text that is no URL ("a") or of a
// kind not known ("{kind: nope}").
func BenchmarkLoadFailingManyEntries(b *testing.B) {
	for _, entry := range []string{"{}", "a", "{kind: nope}"} {
		b.Run(entry, func(b *testing.B) {
			data := "channels: [" + strings.Repeat(entry+", ", 3999) + entry + "]\n"
			benchLoadFails(b, data)
		})
	}
}

// benchLoadFails runs b's loop on a Load of data that fails, as it must.
func benchLoadFails(b *testing.B, data string) {
	b.Helper()
	name := filepath.Join(b.TempDir(), "test.yaml")
	l := config.Loader{LookupEnv: env(nil)}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := l.Parse(strings.NewReader(data), name); err == nil {
			b.Fatal("no error")
		}
	}
}
