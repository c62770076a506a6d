package outagecast_test

import (
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
// go build made of it) is one that program defines, so that a flag renamed
// or removed fails here rather than in a reader's shell with "flag
// provided but not defined".
func TestReadmeCommandsUseDefinedFlags(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, cmd := range readmeCommands(string(data)) {
		for _, call := range exampleCalls(cmd) {
			defined := exampleFlags(t, call.program)
			for _, f := range call.flags {
				if !slices.Contains(defined, f) {
					t.Errorf("README.md: %q: examples/%s defines no flag -%s (its flags: -%s)",
						cmd, call.program, f, strings.Join(defined, ", -"))
				}
				checked++
			}
		}
	}
	if checked < 20 {
		t.Fatalf("README.md: only %d flags of example programs found in its commands: this test no longer reads them", checked)
	}
}

var (
	shFence = regexp.MustCompile("(?s)```sh\n(.*?)```")
	// An inline command, which may run on to the next line of the text.
	inlineRun = regexp.MustCompile("(?s)`(go run \\./examples/[^`]*)`")
	// A program: go run's package, or the binary go build made of it.
	exampleProgram = regexp.MustCompile(`^(?:\./examples/|/tmp/outagecast/)([a-z-]+)$`)
)

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

// exampleCall is one run of an example program and the flags it gives.
type exampleCall struct {
	program string
	flags   []string
}

// exampleCalls splits cmd into words (quotes kept together, a comment
// cut) and returns each run of an example program in it, with the names
// of the flags that follow it up to the end of its command (";", "&",
// "|", a redirection).
func exampleCalls(cmd string) []exampleCall {
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
	var calls []exampleCall
	var cur *exampleCall
	for _, w := range words {
		switch m := exampleProgram.FindStringSubmatch(w); {
		case m != nil:
			calls = append(calls, exampleCall{program: m[1]})
			cur = &calls[len(calls)-1]
		case cur == nil:
		case w == ";" || w == "&" || w == "|" || w == "&&" || strings.HasPrefix(w, "2>") || strings.HasPrefix(w, ">"):
			cur = nil
		case strings.HasPrefix(w, "-") && len(w) > 1 && w != "-":
			name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
			if name != "" && name[0] >= 'a' && name[0] <= 'z' {
				cur.flags = append(cur.flags, name)
			}
		}
	}
	return calls
}

// exampleFlags returns the flags examples/program defines: the names its
// non-test Go files give a flag.FlagSet's String, Bool, Var, TextVar, …
// methods.
func exampleFlags(t *testing.T, program string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("examples", program, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("examples/%s: no Go files (%v)", program, err)
	}
	names := []string{"h", "help"} // the flag package's own
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			arg := -1
			switch sel.Sel.Name {
			case "String", "Bool", "Int", "Int64", "Uint", "Uint64", "Float64", "Duration", "Func", "BoolFunc":
				arg = 0
			case "StringVar", "BoolVar", "IntVar", "Int64Var", "UintVar", "Uint64Var", "Float64Var", "DurationVar", "Var", "TextVar":
				arg = 1
			}
			if arg < 0 || len(call.Args) <= arg {
				return true
			}
			if lit, ok := call.Args[arg].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if name, err := strconv.Unquote(lit.Value); err == nil {
					names = append(names, name)
				}
			}
			return true
		})
	}
	slices.Sort(names)
	return slices.Compact(names)
}
