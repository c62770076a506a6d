package channeltest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A brokenCase is a harness whose channel breaks the contract, and the rules
// the suite must fail it on: those and no others.
type brokenCase struct {
	name    string
	harness channeltest.Harness
	fails   []string
	notRun  []string // rules the harness does not declare what they need for
}

func brokenCases() []brokenCase {
	return []brokenCase{
		{"LeaksSecretInErrors", wrapped(leakSecret), []string{"NoSecretLeaks"}, nil},
		{"PrintsToken", printsToken(), []string{"NoSecretLeaks"}, nil},
		{"ResendsFailedMessages", wrapped(newOutbox), []string{"OneHitPerSend"}, nil},
		{"IgnoresContext", wrapped(ignoreContext), []string{"CancelledContextReturnsPromptly"}, nil},
		{"Marks401Transient", wrapped(unauthorizedTransient), []string{"UnauthorizedIsPermanent"}, nil},
		{"DropsRetryHint", wrapped(dropRetryHint), []string{"RateLimitedGivesRetryAfter"}, nil},
		{"IgnoresThread", wrapped(ignoreThread), []string{"ThreadReceiptUsed"}, nil},
		{"IgnoresOverride", wrapped(ignoreOverride), []string{"OverrideWins"}, nil},
		{"ModifiesUpdate", wrapped(modifyUpdate), []string{"UpdateNotModified"}, nil},
		{"DecomposesUnicode", wrapped(decompose), []string{"UnicodeSurvives"}, nil},
		{"RequiresLedger", wrapped(requireLedger), []string{"NilLedgerDelivers"}, nil},
		{"ExceedsLimit", exceedsLimit(), []string{"LengthLimitHolds"}, nil},
		{"NothingOptional", nothingOptional(), nil, optionalRules},
	}
}

// sendFunc is the Send of a channel.
type sendFunc func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error)

// broken is the reference chat channel with its Send replaced.
type broken struct {
	*chat
	send sendFunc
}

func (b *broken) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	return b.send(ctx, m)
}

// wrapped returns the reference harness with the channel's Send replaced by
// what flaw makes of it.
func wrapped(flaw func(c *chat) sendFunc) channeltest.Harness {
	h := chatHarness()
	newChat := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := newChat(t)
		c := ch.(*chat)
		return &broken{chat: c, send: flaw(c)}, be
	}
	return h
}

func leakSecret(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if err != nil {
			err = fmt.Errorf("chat: post with token %s: %w", c.token, err)
		}
		return r, err
	}
}

// exposed is a channel without redacting String, GoString and LogValue
// methods: printing or logging it shows its token.
type exposed struct {
	Token string
	chat  *chat
}

func (e *exposed) Name() string { return e.chat.Name() }

func (e *exposed) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	return e.chat.Send(ctx, m)
}

func printsToken() channeltest.Harness {
	h := chatHarness()
	newChat := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := newChat(t)
		c := ch.(*chat)
		return &exposed{Token: c.token, chat: c}, be
	}
	return h
}

// newOutbox keeps the messages that failed and posts them again, unasked,
// before the next one.
func newOutbox(c *chat) sendFunc {
	var mu sync.Mutex
	var pending []broadcast.Message
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		mu.Lock()
		defer mu.Unlock()
		for len(pending) > 0 {
			if _, err := c.Send(ctx, pending[0]); err != nil {
				break
			}
			pending = pending[1:]
		}
		r, err := c.Send(ctx, m)
		if err != nil {
			pending = append(pending, m)
		}
		return r, err
	}
}

func ignoreContext(c *chat) sendFunc {
	return func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		return c.Send(context.Background(), m)
	}
}

func unauthorizedTransient(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if err != nil && strings.Contains(err.Error(), "401") {
			err = errors.New(err.Error())
		}
		return r, err
	}
}

func dropRetryHint(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := c.Send(ctx, m)
		if _, ok := broadcast.RetryDelay(err); ok {
			err = errors.New(err.Error())
		}
		return r, err
	}
}

func ignoreThread(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		m.Thread = broadcast.Receipt{}
		return c.Send(ctx, m)
	}
}

func ignoreOverride(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		m.Update.Overrides = nil
		return c.Send(ctx, m)
	}
}

// modifyUpdate sorts the caller's Components in place.
func modifyUpdate(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		slices.SortFunc(m.Update.Components, func(a, b broadcast.Component) int {
			return strings.Compare(a.Name, b.Name)
		})
		return c.Send(ctx, m)
	}
}

func decompose(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		m.Update.Title = norm.NFD.String(m.Update.Title)
		m.Update.Body = norm.NFD.String(m.Update.Body)
		return c.Send(ctx, m)
	}
}

func requireLedger(c *chat) sendFunc {
	return func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if m.Ledger == nil {
			return broadcast.Receipt{}, broadcast.Permanent(errors.New("chat: Message.Ledger: missing"))
		}
		return c.Send(ctx, m)
	}
}

// exceedsLimit declares a platform limit below the one the channel keeps.
func exceedsLimit() channeltest.Harness {
	h := chatHarness()
	h.MaxLength = chatLimit / 5
	return h
}

// nothingOptional declares no failures, limit, threading or secrets: the
// rules that need them are not run, and the others pass.
func nothingOptional() channeltest.Harness {
	h := chatHarness()
	return channeltest.Harness{New: h.New}
}
