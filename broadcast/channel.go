package broadcast

import (
	"context"
	"time"
)

// A Channel delivers one message to one platform per call: exactly one
// attempt, no retries, no sleeping. Retries, timeouts and fan-out across
// channels belong to the Broadcaster.
//
// Send must honour ctx: when it is done, Send returns promptly. An error may
// be marked Permanent (do not retry: bad request, bad credentials) or
// RetryAfter (transient, wait at least this long); any other error is
// transient. Errors must never contain a secret.
//
// A Channel must be safe for concurrent use and must not modify the Message
// or the Update it carries.
type Channel interface {
	// Name is stable, unique within a Broadcaster, and contains no secret.
	Name() string
	// Send makes one delivery attempt of m.
	Send(ctx context.Context, m Message) (Receipt, error)
}

// Message is what a Channel is asked to deliver.
type Message struct {
	// Update is the update to deliver, its defaults already filled in.
	Update Update
	// Attempt is 1 on the first try, 2 on the first retry, and so on.
	Attempt int
	// Thread is this channel's receipt for the incident's previous update,
	// zero if there is none. Channels that can thread reply to it.
	Thread Receipt
	// Ledger records per-target progress for channels that fan out to many
	// recipients; never nil when the Broadcaster calls Send.
	Ledger Ledger
}

// Ledger records, per target (a recipient, an endpoint), what an earlier
// attempt of the same update already achieved, so a retry resends only to
// targets not done. It is backed by the Broadcaster's Store, so with a
// durable Store it survives restarts too.
type Ledger interface {
	// Done reports whether target was delivered, or failed permanently, in
	// an earlier attempt.
	Done(target string) bool
	// MarkDelivered records that target received the update.
	MarkDelivered(target string) error
	// MarkFailed records that target failed permanently; it is not retried.
	MarkFailed(target string, err error) error
}

// Receipt is a channel's record of one delivery.
type Receipt struct {
	Channel string            `json:"channel"`
	ID      string            `json:"id,omitempty"`  // platform id: tweet id, Message-ID; IRC has none
	URL     string            `json:"url,omitempty"` // link to the post where the platform has one
	Time    time.Time         `json:"time"`
	Meta    map[string]string `json:"meta,omitempty"` // platform extras
}

// IsZero reports whether r is the zero Receipt (no earlier delivery).
func (r Receipt) IsZero() bool {
	return r.Channel == "" && r.ID == "" && r.URL == "" && r.Time.IsZero() && len(r.Meta) == 0
}

// ChannelFunc makes a Channel of a name and a function, for tests and small
// programs.
func ChannelFunc(name string, send func(context.Context, Message) (Receipt, error)) Channel {
	return funcChannel{name: name, send: send}
}

type funcChannel struct {
	name string
	send func(context.Context, Message) (Receipt, error)
}

func (f funcChannel) Name() string { return f.name }

func (f funcChannel) Send(ctx context.Context, m Message) (Receipt, error) {
	return f.send(ctx, m)
}

// Preview is what a channel would send for an update.
type Preview struct {
	Channel string `json:"channel"`
	Subject string `json:"subject,omitempty"` // e-mail subject, where there is one
	Text    string `json:"text"`              // the message as it would be sent
	Length  int    `json:"length"`            // Text measured in Unit
	Limit   int    `json:"limit,omitempty"`   // the platform's limit in Unit; 0: none
	Unit    string `json:"unit,omitempty"`    // "characters", "weighted characters", "bytes"…
}

// Previewer is implemented by channels that can render an update without
// sending it (dry runs). The Broadcaster's Preview uses it.
type Previewer interface {
	Preview(u Update) (Preview, error)
}

// Checker is implemented by channels that can verify their credentials and
// the reachability of their platform without posting anything.
type Checker interface {
	Check(ctx context.Context) error
}
