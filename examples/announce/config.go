package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
	"github.com/outagecast/outagecast/examples/internal/config"
)

// sampleConfig is the sample file users copy, named in the hint printed
// when there is no -config.
const sampleConfig = "examples/announce/outagecast.sample.yaml"

// load reads -config, or returns the console alone. With -json, console
// channels write to standard error, so that standard output is JSON only.
func (a *app) load() (*config.Config, error) {
	out := a.stdout
	if a.opts.json {
		out = a.stderr
	}
	if a.opts.config == "" {
		return config.Default(out)
	}
	cfg, err := config.Load(a.opts.config, config.Options{Stdout: out, Stderr: a.stderr})
	if err != nil {
		return nil, err
	}
	a.hide, a.explain = cfg.Hide, cfg.Explain
	return cfg, nil
}

// openStore opens the durable store of -state, or of the configuration's
// state, if any; a nil Store means the Broadcaster's memory store.
func (a *app) openStore(cfg *config.Config) (*boltstore.Store, error) {
	path := a.opts.state
	if path == "" {
		path = cfg.State
	}
	if path == "" {
		return nil, nil
	}
	s, err := boltstore.Open(path, nil)
	if err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	return s, nil
}

// checkOverrides reports an -override for a channel that is not configured:
// a typo would otherwise be silently ignored.
func checkOverrides(overrides map[string]string, chans []broadcast.Channel) error {
	names := make(map[string]bool, len(chans))
	for _, ch := range chans {
		names[ch.Name()] = true
	}
	for _, k := range sortedKeys(overrides) {
		if !names[k] {
			return badFlag("override", "no channel named %q (channels: %s)", k, strings.Join(channelNames(chans), ", "))
		}
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

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
