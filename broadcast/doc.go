// Package broadcast is the core of outagecast: the incident-update model, the
// Channel contract that adapters implement, and the Broadcaster that delivers
// one Update to every channel concurrently, each with its own retries.
//
// A Channel makes exactly one attempt per Send call. The Broadcaster owns
// everything around it: validation, cleaning and defaults, a timeout per
// attempt, exponential backoff with jitter between attempts (honouring
// RetryAfter hints and stopping at once on Permanent errors or when ctx
// ends), threading (each Message carries the channel's receipts of the
// incident's first and latest posts), idempotency (a Store remembers what
// was delivered, so sending the same Update.ID again delivers nothing twice,
// a retry of a channel with many recipients reaches only those not done, and
// a permanent failure is not tried again within a Send, while a later Send
// of the update tries again the channels and the targets that failed
// permanently (never those delivered), as a later Correct of a correction
// and a later Retract do, and
// Message.Key gives platforms with idempotency keys the same key on every
// attempt), ordering (an older update of an incident is never posted after a
// newer one on the same channel: a Broadcaster runs one attempt at a time
// per incident and channel, and every attempt first checks the incident's
// latest post in the Store; on a channel with many targets, a target that
// a newer update reached while other targets still wait for it is left out
// of an older update's delivery, as the Store records, and listed in
// Result.SupersededTargets; between instances sharing a Store only those
// checks hold, so two attempts made at the same moment on two instances
// may still cross, except through package dispatch, whose jobs take the
// incident's turn on the channel across instances), routing (Options.Routes) and, for
// platforms that allow it, corrections in place and retractions (Correct,
// Retract).
//
// A channel's optional interfaces (Editor, Retractor, Checker, Previewer,
// io.Closer) are found on it or down its Unwrap chain (see Channel and
// As), so a wrapper that logs or counts sends keeps them.
//
// Channels that deliver to many targets (recipients, endpoints, rooms) keep
// their per-target progress with a Fanout, so that they all follow one rule
// for what an attempt's error is. A Fanout also keeps progress within one
// target (the lines of a long IRC message, the parts of a chunked post:
// MarkProgress, Progressed) in the Store, so that a retry does not repeat
// them; such progress is no target, and no Result lists it. A retry that
// reached targets no earlier attempt had does not use up
// RetryPolicy.MaxAttempts: a channel that a platform's rate limit lets
// reach a few targets per attempt keeps going until all have the update or
// RetryPolicy.MaxElapsed runs out, and waits no longer after such a retry
// than after the first attempt (the platform's Retry-After still wins).
//
// # Use
//
// Make the channels with their packages' New (or load them from a file with
// package config), then:
//
//	b, err := broadcast.New(channels, broadcast.Options{Store: store}) // no Store: in memory
//	…
//	defer b.Close()
//	report, err := b.Send(ctx, update)    // every channel, concurrently
//	id := report.UpdateID                 // Update.ID, or the one derived from the content
//	report, err = b.Send(ctx, update)     // again: skipped where delivered
//	report, err = b.Correct(ctx, id, fix) // edit in place, or "Correction: …" in the thread
//	report, err = b.Retract(ctx, id)      // or withdraw it: delete where the platform allows
//
// Updates of one incident (one IncidentID; when empty, derived from the Title)
// thread on each channel. report.Results holds one Result per channel, in
// the order of channels. The examples show each call; broadcast/boltstore's
// show a Send again after a restart, which reaches only the channels that
// missed the update.
//
// # Errors
//
// Update.Validate errors wrap ErrInvalidUpdate and name every field at
// fault, each a *FieldError (FieldErrors lists them); so do Send's,
// Correct's, Jobs' and Preview's refusal of an Update.Overrides entry for a
// channel the Broadcaster does not have. Send,
// Correct and Retract return one *DeliveryError per failed channel, joined
// with errors.Join; errors.As finds each. Channel errors are transient unless
// marked Permanent; RetryAfter adds a minimum wait. An error matching
// ErrChannelClosed (the channel's own Close ended the call) stops the
// channel's retries, yet fails nothing for good: the update stays pending
// there, and the Result's error is not Permanent. The caller's context
// errors are never retried; an attempt that exceeds Options.AttemptTimeout
// is. A Store that cannot be read makes the attempt fail transiently (no
// channel is called blind); one that cannot record a delivery makes the
// channel's error wrap ErrNotRecorded, without a retry. A panic in a
// channel's method, a Store's or Options.Lock is a permanent error of the
// delivery that called it, naming which panicked, and so is a channel's
// or a Store's error whose Error method panics, naming its type, or whose
// text quotes, as fmt does, the value of such a panic of an error it holds
// (a *url.Error's of its Err). Such an
// error shows the panic's value only if it is a runtime error (a nil
// pointer dereference, an index out of range); of any other value, which
// may quote a secret, it names the type ("channel panicked: a string").
// One in Options.OnEvent
// is logged, one in Options.Logger's handler loses its record, and the
// delivery goes on. Skipped, superseded
// and not-selected channels are not errors; a Retract where the platform
// cannot delete is (ErrNotSupported), and so is one on a channel whose
// attempt of the update ended with its outcome unknown and left no receipt
// (its post, if any, cannot be found), and so are a Send that a Retract
// kept from posting and a Correct where the original was retracted
// (ErrRetracted; on a channel with many targets, at the targets where a
// Retract deleted its post).
//
// A Broadcaster not made by New (a nil *Broadcaster, New's error dropped,
// or a zero Broadcaster) does not panic: every method fails with an error
// saying so, naming broadcast.Broadcaster and broadcast.New.
//
// # Limits
//
// Title is at most 255 characters and Body at most 25,000, Statuspage's
// limits; Advice at most 1,000; URL at most 2,048 bytes; Time and
// NextUpdate in the years 0 to 9999, which RFC 3339 can write, and
// NextUpdate at most MaxNextUpdateAhead (90 days) after Time (or the
// clock, when Time is zero). The default
// MemoryStore forgets everything when the process ends, and until then
// keeps everything unless its Prune is called; use broadcast/boltstore to
// thread and deduplicate across restarts. A
// RetryAfter wait longer than what is left of RetryPolicy.MaxElapsed ends
// that channel's retries at once. "Older" is decided by Update.Time, which
// defaults to the time of the update's first Send (an update sent again
// keeps it: see Broadcaster.SentTime): callers that may send updates out
// of order set it to when the update was written.
package broadcast
