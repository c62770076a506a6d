package channeltest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// failureRules check how failures are reported, and that none leaks a
// secret.
func failureRules() []rule {
	return []rule{
		{name: "TransientIsNotPermanent", check: checkTransient, needs: needsFailure(FailTransient),
			rule: "a transient failure (503, connection reset) is an error not marked Permanent, so it is retried"},
		{name: "RateLimitedGivesRetryAfter", check: checkRateLimited, needs: needsFailure(FailRateLimited),
			rule: "a rate-limit failure (429) is marked with broadcast.RetryAfter and a positive delay, not Permanent"},
		{name: "UnauthorizedIsPermanent", check: checkUnauthorized, needs: needsFailure(FailUnauthorized),
			rule: "a credentials failure (401, failed authentication) is marked broadcast.Permanent"},
		{name: "RejectedIsPermanent", check: checkRejected, needs: needsFailure(FailRejected),
			rule: "content or a request the platform refuses (400, SMTP 5xx) is marked broadcast.Permanent"},
		{name: "NoSecretLeaks", check: checkNoSecret, needs: needsSecrets,
			rule: "no secret appears in an error, a receipt, the name, or the channel printed " +
				"with %v, %+v, %#v or slog"},
	}
}

func needsSecrets(h Harness) string {
	for _, s := range h.Secrets {
		if s != "" {
			return ""
		}
	}
	return "Harness.Secrets has no non-empty string"
}

// A transient failure may be retried.
func checkTransient(s *suite) {
	err := s.sendFailing(FailTransient, message(update(1)))
	assert.Falsef(s.t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
}

// A rate limit says when to retry.
func checkRateLimited(s *suite) {
	err := s.sendFailing(FailRateLimited, message(update(1)))
	if d, ok := broadcast.RetryDelay(err); assert.Truef(s.t, ok, "broadcast.RetryDelay(%q) found no RetryAfter mark", err) {
		assert.Positivef(s.t, d, "the RetryAfter delay of %q", err)
	}
	assert.Falsef(s.t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
}

// Bad credentials are not retried.
func checkUnauthorized(s *suite) {
	err := s.sendFailing(FailUnauthorized, message(update(1)))
	assert.Truef(s.t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
}

// Refused content is not retried.
func checkRejected(s *suite) {
	err := s.sendFailing(FailRejected, message(update(1)))
	assert.Truef(s.t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
}

// No secret in errors, receipts or the printed channel.
func checkNoSecret(s *suite) {
	var seen []shown
	show := func(what, text string) { seen = append(seen, shown{what, text}) }
	show("Name()", s.ch.Name())
	for i, f := range s.h.Failures {
		if f == FailNone {
			continue
		}
		s.be.Fail(f)
		_, err := s.send(message(update(i + 1)))
		s.be.Fail(FailNone)
		if err != nil {
			show("the error of the "+f.String()+" failure", fmt.Sprintf("%v\n%+v", err, err))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.sendCtx(ctx, message(update(90)), cancelLimit); err != nil {
		show("the error of a cancelled Send", fmt.Sprintf("%v\n%+v", err, err))
	}
	show("the Receipt printed with %+v", fmt.Sprintf("%+v", s.deliver(message(update(91)))))
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		show("the channel printed with "+verb, fmt.Sprintf(verb, s.ch))
	}
	show("the channel logged with slog's JSONHandler", logged(s.ch))
	for _, sh := range seen {
		for i, secret := range s.h.Secrets {
			if secret != "" && (strings.Contains(sh.text, secret) || strings.Contains(sh.text, jsonText(secret))) {
				s.t.Errorf("%s contains Harness.Secrets[%d]: %q", sh.what, i, sh.text)
			}
		}
	}
}

// jsonText returns s as it appears inside a JSON string, where a secret
// with quotes, '<' or '&' in it is escaped.
func jsonText(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b[1 : len(b)-1])
}

// shown is a text the suite looks for secrets in, and where it came from.
type shown struct{ what, text string }

// logged returns the JSON log line of v logged as an attribute.
func logged(v any) string {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("channeltest", "channel", v)
	return buf.String()
}
