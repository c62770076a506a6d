// Package outagecast sends one incident update, with retries, to every place
// your users look during an outage: X (Twitter), e-mail subscribers, webhook
// subscribers, IRC, and any channel you write yourself.
//
// This package holds no code; it is the overview. The parts:
//
//   - broadcast: the model (Update, Status, Impact, Component), the Channel
//     contract, and the Broadcaster, which validates an update and delivers
//     it to every channel concurrently, each with its own retries, threading
//     later updates of an incident under earlier posts and never delivering
//     the same update twice.
//   - broadcast/boltstore: a durable Store, so threading and idempotency
//     survive restarts.
//   - templates: how an update reads on each kind of channel (short, subject,
//     text, html, markdown), and grapheme-safe shortening that keeps the URL
//     whole.
//   - channels/console, channels/webhook, channels/email, channels/twitter,
//     channels/irc: the adapters.
//   - channels/channeltest: the conformance suite every adapter passes, for
//     your own adapters too.
//
// A Channel makes one attempt per call and marks its errors Permanent (do not
// retry) or RetryAfter (retry no sooner than); the Broadcaster owns retries,
// timeouts and fan-out. No error, log line or report contains a secret.
//
// The example shows the whole flow with the console channel; replace it with
// webhook, email, twitter or irc channels for real announcements.
package outagecast
