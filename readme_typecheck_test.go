package outagecast_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// snippetImports are the packages the README's Go snippets may name,
// by the name they use.
var snippetImports = map[string]string{
	"broadcast": "github.com/outagecast/outagecast/broadcast",
	"config":    "github.com/outagecast/outagecast/config",
	"dispatch":  "github.com/outagecast/outagecast/dispatch",
	"pgstore":   "github.com/outagecast/outagecast/broadcast/pgstore",
	"pgx":       "github.com/jackc/pgx/v5",
	"context":   "context",
	"fmt":       "fmt",
	"os":        "os",
	"time":      "time",
}

// snippetParams are what the snippets take as given, as the parameters
// of the function each is checked in.
const snippetParams = "ctx context.Context, tx pgx.Tx, update broadcast.Update, channels []broadcast.Channel"

var goFence = regexp.MustCompile("(?s)```go\n(.*?)```")

// The README's Go snippets are code readers copy: each is type-checked
// against the packages as they are, as the body of a function given
// snippetParams, so that a renamed function, field or constant, or a
// changed signature, fails here instead of in a reader's editor. A
// variable declared and not used (a snippet's last result) is allowed.
func TestReadmeGoSnippetsTypeCheck(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("the go command is needed to read the packages' export data:", err)
	}
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	snippets := goFence.FindAllSubmatchIndex(data, -1)
	if len(snippets) == 0 {
		t.Fatal("README.md: no ```go snippet found: this test's reason is gone")
	}
	fset := token.NewFileSet()
	type snippet struct {
		line int
		file *ast.File
	}
	var files []snippet
	need := map[string]bool{}
	for _, m := range snippets {
		line := 1 + bytes.Count(data[:m[2]], []byte("\n"))
		code := string(data[m[2]:m[3]])
		used := packagesNamed(t, line, code)
		for _, name := range []string{"context", "pgx", "broadcast"} { // snippetParams'
			used[name] = true
		}
		var imports strings.Builder
		for _, name := range slices.Sorted(maps.Keys(used)) {
			fmt.Fprintf(&imports, "import %s %q\n", name, snippetImports[name])
			need[name] = true
		}
		src := fmt.Sprintf("package snippet\n%s\nfunc _(%s) error {\n%s\nreturn nil\n}\n", imports.String(), snippetParams, code)
		// Line directives make errors name README.md's lines.
		src = strings.Replace(src, "error {\n", fmt.Sprintf("error {\n//line README.md:%d\n", line), 1)
		f, err := parser.ParseFile(fset, fmt.Sprintf("README.md:%d", line), src, parser.ParseComments)
		if err != nil {
			t.Fatalf("README.md: the Go snippet at line %d does not parse: %v", line, err)
		}
		files = append(files, snippet{line, f})
	}

	exports := exportData(t, need)
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
			file, ok := exports[path]
			if !ok {
				return nil, fmt.Errorf("no export data for %q", path)
			}
			return os.Open(file)
		}),
	}
	for _, s := range files {
		var hard []string
		conf.Error = func(err error) {
			if te, ok := err.(types.Error); ok && te.Soft && strings.Contains(te.Msg, "declared and not used") {
				return
			}
			hard = append(hard, err.Error())
		}
		_, _ = conf.Check("snippet", fset, []*ast.File{s.file}, nil)
		for _, e := range hard {
			t.Errorf("a Go snippet of README.md (line %d on): %s", s.line, e)
		}
	}
}

// packagesNamed returns the names in snippetImports that code uses as
// the left of a selector, and fails t when code does not parse. A
// selector's left that is neither such a name nor one the code declares
// is left to the type check, which names it undefined.
func packagesNamed(t *testing.T, line int, code string) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc _() {\n"+code+"\n}\n", 0)
	if err != nil {
		t.Fatalf("README.md: the Go snippet at line %d does not parse: %v", line, err)
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Obj == nil && snippetImports[id.Name] != "" {
			used[id.Name] = true
		}
		return true
	})
	return used
}

// exportData returns the files of the compiler's export data of the
// named packages and every package they import, by import path, as the
// go command builds them.
func exportData(t *testing.T, names map[string]bool) map[string]string {
	t.Helper()
	args := []string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}
	for name := range names {
		args = append(args, snippetImports[name])
	}
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export: %v\n%s", err, stderr.Bytes())
	}
	exports := map[string]string{}
	for l := range strings.Lines(string(out)) {
		path, file, ok := strings.Cut(strings.TrimSuffix(l, "\n"), "\t")
		if ok && file != "" {
			exports[path] = file
		}
	}
	return exports
}
