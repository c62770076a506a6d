package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// builder turns the channel entries of a file into channels.
type builder struct {
	file      string
	dir       string // relative paths start here
	stdout    io.Writer
	stderr    io.Writer
	templates *templates.Set          // nil: each package's default
	consoles  []io.Writer             // the writers of the console channels built
	specs     map[string]reflect.Type // the spec type of each channel built, by name
}

// common are the keys of every channel entry.
type common struct {
	Type string `yaml:"type"`
	Name string `yaml:"name"`
}

// spec is the YAML form of one channel type's Config.
type spec interface {
	build(b *builder, name string) (broadcast.Channel, error)
}

// kinds maps the channel types to their specs.
var kinds = map[string]func() spec{
	"console": func() spec { return new(consoleSpec) },
	"webhook": func() spec { return new(webhookSpec) },
	"email":   func() spec { return new(emailSpec) },
	"x":       func() spec { return new(xSpec) },
	"twitter": func() spec { return new(xSpec) },
	"irc":     func() spec { return new(ircSpec) },
}

// tlsConfig returns a TLS configuration trusting the PEM certificates in
// caFile in addition to the system's, or nil when caFile is "".
func (b *builder) tlsConfig(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(resolve(b.dir, caFile))
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file: %s: no PEM certificate", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// Types returns the channel types a file may use, sorted.
func Types() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (b *builder) buildAll(nodes []yaml.Node) ([]broadcast.Channel, error) {
	out := make([]broadcast.Channel, 0, len(nodes))
	seen := map[string]int{}
	for i := range nodes {
		path := fmt.Sprintf("channels[%d]", i)
		ch, err := b.build(path, &nodes[i])
		if err != nil {
			return nil, err
		}
		if j, dup := seen[ch.Name()]; dup {
			return nil, fmt.Errorf("%s:%d: %s: name %q: already used by channels[%d]; give each channel a name",
				b.file, nodes[i].Line, path, ch.Name(), j)
		}
		seen[ch.Name()] = i
		out = append(out, ch)
	}
	return out, nil
}

func (b *builder) build(path string, n *yaml.Node) (broadcast.Channel, error) {
	at := fmt.Sprintf("%s:%d: %s", b.file, n.Line, path)
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: want a mapping with a type and a name", at)
	}
	var c common
	if err := checkValues(b.file, path, n, reflect.TypeFor[common]()); err != nil {
		return nil, err
	}
	if err := n.Decode(&c); err != nil {
		return nil, yamlError(b.file, err)
	}
	known := strings.Join(Types(), ", ")
	if c.Type == "" {
		return nil, fmt.Errorf("%s: type: missing (one of %s)", at, known)
	}
	mk, ok := kinds[c.Type]
	if !ok {
		return nil, fmt.Errorf("%s: type: unknown value %q (one of %s)", at, c.Type, known)
	}
	s := mk()
	if err := checkKeys(b.file, path, n, reflect.TypeOf(s)); err != nil {
		return nil, err
	}
	if err := checkValues(b.file, path, n, reflect.TypeOf(s)); err != nil {
		return nil, err
	}
	if err := n.Decode(s); err != nil {
		return nil, yamlError(b.file, err)
	}
	name := c.Name
	if name == "" {
		name = c.Type
	}
	ch, err := s.build(b, name)
	if err != nil {
		return nil, b.channelError(path, n, c.Type, name, reflect.TypeOf(s), err)
	}
	b.specs[name] = reflect.TypeOf(s)
	return ch, nil
}

// channelError returns err, from building the channel at path from node n,
// in the file's terms, at the line of the key it names:
// "outagecast.yaml:4: channels[1] (webhook "ops"): url: missing".
func (b *builder) channelError(path string, n *yaml.Node, typ, name string, spec reflect.Type, err error) error {
	msg, keys := explain(spec, err.Error())
	if keys == nil { // the builder's own errors start with the key: "ca_file: open …"
		if k, _, ok := strings.Cut(msg, ": "); ok {
			keys = []string{k}
		}
	}
	line := lineOf(n, keys)
	if line == 0 {
		line = n.Line
	}
	return fmt.Errorf("%s:%d: %s (%s %q): %w", b.file, line, path, typ, name, &keyedError{msg: msg, err: err})
}

// keyedError is a channel package's error in the file's terms. It unwraps
// to the original, for errors.Is.
type keyedError struct {
	msg string
	err error
}

func (e *keyedError) Error() string { return e.msg }
func (e *keyedError) Unwrap() error { return e.err }
