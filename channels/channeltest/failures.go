package channeltest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/stretchr/testify/assert"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// failureRules check how failures are reported, and that none leaks a
// secret.
func failureRules() []rule {
	return []rule{
		{name: "TransientIsNotPermanent", check: checkFailure(FailTransient), needs: needsFailure(FailTransient),
			rule: "a transient failure (503, connection reset) is an error not marked Permanent, so it is retried"},
		{name: "RateLimitedGivesRetryAfter", check: checkFailure(FailRateLimited), needs: needsFailure(FailRateLimited),
			rule: "a rate-limit failure (429) is marked with broadcast.RetryAfter and a positive delay, not Permanent"},
		{name: "UnauthorizedIsPermanent", check: checkFailure(FailUnauthorized), needs: needsFailure(FailUnauthorized),
			rule: "a credentials failure (401, failed authentication) is marked broadcast.Permanent"},
		{name: "UnauthorizedNamesCredential", check: checkCredentialField,
			needs: needsAll(needsFailure(FailUnauthorized), needsCredentialField),
			rule: "a credentials failure (401, failed authentication) names the field that holds the credential, " +
				"as \"(refused the credential: check Config.Token)\", never the credential: once (for each target), naming fields of the channel's Config"},
		{name: "RejectedIsPermanent", check: checkFailure(FailRejected), needs: needsFailure(FailRejected),
			rule: "content or a request the platform refuses (400, SMTP 5xx) is marked broadcast.Permanent"},
		{name: "NoSecretLeaks", check: checkNoSecret, needs: needsSecrets,
			rule: "no secret, in any encoding, appears in an error or an error it wraps, a receipt (of Send or Edit), " +
				"a preview, the name, the Ledger marks and posts of a Send, or the channel or its Config " +
				"printed with %v %+v %#v %s %q %x %X %d, logged with slog or marshalled to JSON or YAML"},
		{name: "NoSecretInEchoedErrors", check: checkEcho, needs: needsAll(needsSecrets, needsFailure(FailEcho)),
			rule: "when the back end echoes every credential it received in its error answer, " +
				"no secret, in any encoding, appears in the errors of Send, Edit, Retract or Check, " +
				"the errors they wrap, or the Ledger marks of Send"},
		{name: "NoSecretInEchoedSuccess", check: checkEchoDelivered,
			needs: needsAll(needsSecrets, needsFailure(FailEchoDelivered)),
			rule: "when the back end answers with a success in the platform's shape whose string fields quote " +
				"every credential it received, no secret, in any encoding, appears in the receipts of Send and Edit, " +
				"the errors of Send, Edit, Retract or Check, or the Ledger marks and posts of Send: " +
				"the channel may refuse the answer or drop those fields, never copy them"},
		{name: "ForeignAnswerIsPermanent", check: checkForeign, needs: needsFailure(FailForeign),
			rule: "an answer of another server (a captive portal's or a proxy's page, quoting the request) " +
				"is a permanent failure of Send, Edit, Retract and Check, not marked broadcast.Uncertain, that names " +
				"the configuration to check, reaches no target, and quotes no secret"},
		{name: "RefusedSuccessIsUncertain", check: checkRefusedSuccess, needs: needsFailure(FailEchoDelivered),
			rule: "a Send whose post the back end kept but whose success answer the channel refuses (an echo) " +
				"fails with an error that does not say nothing was posted: marked Permanent or RetryAfter, " +
				"it is marked broadcast.Uncertain too, so that a later attempt looks for the post before posting again"},
		untrustedRule(),
		untrustedTLSRule(),
	}
}

func needsCredentialField(s subject) string {
	if s.h.CredentialField == "" {
		return "Harness.CredentialField is empty"
	}
	return ""
}

// CredentialRefused is what the error of a credential the platform
// refused says, followed by the field that holds it and ")":
// "(refused the credential: check Config.Token)". Every channel of this
// module words it so.
const CredentialRefused = httpx.RefusedCredential

