package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
	"github.com/outagecast/outagecast/examples/internal/configflag"
	"github.com/outagecast/outagecast/examples/internal/statefile"
)

// sampleConfig is the sample file users copy, named in the hint printed
// when there is no -config.
const sampleConfig = "examples/announce/outagecast.sample.yaml"

// load reads -config, or returns the console alone. With -json, console
// channels write to standard error, so that standard output is JSON only.
// -state replaces the configuration's store.
func (a *app) load() (*config.File, error) {
	out := a.stdout
	if a.opts.json {
		out = a.stderr
	}
	cfg, err := config.Default(out)
	if a.opts.config != "" {
		cfg, err = configflag.Load(config.Loader{Stdout: out, Stderr: a.stderr}, a.opts.config)
	}
	if err != nil {
		return nil, err
	}
	a.hide, a.explain = cfg.Hide, cfg.Explain
	if a.opts.state != "" {
		if strings.Contains(a.opts.state, "://") {
			// Not quoted: a database's URL, with its password, would show
			// in the error of the directory it names.
			return nil, badFlag("state", "a URL (not quoted: it may hold credentials): give the state file's path")
		}
		cfg.Store = config.Store{Kind: config.StoreBolt, Path: a.opts.state}
	}
	if cfg.Store.Kind == config.StoreBolt {
		err := statefile.CheckDir(cfg.Store.Path)
		if err == nil && (a.opts.retract != "" || a.opts.correct != "") {
			err = checkStateFile(cfg.Store.Path)
		}
		if err != nil {
			if a.opts.state != "" {
				return nil, badFlag("state", "%v", err)
			}
			return nil, fmt.Errorf("%s: %v", storeAt(cfg), err)
		}
	}
	return cfg, nil
}

// checkStateFile reports a state file that does not exist, for -retract
// and -correct: they need the state the update was sent with, and a
// mistyped path would otherwise make a new, empty one, which knows no
// update.
func checkStateFile(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s does not exist: -retract and -correct need the state file the update was sent with", path)
	}
	return nil
}

// open returns the Broadcaster of cfg with opts (cfg.Options() and the
// program's hooks), its store opened.
// A store that would not open (a damaged or locked file) is a *storeError,
// naming the -state flag or the configuration's key (state, store.path).
func (a *app) open(cfg *config.File, opts broadcast.Options) (*config.Broadcaster, error) {
	b, err := cfg.Open(opts)
	if err == nil {
		return b, nil
	}
	msg := a.hide(err.Error())
	if rest, ok := strings.CutPrefix(msg, "open store: "); ok {
		return nil, &storeError{msg: a.stateAt(cfg) + ": " + rest}
	}
	return nil, errors.New(msg)
}

// stateAt names where the state file of cfg was given: the -state flag, or
// the configuration's key (state, store.path).
func (a *app) stateAt(cfg *config.File) string {
	if a.opts.state != "" {
		return "-state"
	}
	return storeAt(cfg)
}

// storeAt names the configuration's key of the state file as errors about
// the file do: "outagecast.yaml:12: state".
func storeAt(cfg *config.File) string {
	return fmt.Sprintf("%s:%d: %s", cfg.Path, cfg.Store.Line, cfg.Store.Key)
}

// storeError is open's error when the store would not open: the command
// line may be right (a damaged file is no usage error), so exit 1.
type storeError struct{ msg string }

func (e *storeError) Error() string { return e.msg }

// checkOverrides reports an -override for a channel that is not configured:
// a typo would otherwise be silently ignored. -override splits at the
// first "=" (at the next one for a name already taken), which cannot tell
// a channel whose name holds one ("a=b") from its text: an override whose
// name is no channel's is joined back and
// split after the longest configured name it starts with, followed by "=".
func checkOverrides(overrides map[string]string, chans []broadcast.Channel) error {
	names := make(map[string]bool, len(chans))
	for _, ch := range chans {
		names[ch.Name()] = true
	}
	for _, k := range slices.Sorted(maps.Keys(overrides)) {
		if names[k] {
			continue
		}
		raw, name := k+"="+overrides[k], ""
		for n := range names {
			if len(n) > len(name) && strings.HasPrefix(raw, n+"=") {
				name = n
			}
		}
		text := strings.TrimPrefix(raw, name+"=")
		_, taken := overrides[name]
		switch {
		case name == "":
			return badFlag("override", "no channel named %q (channels: %s)", k, strings.Join(channelNames(chans), ", "))
		case taken:
			return badFlag("override", "%s: given twice", name)
		case strings.TrimSpace(text) == "":
			return badFlag("override", "%s: empty text", name)
		}
		delete(overrides, k)
		overrides[name] = text
	}
	return nil
}

func channelNames(chans []broadcast.Channel) []string {
	out := make([]string, len(chans))
	for i, ch := range chans {
		out[i] = ch.Name()
	}
	return out
}
