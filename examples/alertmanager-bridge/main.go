// Command alertmanager-bridge receives Prometheus Alertmanager webhook
// notifications and broadcasts them as incident updates: a firing alert
// group becomes an "investigating" update, the same group resolved a
// "resolved" update threaded under it.
//
// Usage:
//
//	go run ./examples/alertmanager-bridge -config outagecast.yaml -state bridge.db \
//	    -url https://status.example.com
//
// and in alertmanager.yml:
//
//	receivers:
//	  - name: status
//	    webhook_configs:
//	      - url: http://127.0.0.1:9094/alerts
//	        send_resolved: true
//	        http_config:
//	          authorization:
//	            credentials_file: /etc/alertmanager/bridge-token
//
// With OUTAGECAST_BRIDGE_TOKENS set (one or more bearer tokens of at least
// 16 characters, separated by commas or spaces, so that a new one can be
// added before the old one is removed), POST /alerts answers 401 to a
// request without one of them in its Authorization header, which
// Alertmanager sends from the credentials above. Set but empty, it (as
// OUTAGECAST_BRIDGE_BASIC_AUTH below) is refused at start, exit status 2:
// a secret that did not make it into the variable must not leave the
// bridge open to all.
//
// Alertmanager can send basic authentication instead (http_config takes
// one of authorization and basic_auth):
//
//	http_config:
//	  basic_auth:
//	    username: alertmanager
//	    password_file: /etc/alertmanager/bridge-password
//
// and the bridge accepts it with OUTAGECAST_BRIDGE_BASIC_AUTH set to one or
// more user:password pairs (passwords of at least 16 characters; pairs
// separated by commas or spaces, so neither may contain one), such as
// alertmanager:<the password>. The bridge keeps tokens and passwords only
// as SHA-256 digests, compares them in constant time, and never writes one
// in a log or an answer. With both variables set, either is accepted.
// Without either, anyone who can reach the bridge can post updates to your
// channels: it listens on loopback by default, and logs a warning when it
// listens on another address without them.
//
// The configuration file is the announce program's (see
// examples/announce/outagecast.sample.yaml), loaded with the config
// package: a channel's "when:" and the file's "stages:" apply. Every
// channel of the library can receive the alerts: a status page (kind
// statuspage, or statuspageio for a hosted Atlassian Statuspage, best put
// first with stages:), webhook, email, x, mastodon, bluesky, slack,
// discord, teams, googlechat, matrix, telegram, irc and console, in their
// full form or as a channel URL (- ${SLACK_URL}). Slack, Matrix, Google
// Chat and Discord forums thread a group's notifications under its first
// message; a resolved group's update says so in that thread. Without
// -config updates are printed on standard output. GET /healthz answers
// "ok". POST /alerts takes a body as Alertmanager sends it: of Content-Type
// application/json, uncompressed; another is answered 415, so that a web
// page cannot have a browser post to the bridge (a text/plain or form POST
// needs no leave of the address it goes to; an application/json one
// does). A request refused before its body is read (another method than
// POST on /alerts, another path, missing credentials, another Content-Type)
// is answered at once, and its connection closed without waiting for the
// body.
//
// On SIGTERM or Ctrl-C the bridge takes no new notification and finishes
// those under way (their answers tell Alertmanager whether they went out),
// within the time they may take (-timeout, and the reading of the body);
// a second signal stops it at once, and Alertmanager sends what was cut
// short again. The -listen address and the state file are tried before
// the channels are checked.
//
// Exit status: 0 after a clean shutdown; 1 when the run failed: serving
// failed, the shutdown's grace period cut notifications under way off, the
// -listen address is taken (or not this machine's), or the state file would
// not open (damaged, or locked by another process, a bridge still running
// on it; an empty file, created by hand for a container's bind mount, say,
// is refused as damaged too: delete it, and the bridge writes a new store
// there); 2 on bad flags, environment or configuration (a -listen that is
// no address, a flag given twice with two values, -config, -state or
// -url given an empty value, a state file whose
// directory does not exist or a state path that is a directory included),
// naming the flag, variable or setting; 130
// when a signal interrupted it: a second one stopped it at once, or a first
// one came during the start-up check of the channels (before it served;
// those checks are logged as interrupted). The exit statuses mean the same
// in every example program.
//
// At start-up the bridge logs, per channel, what it is configured with (no
// secrets) and whether its check reached it (channels that can be checked
// without posting), within -check-timeout (0: no limit, and a check that
// hangs keeps the bridge from serving); a failed check is logged and the
// bridge starts all the same, since the platform may be back by the first
// alert.
//
// # Mapping
//
// One alert group is one incident: its IncidentID is "am-" and a hash of
// Alertmanager's groupKey, the same for every notification of the group.
//
//   - Status: firing → investigating, resolved → resolved. The group is
//     resolved only when the notification's status and every alert in it
//     say so and none was left out (see Limits for max_alerts); while
//     any alert fires it is investigating.
//   - Title: that of the incident's first update, for every later one,
//     whatever alerts join or leave the group: commonAnnotations.summary,
//     else commonLabels.alertname, else the first alert's summary or
//     alertname ("… and N more", the summary cut short when the title
//     would not hold those words). The bridge keeps each incident's title
//     and latest impact in its store (-state), once a channel delivered
//     an update of it.
//   - Body: each firing alert's description annotation (else message,
//     else summary), once each, separated by blank lines, as many whole
//     ones as fit the update, and a last line counting the alerts not
//     shown ("(N more alerts not shown.)": those max_alerts left out and
//     those whose descriptions did not fit); for a resolved group "This
//     incident has been resolved." (the descriptions describe the problem
//     as it was). A resolved group none of whose earlier updates any
//     channel has on record (the bridge started after the group fired, or
//     ran without -state and restarted, or no channel delivered the firing
//     update) is posted all the same, as customers may have noticed the
//     outage; as it may be the first they read of it, its body goes on
//     "While it lasted, the alerts reported:" and the alerts'
//     descriptions (alerts without any get the short body), and the
//     bridge logs it. A channel added to the
//     configuration while the group fired gets the short body when other
//     channels have the firing update on record.
//   - Impact: the highest severity label among the firing alerts (those
//     resolved no longer weigh), in any case and without surrounding
//     white space: critical, page, emergency, fatal →
//     critical; major, error, high → major; warning, warn, minor, medium →
//     minor; info, informational, low, none → none; anything else → no
//     impact. A notification that left alerts out (max_alerts) does not
//     lower it: a hidden alert may still fire. A resolved (or monitoring)
//     update keeps the incident's impact as it last fired.
//   - Components: the alerts' component (else service) label, as
//     major_outage (critical), partial_outage (major), degraded_performance
//     (other severities), operational once its alerts resolved (not when
//     max_alerts left alerts out: see Limits). Labels that differ only in
//     case or white space ("CDN", "cdn") are one component, spelt as the
//     first alert spells it, with the worst status among them. An update
//     lists at most 1,000 (broadcast.MaxComponents): of more, those left
//     out are the least affected (operational first).
//   - URL: -url, else the incident's page on the configuration's status
//     page (kind statuspage), as the announce program links it (not when
//     the page's "when:" leaves the update out of an incident it has no
//     page of yet: that page does not exist), else externalURL, else the
//     first generatorURL, the first an update can carry (an absolute http
//     or https URL without credentials: every channel posts it for all
//     to see). Without a status page in the configuration, set -url to
//     your public status page: Alertmanager's own address is rarely one
//     your users can open.
//   - Advice (what affected customers can do now, shown right after the
//     status): commonAnnotations.customer_advice, else
//     commonAnnotations.advice, else the first firing alert's
//     customer_advice or advice annotation. A resolved group keeps it only
//     from the common annotations. Write it for customers: "Retry failed
//     uploads; no data was lost."
//   - Time: when the notification arrives. A notification sent again
//     (Alertmanager's retry, or the other Alertmanager of a pair) is the
//     same update, and keeps the Time it was first sent with (see
//     broadcast.Broadcaster.SentTime): one that arrives after a newer
//     notification of its group went out is not posted after it
//     ("superseded", and 200; from the Alertmanager that sent the newer
//     one, it says the alerts changed back: see below), and channels whose idempotency key comes
//     from the Time (Bluesky's record key) find the post of an attempt
//     whose answer was lost rather than post again, even after a crash
//     mid-broadcast (the Time is recorded before the first attempt). A
//     notification never seen before counts as the newest, however late
//     it arrives. The alerts' own startsAt and endsAt are not used: they
//     come from the clocks of the Prometheus servers that fired them, and
//     an alert that fires again after its group resolved may carry a
//     start before the resolution.
//
// Alert text is made fit for an update, so that no well-formed
// notification is refused: NUL and invalid UTF-8 are dropped, as are the
// escape sequences and control characters every channel would drop (text
// made of them alone counts as missing), and the title, body, advice and
// component names are cut to the update's limits. What an alert's summary
// leaves open of right-to-left embeddings, overrides and isolates is
// closed before the title's "and N more", which would otherwise show
// reversed.
//
// # Delivery and retries
//
// Each notification is broadcast before the bridge answers, within
// -timeout: 200 when every channel delivered it or had already (a channel
// that delivered it while the store could not record that, its disk full
// say, counts as delivered, "delivered, not recorded" in the answer and an
// error in the log: sent again, it would be posted again), 400 for a
// payload that is not JSON or not version 4, or whose update would be
// invalid (each logged as a warning: Alertmanager does not retry a
// 4xx), 413 above -max-body (32 MiB
// by default), 500 when a channel failed in a way a retry may mend (an
// error the channel counts transient, an endpoint still to reach, the
// -timeout), 424 when every channel that failed refused the update for
// good (each of its endpoints answered 404 or 410, its credentials were
// refused, it cannot take the update: a retry would be refused again), 503
// when -timeout passed (it counts from the notification's arrival) while
// the group's previous notification was still being broadcast or
// -max-concurrent others were, or when the notification did not arrive
// whole. A 424 names the channels that refused in its "error", and each
// channel's reason in its result; the bridge logs it as an error, and
// Alertmanager logs "Notify for alerts failed" with "unexpected status
// code 424" and counts it in alertmanager_notifications_failed_total, but
// does not retry it (424, Failed Dependency, rather than 400 or 422: the
// notification is not at fault, what it depends on is). Not having gone
// out, it is sent again at the group's next group_interval: once the
// channels are fixed, that one reaches them. A notification one channel
// refused for good while another failed for a while is answered 500,
// and 424 once the retry has reached the other. Alertmanager retries a
// notification that got a 5xx (and one that timed out), and sends the
// group again at repeat_interval. Both are harmless: the update's id is derived from the group, its status and
// each alert's fingerprint, status, start and end (and the number of
// alerts max_alerts left out), so the same
// notification gets the same id, and channels that delivered it are
// skipped ("skipped" in the JSON answer); only the failed ones are tried
// again. A notification whose update would say exactly what the
// incident's latest update said (status, title, impact, body, components
// other than operational ones and advice; not the link, which without -url
// or a status page is the externalURL of the Alertmanager that sent it) is
// that update again, skipped where it was delivered:
// Alertmanager drops a group's resolved alerts once it sent them, so its
// next repeat carries other alerts with nothing new, and so does one after
// an alert resolved and fired again between two flushes, from either
// Alertmanager of a pair. With -state (or the configuration's state) the store survives
// restarts of the bridge, so this holds across them too; without, the
// bridge warns at start-up, as after a restart Alertmanager's next repeat
// of each firing group is posted again. The store forgets, at start-up and
// every hour, what it recorded more than -keep ago (90 days by default, and
// longer than retry.max_elapsed, 10m by default, or the marks of an update
// still being delivered would go and its next attempt post it again; 0
// keeps everything, and the store then grows with every notification
// for as long as the bridge runs): a notification sent again after that
// is posted again, a group firing unchanged for longer than -keep gets its
// update posted once more at its next repeat, and an incident whose
// updates are all older starts a new thread with its next update. Keep -timeout below the time
// Alertmanager gives a notification: the webhook_config's timeout when set,
// else until the group's next flush, its group_interval (5m by default, at
// least 10s).
//
// # Limits
//
// A notification may be up to -max-body MiB (32 by default, some 20,000
// alerts of 1 to 2 KiB, as in the alert storms that made Alertmanager add
// max_alerts; at most 1024). It is read as it arrives, alert by alert,
// keeping of each only what the mapping reads, and held until it is
// broadcast: one takes up to about its size in memory (a few times it
// for a body of very many tiny alerts). At most -max-concurrent (16 by
// default) are read and broadcast at once; the others wait their turn
// before their body is read, within -timeout, then answer 503. Its
// headers must arrive within 10s (64 KiB at most), and its body, once it
// has its turn, at 1 MiB/s at least (within 10s more than -max-body takes
// at that rate): a sender
// slower than that, or whose connection breaks, gets 503 and nothing is
// posted. A larger one is refused with 413 (by its Content-Length, before
// it is read) and nothing is posted,
// never silently: the bridge logs an error, and Alertmanager logs "Notify
// for alerts failed" with "unexpected status code 413" and the bridge's
// answer (which says to raise -max-body or set max_alerts), and counts it
// in alertmanager_notifications_failed_total. Alertmanager does not retry
// a 4xx at once (a retry would be as large), but, the notification not
// having gone out, it sends the group again at its next group_interval:
// once -max-body is raised (or max_alerts set), that one goes through.
//
// With max_alerts set, Alertmanager derives the status, common labels and
// common annotations from the alerts it sends, not from those it leaves
// out (truncatedAlerts), and it does not send firing alerts first. So the
// bridge never reads such a notification as resolved: one whose alerts
// shown all resolved while others were left out is posted as
// "monitoring" ("The alerts shown have resolved; N more are not shown and
// may still be firing."), and a component is set operational only by a
// notification that left no alert out. If the hidden alerts still fire,
// Alertmanager's next notification of the group says so; if they had
// resolved too, none follows, and the incident stays "monitoring" until
// you resolve it (with the announce program and the incident id the
// bridge logs; see below for its -state). Leave max_alerts unset, or large enough for your groups
// (see -max-body).
//
// Alertmanager's groupKey is made of the route's matchers, and those of
// its parents, and the group's labels (group_by): a change to the routing
// tree that touches them gives the group a new key after Alertmanager
// reloads, so its next notification opens a new incident, and the old
// one never gets its resolved update. Resolve it with the announce program
// and the incident id the bridge logged.
//
// To resolve an incident with the announce program in the incident's
// thread, give it the bridge's -state file, with the bridge stopped: the
// bridge holds the file for as long as it runs, and announce refuses a
// file another process holds ("locked by another process"). Without that
// file, the update is posted outside the incident's thread.
//
// A group that fires again after it resolved is the same incident: its
// updates thread under the earlier ones. When its alerts change back to
// what an earlier notification said, the notification is that one over
// again, by its id: Alertmanager keeps an alert's earliest start, and its
// latest explicit end, when it merges what it receives of it, so alerts
// that resolved (Prometheus fell silent past resolve_timeout, restarted
// during the outage, say) fire again with the start they had, an alert of
// a group still firing resolves and fires again, and a group that fired
// again may resolve with the ends it had (a Prometheus of a pair sending
// its resolved alert again). Such a notification is posted, as an update
// of its own (its retries and repeats are that update again), when it
// comes from an Alertmanager that sent the incident's latest update (the
// same externalURL, not empty), or from one that had this very
// notification answered before the latest update went out (the other
// Alertmanager of a pair, which sent the group's firing notification too,
// sends the re-fire after the first sent the resolution): one
// Alertmanager sends a group's notifications one after another, and does
// not send again one it was answered, so it is no late copy. (An answer
// of 500 does not count: Alertmanager sends the notification again. An
// answer of 200 lost on the way cannot be told from one that arrived: the
// retry it causes, after the other Alertmanager's newer notification, is
// posted as the alerts changing back.) From another
// Alertmanager, or without an externalURL (or while the latest update's
// sender is unknown), it may be a late copy of the earlier notification
// from the other Alertmanager of a pair, whose own copy of the latest was
// deduplicated away, and would undo the latest update with nothing to
// restore it: it is skipped, and the bridge logs why; the group's next
// change is posted. A late copy that says what the latest update says is
// that update again, but does not count its Alertmanager among the
// latest's senders: an Alertmanager cut off from the others that delivers
// its late copies of a group's notifications, one of them saying what the
// latest says, gets none of them posted (nor, alike, does an Alertmanager
// whose copy of a re-fire was not counted get its next notification posted
// when it says what an earlier one said, a resolution with the ends it
// had: the first Alertmanager's copy of it is). An Alertmanager's externalURL
// is its own host's address (http://<host name>:<port>/) unless
// --web.external-url sets it: set to one address shared by a pair (that
// of a load balancer in front of both), it does not tell them apart, and
// such notifications are skipped; give each its own, or leave it unset.
// Annotations that change while the
// alerts stay the same do not make a new update. Notifications of different
// groups are processed as they arrive, concurrently, up to -max-concurrent
// at once; those of one group one at a time, so that the
// two Alertmanagers of a high-availability pair sending the same
// notification at once deliver it once. A notification waiting for its
// group's turn counts the wait in -timeout, and stops waiting when
// Alertmanager gives up on the request: it posts nothing and answers 503.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
	"github.com/outagecast/outagecast/config"
	"github.com/outagecast/outagecast/examples/internal/checknote"
	"github.com/outagecast/outagecast/examples/internal/configflag"
	"github.com/outagecast/outagecast/examples/internal/credvalue"
	"github.com/outagecast/outagecast/examples/internal/durationflag"
	"github.com/outagecast/outagecast/examples/internal/listenaddr"
	"github.com/outagecast/outagecast/examples/internal/onceflag"
	"github.com/outagecast/outagecast/examples/internal/pagelink"
	"github.com/outagecast/outagecast/examples/internal/prune"
	"github.com/outagecast/outagecast/examples/internal/serverlimits"
	"github.com/outagecast/outagecast/examples/internal/shutdown"
	"github.com/outagecast/outagecast/examples/internal/statefile"
	"github.com/outagecast/outagecast/internal/bearer"
)