// A credentials failure names the field to fix.
func checkCredentialField(s *suite) {
	err := s.sendFailing(FailUnauthorized, message(update(1)))
	if !assert.Errorf(s.t, err, "Send returned no error although the back end failed with %s", FailUnauthorized) {
		return
	}
	assert.Containsf(s.t, err.Error(), CredentialRefused+s.h.CredentialField+")",
		"Send, %s: the error names the field that holds the refused credential", FailUnauthorized)
	assert.LessOrEqualf(s.t, strings.Count(err.Error(), CredentialRefused), max(1, len(s.h.Targets)),
		"Send, %s: the error says it once for each target (a refusal marked again, wrapped in other text, says it twice): %v",
		FailUnauthorized, err)
	for _, name := range notConfigFields(s.h.Config, s.h.CredentialField) {
		s.t.Errorf("Harness.CredentialField names Config.%s: no field of %T", name, s.h.Config)
	}
}

// configField is a field of a Config as an error names it.
var configField = regexp.MustCompile(`Config\.([A-Za-z0-9_]+)`)

// notConfigFields returns the names of the fields that fields
// ("Config.Token", "Config.Identifier and Config.AppPassword") names and
// cfg, a Config struct or a pointer to one, does not have. A nil cfg, or
// one that is no struct, has every field.
func notConfigFields(cfg any, fields string) []string {
	t := reflect.TypeOf(cfg)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var missing []string
	for _, m := range configField.FindAllStringSubmatch(fields, -1) {
		if f, ok := t.FieldByName(m[1]); !ok || !f.IsExported() {
			missing = append(missing, m[1])
		}
	}
	return missing
}

func needsSecrets(s subject) string {
	for _, secret := range s.h.Secrets {
		if secret != "" {
			return ""
		}
	}
	return "Harness.Secrets has no non-empty string"
}

// classified returns the failures of fs that have a class to check, the
// transient ones first.
func classified(fs []Failure) []Failure {
	var out []Failure
	for _, f := range []Failure{FailTransient, FailRateLimited, FailUnauthorized, FailRejected} {
		if slices.Contains(fs, f) {
			out = append(out, f)
		}
	}
	return out
}

// checkFailure returns the rule that a Send failing with f is marked as f's
// class says.
func checkFailure(f Failure) func(*suite) {
	return func(s *suite) {
		s.checkClass("Send", f, s.sendFailing(f, message(update(1))))
	}
}

// checkClass checks that err, the error of what under failure f, is marked
// as the Broadcaster's retries need.
func (s *suite) checkClass(what string, f Failure, err error) {
	s.t.Helper()
	if !assert.Errorf(s.t, err, "%s returned no error although the back end failed with %s", what, f) {
		return
	}
	if !strings.HasPrefix(what, "Edit") {
		assert.Falsef(s.t, errors.Is(err, broadcast.ErrNotEditable),
			"%s, %s: the error %q wraps broadcast.ErrNotEditable, which only Edit's may", what, f, err)
	}
	if strings.HasPrefix(what, "Send") {
		assert.Falsef(s.t, errors.Is(err, broadcast.ErrPostGone),
			"%s, %s: the error %q wraps broadcast.ErrPostGone, which only Edit's and Retract's may", what, f, err)
	}
	switch f {
	case FailTransient:
		assert.Falsef(s.t, broadcast.IsPermanent(err), "%s, %s: IsPermanent(%q)", what, f, err)
	case FailRateLimited:
		d, ok := broadcast.RetryDelay(err)
		if assert.Truef(s.t, ok, "%s, %s: broadcast.RetryDelay(%q) found no RetryAfter mark", what, f, err) {
			assert.Positivef(s.t, d, "%s, %s: the RetryAfter delay of %q", what, f, err)
		}
		assert.Falsef(s.t, broadcast.IsPermanent(err), "%s, %s: IsPermanent(%q)", what, f, err)
	default:
		assert.Truef(s.t, broadcast.IsPermanent(err), "%s, %s: IsPermanent(%q)", what, f, err)
	}
}

// outputs collects what the channel shows the world, for the secret rules.
type outputs struct{ shown []shown }

// shown is a text the suite looks for secrets in, and where it came from.
type shown struct{ what, text string }

// add records v as every verb prints it, as slog's text and JSON handlers
// log it, and as json.Marshal and yaml.Marshal encode it; and, for an
// error, each error it wraps likewise.
func (o *outputs) add(what string, v any) {
	if v == nil {
		return
	}
	o.addOne(what, v)
	if err, ok := v.(error); ok {
		for i, inner := range wrapped(err) {
			o.addOne(fmt.Sprintf("%s, unwrapped (%d: %T)", what, i+1, inner), inner)
		}
	}
}

