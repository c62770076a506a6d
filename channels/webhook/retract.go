package webhook

import (
	"context"
	"errors"
	"fmt"

	"github.com/outagecast/outagecast/broadcast"
)

// Retract sends the retraction of the update prev is the receipt of to
// every endpoint: an EventRetracted payload holding the update's ID and
// incident ID, which receivers delete or hide. See the package
// documentation for the errors. prev.UpdateID must be set, as the
// Broadcaster sets it.
func (c *Channel) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !c.made() {
		return errNotMade
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("webhook: retract: %w", err)
	}
	if prev.UpdateID == "" {
		return broadcast.Permanent(errors.New("webhook: retract: the receipt has no UpdateID"))
	}
	body, err := encodeRetraction(prev.UpdateID, prev.Meta["incident_id"], c.s.now())
	if err != nil {
		return broadcast.Permanent(err)
	}
	// No Ledger: a retry sends the retraction to every endpoint again,
	// under the same webhook-id, which receivers drop as a repeat.
	f := broadcast.NewFanout(broadcast.Message{}, c.s.targets)
	c.fanOut(ctx, f, body, func(target string) string { return retractionKey(c.name, prev.UpdateID, target) })
	if err := f.Err(); err != nil {
		return fmt.Errorf("webhook: retract: %w", err)
	}
	return nil
}
