package onceflag

import (
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Values that start with "-" and are no flag of the program are values,
// as the flag package takes them: a title "--" (what follows is flags
// again, as the flag package reads them), a negative number, a value
// given with "=" that names a flag; a value that is a flag's name ("-h",
// "-state") is refused, the error naming the flag and how to give it.
func TestParseValuesThatStartWithADash(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // "": no error
	}{
		{[]string{"-title", "--", "-json"}, ""},
		{[]string{"-retries", "-1", "-title", "-2"}, ""},
		{[]string{"-title=-state", "-state=-h"}, ""},
		{[]string{"-title", "-body"}, "-title: given the flag -body as its value: give -title a value (or write -title=-body)"},
		{[]string{"-body", "-h"}, "-body: given the flag -h as its value: give -body a value (or write -body=-h)"},
		{[]string{"-body", "--help=x"}, "-body: given the flag -help as its value"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.String("title", "", "")
		fs.String("body", "", "")
		fs.String("state", "", "")
		fs.Int("retries", 0, "")
		fs.Bool("json", false, "")
		err := Parse(fs, tt.args)
		if tt.want == "" {
			assert.NoError(t, err, "%q", tt.args)
			continue
		}
		require.Error(t, err, "%q", tt.args)
		assert.Contains(t, err.Error(), tt.want, "%q", tt.args)
		assert.NotContains(t, err.Error(), "=x", "%q", tt.args)
	}
}
