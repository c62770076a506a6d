package outagecast_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The README's commands are what readers type first: every flag a command
// gives an example program (go run ./examples/NAME …, or the binary
// go build made of it) is one that program defines, read as a flag where
// the flag package reads flags (before the first argument that is none,
// and before "--"), so that a flag renamed or removed fails here rather
// than in a reader's shell with "flag provided but not defined". A go run
// of a program that is not an example is a fault too: its flags would
// go unchecked.
func TestReadmeCommandsUseDefinedFlags(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, cmd := range readmeCommands(string(data)) {
		faults, n := commandFaults(t, cmd)
		for _, f := range faults {
			t.Errorf("README.md: %s", f)
		}
		checked += n
	}
	if checked < 20 {
		t.Fatalf("README.md: only %d flags of example programs found in its commands: this test no longer reads them", checked)
	}
}

var (
	shFence = regexp.MustCompile("(?s)```(?:sh|bash|shell)\n(.*?)```")
	// An inline command, which may run on to the next line of the text.
	inlineRun = regexp.MustCompile("(?s)`(go run [^`]*)`")
	// An example program: go run's package.
	examplePackage = regexp.MustCompile(`^\./examples/([a-z0-9-]+)/?$`)
	// The binary go build made of an example program.
	exampleBinary = regexp.MustCompile(`^/tmp/outagecast/([a-z0-9-]+)$`)
)

// goValueFlags are the flags of go run (its build flags) that take a
// value as the next word.
var goValueFlags = []string{"C", "o", "p", "tags", "ldflags", "gcflags", "asmflags", "gccgoflags", "mod", "modfile",
	"overlay", "pgo", "exec", "toolexec", "buildmode", "compiler", "installsuffix", "pkgdir", "covermode", "coverpkg"}

// readmeCommands returns the shell commands of text's sh blocks, one per
// command line (continuation lines joined), and its inline
// go run commands.
func readmeCommands(text string) []string {
	var out []string
	for _, m := range shFence.FindAllStringSubmatch(text, -1) {
		out = append(out, strings.Split(strings.ReplaceAll(m[1], "\\\n", " "), "\n")...)
	}
	for _, m := range inlineRun.FindAllStringSubmatch(text, -1) {
		out = append(out, strings.ReplaceAll(m[1], "\n", " "))
	}
	return out
}

// exampleCall is one run of a program and the words that follow it up to
// the end of its command.
type exampleCall struct {
	program string // the example's name, or the package go run was given when it is no example
	example bool
	args    []string
}

// shellWords splits cmd into words, quotes kept together and a comment
// cut.
func shellWords(cmd string) []string {
	var words []string
	var word strings.Builder
	quote, in := rune(0), false
	for _, r := range cmd + " " {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				word.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == '#' && !in:
			quote = -1 // the rest is a comment
		case r == ' ' || r == '\t':
			if in {
				words = append(words, word.String())
				word.Reset()
				in = false
			}
		default:
			word.WriteRune(r)
			in = true
		}
	}
	return words
}

// commandEnd reports whether word ends a command's arguments: a command
// separator, a pipe or a redirection.
func commandEnd(word string) bool {
	switch word {
	case ";", "&", "|", "&&", "||":
		return true
	}
	return strings.HasPrefix(word, ">") || strings.HasPrefix(word, "<") || strings.HasPrefix(word, "&>") ||
		strings.HasPrefix(word, "2>") || strings.HasPrefix(word, "1>")
}

// exampleCalls returns each run in cmd of a program: go run's package
// (after go run's own flags), or a binary go build made of an example
// program, at a command's start.
func exampleCalls(cmd string) []exampleCall {
	words := shellWords(cmd)
	var calls []exampleCall
	start := true // words[i] starts a command
	for i := 0; i < len(words); i++ {
		w := words[i]
		if commandEnd(w) {
			start = true
			continue
		}
		wasStart := start
		start = false
		var call exampleCall
		switch {
		case w == "go" && i+1 < len(words) && words[i+1] == "run":
			i += 2
			for i < len(words) && strings.HasPrefix(words[i], "-") {
				name, _, hasValue := strings.Cut(strings.TrimLeft(words[i], "-"), "=")
				if !hasValue && slices.Contains(goValueFlags, name) {
					i++
				}
				i++
			}
			if i >= len(words) {
				continue
			}
			call.program = words[i]
			if m := examplePackage.FindStringSubmatch(words[i]); m != nil {
				call.program, call.example = m[1], true
			}
		case wasStart && exampleBinary.MatchString(w):
			call.program, call.example = exampleBinary.FindStringSubmatch(w)[1], true
		default:
			continue
		}
		for i+1 < len(words) && !commandEnd(words[i+1]) {
			i++
			call.args = append(call.args, words[i])
		}
		calls = append(calls, call)
	}
	return calls
}

