package outagecast_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/templates"
)

// The README's section on template files says what a file may be, with
// the size templates.MaxFileSize allows: users write them, and a file too
// large or not in UTF-8 is an error they must be able to foresee.
func TestReadmeStatesTemplateFileRules(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(data)), " ")
	for _, want := range []string{
		fmt.Sprintf("at most %d MiB (`templates.MaxFileSize`)", templates.MaxFileSize>>20),
		"in UTF-8: a leading byte-order mark is dropped",
		"status page's own `templates:` directory",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
}
