package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/config"
)

// A Load that fails hides the credentials of the file's URLs in its
// error; a URL that holds none (a status page's links, of a host and a
// path of words) costs its error nothing more than the other values of
// the file. Before, each one fed the hider's Redactor with its every
// encoding: about 1,400 allocations and 120 KB a link, 390 MB to report a
// fault of a status page of 3,200 links.
func TestLoadFailingURLsWithoutCredentialsCheap(t *testing.T) {
	name := filepath.Join(t.TempDir(), "test.yaml")
	l := config.Loader{LookupEnv: env(nil)}
	allocs := func(n int) float64 {
		data := manyLinksFailing(n)
		return testing.AllocsPerRun(2, func() {
			if _, err := l.Parse(strings.NewReader(data), name); err == nil {
				t.Fatal("no error")
			}
		})
	}
	small, large := allocs(100), allocs(600)
	perLink := (large - small) / 500
	t.Logf("allocations: %.0f for 100 links, %.0f for 600: %.0f a link", small, large, perLink)
	if perLink > 400 {
		t.Errorf("%.0f allocations a link without credentials, want at most 400", perLink)
	}
}