// commandFaults returns what is wrong with the flags cmd gives example
// programs, and how many flags it checked. The flags are read as the flag
// package reads them: up to the first argument that is no flag nor a
// flag's value, or "--"; a flag written after that is a fault, as the
// program would take it for an argument.
func commandFaults(t *testing.T, cmd string) (faults []string, checked int) {
	t.Helper()
	for _, call := range exampleCalls(cmd) {
		if !call.example {
			faults = append(faults, fmt.Sprintf("%q: go run of %s, which is no example program: its flags are not checked "+
				"(run a program of examples/, or teach this test to read this one's flags)", cmd, call.program))
			continue
		}
		defined := exampleFlags(t, call.program)
		names := make([]string, 0, len(defined))
		for n := range defined {
			names = append(names, n)
		}
		slices.Sort(names)
		args := call.args
		for len(args) > 0 {
			a := args[0]
			if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
				break // the flags end here
			}
			args = args[1:]
			name, _, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
			checked++
			isBool, ok := defined[name]
			switch {
			case !ok:
				faults = append(faults, fmt.Sprintf("%q: examples/%s defines no flag -%s (its flags: -%s)",
					cmd, call.program, name, strings.Join(names, ", -")))
				if !hasValue && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
					args = args[1:] // taken for its value, so as to check the flags after it
				}
			case !isBool && !hasValue && len(args) == 0:
				faults = append(faults, fmt.Sprintf("%q: examples/%s's flag -%s wants a value", cmd, call.program, name))
			case !isBool && !hasValue:
				args = args[1:] // its value
			}
		}
		if len(args) > 0 && args[0] == "--" {
			args = args[1:]
		}
		for _, a := range args {
			if strings.HasPrefix(a, "-") && a != "-" {
				faults = append(faults, fmt.Sprintf("%q: examples/%s reads %s as an argument, not a flag: its flags end before %q",
					cmd, call.program, a, args[0]))
				break
			}
		}
	}
	return faults, checked
}

// flagMethods are the flag.FlagSet methods (and flag package functions)
// that define a flag, with the index of the flag's name among their
// arguments and whether the flag is a switch, which takes no value.
var flagMethods = map[string]struct {
	arg    int
	isBool bool
}{
	"String": {0, false}, "Bool": {0, true}, "Int": {0, false}, "Int64": {0, false}, "Uint": {0, false},
	"Uint64": {0, false}, "Float64": {0, false}, "Duration": {0, false}, "Func": {0, false}, "BoolFunc": {0, true},
	"StringVar": {1, false}, "BoolVar": {1, true}, "IntVar": {1, false}, "Int64Var": {1, false}, "UintVar": {1, false},
	"Uint64Var": {1, false}, "Float64Var": {1, false}, "DurationVar": {1, false}, "Var": {1, false}, "TextVar": {1, false},
}

// exampleFlags returns the flags examples/program defines, each with
// whether it is a switch: the names its non-test Go files give the
// methods of a flag.FlagSet (a variable made by flag.NewFlagSet, or a
// parameter, variable or field of type *flag.FlagSet) or the flag
// package's functions that define flags. A name given slog.String, say,
// is none. A flag defined outside the program's directory is not seen:
// the README then fails here, and this must learn to read it. A Var
// whose value is a switch (IsBoolFlag) is taken to want a value.
func exampleFlags(t *testing.T, program string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("examples", program, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("examples/%s: no Go files (%v)", program, err)
	}
	names := map[string]bool{"h": true, "help": true} // the flag package's own
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		flagPkg := "" // the flag package's name in f
		for _, imp := range f.Imports {
			if imp.Path.Value == `"flag"` {
				flagPkg = "flag"
				if imp.Name != nil {
					flagPkg = imp.Name.Name
				}
			}
		}
		if flagPkg == "" {
			continue
		}
		sets := flagSets(f, flagPkg)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			recv, ok := sel.X.(*ast.Ident)
			if !ok || (recv.Name != flagPkg && !sets[recv.Name]) {
				return true
			}
			m, ok := flagMethods[sel.Sel.Name]
			if !ok || len(call.Args) <= m.arg {
				return true
			}
			if lit, ok := call.Args[m.arg].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if name, err := strconv.Unquote(lit.Value); err == nil {
					names[name] = m.isBool
				}
			}
			return true
		})
	}
	return names
}

// flagSets returns the names f gives a *flag.FlagSet: variables assigned
// flag.NewFlagSet(…), and parameters, variables and fields of that type.
func flagSets(f *ast.File, flagPkg string) map[string]bool {
	isFlagSetType := func(e ast.Expr) bool {
		star, ok := e.(*ast.StarExpr)
		if !ok {
			return false
		}
		sel, ok := star.X.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		pkg, ok := sel.X.(*ast.Ident)
		return ok && pkg.Name == flagPkg && sel.Sel.Name == "FlagSet"
	}
	isNewFlagSet := func(e ast.Expr) bool {
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return false
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		pkg, ok := sel.X.(*ast.Ident)
		return ok && pkg.Name == flagPkg && sel.Sel.Name == "NewFlagSet"
	}
	sets := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			if isFlagSetType(n.Type) {
				for _, id := range n.Names {
					sets[id.Name] = true
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if (n.Type != nil && isFlagSetType(n.Type)) || (i < len(n.Values) && isNewFlagSet(n.Values[i])) {
					sets[id.Name] = true
				}
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if id, ok := lhs.(*ast.Ident); ok && i < len(n.Rhs) && isNewFlagSet(n.Rhs[i]) {
					sets[id.Name] = true
				}
			}
		}
		return true
	})
	return sets
}