func main() {
	ctx, abort := shutdown.Signals(os.Interrupt, syscall.SIGTERM) // a second signal stops at once
	os.Exit(run(ctx, abort, os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	listen, config, state, url string
	timeout, checkTimeout      time.Duration
	keep                       time.Duration // 0: the store keeps everything
	maxBody                    int           // MiB
	maxConcurrent              int
}

// tokensEnv names the variable holding the bearer tokens POST /alerts
// asks for.
const tokensEnv = "OUTAGECAST_BRIDGE_TOKENS"

const usage = `Usage: alertmanager-bridge [-listen ADDR] [-config FILE] [-state FILE] [-url URL] [flags]

alertmanager-bridge receives Prometheus Alertmanager webhook notifications
(version 4) on POST /alerts and broadcasts each as an incident update to the
configured channels: firing → investigating, resolved → resolved, one
incident per alert group. It answers 200 when every channel delivered, 500
when one failed (Alertmanager then retries; channels that delivered are
skipped), 424 when every channel that failed refused the update for good
(Alertmanager does not retry it), 400 for a bad payload, 415 for a body
not sent as Alertmanager sends it (application/json, uncompressed), 413 above
-max-body, 503 when it could not be handled in time (Alertmanager retries). With
OUTAGECAST_BRIDGE_TOKENS set (bearer tokens of at least 16 characters,
separated by commas or spaces), it answers 401 to a request without one;
with OUTAGECAST_BRIDGE_BASIC_AUTH set (user:password pairs, passwords of at
least 16 characters, separated by commas or spaces), to a request without
one of them as basic authentication. A flag given twice with two values,
or -config, -state or -url given an empty value, is an error, exit status 2.

Flags:
`

func parseFlags(args []string, stdout io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("alertmanager-bridge", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:9094", "`address` to listen on")
	fs.StringVar(&o.config, "config", "", "channels configuration `file` (the announce program's YAML format);\ndefault: print updates on standard output")
	fs.StringVar(&o.state, "state", "", "durable state `file`, so retries and restarts never send twice\n(default: the config's state, else memory)")
	fs.StringVar(&o.url, "url", "", "status page `URL` put in every update (default: the incident's page on the\nconfiguration's status page, else the payload's externalURL)")
	o.timeout, o.checkTimeout = time.Minute, 10*time.Second
	fs.Var((*durationflag.Value)(&o.timeout), "timeout", "time (a `duration`) one notification may take, from its arrival to the answer\n(0: no limit)")
	fs.IntVar(&o.maxBody, "max-body", defaultMaxBody>>20, "largest notification accepted, in `MiB`: larger ones are answered 413 and\nlogged as errors (raise it, or set max_alerts in Alertmanager)")
	fs.IntVar(&o.maxConcurrent, "max-concurrent", defaultMaxConcurrent, "`number` of notifications read and broadcast at once; others wait their turn\n(within -timeout, else 503): memory stays below about this times -max-body")
	o.keep = prune.DefaultKeep
	fs.Var((*prune.Keep)(&o.keep), "keep", "how long the store keeps what it records of each notification and incident\n(a `duration`: whole days, as 90d, or as 36h; older ones, sent again, are posted\nagain); 0: for ever, the store grows without end")
	fs.Var((*durationflag.Value)(&o.checkTimeout), "check-timeout", "time (a `duration`) the start-up check of the channels may take (0: no limit)")
	fs.SetOutput(io.Discard)
	if err := onceflag.Parse(fs, args); err != nil { // a flag given twice with two values is an error
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
		}
		return nil, err
	}
	if err := emptyFlag(fs); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case !listenaddr.Valid(o.listen):
		return nil, fmt.Errorf("-listen: %q: want host:port, as 127.0.0.1:9094", o.listen)
	case credvalue.NotAPath(o.config) != "":
		// Not quoted, as -state below: the error of opening it as a file
		// would show a URL's user and password.
		return nil, fmt.Errorf("-config: %s: give the configuration file's path", credvalue.NotAPath(o.config))
	case credvalue.NotAPath(o.state) != "":
		// Not quoted: a database's URL or connection string, with its
		// password, would show in the error of opening it as a file.
		return nil, fmt.Errorf("-state: %s: give the state file's path", credvalue.NotAPath(o.state))
	case o.timeout < 0:
		return nil, errors.New("-timeout: negative")
	case o.checkTimeout < 0:
		return nil, errors.New("-check-timeout: negative")
	case o.keep < 0:
		return nil, errors.New("-keep: negative")
	case o.maxConcurrent < 1:
		return nil, fmt.Errorf("-max-concurrent: %d, want 1 or more", o.maxConcurrent)
	case o.maxBody < 1 || o.maxBody > maxMaxBody>>20:
		return nil, fmt.Errorf("-max-body: %d MiB, want 1 to %d", o.maxBody, maxMaxBody>>20)
	case o.url != "":
		if err := urlProblem(o.url); err != nil {
			return nil, fmt.Errorf("-url: %v", err)
		}
	}
	return o, nil
}

// leaveOut are the flags whose default is their absence, and what the
// bridge does without them.
var leaveOut = []onceflag.Optional{
	{Flag: "config", Then: "to print updates on standard output"},
	{Flag: "state", Then: "to keep the config's state, else memory"},
	{Flag: "url", Then: "to link the incident's page, else externalURL"},
}

// emptyFlag refuses a flag of leaveOut given a blank value (-config
// "$CONFIG" of a variable not set): read as the flag left out, an empty
// -config would have the bridge print updates on standard output and
// answer Alertmanager 200, so that no alert reached a channel.
func emptyFlag(fs *flag.FlagSet) error {
	if b := onceflag.Blanks(fs, leaveOut); len(b) > 0 {
		return fmt.Errorf("-%s: %s", b[0].Flag, b[0].Text)
	}
	return nil
}

// run serves until ctx is done (abort closed: stop at once) and returns the
// exit code: 0 after a clean shutdown, 1 when the run failed (serving, the
// -listen address taken, a state file that would not open), 130
// (shutdown.ExitAbandoned) when abort ended the shutdown, 2 on bad flags,
// environment or configuration.
func run(ctx context.Context, abort <-chan struct{}, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "alertmanager-bridge: %v\nRun alertmanager-bridge -help for usage.\n", err)
		return 2
	}
	var toks *bearer.Tokens
	if v, ok := os.LookupEnv(tokensEnv); ok {
		if toks, err = bearer.Parse(tokensEnv, v); err != nil {
			fmt.Fprintf(stderr, "alertmanager-bridge: %v\n", blankEnv(tokensEnv, v, err))
			return 2
		}
	}
	var basic *basicAuth
	if v, ok := os.LookupEnv(basicAuthEnv); ok {
		if basic, err = parseBasicAuth(basicAuthEnv, v); err != nil {
			fmt.Fprintf(stderr, "alertmanager-bridge: %v\n", blankEnv(basicAuthEnv, v, err))
			return 2
		}
	}
	// Listen first: a busy or bad address is found before the channels
	// are checked.
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		fmt.Fprintf(stderr, "alertmanager-bridge: -listen: %v\n", err)
		return listenStatus(err)
	}
	defer ln.Close()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	h, closeAll, err := setup(o, stdout, stderr, log)
	if err != nil {
		fmt.Fprintf(stderr, "alertmanager-bridge: %v\n", err)
		if errors.As(err, new(*storeError)) {
			return 1
		}
		return 2
	}
	h.tokens, h.basic = toks, basic
	defer closeAll()
	h.checkChannels(ctx, o.checkTimeout)
	if ctx.Err() != nil {
		// A signal during the check: stopped before taking any notification.
		log.Info("interrupted before serving")
		return shutdown.ExitAbandoned
	}
	if o.keep > 0 && h.pruneStore != nil {
		defer prune.Start(ctx, o.keep, h.pruneStore, log, func(s string) string { return h.say("", s) })() // before closeAll: it uses the store
	}
	if err := serve(ctx, abort, ln, h, log); err != nil {
		log.Error("serve", slog.String("error", err.Error()))
		if errors.Is(err, shutdown.ErrAbandoned) {
			return shutdown.ExitAbandoned
		}
		return 1
	}
	return 0
}

