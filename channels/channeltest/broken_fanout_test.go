package channeltest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// The broken channels with many targets: the reference relay, misusing its
// Ledger or its keys.

// relayWrapped returns the relay harness with each Message changed by flaw
// before the relay sees it.
func relayWrapped(flaw func(m broadcast.Message) broadcast.Message) channeltest.Harness {
	h := relayHarness()
	newRelay := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := newRelay(t)
		return broadcast.ChannelFunc(ch.Name(), func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
			return ch.Send(ctx, flaw(m))
		}), be
	}
	return h
}

// forgetLedger gives each attempt a Ledger of its own: every attempt sends
// to every target.
func forgetLedger(m broadcast.Message) broadcast.Message {
	m.Ledger = broadcast.NewMessage(m.Update).Ledger
	return m
}

// retryFailed hides the targets that failed for good from the relay.
func retryFailed(m broadcast.Message) broadcast.Message {
	if m.Ledger == nil { // a Message built by hand: nothing to forget
		return m
	}
	m.Ledger = forgetFailures{m.Ledger}
	return m
}

type forgetFailures struct{ broadcast.Ledger }

func (l forgetFailures) Done(target string) (bool, string) {
	done, failure := l.Ledger.Done(target)
	return done && failure == "", ""
}

// relayKeyedPerChannel sends one key to every endpoint: Message.Key("")
// rather than the key of the endpoint.
func relayKeyedPerChannel() channeltest.Harness {
	h := relayHarness()
	newRelay := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := newRelay(t)
		ch.(*relay).keyFor = func(m broadcast.Message, _ string) string { return m.Key("") }
		return ch, be
	}
	return h
}

// relayClaimingPosts declares that the relay names each endpoint's post in
// its receipt, which it does not: it reports deliveries without their
// posts, so no Ledger keeps them.
func relayClaimingPosts() channeltest.Harness {
	h := relayHarness()
	h.Posts = true
	return h
}

// relayLosingHint drops the RetryAfter hint of an attempt that reached some
// endpoints: it keeps the *broadcast.TargetsError, transient, without the
// longest wait of its pending endpoints.
func relayLosingHint() channeltest.Harness {
	h := relayHarness()
	newRelay := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := newRelay(t)
		return broadcast.ChannelFunc(ch.Name(), func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
			r, err := ch.Send(ctx, m)
			var te *broadcast.TargetsError
			if _, hinted := broadcast.RetryDelay(err); hinted && errors.As(err, &te) &&
				len(te.Pending)+len(te.Failures) < te.Total {
				err = te
			}
			return r, err
		}), be
	}
	return h
}
