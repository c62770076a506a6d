package outagecast_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// The README's "Use it from Go" sends an update whose NextUpdate comes
// from the clock. The ID derived from the content hashes NextUpdate, so
// without an ID of its own every run of that code is a new update, and a
// program run again after a channel failed posts it twice on the channels
// that had it: the update needs its ID.
func TestReadmeGoUpdateWithClockTimeHasID(t *testing.T) {
	u := broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}
	now := time.Now()
	u.NextUpdate = now.Add(30 * time.Minute)
	first := u.WithDefaults(now).ID
	u.NextUpdate = now.Add(time.Nanosecond + 30*time.Minute)
	if first == u.WithDefaults(now).ID {
		t.Fatal("the derived ID no longer hashes NextUpdate: this test's reason is gone")
	}

	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "## Use it from Go")
	_, rest, ok2 := strings.Cut(rest, "```go\n")
	code, _, ok3 := strings.Cut(rest, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README.md: no Go code under \"## Use it from Go\"")
	}
	file, err := parser.ParseFile(token.NewFileSet(), "README.md", "package p\nfunc f() error {\n"+code+"}\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	ast.Inspect(file, func(n ast.Node) bool {
		lit, isLit := n.(*ast.CompositeLit)
		if !isLit || !isSelector(lit.Type, "broadcast", "Update") {
			return true
		}
		found = true
		fields := map[string]ast.Expr{}
		for _, e := range lit.Elts {
			if kv, isKV := e.(*ast.KeyValueExpr); isKV {
				fields[kv.Key.(*ast.Ident).Name] = kv.Value
			}
		}
		if next, has := fields["NextUpdate"]; has && callsTimeNow(next) {
			if _, hasID := fields["ID"]; !hasID {
				t.Error("README.md: the update's NextUpdate comes from time.Now but it has no ID: run again, it posts again")
			}
		}
		return true
	})
	if !found {
		t.Fatal("README.md: no broadcast.Update under \"## Use it from Go\"")
	}
}

func isSelector(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg
}

func callsTimeNow(e ast.Expr) bool {
	calls := false
	ast.Inspect(e, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && isSelector(c.Fun, "time", "Now") {
			calls = true
		}
		return !calls
	})
	return calls
}