// addOne records v as add does, without the errors it wraps.
func (o *outputs) addOne(what string, v any) {
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		o.shown = append(o.shown, shown{what + " printed with " + verb, fmt.Sprintf(verb, v)})
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("channeltest", "value", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("channeltest", "value", v)
	o.shown = append(o.shown, shown{what + " logged with slog.TextHandler", text.String()},
		shown{what + " logged with slog.JSONHandler", js.String()})
	if b, err := json.Marshal(v); err == nil {
		o.shown = append(o.shown, shown{what + " marshalled with json.Marshal", string(b)})
	}
	if b, err := marshalYAML(v); err == nil {
		o.shown = append(o.shown, shown{what + " marshalled with yaml.Marshal", string(b)})
	}
}

// marshalYAML encodes v as a configuration file would hold it; a value
// YAML cannot encode (a func, a channel) is an error, not a panic.
func marshalYAML(v any) (b []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return yaml.Marshal(v)
}

// wrapped returns the errors err wraps, at every depth, as errors.As
// reaches them (a caller's errors.As(err, &urlErr) then prints
// urlErr.URL).
func wrapped(err error) []error {
	var out []error
	var walk func(err error)
	walk = func(err error) {
		var inner []error
		switch e := err.(type) {
		case interface{ Unwrap() error }:
			inner = []error{e.Unwrap()}
		case interface{ Unwrap() []error }:
			inner = e.Unwrap()
		}
		for _, e := range inner {
			if e != nil && len(out) < 64 {
				out = append(out, e)
				walk(e)
			}
		}
	}
	walk(err)
	return out
}

// ledger records what the channel wrote in l: the targets it marked, the
// errors it marked them failed with, and the posts it recorded, which the
// Broadcaster keeps in its Store and shows in its Report.
func (o *outputs) ledger(what string, l *Ledger) {
	l.mu.Lock()
	marks, posts := maps.Clone(l.marks), maps.Clone(l.posts)
	l.mu.Unlock()
	for _, target := range slices.Sorted(maps.Keys(marks)) {
		o.shown = append(o.shown, shown{what + ": a target marked", target})
		if err := marks[target]; err != nil {
			o.add(what+": the error target "+strconv.Quote(target)+" was marked failed with", err)
		}
	}
	for _, target := range slices.Sorted(maps.Keys(posts)) {
		o.add(what+": the post recorded for target "+strconv.Quote(target), posts[target])
	}
}

// check reports every secret found in the outputs.
func (o *outputs) check(s *suite) {
	s.t.Helper()
	for _, sh := range o.shown {
		for i, secret := range s.h.Secrets {
			if f, ok := findSecret(sh.text, secret); ok {
				s.t.Errorf("%s contains Harness.Secrets[%d] (%s): %s", sh.what, i, f.encoding, f.excerpt(sh.text))
			}
		}
	}
}

// failed records the errors of every call the channel makes while the back
// end fails with f, one per operation.
func (o *outputs) failed(s *suite, f Failure) {
	s.t.Helper()
	m := message(update(81))
	ledger := NewLedger()
	m.Ledger = ledger
	for _, c := range s.failing(f, m) {
		o.add("the error of "+c.what+", "+f.String(), c.err)
	}
	o.ledger("the Ledger of a Send, "+f.String(), ledger)
}

// failedCall is the error of one operation of the channel.
type failedCall struct {
	what string
	err  error
}

// failing makes every call the channel has while the back end fails with
// f: Send of m, then Edit and Retract of a post delivered before (update
// 80), and Check. It returns their errors in that order.
func (s *suite) failing(f Failure, m broadcast.Message) []failedCall {
	s.t.Helper()
	var prev broadcast.Receipt // a post to edit and retract
	_, editor := broadcast.As[broadcast.Editor](s.ch)
	_, retractor := broadcast.As[broadcast.Retractor](s.ch)
	if editor || retractor {
		prev = s.deliver(message(update(80)))
	}
	s.be.Fail(f)
	defer s.be.Fail(FailNone)
	_, err := s.send(m)
	calls := []failedCall{{"Send", err}}
	if ed, ok := broadcast.As[broadcast.Editor](s.ch); ok {
		_, err := s.do(context.Background(), "Edit", sendLimit, func(ctx context.Context) (broadcast.Receipt, error) {
			return ed.Edit(ctx, correction(message(update(80)), 80), prev)
		})
		calls = append(calls, failedCall{"Edit", err})
	}
	if rt, ok := broadcast.As[broadcast.Retractor](s.ch); ok {
		_, err := s.do(context.Background(), "Retract", sendLimit, func(ctx context.Context) (broadcast.Receipt, error) {
			return broadcast.Receipt{}, rt.Retract(ctx, prev)
		})
		calls = append(calls, failedCall{"Retract", err})
	}
	if c, ok := broadcast.As[broadcast.Checker](s.ch); ok {
		_, err := s.do(context.Background(), "Check", sendLimit, func(ctx context.Context) (broadcast.Receipt, error) {
			return broadcast.Receipt{}, c.Check(ctx)
		})
		calls = append(calls, failedCall{"Check", err})
	}
	return calls
}

// No secret in anything the channel shows: name, errors, the receipts of
// Send and Edit, preview, the channel and its Config.
func checkNoSecret(s *suite) {
	var o outputs
	o.shown = append(o.shown, shown{"Name()", s.ch.Name()})
	for _, f := range classified(s.h.Failures) {
		o.failed(s, f)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.sendCtx(ctx, message(update(90)), cancelLimit)
	o.add("the error of a cancelled Send", err)
	m := message(update(91))
	ledger := NewLedger()
	m.Ledger = ledger
	o.add("the Receipt", s.deliver(m))
	o.ledger("the Ledger of a Send", ledger)
	if ed := s.editor(); ed != nil {
		m := message(update(93))
		prev := s.deliver(m)
		r, err := s.edit(context.Background(), correction(m, 93), prev)
		o.add("the Receipt of Edit", r)
		o.add("the error of Edit", err)
	}
	if p, ok := broadcast.As[broadcast.Previewer](s.ch); ok {
		pv, err := p.Preview(message(update(92)).Update)
		o.add("the Preview", pv)
		o.add("the error of Preview", err)
	}
	for i, d := range s.be.Received() {
		o.shown = append(o.shown, shown{fmt.Sprintf("what the audience sees of post %d (Received()[%d].Text)", i+1, i), d.Text})
	}
	o.add("the channel", s.ch)
	if s.h.Config != nil {
		o.add("Harness.Config", s.h.Config)
	} else {
		s.t.Log("Harness.Config is nil: the configuration is not printed")
	}
	o.check(s)
}

// No secret in errors made of a back end's echo of the credentials.
func checkEcho(s *suite) {
	var o outputs
	m := message(update(1))
	ledger := NewLedger()
	m.Ledger = ledger
	s.sendFailing(FailEcho, m)
	o.ledger("the Ledger of a Send, echo", ledger)
	o.failed(s, FailEcho)
	o.check(s)
}

// Another server's answer fails every call for good, names the field to
// check, delivers, edits and deletes nothing, and shows no secret.
func checkForeign(s *suite) {
	field := cmp.Or(s.h.ServerField, "Config.")
	m := message(update(1))
	ledger := NewLedger()
	m.Ledger = ledger
	calls := s.failing(FailForeign, m)
	var o outputs
	o.ledger("the Ledger of a Send, foreign", ledger)
	for _, c := range calls {
		o.add("the error of "+c.what+", foreign", c.err)
		if errors.Is(c.err, broadcast.ErrNotSupported) {
			continue // the channel does not make this call: it asked no server
		}
		if !assert.Errorf(s.t, c.err, "%s returned no error although another server answered: "+
			"its page is no delivery, edit, deletion or check of the platform", c.what) {
			continue
		}
		assert.Truef(s.t, broadcast.IsPermanent(c.err), "%s: IsPermanent(%q): a retry reaches the same server", c.what, c.err)
		assert.Falsef(s.t, broadcast.IsUncertain(c.err), "%s: IsUncertain(%q): another server's page shows that "+
			"nothing reached the platform", c.what, c.err)
		for _, f := range targetFailures(c.err) {
			assert.Falsef(s.t, broadcast.IsUncertain(f.Err), "%s: target %s: IsUncertain(%q): another server's "+
				"page shows that nothing reached the platform", c.what, f.Target, f.Err)
		}
		assert.Containsf(s.t, c.err.Error(), field, "%s: the error names the configuration to check", c.what)
	}
	o.check(s)
	assert.Emptyf(s.t, ledger.Delivered(), "Send: targets marked delivered in the Ledger by another server's answer")
	for _, target := range s.h.Targets {
		_, ok := ledger.Post(target)
		assert.Falsef(s.t, ok, "Send: Ledger.Post(%q): a post recorded from another server's answer", target)
	}
	_, editor := broadcast.As[broadcast.Editor](s.ch)
	_, retractor := broadcast.As[broadcast.Retractor](s.ch)
	if !editor && !retractor {
		s.received(0)
		return
	}
	for _, d := range s.received(1) { // update 80, delivered to edit and retract
		assert.Falsef(s.t, d.Deleted, "the post %q deleted while another server answered", d.ID)
		assert.Containsf(s.t, d.Text, update(80).Body, "the post %q changed while another server answered", d.ID)
	}
}

// No secret in what the channel makes of a success answer that quotes the
// credentials: its receipts, errors and Ledger, whether it takes the answer
// or refuses it.
func checkEchoDelivered(s *suite) {
	var o outputs
	var prev broadcast.Receipt // a post to edit and retract
	ed, rt := s.editor(), s.retractor()
	if ed != nil || rt != nil {
		prev = s.deliver(message(update(80)))
	}
	s.be.Fail(FailEchoDelivered)
	defer s.be.Fail(FailNone)
	m := message(update(81))
	ledger := NewLedger()
	m.Ledger = ledger
	r, err := s.send(m)
	o.add("the Receipt of Send, echo-delivered", r)
	o.add("the error of Send, echo-delivered", err)
	o.ledger("the Ledger of a Send, echo-delivered", ledger)
	if ed != nil {
		r, err := s.edit(context.Background(), correction(message(update(80)), 80), prev)
		o.add("the Receipt of Edit, echo-delivered", r)
		o.add("the error of Edit, echo-delivered", err)
	}
	if rt != nil {
		o.add("the error of Retract, echo-delivered", s.retract(context.Background(), prev))
	}
	if c, ok := broadcast.As[broadcast.Checker](s.ch); ok {
		_, err := s.do(context.Background(), "Check", sendLimit, func(ctx context.Context) (broadcast.Receipt, error) {
			return broadcast.Receipt{}, c.Check(ctx)
		})
		o.add("the error of Check, echo-delivered", err)
	}
	o.check(s)
}

// A refused success answer whose post the back end kept is not an error
// that says nothing was posted (see broadcast.Channel): a later Send of
// the update, taking the attempt as answered, would post it again.
func checkRefusedSuccess(s *suite) {
	s.deliver(message(update(81))) // what a channel reads once (a session, limits) is read
	s.be.Fail(FailEchoDelivered)
	defer s.be.Fail(FailNone)
	_, err := s.send(message(update(82)))
	kept := len(s.be.Received()) - s.perSend()
	s.be.Fail(FailNone)
	if err == nil || kept <= 0 {
		s.t.Logf("Send took the answer (%v) or the back end kept no post (%d): nothing to check", err, kept)
		return
	}
	postedUnmarked(s, "Send's error", err)
}

// postedUnmarked is refusedUnmarked for what, err, the error of a Send
// whose post the back end kept: a fan-out's error is judged target by
// target, as the Broadcaster reads each failed or pending target's marks
// (a failed target by its own Uncertain mark), not by the Permanent mark
// of the whole.
func postedUnmarked(s *suite, what string, err error) {
	if targets := targetFailures(err); targets != nil {
		for _, f := range targets {
			refusedUnmarked(s, what+": target "+f.Target+"'s error", f.Err)
		}
		return
	}
	refusedUnmarked(s, what, err)
}

// targetFailures is the failed and pending targets of err, a fan-out's
// *broadcast.TargetsError, whose marks the Broadcaster reads one by one;
// nil for another error.
func targetFailures(err error) []broadcast.TargetFailure {
	if te := new(broadcast.TargetsError); errors.As(err, &te) {
		return slices.Concat(te.Failures, te.Pending)
	}
	return nil
}

// refusedUnmarked fails s when err, what says is an answer to a post the
// back end kept, is marked Permanent or RetryAfter and not Uncertain.
func refusedUnmarked(s *suite, what string, err error) {
	if _, wait := broadcast.RetryDelay(err); wait || broadcast.IsPermanent(err) {
		assert.Truef(s.t, broadcast.IsUncertain(err), "%s, marked as the platform's answer that nothing "+
			"was posted although the back end kept the post: IsUncertain(%q)", what, err)
	}
}
