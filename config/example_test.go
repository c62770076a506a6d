package config_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
)

// noEnv is an empty environment, so that the examples' output does not
// depend on the machine's.
func noEnv(string) (string, bool) { return "", false }

func ExampleLoader_Parse() {
	file := `
channels:
  - kind: console
    name: ${CONSOLE_NAME:-screen}
    template: short
  - url: console://stdout?template=short
    name: major-only
    when: {impacts: [major, critical]}
`
	cfg, err := config.Loader{Stdout: os.Stdout, LookupEnv: noEnv}.Parse(strings.NewReader(file), "outagecast.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := cfg.Open(cfg.Options())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	rep, err := b.Send(context.Background(), broadcast.Update{
		Title: "Elevated CDN errors", Status: broadcast.StatusInvestigating, Impact: broadcast.ImpactMinor,
		Body: "Some requests fail in Europe.", URL: "https://status.example.com/cdn",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rep.Results {
		fmt.Printf("%s: not selected %t (%s)\n", r.Channel, r.NotSelected, cfg.Describe(r.Channel))
	}
	// Output:
	// Investigating: Elevated CDN errors — Some requests fail in Europe. https://status.example.com/cdn
	// screen: not selected false (stdout, template short)
	// major-only: not selected true (stdout, template short)
}

func ExampleParse_errors() {
	file := `
channels:
  - kind: webhook
    url: https://hooks.example.com/in
    secret: ${WEBHOOK_SECRET_THAT_IS_NOT_SET}
`
	_, err := config.Parse(strings.NewReader(file), "outagecast.yaml")
	fmt.Println(err)
	// Output:
	// outagecast.yaml:5: channels[0].secret: ${WEBHOOK_SECRET_THAT_IS_NOT_SET}: environment variable WEBHOOK_SECRET_THAT_IS_NOT_SET is not set (use ${WEBHOOK_SECRET_THAT_IS_NOT_SET:-default} for a default)
}

// Load reads a file, and Open builds its channels and opens its store: with
// "state:", a durable one, so that a program run again with the same update
// (here, twice in a row) skips the channels that have it.
func ExampleLoad() {
	dir, err := os.MkdirTemp("", "outagecast-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "outagecast.yaml")
	err = os.WriteFile(file, []byte(`
state: outagecast.db   # next to this file
channels:
  - kind: console
    name: screen
    template: short
`), 0o600)
	if err != nil {
		fmt.Println(err)
		return
	}

	for range 2 { // two runs of a program
		cfg, err := config.Load(file)
		if err != nil {
			fmt.Println(err)
			return
		}
		b, err := cfg.Open(cfg.Options())
		if err != nil {
			fmt.Println(err)
			return
		}
		rep, err := b.Send(context.Background(), broadcast.Update{
			IncidentID: "cdn-42", Title: "Elevated CDN errors", Status: broadcast.StatusInvestigating,
		})
		if err != nil {
			fmt.Println(err)
		}
		fmt.Println("skipped:", rep.Results[0].Skipped)
		if err := b.Close(); err != nil { // closes the store too
			fmt.Println(err)
		}
	}
	// Output:
	// Investigating: Elevated CDN errors
	// skipped: false
	// skipped: true
}
