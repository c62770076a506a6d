package onceflag

import (
	"flag"
	"fmt"
	"strings"
)

// Optional is a flag whose default is its absence, and what the program
// does without it: Then ends the advice "leave -Flag out Then".
type Optional struct{ Flag, Then string }

// Blank is a flag of an Optional given a blank value, and the text that
// says so: "empty (leave -state out for the configuration's state)".
type Blank struct{ Flag, Text string }

// Blanks returns the flags of optional given on fs's command line with a
// value of white space only, in optional's order. Given empty is most
// likely "$VAR" of a variable not set, and taken as the flag left out it
// would do something else than asked (an empty -config printing updates
// where a channel was meant): a program refuses each.
func Blanks(fs *flag.FlagSet, optional []Optional) []Blank {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var out []Blank
	for _, o := range optional {
		if f := fs.Lookup(o.Flag); given[o.Flag] && f != nil && strings.TrimSpace(f.Value.String()) == "" {
			out = append(out, Blank{Flag: o.Flag, Text: fmt.Sprintf("empty (leave -%s out %s)", o.Flag, o.Then)})
		}
	}
	return out
}
