// Package config loads the YAML configuration file shared by the example
// programs (announce, alertmanager-bridge) and builds the channels it
// describes.
//
// A file lists channels, each with a type and a name, and optional delivery
// settings:
//
//	state: outagecast.db        # optional durable store (relative to this file)
//	templates: ./templates      # optional directory of <name>.tmpl overrides
//	attempt_timeout: 30s
//	retry: {max_attempts: 6, initial_interval: 1s, max_interval: 1m, max_elapsed: 10m}
//	channels:
//	  - type: webhook
//	    name: subscribers
//	    url: https://hooks.example.com/outagecast
//	    secret: ${WEBHOOK_SECRET}
//
// Channel types are console, webhook, email, x (alias twitter) and irc. The
// keys of each are the fields of the channel package's Config in snake_case
// (those that are plain values), plus output (console: stdout or stderr),
// ca_file (email, irc: PEM certificates to trust) and oauth2_access_token
// (x); the sample file next to the announce program shows them all. A name
// defaults to the type and keys Update.Overrides. YAML anchors and merge
// keys ("<<: *defaults") work.
//
// Values may refer to the environment, so secrets stay out of the file:
// ${NAME} is the variable's value and ${NAME:-default} the default when the
// variable is unset or empty; $${ writes a literal ${. Expansion happens
// after parsing, so a value may contain any character. An unquoted value
// takes the type of what it expands to, so "port: ${SMTP_PORT}" is a
// number. Inside flow collections ([...], {...}) quote values holding a
// reference: to: ["${ONCALL}"].
//
// # Errors
//
// Loading is strict: an unknown key, a value of the wrong type, an unknown
// channel type, a variable that is not set, or a channel whose Config its
// package rejects is an error naming the file, the line and the key, as in
// "outagecast.yaml:12: channels[1]: unknown key "secrt"" or
// "outagecast.yaml:4: channels[0].concurrency: want a whole number, got
// "many"". A file that is not YAML is reported at the line where it stops
// being YAML, with the key on that line and the likely cause (indentation,
// a tab, an unclosed bracket or quote). A channel package's error speaks in
// the file's keys, at the key's line: "outagecast.yaml:3: channels[1]
// (webhook "ops"): url: missing"; Config.Explain does the same for later
// errors that name settings (IRC's pacing advice, for example). Values
// taken from the environment never appear in errors: Load replaces them
// with the reference that produced them, and Config.Hide does the same for
// later errors (delivery errors, for example).
//
// # Limits
//
// A file is at most 1 MiB. Only values are expanded, not keys. Values from
// the environment shorter than 6 bytes are not hidden (a port, "true"): do
// not use secrets that short. Paths (state, templates, ca_file) are
// relative to the file's directory.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// MaxFileSize is the largest configuration file Load reads.
const MaxFileSize = 1 << 20

// Options tell Load where to find the environment and where console
// channels write.
type Options struct {
	// LookupEnv reads environment variables; default os.LookupEnv.
	LookupEnv LookupEnv
	// Stdout is where console channels write by default; default os.Stdout.
	Stdout io.Writer
	// Stderr is where console channels with "output: stderr" write;
	// default os.Stderr.
	Stderr io.Writer
}

// Config is a loaded configuration: channels ready for broadcast.New and
// the delivery settings.
type Config struct {
	// Channels are the configured channels, in file order.
	Channels []broadcast.Channel
	// Retry and AttemptTimeout are the file's delivery settings; zero
	// fields mean the broadcast package's defaults.
	Retry          broadcast.RetryPolicy
	AttemptTimeout time.Duration
	// State is the path of the durable store, "" for none.
	State string

	hider    *strings.Replacer
	consoles []io.Writer             // where console channels write
	specs    map[string]reflect.Type // each channel's spec type, by name
}

// WritesTo reports whether a console channel writes to w, one of the
// writers in Options.
func (c *Config) WritesTo(w io.Writer) bool {
	for _, cw := range c.consoles {
		if cw == w {
			return true
		}
	}
	return false
}

// Options returns the broadcast.Options of the file's delivery settings.
func (c *Config) Options() broadcast.Options {
	return broadcast.Options{Retry: c.Retry, AttemptTimeout: c.AttemptTimeout}
}

// Explain returns msg, an error of the named channel or of its delivery,
// in the file's terms: the Go names of settings become the file's keys
// ("Config.MaxLines" → "max_lines", "broadcast.Options.AttemptTimeout" →
// "attempt_timeout"), and a package name before a Config field is dropped.
// Other text is left alone. Load does the same for the errors it returns.
func (c *Config) Explain(channel, msg string) string {
	var spec reflect.Type
	if c != nil {
		spec = c.specs[channel]
	}
	out, _ := explain(spec, msg)
	return out
}

