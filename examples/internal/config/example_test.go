package config_test

import (
	"context"
	"fmt"
	"os"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/examples/internal/config"
)

func ExampleParse() {
	file := []byte(`
channels:
  - type: console
    name: ${CONSOLE_NAME:-screen}
    template: short
`)
	cfg, err := config.Parse("outagecast.yaml", ".", file, config.Options{Stdout: os.Stdout,
		LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := broadcast.New(cfg.Channels, cfg.Options())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	rep, err := b.Send(context.Background(), broadcast.Update{
		Title: "Elevated CDN errors", Status: broadcast.StatusInvestigating,
		Body: "Some requests fail in Europe.", URL: "https://status.example.com/cdn",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Results[0].Channel, "delivered")
	// Output:
	// Investigating: Elevated CDN errors — Some requests fail in Europe. https://status.example.com/cdn
	// screen delivered
}

func ExampleParse_errors() {
	file := []byte(`
channels:
  - type: webhook
    url: https://hooks.example.com/in
    secret: ${WEBHOOK_SECRET}
`)
	_, err := config.Parse("outagecast.yaml", ".", file, config.Options{
		LookupEnv: func(string) (string, bool) { return "", false }})
	fmt.Println(err)
	// Output:
	// outagecast.yaml:5: ${WEBHOOK_SECRET}: environment variable WEBHOOK_SECRET is not set (use ${WEBHOOK_SECRET:-default} for a default)
}
