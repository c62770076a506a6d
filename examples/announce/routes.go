package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
	"github.com/outagecast/outagecast/config"
)

// routing is what a channel's "when:" does with the update of a dry run.
type routing struct {
	// notSent says why the channel's route leaves the update out ("when:
	// statuses [resolved] does not select status investigating"); "" when
	// the update would be sent.
	notSent string
	// assumed says that the channel's thread of the incident could not be
	// read and was taken as empty, and why; "" when it was read, or when
	// the route does not depend on it.
	assumed string
	// correction says, with -correct, what the correction does on the
	// channel: correctionEdit or correctionPost; "" when it is not sent.
	correction string
}

// routings decides, for each channel of cfg with a "when:", whether a send
// of u would leave it out, as the Broadcaster decides it: with the route's
// Rejects and the channel's thread of u's incident as its next delivery
// sees it (b.Thread, on the state file th opened; th is nil when no route
// depends on a thread). Without a state file to read, u is taken as the
// incident's first update on each channel, and the result says so.
func (a *app) routings(ctx context.Context, b *broadcast.Broadcaster, th *threads, cfg *config.File, u broadcast.Update) map[string]routing {
	out := make(map[string]routing, len(cfg.Routes))
	u = u.WithDefaults(a.now()) // the incident's ID, and the fields cleaned as a send cleans them
	for name, r := range cfg.Routes {
		var t broadcast.Thread
		var rt routing
		if dependsOnThread(r) {
			why := th.why
			if th.store != nil {
				var err error
				if t, err = b.Thread(ctx, u.IncidentID, name); err != nil {
					t, why = broadcast.Thread{}, err.Error()
				}
			}
			if why != "" {
				rt.assumed = fmt.Sprintf("taken as its first post of incident %s: %s", u.IncidentID, oneLine(a.hide(why)))
			}
		}
		if why := r.Rejects(u, t); why != "" {
			// It quotes the route, which may hold a secret from the
			// environment.
			rt.notSent = "when: " + a.hide(why)
		}
		out[name] = rt
	}
	return out
}

// dependsOnThread reports whether r selects an update differently on a
// channel that has posted the incident: impacts and components filter only
// the first post, and first adds it.
func dependsOnThread(r broadcast.Route) bool {
	return len(r.Impacts) > 0 || len(r.Components) > 0 || r.First
}

// threads reads channels' threads from the state file, if there is one.
type threads struct {
	store *boltstore.Store // nil: none to read
	why   string           // why there is no store to read
	// broken is set when the state file exists but would not open (a
	// damaged file, or one a send still running holds): a send would fail.
	broken bool
}

// openThreads opens the state file of cfg to read threads, if it exists:
// a dry run creates no state file.
func openThreads(cfg *config.File) *threads {
	if cfg.Store.Kind != config.StoreBolt {
		return &threads{why: "no -state"}
	}
	path := cfg.Store.Path
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return &threads{why: fmt.Sprintf("state file %s does not exist yet", path)}
	} else if err != nil {
		return &threads{why: err.Error(), broken: true}
	}
	s, err := boltstore.Open(path, nil)
	if err != nil {
		return &threads{why: err.Error(), broken: true}
	}
	return &threads{store: s}
}

func (th *threads) close() {
	if th.store != nil {
		th.store.Close()
	}
}
