// Command quickstart is the smallest complete outagecast program: it sends
// one incident update to the console and, when OUTAGECAST_WEBHOOK_URL and
// OUTAGECAST_WEBHOOK_SECRET are set, to that webhook too, each with
// retries, and prints what happened. To load the channels from a
// configuration file instead, see the config package.
//
//	go run ./examples/quickstart
//
// With the example receiver, which prints each delivery it verifies:
//
//	export WEBHOOK_SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
//	go run ./examples/webhook-receiver -listen 127.0.0.1:8090 &
//	OUTAGECAST_WEBHOOK_URL=http://127.0.0.1:8090/ OUTAGECAST_WEBHOOK_SECRET="$WEBHOOK_SECRET" \
//	    go run ./examples/quickstart
//
// Ctrl-C (or SIGTERM) cancels the delivery cleanly: the program prints
// which channels had the update and which did not; a second Ctrl-C kills
// it at once.
//
// Exit status: 0 when every channel delivered; 1 when a channel failed; 2
// when given a flag (other than -h) or an argument, or when the
// OUTAGECAST_WEBHOOK_* variables are wrong: one set without the other, or
// a value the webhook channel refuses (the error names the variable, and
// nothing is sent); 130 when Ctrl-C or SIGTERM interrupted the delivery.
// The exit statuses mean the same in every example program.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/examples/internal/onceflag"
	"github.com/outagecast/outagecast/redact"
)

func main() {
	if err := parseArgs(os.Args[1:], os.Stdout); errors.Is(err, flag.ErrHelp) {
		return
	} else if err != nil {
		fmt.Fprintf(os.Stderr, "quickstart: %v\nRun quickstart -help for usage.\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second signal has its default effect
	err := run(ctx, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		switch {
		case errors.Is(err, errInterrupted):
			os.Exit(130) // as a shell reports a program Ctrl-C ended
		case errors.As(err, new(settingsError)):
			os.Exit(2)
		}
		os.Exit(1)
	}
}

const usage = `Usage: quickstart

quickstart sends one sample incident update to the console and, when
OUTAGECAST_WEBHOOK_URL and OUTAGECAST_WEBHOOK_SECRET (whsec_…) are set, to
that webhook, with retries, and prints each channel's outcome. It takes no
flags or arguments.
`

// parseArgs refuses flags and arguments, so that a mistyped command sends
// nothing; -h prints the usage on w and returns flag.ErrHelp.
func parseArgs(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	err := onceflag.Parse(fs, args) // as every example program, should it take a flag
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(w, usage)
		return err
	case err != nil:
		return err
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// settingsError is run's error when the OUTAGECAST_WEBHOOK_* variables
// are wrong: nothing was sent.
type settingsError struct{ error }

// envNames names, in webhook's errors, the environment variables that
// set its Config fields: the program's settings, which its user sets,
// rather than the fields, which they cannot reach.
var envNames = strings.NewReplacer("webhook: Config.URL:", "OUTAGECAST_WEBHOOK_URL:",
	"webhook: Config.Secret:", "OUTAGECAST_WEBHOOK_SECRET:")

// errInterrupted is run's error when ctx ended before every channel had
// the update.
var errInterrupted = errors.New("interrupted")

func run(ctx context.Context, w io.Writer) error {
	screen, err := console.New(console.Config{Name: "console", Writer: w})
	if err != nil {
		return err
	}
	channels := []broadcast.Channel{screen}
	// Secrets travel as redact values: they print as REDACTED anywhere.
	url, secret := os.Getenv("OUTAGECAST_WEBHOOK_URL"), redact.NewSecret(os.Getenv("OUTAGECAST_WEBHOOK_SECRET"))
	switch {
	case url == "" && !secret.IsZero():
		return settingsError{errors.New("OUTAGECAST_WEBHOOK_URL: not set, but OUTAGECAST_WEBHOOK_SECRET is set: " +
			"give the receiver's URL too, or unset the secret to send to the console only")}
	case url != "" && secret.IsZero():
		return settingsError{errors.New("OUTAGECAST_WEBHOOK_SECRET: not set: give the receiver's whsec_ secret " +
			"(examples/webhook-receiver reads the same value from WEBHOOK_SECRET)")}
	case url != "":
		hook, err := webhook.New(webhook.Config{URL: redact.NewURL(url), Secret: secret})
		if err != nil {
			return settingsError{errors.New(envNames.Replace(err.Error()))}
		}
		channels = append(channels, hook)
	}

	b, err := broadcast.New(channels, broadcast.Options{})
	if err != nil {
		return err
	}
	defer b.Close()

	report, err := b.Send(ctx, broadcast.Update{
		Title:      "Elevated error rates on the CDN",
		Status:     broadcast.StatusInvestigating,
		Impact:     broadcast.ImpactMajor,
		Body:       "Some requests for static files fail in Europe. We are investigating.",
		Advice:     "Retry failed downloads; no data is lost.",
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage}},
		URL:        "https://status.example.com/incidents/cdn-errors",
	})
	if report == nil {
		return err
	}
	var missed []string
	for _, r := range report.Results {
		fmt.Fprintf(w, "%s: delivered=%t attempts=%d", r.Channel, r.Err == nil, r.Attempts)
		if r.Err != nil && ctx.Err() != nil && !broadcast.IsPermanent(r.Err) {
			missed = append(missed, r.Channel)
			fmt.Fprint(w, " (interrupted)")
		}
		fmt.Fprintln(w)
	}
	if len(missed) > 0 {
		return fmt.Errorf("%w: not delivered to %s", errInterrupted, strings.Join(missed, ", "))
	}
	return err
}
