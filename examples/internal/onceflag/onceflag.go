// Package onceflag parses an example program's command line as
// flag.FlagSet.Parse does, but refuses a flag given twice with different
// values ("-state a.db … -state b.db", "-dry-run … -dry-run=false"), which
// the flag package takes as the last one without a word: a command copied
// and a flag added to it, or a script's common flags and its own, would
// otherwise run with a value its user never saw win. A flag the program
// does not have ("-lisen") gets, after the flag package's error, a line
// naming a flag it has that is close to it ("did you mean -listen?"). A
// flag whose value was left out, which takes the next flag as its value
// ("-state -dry-run": a real send to a state file named "-dry-run"), is
// refused too.
package onceflag

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/outagecast/outagecast/examples/internal/credvalue"
)

// Parse parses args into fs, as fs.Parse does, and then returns an error
// naming each flag, other than those named repeatable, that was given more
// than once with values that differ (as the flag prints them: "-timeout
// 90s -timeout 1m30s" is one value, and so are "-dry-run -dry-run=true";
// an empty one differs from any other), and both values: `-state: given
// twice ("a.db", then "b.db"): give it once`; a bool flag given alone
// ("-dry-run") has the value "true". Values of which one is a URL, which may hold
// a user and password, are not quoted, nor are those of which one is
// key=value settings (a PostgreSQL connection string written without a
// URL: "host=db password=…") that hold a credential (see
// credvalue.Settings). fs's flags are as before once it
// returns, so that fs.PrintDefaults prints them as before, and so are they
// while fs.Usage runs (-h, a flag fs cannot take): the help is fs.Parse's.
// The error for a flag fs does not have is fs.Parse's, with a line naming
// the flag of fs closest to it when one is close ("did you mean
// -listen?").
// A flag given one of fs's flags, or -h, as its value in the next argument
// ("-state -dry-run": its value left out, the next flag taken for it) is an
// error naming both; "-state=-dry-run" is not.
func Parse(fs *flag.FlagSet, args []string, repeatable ...string) error {
	// Before fs.Parse, whose error of such a value ("invalid value "-h"
	// for flag -timeout") would not say that a value is missing.
	if err := flagAsValue(fs, args); err != nil {
		return err
	}
	var once []*value
	fs.VisitAll(func(f *flag.Flag) {
		for _, name := range repeatable {
			if f.Name == name {
				return
			}
		}
		b, ok := f.Value.(interface{ IsBoolFlag() bool })
		v := &value{Value: f.Value, name: f.Name, isBool: ok && b.IsBoolFlag()}
		f.Value = v
		once = append(once, v)
	})
	unwrap := func() {
		for _, v := range once {
			fs.Lookup(v.name).Value = v.Value
		}
	}
	// The help that -h, or a flag fs cannot take, prints during fs.Parse
	// is printed of the flags' own Values: of a wrapper, PrintDefaults
	// would tell no type ("-timeout value"), quote no string default and
	// print every zero default ("(default false)").
	usage := fs.Usage
	fs.Usage = func() {
		unwrap()
		defer func() {
			for _, v := range once {
				fs.Lookup(v.name).Value = v
			}
		}()
		if usage != nil {
			usage()
			return
		}
		// As the flag package's own, of a FlagSet with no Usage.
		if fs.Name() == "" {
			fmt.Fprintf(fs.Output(), "Usage:\n")
		} else {
			fmt.Fprintf(fs.Output(), "Usage of %s:\n", fs.Name())
		}
		fs.PrintDefaults()
	}
	err := fs.Parse(args)
	fs.Usage = usage
	unwrap()
	if err != nil {
		return withSuggestion(fs, err)
	}
	var msgs []string
	for _, v := range once {
		switch {
		case !v.differs:
		case credvalue.URL(v.first) || credvalue.URL(v.other):
			// As the programs say of a -config or -state URL.
			msgs = append(msgs, fmt.Sprintf("-%s: given twice, with two values (not quoted: a URL may hold credentials): give it once", v.name))
		case credvalue.Settings(v.first) || credvalue.Settings(v.other):
			msgs = append(msgs, fmt.Sprintf("-%s: given twice, with two values (not quoted: key=value settings, "+
				"as a database's connection string, may hold credentials): give it once", v.name))
		default:
			msgs = append(msgs, fmt.Sprintf("-%s: given twice (%q, then %q): give it once", v.name, v.first, v.other))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}

// value counts the values a flag is set to, keeping the first and the
// first that differs from it.
type value struct {
	flag.Value
	name         string
	isBool       bool // a switch: "-dry-run" alone is "-dry-run=true"
	sets         int
	first, other string // as given
	firstValue   string // the first as the flag prints it
	differs      bool   // other is set
}

func (v *value) Set(s string) error {
	if err := v.Value.Set(s); err != nil {
		return err
	}
	v.sets++
	switch now := v.Value.String(); {
	case v.sets == 1:
		v.first, v.firstValue = s, now
	case !v.differs && now != v.firstValue:
		v.other, v.differs = s, true
	}
	return nil
}

// IsBoolFlag tells the flag package that a switch still takes no value of
// its own ("-dry-run" alone), as the flag it wraps.
func (v *value) IsBoolFlag() bool { return v != nil && v.isBool }

// String is the flag's value; "" for the zero value the flag package makes
// to tell a flag's default.
func (v *value) String() string {
	if v == nil || v.Value == nil {
		return ""
	}
	return v.Value.String()
}