// blankEnv is err, of reading v, the value of the variable name, or, when
// v is blank, an error saying so. A variable set but empty (a secret file
// that was not there, a variable of a compose file or a Kubernetes secret
// that was not filled in) is refused rather than read as unset: the
// bridge would take any request, which its operator set the variable to
// prevent.
func blankEnv(name, v string, err error) error {
	if strings.TrimSpace(strings.ReplaceAll(v, ",", "")) != "" {
		return err
	}
	return fmt.Errorf("%s: set but empty: give the credentials, or unset it to accept any request (not advised beyond loopback)", name)
}

// listenStatus is the exit status when -listen cannot be listened on: 2
// for an address that is no address (no port, a port past 65535), 1 for a
// failure of the run (the address taken, or not this machine's), as the
// other example programs exit.
func listenStatus(err error) int {
	if errors.As(err, new(*net.AddrError)) {
		return 2
	}
	return 1
}

// setup loads the configuration and opens the store.
func setup(o *options, stdout, stderr io.Writer, log *slog.Logger) (*handler, func(), error) {
	cfg, err := config.Default(stdout)
	if o.config != "" {
		cfg, err = configflag.Load(config.Loader{Stdout: stdout, Stderr: stderr}, o.config)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := prune.CheckKeep(o.keep, cmp.Or(cfg.Retry.MaxElapsed, broadcast.DefaultMaxElapsed)); err != nil {
		return nil, nil, err
	}
	if o.state != "" {
		cfg.Store = config.Store{Kind: config.StoreBolt, Path: o.state}
	}
	if cfg.Store.Kind != config.StoreBolt {
		log.Warn("deliveries are kept in memory: after a restart, Alertmanager's next repeat of each firing " +
			"group (repeat_interval) is posted again; set -state, or the configuration's state")
	}
	explain := func(_, msg string) string { return msg } // no file: no keys to name
	if o.config != "" {
		explain = cfg.Explain
	}
	say := func(channel, msg string) string { return explain(channel, cfg.Hide(msg)) }
	opts := cfg.Options()
	opts.OnEvent = logEvents(log, say)
	// The bridge opens the Store itself: it keeps its incidents' records
	// there too.
	var store broadcast.Store = broadcast.NewMemoryStore()
	closeStore := func() {}
	if cfg.Store.Kind == config.StoreBolt {
		// Where the state was given: -state, or the configuration's key,
		// as the file's own faults are made.
		at := func(err error) error {
			if o.state != "" {
				return fmt.Errorf("-state: %w", err)
			}
			return cfg.Fault(cfg.Store.Key, err)
		}
		// Its path may hold a variable named as a secret.
		if err := statefile.CheckDir(cfg.Store.Path); err != nil {
			return nil, nil, errors.New(cfg.Hide(at(err).Error()))
		}
		s, err := boltstore.Open(cfg.Store.Path, nil)
		if err != nil {
			return nil, nil, &storeError{msg: cfg.Hide(at(fmt.Errorf("open store: %w", err)).Error())}
		}
		store, closeStore = s, func() { s.Close() }
	}
	opts.Store = store
	b, err := cfg.Open(opts)
	if err != nil {
		closeStore()
		return nil, nil, errors.New(cfg.Hide(err.Error()))
	}
	closeAll := func() { b.Close(); closeStore() }
	h := &handler{b: b.Broadcaster, channels: cfg.Channels, store: store, m: mapping{url: o.url, page: pagelink.Find(cfg.Channels, cfg.Routes)}, timeout: o.timeout, log: log, say: say,
		describe: cfg.Describe, maxBody: int64(o.maxBody) << 20, maxConcurrent: o.maxConcurrent}
	if s, ok := store.(interface { // broadcast.MemoryStore and boltstore.Store
		Prune(context.Context, time.Time) (int64, error)
	}); ok {
		h.pruneStore = s.Prune
	}
	return h, closeAll, nil
}

// storeError is setup's error when the state file would not open
// (damaged, or locked by another process): the flags and configuration
// may be right, so the exit status is 1, as the announce program's.
type storeError struct{ msg string }

func (e *storeError) Error() string { return e.msg }

// checkChannels logs, per channel, what it is configured with and whether
// its check reached it, within timeout.
func (h *handler) checkChannels(ctx context.Context, timeout time.Duration) {
	signalled := ctx.Done()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	for i, err := range h.b.Check(ctx) {
		name := h.b.Channels()[i]
		attrs := []any{slog.String("channel", name), slog.String("configured", h.describe(name))}
		switch {
		case errors.Is(err, broadcast.ErrNotSupported):
			var ch broadcast.Channel
			if i < len(h.channels) {
				ch = h.channels[i]
			}
			outcome, why := checknote.NotChecked(ch)
			h.log.Info("channel", append(attrs, slog.String("check", outcome+": "+why))...)
		case err != nil && isClosed(signalled) && errors.Is(err, context.Canceled):
			// Ctrl-C cut the check short: it did not fail.
			h.log.Info("channel", append(attrs, slog.String("check", "interrupted"))...)
		case err != nil:
			h.log.Warn("channel", append(attrs, slog.String("check", "failed"), slog.String("error", h.say(name, err.Error())))...)
		default:
			h.log.Info("channel", append(attrs, slog.String("check", "ok"))...)
		}
	}
}

// isClosed reports whether c is closed.
func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// logEvents logs the Broadcaster's progress with errors as say puts them:
// the configuration's secrets hidden, settings named by the file's keys
// (the Broadcaster's own Logger would print errors as is).
func logEvents(log *slog.Logger, say func(channel, msg string) string) func(broadcast.Event) {
	return func(e broadcast.Event) {
		attrs := []any{slog.String("channel", e.Channel), slog.String("incident", e.IncidentID),
			slog.String("update", e.UpdateID), slog.Int("attempt", e.Attempt)}
		switch e.Kind {
		case broadcast.EventDelivered:
			attrs = append(attrs, slog.String("url", credvalue.Link(say(e.Channel, e.Receipt.URL)))) // as the answer shows it
			switch {
			case errors.Is(e.Err, broadcast.ErrNotRecorded):
				log.Error("delivered, but not recorded: the store could not write it, and the update may be posted again "+
					"if sent again", append(attrs, slog.String("error", say(e.Channel, e.Err.Error())))...)
			case e.Err != nil: // targets that failed for good
				log.Warn("delivered, but not to every target", append(attrs, slog.String("error", say(e.Channel, e.Err.Error())))...)
			default:
				log.Info("delivered", attrs...)
			}
		case broadcast.EventSkipped:
			log.Info("skipped: already delivered", attrs...)
		case broadcast.EventSuperseded:
			log.Info("superseded: a newer update of the incident is out", attrs...)
		case broadcast.EventNotSelected:
			log.Info("not selected: the channel's when: leaves the update out", attrs...)
		case broadcast.EventRetry:
			log.Warn("retrying", append(attrs, slog.Duration("delay", e.Delay), slog.String("error", say(e.Channel, e.Err.Error())))...)
		case broadcast.EventFailed:
			log.Error("failed", append(attrs, slog.String("error", say(e.Channel, e.Err.Error())))...)
		}
	}
}

// minRate is the slowest a notification's body may arrive: 1 MiB/s, which
// any link between Alertmanager and the bridge exceeds.
const minRate = 1 << 20

// bodyTime is the time a body of maxBody bytes (0: defaultMaxBody) may
// take to arrive: 10s more than it takes at minRate.
func bodyTime(maxBody int64) time.Duration {
	return 10*time.Second + time.Duration(cmp.Or(maxBody, defaultMaxBody)/minRate)*time.Second
}

// newServer returns the bridge's http.Server. A slow or stuck client
// cannot hold a connection, or one of the -max-concurrent turns, for long:
// the headers (64 KiB at most; Alertmanager sends a few hundred bytes) must
// arrive within 10s, the body within bodyTime (counted from its turn, see
// handler.alerts), and the answer be written within -timeout after that.
func newServer(h *handler, log *slog.Logger) *http.Server {
	read := bodyTime(h.maxBody)
	srv := &http.Server{
		Handler:           serverlimits.CloseRefused(h.routes()), // a refusal does not wait for the body
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       read,
		WriteTimeout:      read + h.timeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if h.timeout == 0 || srv.WriteTimeout < h.timeout {
		srv.WriteTimeout = 0 // none, or the sum went past what a duration holds
	}
	return srv
}

// serve answers on ln until ctx is done, then shuts down gracefully: it
// finishes the notifications under way, within the time they may take
// (shutdown.Serve), unless abort is closed first.
func serve(ctx context.Context, abort <-chan struct{}, ln net.Listener, h *handler, log *slog.Logger) error {
	srv := newServer(h, log)
	if h.tokens == nil && h.basic == nil && !ln.Addr().(*net.TCPAddr).IP.IsLoopback() {
		log.Warn("anyone who can reach this address can post updates to the channels: set "+tokensEnv+
			" and give Alertmanager the token (http_config.authorization), or set "+basicAuthEnv+
			" (http_config.basic_auth)", slog.String("address", ln.Addr().String()))
	}
	log.Info("listening", slog.String("url", listenaddr.URL(ln.Addr(), "/alerts"))) // last: tests wait for it
	logged := make(chan struct{})
	stopLog := context.AfterFunc(ctx, func() {
		defer close(logged)
		log.Info("shutting down: finishing the notifications under way (a second signal stops at once)",
			slog.Duration("within", srv.WriteTimeout))
	})
	// After WriteTimeout none can still answer; 0: no limit of its own.
	err := shutdown.Serve(ctx, abort, srv, ln, srv.WriteTimeout)
	if !stopLog() {
		// A shutdown with nothing under way ends at once: its line, logged
		// by another goroutine, comes before "stopped", not after or never.
		<-logged
	}
	log.Info("stopped")
	return err
}
