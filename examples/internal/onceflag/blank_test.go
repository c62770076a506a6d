package onceflag_test

import (
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/examples/internal/onceflag"
)

// TestBlanks: a flag of the optional ones given a value of white space is
// reported, in the list's order, with its advice; one left out, one given
// a value, and one not in the list are not.
func TestBlanks(t *testing.T) {
	fs := flag.NewFlagSet("p", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, name := range []string{"config", "state", "url", "title"} {
		fs.String(name, "", "")
	}
	require.NoError(t, onceflag.Parse(fs, []string{"-url", " ", "-title=", "-config", ""}))
	got := onceflag.Blanks(fs, []onceflag.Optional{
		{Flag: "config", Then: "to print updates"},
		{Flag: "state", Then: "to keep no state"},
		{Flag: "url", Then: "for no link"},
	})
	assert.Equal(t, []onceflag.Blank{
		{Flag: "config", Text: "empty (leave -config out to print updates)"},
		{Flag: "url", Text: "empty (leave -url out for no link)"},
	}, got)
	assert.Empty(t, onceflag.Blanks(fs, []onceflag.Optional{{Flag: "missing", Then: "x"}}))
}
