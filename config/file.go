package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
	"github.com/outagecast/outagecast/channels/console"
)

// File is a loaded configuration: channels ready for a Broadcaster and the
// delivery settings. Its channels belong to one Broadcaster: Open builds
// it, and closing it closes them.
type File struct {
	// Path is the file's name as given to Load or Parse.
	Path string
	// Channels are the configured channels, in file order.
	Channels []broadcast.Channel
	// Retry and AttemptTimeout are the file's delivery settings; zero
	// fields mean the broadcast package's defaults.
	Retry          broadcast.RetryPolicy
	AttemptTimeout time.Duration
	// Routes are the channels' "when:" settings, by channel name.
	Routes map[string]broadcast.Route
	// Stages and StageWait are the file's "stages:" and "stage_wait:".
	Stages    [][]string
	StageWait time.Duration
	// Store says which Store Open opens.
	Store Store

	hider     *hider
	consoles  []io.Writer             // where console channels write
	specs     map[string]reflect.Type // each channel's key type, by name
	described map[string]string       // what each channel is configured with, by name
	root      *yaml.Node              // the file as parsed, for At; nil for Default
}

// Store says which broadcast.Store a File's Broadcaster keeps its receipts
// and delivery marks in.
type Store struct {
	// Kind is StoreMemory or StoreBolt.
	Kind string
	// Path is the bolt file, relative paths taken from the configuration
	// file's directory.
	Path string
	// Key is the configuration file's key that set Path, for errors about
	// the file: "state" or "store.path"; "" when no file set it.
	Key string
	// Line is the line of Key in the configuration file; 0 when no file
	// set it.
	Line int
}

// Options returns the broadcast.Options of the file's delivery settings:
// Retry, AttemptTimeout, Routes, Stages and StageWait. Its Store is nil:
// Open opens the file's.
func (f *File) Options() broadcast.Options {
	return broadcast.Options{Retry: f.Retry, AttemptTimeout: f.AttemptTimeout, Routes: f.Routes,
		Stages: f.Stages, StageWait: f.StageWait}
}

// Broadcaster is a broadcast.Broadcaster built from a File, with the Store
// it opened. Close closes both.
type Broadcaster struct {
	*broadcast.Broadcaster
	store io.Closer // nil for a Store Open did not open
}

// Close closes the Broadcaster (and with it the channels), then the Store
// Open opened.
func (b *Broadcaster) Close() error {
	err := b.Broadcaster.Close()
	if b.store != nil {
		if serr := b.store.Close(); serr != nil {
			err = errors.Join(err, fmt.Errorf("close store: %w", serr))
		}
	}
	return err
}

// Open returns a Broadcaster of the file's channels with opts, which are
// normally f.Options() with the program's Logger or OnEvent added. When
// opts.Store is nil, Open opens the file's Store (a bolt file is locked
// until Close). Call it once: the Broadcaster owns the channels.
func (f *File) Open(opts broadcast.Options) (*Broadcaster, error) {
	var closer io.Closer
	if opts.Store == nil && f.Store.Kind == StoreBolt {
		s, err := boltstore.Open(f.Store.Path, nil)
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		opts.Store, closer = s, s
	}
	b, err := broadcast.New(f.Channels, opts)
	if err != nil {
		if closer != nil {
			closer.Close()
		}
		return nil, errors.New(f.Explain("", err.Error()))
	}
	return &Broadcaster{Broadcaster: b, store: closer}, nil
}

// Describe returns what the named channel is configured with, in one line
// and without secrets: "smtp.example.com:587 (starttls) as status, from
// status@example.com to 2 recipients". It is "" for a channel the file
// does not have.
func (f *File) Describe(channel string) string {
	if f == nil {
		return ""
	}
	return f.hider.Replace(f.described[channel]) // another channel's secret in this one's user name, say
}

// WritesTo reports whether a console channel writes to w, one of the
// Loader's writers.
func (f *File) WritesTo(w io.Writer) bool {
	return f != nil && slices.Contains(f.consoles, w)
}

// Explain returns msg, an error of the named channel or of its delivery,
// in the file's terms: the Go names of settings become the file's keys
// ("Config.MaxLines" → "max_lines", "broadcast.Options.AttemptTimeout" →
// "attempt_timeout"), and a package name before a Config field is dropped.
// Other text is left alone. Load does the same for the errors it returns.
func (f *File) Explain(channel, msg string) string {
	var spec reflect.Type
	if f != nil {
		spec = f.specs[channel]
	}
	out, _ := explain(spec, msg)
	return out
}

// Hide returns s without the secrets the file took from the environment
// or from files (${file:PATH}): a value that went into a secret (a
// password, secret, token or header key, an IRC channel key, the token of
// a channel URL such as mastodon://TOKEN@host, a value in the path, query
// or user part of a webhook URL whatever its shape, …) becomes the
// reference that produced it ("${SMTP_PASSWORD}", "${file:smtp_password}"),
// and the same value in other encodings (base64, hex, URL or JSON escapes)
// becomes REDACTED; a URL that took a value from the environment loses its
// credentials and token-like parts as redact.Redactor.WithURL hides them.
// Other values from the environment (hosts, user names, ports) are no
// secrets and are left alone, as is all other text, unless the variable's
// name says it holds one (a word of it such as PASSWORD, SECRET, TOKEN,
// KEY or CREDENTIALS, as the package documentation lists them): such a
// value is hidden wherever it went, as when ${SMTP_PASSWORD} was written
// as the host.
func (f *File) Hide(s string) string {
	if f == nil {
		return s
	}
	return f.hider.Replace(s)
}

// At returns where key, dotted as in the package's errors
// ("retry.max_attempts"), is written in the file: "file:line: key", the
// form of the package's own errors, for a program's checks of a value
// the package takes (a bound of its own, say). Its line is the deepest
// key of the path the file holds; a File that Default made gives
// "key" alone.
func (f *File) At(key string) string {
	if f == nil || f.root == nil {
		return key
	}
	return faultf(f.Path, lineOf(f.root, strings.Split(key, ".")), "%s", key).Error()
}

// Fault returns err as a fault of key, dotted as in the package's errors,
// for a program's checks of a value the package takes: "file:line: key:
// err", where At places key, made as the package's own faults are. It
// unwraps to err. A File that Default made gives "key: err".
func (f *File) Fault(key string, err error) error {
	if f == nil || f.root == nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return faultf(f.Path, lineOf(f.root, strings.Split(key, ".")), "%s: %w", key, err)
}

// Default returns the configuration used without a file: one console
// channel, named "console", writing to w, and a memory Store. Describe
// says the console writes to stderr when w is os.Stderr, and to stdout
// for any other w.
func Default(w io.Writer) (*File, error) {
	ch, err := console.New(console.Config{Name: "console", Writer: w})
	if err != nil {
		return nil, err
	}
	out := "stdout"
	if f, ok := w.(*os.File); ok && f == os.Stderr {
		out = "stderr"
	}
	return &File{Channels: []broadcast.Channel{ch}, Store: Store{Kind: StoreMemory}, consoles: []io.Writer{w},
		described: map[string]string{"console": out + ", template text"}}, nil
}
