package outagecast_test

import (
	"os"
	"strings"
	"testing"
)

// The README says why each module go.mod requires directly was chosen: every
// direct requirement is named in a row of its Dependencies table.
func TestReadmeExplainsEveryDirectDependency(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, deps, ok := strings.Cut(string(readme), "\n## Dependencies\n")
	if !ok {
		t.Fatal("README.md has no Dependencies section")
	}
	deps, _, _ = strings.Cut(deps, "\n## ")
	var rows []string
	for _, line := range strings.Split(deps, "\n") {
		if strings.HasPrefix(line, "|") {
			rows = append(rows, line)
		}
	}
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range directRequirements(string(mod)) {
		named := false
		for _, row := range rows {
			named = named || strings.Contains(row, path)
		}
		if !named {
			t.Errorf("go.mod requires %s, which no row of the README's Dependencies table names", path)
		}
	}
}

// directRequirements returns the module paths that the go.mod text requires
// without "// indirect".
func directRequirements(mod string) []string {
	var out []string
	inBlock := false
	for _, line := range strings.Split(mod, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "require (":
			inBlock = true
			continue
		case inBlock && line == ")":
			inBlock = false
			continue
		case strings.HasPrefix(line, "require "):
			line = strings.TrimPrefix(line, "require ")
		case !inBlock:
			continue
		}
		if line == "" || strings.HasPrefix(line, "//") || strings.Contains(line, "// indirect") {
			continue
		}
		out = append(out, strings.Fields(line)[0])
	}
	return out
}
