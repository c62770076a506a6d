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
// same value twice (as the flag prints it) and a repeatable flag are not;
// the flags are as before afterwards.
func TestParse(t *testing.T) {
	fs, _, _ := newSet()
	err := Parse(fs, []string{"-state", "a.db", "-timeout", "1m", "-state=b.db", "-timeout", "2m"}, "component")
	require.Error(t, err)
	assert.Equal(t, `-state: given twice ("a.db", then "b.db"): give it once; -timeout: given twice ("1m", then "2m"): give it once`, err.Error())

	fs, s, l := newSet()
	require.NoError(t, Parse(fs, []string{"-state", "a.db", "-state", "a.db", "-timeout", "90s", "-timeout", "1m30s",
		"-json", "-json=true", "-component", "a", "-component", "b"}, "component"))
	assert.Equal(t, "a.db", *s)
	assert.Equal(t, list{"a", "b"}, *l)
	assert.Equal(t, 90*time.Second, fs.Lookup("timeout").Value.(flag.Getter).Get())
	_, wrapped := fs.Lookup("state").Value.(*value)
	assert.False(t, wrapped, "the flag's own Value is back")

	fs, _, _ = newSet()
	assert.ErrorIs(t, Parse(fs, []string{"-h"}), flag.ErrHelp)
}

// A value that is a URL, which may hold a user and password (a database's
// -state, a -url), is not quoted in the error: before, both values were,
// credentials and all.
func TestParseQuotesNoURL(t *testing.T) {
	fs, _, _ := newSet()
	err := Parse(fs, []string{"-state", "postgres://app:hunter2-fake@db.example.com/a", "-state", "postgres://app:hunter3-fake@db.example.com/b"})
	require.Error(t, err)
	assert.Equal(t, `-state: given twice, with two values (not quoted: a URL may hold credentials): give it once`, err.Error())
	assert.NotContains(t, err.Error(), "hunter")

	fs, _, _ = newSet()
	err = Parse(fs, []string{"-state", "a.db", "-state", "https://u:hunter2-fake@example.com/"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter")
}

// A value of key=value settings, as a PostgreSQL connection string is
// written without a URL, is not quoted either when it holds a value that
// redact takes for a credential (a password, a token), judged as the
// query of a URL of its own: before, only a value holding "://" was
// hidden, and such a one was quoted whole, password and all. Settings
// without one, and values without settings, are still quoted.
func TestParseQuotesNoSettingsWithCredentials(t *testing.T) {
	const want = `-state: given twice, with two values (not quoted: key=value settings, ` +
		`as a database's connection string, may hold credentials): give it once`
	for _, args := range [][]string{
		{"host=db.example.com password=hunter2-fake dbname=a", "host=db.example.com password=hunter2-fake dbname=b"},
		{"a.db", "host=db.example.com user=app password=hunter2-fake"},
		{"host=db.example.com password = 'hunter2 fake' dbname=a", "a.db"},      // spaces around "=", quoted
		{"host=db.example.com password='a bcde' dbname=a", "a.db"},              // quoted, a word short
		{"host=db.example.com password=a&bc dbname=a", "a.db"},                  // an "&"
		{"host=db.example.com sslpassword=hunter2-fake", "host=db.example.com"}, // the first holds it
		{"a.db", "api_token=0123456789abcdef"},
	} {
		fs, _, _ := newSet()
		err := Parse(fs, []string{"-state", args[0], "-state", args[1]})
		require.Error(t, err, args)
		assert.Equal(t, want, err.Error(), args)
		assert.NotContains(t, err.Error(), "hunter", args)
	}

	fs, _, _ := newSet()
	err := Parse(fs, []string{"-state", "host=db.example.com dbname=a", "-state", "x=1.db"})
	require.Error(t, err)
	assert.Equal(t, `-state: given twice ("host=db.example.com dbname=a", then "x=1.db"): give it once`, err.Error())
}

// A second value that is empty ("$VAR" of a variable not set) is a value
// that differs: before, an empty value was taken for "none differs yet",
// and -state a.db -state "" ran without a.db, without a word.
func TestParseEmptySecondValue(t *testing.T) {
	fs, _, _ := newSet()
	err := Parse(fs, []string{"-state", "a.db", "-state", ""})
	require.Error(t, err)
	assert.Equal(t, `-state: given twice ("a.db", then ""): give it once`, err.Error())
}

// A bool switch given twice with two values ("-dry-run … -dry-run=false":
// a script's shared flags and its own) is refused as any other flag:
// before, switches were exempt and the last value won without a word. The
// same value twice, however spelt ("-json -json=true -json=1"), is not;
// nor is a switch named repeatable. A switch still takes no value of its
// own ("-json x" leaves x an argument).
func TestParseBool(t *testing.T) {
	for _, args := range [][]string{
		{"-json", "-state", "a.db", "-json=false"},
		{"-json=false", "-json"},
		{"-json", "-json=1", "-json=0"},
	} {
		fs, _, _ := newSet()
		err := Parse(fs, args)
		require.Error(t, err, args)
		assert.Regexp(t, `^-json: given twice \("(true|false)", then "(true|false|0)"\): give it once$`, err.Error(), args)
	}
	fs, _, _ := newSet()
	err := Parse(fs, []string{"-json", "-json=false"})
	require.Error(t, err)
	assert.Equal(t, `-json: given twice ("true", then "false"): give it once`, err.Error())

	fs, _, _ = newSet()
	require.NoError(t, Parse(fs, []string{"-json", "-json=true", "-json=1", "x"}))
	assert.Equal(t, []string{"x"}, fs.Args())
	assert.Equal(t, true, fs.Lookup("json").Value.(flag.Getter).Get())
	_, wrapped := fs.Lookup("json").Value.(*value)
	assert.False(t, wrapped, "the flag's own Value is back")

	fs, _, _ = newSet()
	require.NoError(t, Parse(fs, []string{"-json", "-json=false"}, "json"))
	assert.Equal(t, false, fs.Lookup("json").Value.(flag.Getter).Get())
}