// Hide returns s with every value the file took from the environment
// replaced by its reference ("${SMTP_PASSWORD}").
func (c *Config) Hide(s string) string {
	if c == nil || c.hider == nil {
		return s
	}
	return c.hider.Replace(s)
}

// file is the top level of a configuration file.
type file struct {
	State          string        `yaml:"state"`
	Templates      string        `yaml:"templates"`
	AttemptTimeout time.Duration `yaml:"attempt_timeout"`
	Retry          retry         `yaml:"retry"`
	Channels       []yaml.Node   `yaml:"channels"`
}

type retry struct {
	MaxAttempts     int           `yaml:"max_attempts"`
	InitialInterval time.Duration `yaml:"initial_interval"`
	MaxInterval     time.Duration `yaml:"max_interval"`
	MaxElapsed      time.Duration `yaml:"max_elapsed"`
}

// Load reads and checks the configuration file at path and builds its
// channels. It does no network I/O.
func Load(path string, opts Options) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("read config: %s: larger than %d bytes", path, MaxFileSize)
	}
	return Parse(filepath.Base(path), filepath.Dir(path), data, opts)
}

// Parse is Load of data, named name in errors, with relative paths taken
// from dir.
func Parse(name, dir string, data []byte, opts Options) (*Config, error) {
	opts = opts.withDefaults()
	ex := &expander{lookup: opts.LookupEnv}
	c, err := parse(name, dir, data, ex, opts)
	if err != nil {
		return nil, hide(err, ex.hider())
	}
	c.hider = ex.hider()
	return c, nil
}

func (o Options) withDefaults() Options {
	if o.LookupEnv == nil {
		o.LookupEnv = os.LookupEnv
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	return o
}

func parse(name, dir string, data []byte, ex *expander, opts Options) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(name, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty file: no channels", name)
	}
	root := doc.Content[0]
	if err := checkKeys(name, "", root, reflect.TypeFor[file]()); err != nil {
		return nil, err
	}
	if err := ex.expandTree(name, root); err != nil {
		return nil, err
	}
	if err := checkValues(name, "", root, reflect.TypeFor[file]()); err != nil {
		return nil, err
	}
	var f file
	if err := root.Decode(&f); err != nil {
		return nil, yamlError(name, err)
	}
	if err := f.check(name, root); err != nil {
		return nil, err
	}
	b := &builder{file: name, dir: dir, stdout: opts.Stdout, stderr: opts.Stderr, specs: map[string]reflect.Type{}}
	if f.Templates != "" {
		set, err := templates.New(os.DirFS(resolve(dir, f.Templates)))
		if err != nil {
			return nil, fmt.Errorf("%s: templates: %w", name, err)
		}
		b.templates = set
	}
	chans, err := b.buildAll(f.Channels)
	if err != nil {
		return nil, err
	}
	c := &Config{Channels: chans, AttemptTimeout: f.AttemptTimeout, Retry: broadcast.RetryPolicy(f.Retry),
		consoles: b.consoles, specs: b.specs}
	if f.State != "" {
		c.State = resolve(dir, f.State)
	}
	return c, nil
}

func (f *file) check(name string, root *yaml.Node) error {
	if len(f.Channels) == 0 {
		return fmt.Errorf("%s:%d: channels: none configured", name, root.Line)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"attempt_timeout", f.AttemptTimeout}, {"retry.initial_interval", f.Retry.InitialInterval},
		{"retry.max_interval", f.Retry.MaxInterval}, {"retry.max_elapsed", f.Retry.MaxElapsed},
	} {
		if d.v < 0 {
			return fmt.Errorf("%s: %s: negative", name, d.key)
		}
	}
	if f.Retry.MaxAttempts < 0 {
		return fmt.Errorf("%s: retry.max_attempts: negative", name)
	}
	return nil
}

// yamlLine matches the line of the YAML library's messages.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError rewrites the YAML library's "yaml: unmarshal errors:\n  line
// 3: cannot unmarshal ..." as "name:3: cannot unmarshal ...".
func yamlError(name string, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(strings.TrimSpace(msg)); m != nil {
		return fmt.Errorf("%s:%s: %s", name, m[1], m[2])
	}
	return fmt.Errorf("%s: %s", name, strings.TrimPrefix(msg, "yaml: "))
}

func resolve(dir, path string) string {
	if filepath.IsAbs(path) || dir == "" {
		return path
	}
	return filepath.Join(dir, path)
}

// hide returns err with the environment's values hidden in its text. The
// result does not unwrap, so the original text cannot be reached.
func hide(err error, h *strings.Replacer) error {
	if msg := h.Replace(err.Error()); msg != err.Error() {
		return errors.New(msg)
	}
	return err
}
