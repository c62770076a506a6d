package webhook

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// maxNamed bounds the endpoints an error message names.
const maxNamed = 5

// EndpointFailure is one endpoint's failure in an attempt.
type EndpointFailure struct {
	Index     int    // the endpoint's index in Config.Endpoints; 0 for Config.URL
	URL       string // the endpoint's name (see EndpointName), never its path
	Permanent bool   // not retried: the endpoint is marked failed in the Ledger
	Err       error  // why, with no secret in it
}

// SendError lists the endpoints an attempt did not deliver to. Send returns
// it marked transient when any failure is transient, and marked
// broadcast.Permanent when every endpoint failed permanently; then, with a
// broadcast.FailureLedger, it also lists the endpoints that failed
// permanently in earlier attempts, their Err wrapping the reason then
// recorded. Find it with errors.As, for example to unsubscribe endpoints
// that answered 410 Gone.
type SendError struct {
	Endpoints int               // endpoints configured
	Failures  []EndpointFailure // in endpoint order
}

// Error names at most five endpoints.
func (e *SendError) Error() string {
	var b strings.Builder
	if e.Endpoints == 1 && len(e.Failures) == 1 {
		fmt.Fprintf(&b, "webhook: %s: %v", e.Failures[0].URL, e.Failures[0].Err)
		return b.String()
	}
	perm := 0
	for _, f := range e.Failures {
		if f.Permanent {
			perm++
		}
	}
	fmt.Fprintf(&b, "webhook: %d of %d endpoints failed (%d transient, %d permanent)",
		len(e.Failures), e.Endpoints, len(e.Failures)-perm, perm)
	for i, f := range e.Failures {
		if i == maxNamed {
			fmt.Fprintf(&b, "; and %d more", len(e.Failures)-maxNamed)
			break
		}
		sep := ": "
		if i > 0 {
			sep = "; "
		}
		fmt.Fprintf(&b, "%s%s: %v", sep, f.URL, f.Err)
	}
	return b.String()
}

// Is reports whether any endpoint's error matches target, such as
// context.Canceled. The Permanent and RetryAfter marks of single endpoints
// are not visible through it.
func (e *SendError) Is(target error) bool {
	for _, f := range e.Failures {
		if errors.Is(f.Err, target) {
			return true
		}
	}
	return false
}

// outcome is what one attempt achieved.
type outcome struct {
	endpoints int
	earlier   bool              // some endpoint got the update in an earlier attempt
	failedBy  []EndpointFailure // the endpoints that failed permanently in an earlier attempt
	delivered int
	skipped   int
	failures  []EndpointFailure
	wait      time.Duration // the largest Retry-After among transient failures
	hinted    bool
}

// fanOut posts body to every endpoint not done, Concurrency at a time. Each
// worker records its endpoint in ledger (nil: nothing done yet) as soon as
// its POST ends, so that an attempt cut short keeps what it achieved.
func (c *Channel) fanOut(ctx context.Context, updateID string, body []byte, ledger broadcast.Ledger) outcome {
	out := outcome{endpoints: len(c.endpoints)}
	var todo []int
	for i := range c.endpoints {
		if ledger == nil || !ledger.Done(c.endpoints[i].target) {
			todo = append(todo, i)
			continue
		}
		out.skipped++
		out.doneEarlier(i, &c.endpoints[i], ledger)
	}
	rec := recorder{out: &out, ledger: ledger}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(c.concurrency, len(todo)) {
		wg.Go(func() {
			for i := range jobs {
				ep := &c.endpoints[i]
				rec.record(i, ep, c.post(ctx, ep, MessageID(updateID, ep.url), body))
			}
		})
	}
	for _, i := range todo {
		jobs <- i // after ctx ends, each post fails at once
	}
	close(jobs)
	wg.Wait()
	return out
}

// doneEarlier books endpoint i, done in an earlier attempt: failed, with
// its reason, when ledger is a broadcast.FailureLedger that says so, and
// otherwise delivered (a Ledger that cannot tell failures apart counts
// every done endpoint as delivered).
func (out *outcome) doneEarlier(i int, ep *endpoint, ledger broadcast.Ledger) {
	fl, ok := ledger.(broadcast.FailureLedger)
	if !ok {
		out.earlier = true
		return
	}
	reason, failed := fl.Failure(ep.target)
	if !failed {
		out.earlier = true
		return
	}
	// The mark's reason names the endpoint already (see record).
	reason = strings.TrimPrefix(reason, ep.shown+": ")
	out.failedBy = append(out.failedBy, EndpointFailure{Index: i, URL: ep.shown, Permanent: true,
		Err: fmt.Errorf("%w: %s", errFailedEarlier, reason)})
}

// recorder books the workers' results in an outcome and in the Ledger.
type recorder struct {
	ledger broadcast.Ledger // nil: no marks
	mu     sync.Mutex       // guards out
	out    *outcome
}

// record books endpoint i's result. A mark that fails to save only costs a
// repeat delivery, which receivers drop by webhook-id.
func (r *recorder) record(i int, ep *endpoint, err error) {
	perm := broadcast.IsPermanent(err)
	if r.ledger != nil {
		switch {
		case err == nil:
			_ = r.ledger.MarkDelivered(ep.target)
		case perm:
			_ = r.ledger.MarkFailed(ep.target, fmt.Errorf("%s: %w", ep.shown, err))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.out
	if err == nil {
		out.delivered++
		return
	}
	out.failures = append(out.failures, EndpointFailure{Index: i, URL: ep.shown, Permanent: perm, Err: err})
	if d, ok := broadcast.RetryDelay(err); ok && !perm {
		out.wait, out.hinted = max(out.wait, d), true
	}
}

// errFailedEarlier wraps the reason of an endpoint that failed permanently
// in an earlier attempt.
var errFailedEarlier = errors.New("failed in an earlier attempt")

// err is the attempt's error: transient when some endpoint failed
// transiently (a retry may reach it); nil when, besides, some endpoint got
// the update in this attempt or an earlier one (the permanent failures went
// to the Ledger); permanent when every endpoint failed permanently, listing
// those of earlier attempts too.
func (out *outcome) err() error {
	byIndex := func(a, b EndpointFailure) int { return cmp.Compare(a.Index, b.Index) }
	slices.SortStableFunc(out.failures, byIndex)
	e := &SendError{Endpoints: out.endpoints, Failures: out.failures}
	for _, f := range out.failures {
		if !f.Permanent {
			if out.hinted {
				return broadcast.RetryAfter(e, out.wait)
			}
			return e
		}
	}
	if out.delivered > 0 || out.earlier {
		return nil
	}
	e.Failures = slices.SortedStableFunc(slices.Values(slices.Concat(out.failures, out.failedBy)), byIndex)
	return broadcast.Permanent(e)
}
