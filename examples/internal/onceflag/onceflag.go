// Package onceflag parses an example program's command line as
// flag.FlagSet.Parse does, but refuses a flag that takes one value given
// twice with different values ("-state a.db … -state b.db"), which the
// flag package takes as the last one without a word: a command copied
// and a flag added to it, or a script's common flags and its own, would
// otherwise run with a value its user never saw win.
package onceflag

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// Parse parses args into fs, as fs.Parse does, and then returns an error
// naming each flag, other than the bool flags and those named repeatable,
// that was given more than once with values that differ (as the flag
// prints them: "-timeout 90s -timeout 1m30s" is one value), and both
// values: `-state: given twice ("a.db", then "b.db"): give it once`. Of
// a flag either of whose values holds "://", neither is quoted: a URL's
// user information or query may hold a credential (a database's password
// given to -state), which no error may show. fs's flags are as before once
// it returns, so that fs.PrintDefaults prints them as before.
func Parse(fs *flag.FlagSet, args []string, repeatable ...string) error {
	var once []*value
	fs.VisitAll(func(f *flag.Flag) {
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			return
		}
		for _, name := range repeatable {
			if f.Name == name {
				return
			}
		}
		v := &value{Value: f.Value, name: f.Name}
		f.Value = v
		once = append(once, v)
	})
	err := fs.Parse(args)
	for _, v := range once {
		fs.Lookup(v.name).Value = v.Value
	}
	if err != nil {
		return err
	}
	var msgs []string
	for _, v := range once {
		switch {
		case v.sets < 2 || v.other == "":
		case mayHoldCredentials(v.first) || mayHoldCredentials(v.other):
			msgs = append(msgs, fmt.Sprintf("-%s: given twice with two values (not quoted: one is a URL, which may hold credentials): give it once", v.name))
		default:
			msgs = append(msgs, fmt.Sprintf("-%s: given twice (%q, then %q): give it once", v.name, v.first, v.other))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}

// mayHoldCredentials reports a value that may be a URL, whose user
// information or query may hold a password or a token.
func mayHoldCredentials(s string) bool { return strings.Contains(s, "://") }

// value counts the values a flag is set to, keeping the first and the
// first that differs from it.
type value struct {
	flag.Value
	name         string
	sets         int
	first, other string // as given
	firstValue   string // the first as the flag prints it
}

func (v *value) Set(s string) error {
	if err := v.Value.Set(s); err != nil {
		return err
	}
	v.sets++
	switch now := v.Value.String(); {
	case v.sets == 1:
		v.first, v.firstValue = s, now
	case v.other == "" && now != v.firstValue:
		v.other = s
	}
	return nil
}

// String is the flag's value; "" for the zero value the flag package makes
// to tell a flag's default.
func (v *value) String() string {
	if v == nil || v.Value == nil {
		return ""
	}
	return v.Value.String()
}
