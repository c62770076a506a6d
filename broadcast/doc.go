// Package broadcast is the core of outagecast: the incident-update model, the
// Channel contract that adapters implement, and the Broadcaster that delivers
// one Update to every channel concurrently, each with its own retries.
//
// A Channel makes exactly one attempt per Send call. The Broadcaster owns
// everything around it: validation, defaults, a timeout per attempt,
// exponential backoff with jitter between attempts (honouring RetryAfter
// hints and stopping at once on Permanent errors or when ctx ends), threading
// (each Message carries the channel's receipt of the incident's previous
// update) and idempotency (a Store remembers what was delivered, so sending
// the same Update.ID again delivers nothing twice and a retry of a channel
// with many recipients reaches only those not done).
//
// # Errors
//
// Update.Validate errors wrap ErrInvalidUpdate and name the field. Send
// returns one *DeliveryError per failed channel, joined with errors.Join;
// errors.As finds each. Channel errors are transient unless marked Permanent;
// RetryAfter adds a minimum wait. The caller's context errors are never
// retried; an attempt that exceeds Options.AttemptTimeout is.
//
// # Limits
//
// Title is at most 255 characters and Body at most 25,000, Statuspage's
// limits. The default MemoryStore forgets everything when the process ends;
// use broadcast/boltstore to thread and deduplicate across restarts.
// A RetryAfter wait longer than what is left of RetryPolicy.MaxElapsed ends
// that channel's retries at once.
package broadcast
