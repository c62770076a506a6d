//go:build integration

package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The endpoints of the worker-process tests: 2,000 in all, spread over
// channels (webhook subscriptions) so that both processes have jobs. Each
// answers after endpointDelay, as a remote endpoint would, so a broadcast
// takes long enough to be killed in the middle.
const (
	hookChannels  = 40
	hookEndpoints = 50
	endpointDelay = 20 * time.Millisecond
)

// inFlightPerWorker bounds the deliveries a worker process has under way:
// its jobs at once times the requests at once per job. Only those can be
// sent again when it dies: everything else is marked in the Ledger.
const inFlightPerWorker = childWorkers * childConcurrency

func TestTwoWorkerProcessesDeliverToEveryEndpointOnce(t *testing.T) {
	dsn := newSchema(t)
	rc := newReceiver(t, endpointDelay)
	a := startWorker(t, dsn, rc.URL, hookChannels, hookEndpoints)
	b := startWorker(t, dsn, rc.URL, hookChannels, hookEndpoints)
	opts, cfg := childConfig()
	enqueuer := newInstance(t, dsn, newHooks(rc.URL, hookChannels, hookEndpoints, 1), opts, cfg) // not started

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	id, err := enqueuer.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	rep, err := enqueuer.d.Wait(ctx, id)
	require.NoError(t, err, "worker a: %s\nworker b: %s", a.stderr, b.stderr)
	require.Len(t, rep.Results, hookChannels)

	got := rc.deliveries()
	assert.Len(t, got, hookChannels*hookEndpoints, "every endpoint reached")
	for endpoint, ids := range got {
		assert.Len(t, ids, 1, "%s: exactly once", endpoint)
	}
	assert.Positive(t, rc.requests(a.pid()), "worker a delivered")
	assert.Positive(t, rc.requests(b.pid()), "worker b delivered")
}

func TestKilledWorkerLosesNothing(t *testing.T) {
	dsn := newSchema(t)
	rc := newReceiver(t, endpointDelay)
	survivor := startWorker(t, dsn, rc.URL, hookChannels, hookEndpoints)
	opts, cfg := childConfig()
	enqueuer := newInstance(t, dsn, newHooks(rc.URL, hookChannels, hookEndpoints, 1), opts, cfg) // not started

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	victim := startWorker(t, dsn, rc.URL, hookChannels, hookEndpoints)
	id, err := enqueuer.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)

	// Kill a worker process in the middle of its deliveries, start another,
	// and kill that one too, several times.
	const kills = 3
	for k := range kills {
		require.Truef(t, waitFor(2*time.Minute, func() bool { return rc.requests(victim.pid()) >= 30 }),
			"kill %d: the worker made no deliveries: %s", k, victim.stderr)
		victim.kill()
		if k < kills-1 {
			victim = startWorker(t, dsn, rc.URL, hookChannels, hookEndpoints)
		}
	}

	rep, err := enqueuer.d.Wait(ctx, id)
	require.NoError(t, err, "the survivor finished: %s", survivor.stderr)
	require.Len(t, rep.Results, hookChannels)

	got := rc.deliveries()
	assert.Len(t, got, hookChannels*hookEndpoints, "0 lost: every endpoint reached")
	duplicates := 0
	for endpoint, ids := range got {
		duplicates += len(ids) - 1
		for _, other := range ids[1:] {
			assert.Equal(t, ids[0], other, "%s: a duplicate carries the same webhook-id", endpoint)
		}
	}
	t.Logf("%d duplicates after %d kills", duplicates, kills)
	assert.LessOrEqual(t, duplicates, kills*inFlightPerWorker, "only deliveries in flight at a kill are repeated")
	assert.Positive(t, rc.requests(survivor.pid()), "the survivor delivered")
}
