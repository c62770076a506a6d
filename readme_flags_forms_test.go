package outagecast_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The README flag check reads each command as the shell and the flag
// package would: a command it cannot check, or one whose flags the
// program would not read as flags, is a fault, never passed over.
func TestReadmeFlagCheckReadsEveryForm(t *testing.T) {
	tests := []struct {
		name, cmd string
		fault     string // "" for none
	}{
		{"flag and value", `go run ./examples/announce -title "Outage" -status investigating`, ""},
		{"flag=value and --flag", `go run ./examples/announce -title=Outage --status investigating`, ""},
		{"value that starts with a dash", `go run ./examples/announce -title Outage -status investigating -next -5m`, ""},
		{"go run's own flags", `go run -race -tags integration ./examples/announce -title Outage`, ""},
		{"built binary", `/tmp/outagecast/server -migrate         # creates the tables`, ""},
		{"go test's flags are no program's", `go test -race ./examples/announce -run TestAnnounce -count 1`, ""},
		{"go build of programs", `go build -o /tmp/outagecast/ ./examples/server ./examples/webhook-receiver`, ""},
		{"misspelt flag", `go run ./examples/announce -dryrun -title Outage`, "defines no flag -dryrun"},
		{"capitalised flag", `go run ./examples/announce -Title Outage`, "defines no flag -Title"},
		{"package written with a slash", `go run ./examples/announce/ -titel Outage`, "defines no flag -titel"},
		{"package outside examples", `go run ./cmd/outagecast -title Outage`, "./cmd/outagecast"},
		{"a log attribute is no flag", `go run ./examples/alertmanager-bridge -status firing -listen :9094`, "defines no flag -status"},
		{"a flag after an argument", `go run ./examples/announce -dry-run notes.txt -title Outage`, "-title"},
		{"a flag after --", `go run ./examples/announce -dry-run -- -title Outage`, "-title"},
		{"a flag that wants a value at the end", `go run ./examples/announce -title`, "-title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			faults, _ := commandFaults(t, tt.cmd)
			if tt.fault == "" {
				assert.Empty(t, faults)
				return
			}
			if assert.Len(t, faults, 1, "%q", faults) {
				assert.Contains(t, faults[0], tt.fault)
			}
		})
	}
}
