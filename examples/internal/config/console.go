package config

import (
	"fmt"
	"io"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
)

// consoleSpec is the YAML form of console.Config.
type consoleSpec struct {
	common   `yaml:",inline"`
	Output   string `yaml:"output"`   // stdout (default) or stderr
	Template string `yaml:"template"` // default: the console package's
}

func (s *consoleSpec) build(b *builder, name string) (broadcast.Channel, error) {
	var w io.Writer
	switch strings.ToLower(s.Output) {
	case "", "stdout":
		w = b.stdout
	case "stderr":
		w = b.stderr
	default:
		return nil, fmt.Errorf("output: unknown value %q (want stdout or stderr)", s.Output)
	}
	b.consoles = append(b.consoles, w)
	return console.New(console.Config{Name: name, Writer: w, Template: s.Template, Templates: b.templates})
}

// Default is the configuration used without a file: one console channel,
// named "console", writing to w.
func Default(w io.Writer) (*Config, error) {
	ch, err := console.New(console.Config{Name: "console", Writer: w})
	if err != nil {
		return nil, err
	}
	return &Config{Channels: []broadcast.Channel{ch}, consoles: []io.Writer{w}}, nil
}
