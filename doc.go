// Package outagecast sends one incident update, with retries, to every place
// your users look during an outage: a status page first, then X, Mastodon,
// Bluesky, e-mail subscribers, webhook subscribers, Slack, Discord, Teams,
// Google Chat, Matrix, Telegram, IRC, and any channel you write yourself.
//
// This package holds no code; it is the overview. The parts:
//
//   - broadcast: the model (Update, Status, Impact, Component), the Channel
//     contract, and the Broadcaster, which validates an update and delivers
//     it to every channel concurrently, each with its own retries, threading
//     later updates of an incident under earlier posts, never delivering the
//     same update twice nor an older update after a newer one, correcting
//     and retracting updates, routing updates to some channels, and
//     delivering in stages (the status page first).
//   - broadcast/boltstore: a durable Store on one machine, so threading and
//     idempotency survive restarts; broadcast/pgstore: a Store on
//     PostgreSQL, shared by many instances; broadcast/storetest: the
//     conformance suite of Stores.
//   - dispatch: durable delivery shared by many instances, one job per
//     update and channel on a PostgreSQL job queue (River);
//     dispatch/metrics: its Prometheus metrics.
//   - templates: how an update reads on each kind of channel (short, subject,
//     text, html, markdown), and grapheme-safe shortening that keeps the URL
//     whole.
//   - redact: Secret and URL types that never print a credential, and the
//     redactor every channel passes its errors through.
//   - config: the configuration file announce and the examples read, loaded
//     into channels and Options; channel URLs (slack://…); its JSON Schema.
//   - channels/*: the adapters (statuspage, statuspageio, webhook, email,
//     twitter, mastodon, bluesky, slack, discord, teams, googlechat, matrix,
//     telegram, irc, console), and channels/channeltest, the conformance
//     suite every adapter passes, for your own adapters too.
//
// A Channel makes one attempt per call and marks its errors Permanent (do not
// retry) or RetryAfter (retry no sooner than); the Broadcaster owns retries,
// timeouts and fan-out. No error, log line or report contains a secret.
//
// To start: build channels with their packages' New (or list them in a
// configuration file and load it with package config), pass them to
// broadcast.New, and call Send for each update, as the package example does
// with a console and a webhook channel. Where to look next:
// Broadcaster.Correct and Broadcaster.Retract in package broadcast fix or
// withdraw an update; broadcast/boltstore's examples resend after a
// restart, reaching only the channels that missed the update; the README
// walks through announce, the command-line program, against local servers.
package outagecast
