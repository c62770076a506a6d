package onceflag

import (
	"flag"
	"fmt"
	"strings"
)

// flagAsValue returns an error naming the first flag of args, as fs.Parse
// reads them, whose value, given as the next argument, is itself one of
// fs's flags or -h ("-state -dry-run": a value left out), or nil. Only the
// flag's name is said, never what follows "=" in the value. A value given
// with "=" ("-state=-dry-run") is taken: it cannot be a value left out.
func flagAsValue(fs *flag.FlagSet, args []string) error {
	for i := 0; i < len(args); i++ {
		name, ok := flagName(args[i])
		if !ok {
			return nil // "--", "-" or the first argument: flags end, as for fs.Parse
		}
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			return nil // -h, or an error fs.Parse reported
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); (ok && b.IsBoolFlag()) || i+1 == len(args) {
			continue
		}
		i++
		next, ok := flagName(args[i])
		next, _, _ = strings.Cut(next, "=")
		if ok && (next == "h" || next == "help" || fs.Lookup(next) != nil) {
			return fmt.Errorf("-%s: given the flag -%s as its value: give -%s a value (or write -%s=-%s)",
				name, next, name, name, next)
		}
	}
	return nil
}

// flagName returns arg's flag name, with what follows "=" in it, as the
// flag package reads it: "-x" and "--x" are flag x; "-", "--" and an
// argument not starting with "-" are none.
func flagName(arg string) (string, bool) {
	name, ok := strings.CutPrefix(arg, "-")
	if !ok || name == "" || name == "-" {
		return "", false
	}
	name = strings.TrimPrefix(name, "-")
	if name == "" || name[0] == '-' || name[0] == '=' {
		return "", false
	}
	return name, true
}
