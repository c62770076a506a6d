package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
	"github.com/outagecast/outagecast/examples/internal/configflag"
	"github.com/outagecast/outagecast/examples/internal/credvalue"
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
		if why := credvalue.NotAPath(a.opts.state); why != "" {
			// Not quoted: a database's URL or connection string, with its
			// password, would show in the error of the directory it names.
			return nil, badFlag("state", "%s: give the state file's path", why)
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
			return nil, cfg.Fault(cfg.Store.Key, err)
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
		return nil, &storeError{msg: a.stateFault(cfg, rest)}
	}
	return nil, errors.New(msg)
}

// stateFault returns msg, what is wrong with the state file of cfg, where
// it was given: after the -state flag, or as the fault of the
// configuration's key (state, store.path), as the file's own faults are
// made: "outagecast.yaml:12: state: …".
func (a *app) stateFault(cfg *config.File, msg string) string {
	if a.opts.state != "" {
		return "-state: " + msg
	}
	return cfg.Fault(cfg.Store.Key, errors.New(msg)).Error()
}

// storeError is open's error when the store would not open: the command
// line may be right (a damaged file is no usage error), so exit 1.
type storeError struct{ msg string }

func (e *storeError) Error() string { return e.msg }

// checkOverrides returns the -override flags given, list, as the
// Update's Overrides, each split after the name of the configured channel
// it starts with, followed by "=" (a name may hold "=": "ops=eu=Text"),
// white space around the name allowed. It refuses an override that names
// no configured channel (a typo would otherwise be silently ignored), one
// that two channels' names both fit ("ops" and "ops=eu" for
// "ops=eu=Text"), and a channel given twice.
func checkOverrides(list []string, chans []broadcast.Channel) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(list))
	for _, s := range list {
		var names []string
		var text string
		for _, ch := range chans {
			rest, ok := strings.CutPrefix(strings.TrimLeft(s, " \t"), ch.Name())
			if after, ok2 := strings.CutPrefix(strings.TrimLeft(rest, " \t"), "="); ok && ok2 {
				names, text = append(names, ch.Name()), after
			}
		}
		switch {
		case len(names) == 0:
			name, _, _ := strings.Cut(s, "=")
			have := "no channel is configured"
			if len(chans) > 0 {
				have = "channels: " + strings.Join(channelNames(chans), ", ")
			}
			return nil, badFlag("override", "no channel named %q (%s)", strings.TrimSpace(name), have)
		case len(names) > 1:
			// Not quoted: the text may hold what is not to be shown.
			return nil, badFlag("override", "fits channel %s and channel %s: rename one", names[0], names[1])
		case strings.TrimSpace(text) == "":
			return nil, badFlag("override", "%s: empty text", names[0])
		}
		if _, dup := out[names[0]]; dup {
			return nil, badFlag("override", "%s: given twice", names[0])
		}
		out[names[0]] = text
	}
	return out, nil
}

func channelNames(chans []broadcast.Channel) []string {
	out := make([]string, len(chans))
	for i, ch := range chans {
		out[i] = ch.Name()
	}
	return out
}
