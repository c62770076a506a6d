package onceflag

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func newSet() (*flag.FlagSet, *string, *list) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s := fs.String("state", "", "")
	fs.Duration("timeout", 0, "")
	fs.Bool("json", false, "")
	var l list
	fs.Var(&l, "component", "")
	return fs, s, &l
}

// A flag given twice with two values is refused, naming it and both; the
// same value twice (as the flag prints it), a bool flag and a repeatable
// one are not; the flags are as before afterwards.
func TestParse(t *testing.T) {
	fs, _, _ := newSet()
	err := Parse(fs, []string{"-state", "a.db", "-timeout", "1m", "-state=b.db", "-timeout", "2m"}, "component")
	require.Error(t, err)
	assert.Equal(t, `-state: given twice ("a.db", then "b.db"): give it once; -timeout: given twice ("1m", then "2m"): give it once`, err.Error())

	fs, s, l := newSet()
	require.NoError(t, Parse(fs, []string{"-state", "a.db", "-state", "a.db", "-timeout", "90s", "-timeout", "1m30s",
		"-json", "-json=false", "-component", "a", "-component", "b"}, "component"))
	assert.Equal(t, "a.db", *s)
	assert.Equal(t, list{"a", "b"}, *l)
	assert.Equal(t, 90*time.Second, fs.Lookup("timeout").Value.(flag.Getter).Get())
	_, wrapped := fs.Lookup("state").Value.(*value)
	assert.False(t, wrapped, "the flag's own Value is back")

	fs, _, _ = newSet()
	assert.ErrorIs(t, Parse(fs, []string{"-h"}), flag.ErrHelp)
}

// A value that may hold a credential (a URL: its user information, a
// token in its query) is not quoted: -state postgres://u:PASSWORD@db/x …
// -state b.db showed the password in the error. Both values are left out,
// the flag still named; other flags keep theirs.
func TestParseQuotesNoURL(t *testing.T) {
	const secret = "s3cr3t-PASSWORD"
	for _, args := range [][]string{
		{"-state", "postgres://u:" + secret + "@db/x", "-state", "b.db", "-timeout", "1m", "-timeout", "2m"},
		{"-state", "a.db", "-state", "https://h.example/x?token=" + secret, "-timeout", "1m", "-timeout", "2m"},
	} {
		fs, _, _ := newSet()
		err := Parse(fs, args)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), secret)
		assert.Equal(t, `-state: given twice with two values (not quoted: one is a URL, which may hold credentials): give it once; `+
			`-timeout: given twice ("1m", then "2m"): give it once`, err.Error())
	}
}
