package teams

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newTestChannel returns a channel posting to a fake workflow.
func newTestChannel(t *testing.T) (*Channel, *fakeWorkflow) {
	t.Helper()
	f := newFakeWorkflow(t)
	ch, err := New(Config{Name: "ops-teams", WebhookURL: redact.NewURL(f.url())})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	return ch, f
}

// testURL is a real-looking workflow URL, for configurations that are
// printed, not used.
const testURL = "https://prod-42.westeurope.logic.azure.com:443" + triggerPath + "?" + triggerQuery

func TestConformance(t *testing.T) {
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			return newTestChannel(t)
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			ch, err := New(Config{Name: "ops-teams", WebhookURL: redact.NewURL(be.(*fakeWorkflow).url())})
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			return ch
		},
		OwnClient: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			return newTestChannel(t) // its own client
		},
		Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
			ch, err := New(Config{Name: "ops-teams", WebhookURL: redact.NewURL(serverURL + triggerPath + "?" + triggerQuery)})
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			return ch
		},
		Secrets:   []string{workflowSig, workflowID, triggerPath + "?" + triggerQuery},
		Config:    Config{Name: "ops-teams", WebhookURL: redact.NewURL(testURL)},
		MaxLength: MaxPayloadBytes,
		Measure:   templates.Bytes,
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
			channeltest.FailForeign, channeltest.FailEchoDelivered},
		ServerField:     "Config.WebhookURL",
		CredentialField: "Config.WebhookURL",
	})
}

// update returns an incident update with every field set.
func update(status broadcast.Status) broadcast.Update {
	t := time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC)
	return broadcast.Update{ID: "u1", IncidentID: "cdn-errors", Title: "Elevated error rates on the CDN",
		Status: status, Impact: broadcast.ImpactMajor, Body: "We are looking into elevated error rates.",
		Advice: "Retry failed requests; no data was lost.",
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage},
			{Name: "API", Status: broadcast.ComponentDegraded}},
		URL: "https://status.example.com/incidents/42", Time: t, NextUpdate: t.Add(30 * time.Minute)}
}

func send(t *testing.T, ch *Channel, u broadcast.Update) (broadcast.Receipt, error) {
	t.Helper()
	return ch.Send(context.Background(), broadcast.NewMessage(u))
}

// The card: heading coloured by status, a block per line, a button to the
// status page.
func TestCard(t *testing.T) {
	ch, f := newTestChannel(t)
	for _, c := range []struct {
		status broadcast.Status
		style  string
	}{
		{broadcast.StatusInvestigating, "attention"}, {broadcast.StatusIdentified, "warning"},
		{broadcast.StatusMonitoring, "warning"}, {broadcast.StatusResolved, "good"},
		{broadcast.StatusScheduled, "accent"}, {broadcast.StatusCompleted, "good"},
	} {
		_, err := send(t, ch, update(c.status))
		require.NoError(t, err)
		cards, _ := f.posted()
		card := cards[len(cards)-1]
		assert.Equal(t, c.style, card.style, c.status)
		assert.Equal(t, []string{"https://status.example.com/incidents/42"}, card.actions)
	}
	cards, _ := f.posted()
	assert.Equal(t, []string{"Investigating: Elevated error rates on the CDN",
		"What you can do: Retry failed requests; no data was lost.", "Impact: Major", "We are looking into elevated error rates.",
		"Affected components:", "• CDN: Partial outage", "• API: Degraded performance", "Next update by 09:56 UTC.",
		"https://status.example.com/incidents/42"}, cards[0].lines)
}

// The advice comes right after the status line, before the impact and the
// body, also in a correction and when it has lines of its own.
func TestAdviceAfterStatus(t *testing.T) {
	ch, f := newTestChannel(t)
	u := update(broadcast.StatusIdentified)
	u.Corrects = "u0"
	u.Advice = "Retry failed requests\nor use the EU endpoint"
	_, err := send(t, ch, u)
	require.NoError(t, err)
	cards, _ := f.posted()
	require.GreaterOrEqual(t, len(cards[0].lines), 5)
	assert.Equal(t, []string{"Correction: Identified: Elevated error rates on the CDN",
		"What you can do: Retry failed requests", "or use the EU endpoint", "Impact: Major",
		"We are looking into elevated error rates."}, cards[0].lines[:5])
}

// The indentation that begins a body's lines stays, written as no-break
// spaces (a tab to the next multiple of four): each line is a block of its
// own, whose leading spaces the HTML renderers of Teams collapse.
func TestIndentationKept(t *testing.T) {
	ch, f := newTestChannel(t)
	u := update(broadcast.StatusInvestigating)
	u.Body = "Run:\n    curl -v https://api.example.com/health\n\tand retry."
	_, err := send(t, ch, u)
	require.NoError(t, err)
	cards, _ := f.posted()
	nb := "\u00a0"
	assert.Contains(t, cards[0].lines, strings.Repeat(nb, 4)+"curl -v https://api.example.com/health")
	assert.Contains(t, cards[0].lines, strings.Repeat(nb, 4)+"and retry.")
}

// User text is shown as written: text runs take no markdown and no
// mentions.
func TestHostileText(t *testing.T) {
	ch, f := newTestChannel(t)
	u := update(broadcast.StatusInvestigating)
	u.Title = `<at>General</at> [Reset your password](https://evil.example) **now** & "quotes" \ back`
	_, err := send(t, ch, u)
	require.NoError(t, err)
	cards, bodies := f.posted()
	assert.Equal(t, "Investigating: "+u.Title, cards[0].lines[0])
	assert.NotContains(t, string(bodies[0]), `"TextBlock"`, "no element that reads markdown")
}

// Teams replaces an Adaptive Cards date or time function, {{DATE(…)}} or
// {{TIME(…)}}, in a text run with the date or time it names: in user text
// it is shown as written, the invisible word joiner after its first brace
// breaking it. Before, a title or body holding one showed a date in its
// place.
func TestDateFunctionsShownAsWritten(t *testing.T) {
	ch, f := newTestChannel(t)
	u := update(broadcast.StatusScheduled)
	u.Title = "Maintenance {{DATE(2025-03-14T09:00:00Z, SHORT)}}"
	u.Body = "From {{TIME(2025-03-14T09:00:00Z)}} to {{TIME(2025-03-14T10:00:00+01:00)}}."
	_, err := send(t, ch, u)
	require.NoError(t, err)
	cards, bodies := f.posted()
	readers := func(s string) string { return strings.ReplaceAll(s, textsafe.WordJoiner, "") }
	assert.Equal(t, "Scheduled maintenance: "+u.Title, readers(cards[0].lines[0]), "the heading, as written")
	assert.Contains(t, cards[0].lines, "From {"+textsafe.WordJoiner+"{TIME(2025-03-14T09:00:00Z)}} to {"+
		textsafe.WordJoiner+"{TIME(2025-03-14T10:00:00+01:00)}}.", "the body, as written")
	assert.NotContains(t, string(bodies[0]), "{{", "no date function in the card, its fallback text included")
}

// The heading is the text's first line that shows something: an
// override's first line of invisible characters is not a heading, which
// would leave the card without one. A text that shows nothing is not
// posted: Teams' 202 would count an empty card as a post.
func TestHeadingShowsText(t *testing.T) {
	ch, f := newTestChannel(t)
	u := update(broadcast.StatusInvestigating)
	u.Overrides = map[string]string{ch.Name(): "\u200b\u2060\nCDN errors in the EU\nWe are on it."}
	_, err := send(t, ch, u)
	require.NoError(t, err)
	cards, bodies := f.posted()
	assert.Equal(t, []string{"CDN errors in the EU", "We are on it."}, cards[0].lines)
	assert.Contains(t, string(bodies[0]), `"fallbackText":"CDN errors in the EU"`)

	// A template of the body alone, and an update without one.
	f2 := newFakeWorkflow(t)
	bodyOnly, err := New(Config{WebhookURL: redact.NewURL(f2.url()), Templates: teamsTemplate(t, "{{.Body}}")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = bodyOnly.Close() })
	u = update(broadcast.StatusInvestigating)
	u.Body = ""
	_, err = send(t, bodyOnly, u)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.EqualError(t, err, `teams: render: templates: the text shows nothing: template "teams" rendered only white space for status investigating`)
	cards, _ = f2.posted()
	assert.Empty(t, cards, "nothing posted")
}

// A correction is a new card, headed as one.
func TestCorrection(t *testing.T) {
	ch, f := newTestChannel(t)
	u := update(broadcast.StatusIdentified)
	u.Corrects = "u0"
	_, err := send(t, ch, u)
	require.NoError(t, err)
	cards, _ := f.posted()
	assert.Equal(t, "Correction: Identified: Elevated error rates on the CDN", cards[0].lines[0])
	_, editor := any(ch).(broadcast.Editor)
	_, retractor := any(ch).(broadcast.Retractor)
	assert.False(t, editor || retractor, "the webhook cannot edit or delete")
}

// The longest update, of lines and of characters JSON escapes, fits the
// payload limit, as Teams counts it, with its link whole.
func TestPayloadLimit(t *testing.T) {
	ch, f := newTestChannel(t)
	for _, body := range []string{
		strings.Repeat("Errors in 東京 👩🏽‍💻 \"quoted\" \\ back. ", broadcast.MaxBodyLength/38),
		strings.Repeat("x\n", broadcast.MaxBodyLength/2),
	} {
		u := update(broadcast.StatusInvestigating)
		u.Body = body
		_, err := send(t, ch, u)
		require.NoError(t, err)
		cards, bodies := f.posted()
		last := bodies[len(bodies)-1]
		assert.LessOrEqual(t, storedSize(t, last), MaxPayloadBytes, "as Teams counts it")
		assert.Greater(t, storedSize(t, last), MaxPayloadBytes-400, "the card uses the room it has")
		lines := cards[len(cards)-1].lines
		assert.Equal(t, u.URL, lines[len(lines)-1], "the link, whole")
		assert.Contains(t, lines, "What you can do: Retry failed requests; no data was lost.", "the advice is kept")

		p, err := ch.Preview(u)
		require.NoError(t, err)
		assert.Equal(t, string(last), p.Text, "Preview shows the body Send posts")
		assert.GreaterOrEqual(t, p.Length, storedSize(t, last), "measured as Teams counts it")
		assert.Equal(t, MaxPayloadBytes, p.Limit)
		assert.Equal(t, "bytes", p.Unit)
	}
}

// The trigger's answers and how each is marked.
func TestAnswers(t *testing.T) {
	ch, f := newTestChannel(t)
	for _, c := range []struct {
		a    fakeAnswer
		want string // "", "transient", "permanent", or a wait
	}{
		{fakeAnswer{status: http.StatusAccepted}, ""},
		{fakeAnswer{status: http.StatusOK}, ""},
		{fakeAnswer{status: http.StatusBadRequest, code: "InvalidRequestContent"}, "permanent"},
		{fakeAnswer{status: http.StatusUnauthorized, code: "DirectApiAuthorizationRequired"}, "permanent"},
		{fakeAnswer{status: http.StatusForbidden, code: "AuthorizationFailed"}, "permanent"},
		{fakeAnswer{status: http.StatusNotFound, code: "WorkflowNotFound"}, "permanent"},
		{fakeAnswer{status: http.StatusTooManyRequests, code: "WorkflowTriggerIsThrottled",
			header: map[string]string{"Retry-After": "23"}}, "23s"},
		// Without Retry-After, a rate limit still waits, not the
		// Broadcaster's first second of backoff.
		{fakeAnswer{status: http.StatusTooManyRequests, code: "WorkflowTriggerIsThrottled"}, "30s"},
		{fakeAnswer{status: http.StatusInternalServerError, code: "InternalServerError"}, "transient"},
		{fakeAnswer{status: http.StatusServiceUnavailable}, "transient"},
		{fakeAnswer{status: http.StatusFound, header: map[string]string{"Location": "https://login.example/"}}, "permanent"},
	} {
		f.answerWith(&c.a)
		_, err := send(t, ch, update(broadcast.StatusInvestigating))
		got := ""
		if d, ok := broadcast.RetryDelay(err); ok {
			got = d.String()
		} else if broadcast.IsPermanent(err) {
			got = "permanent"
		} else if err != nil {
			got = "transient"
		}
		assert.Equal(t, c.want, got, "%d %s: %v", c.a.status, c.a.code, err)
		if err != nil && c.a.code != "" {
			assert.Contains(t, err.Error(), c.a.code, "the workflow's answer is quoted")
		}
	}
	f.answerWith(nil)
}

// A workflow's trigger refuses with Azure's error JSON,
// {"error":{"code":…,"message":…}} (as the fake answers; the shape of
// https://github.com/Azure/azure-resource-manager-rpc/blob/master/v1.0/common-api-details.md#error-response-content): a redirect, or a 401, 403, 404 or 405 without it, is
// another server's answer, which names Config.WebhookURL; the
// workflow's own refusals do not.
func TestForeignAnswer(t *testing.T) {
	ch, f := newTestChannel(t)
	defer f.answerWith(nil)
	for _, c := range []struct {
		a       fakeAnswer
		foreign bool
	}{
		{fakeAnswer{status: http.StatusNotFound}, true},
		{fakeAnswer{status: http.StatusUnauthorized}, true},
		{fakeAnswer{status: http.StatusMethodNotAllowed}, true},
		{fakeAnswer{status: http.StatusFound, header: map[string]string{"Location": "https://login.example/"}}, true},
		// A firewall's or a CDN's 403 in front of the trigger refuses
		// the network, not the sig=: before, it read as the workflow's.
		{fakeAnswer{status: http.StatusForbidden, header: map[string]string{"Content-Type": "text/html"},
			body: "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY>You don't have permission</BODY></HTML>"}, true},
		{fakeAnswer{status: http.StatusForbidden}, true},
		{fakeAnswer{status: http.StatusNotFound, code: "WorkflowNotFound"}, false},
		{fakeAnswer{status: http.StatusUnauthorized, code: "DirectApiInvalidAuthorizationSignature"}, false},
		{fakeAnswer{status: http.StatusForbidden, code: "AuthorizationFailed"}, false},
		{fakeAnswer{status: http.StatusBadRequest}, false},
	} {
		f.answerWith(&c.a)
		_, err := send(t, ch, update(broadcast.StatusInvestigating))
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.Equal(t, c.foreign, strings.Contains(err.Error(), "not the workflow's answer (check Config.WebhookURL)"),
			"%d %s: %v", c.a.status, c.a.code, err)
	}
}

// A whole 2xx that is an HTML page (a captive portal's or a proxy's) is
// another server's answer: a workflow without a Response action answers
// 202 Accepted at once, with no body ("If you don't include a Response
// action, your workflow immediately returns the 202 ACCEPTED status to the
// caller", https://learn.microsoft.com/azure/connectors/connectors-native-reqres),
// so nothing shows the card reached Teams. It is Permanent and names
// Config.WebhookURL. A Response action's answer is the workflow's own,
// whatever it says, and an HTML page is no answer a workflow posting cards
// would give; a 202 is the workflow's whatever its body. Before, any 2xx
// was a post.
func TestForeignSuccess(t *testing.T) {
	ch, f := newTestChannel(t)
	defer f.answerWith(nil)
	const portal = "<html><head><title>Accept the guest Wi-Fi terms</title></head></html>"
	for _, c := range []struct {
		a       fakeAnswer
		foreign bool
	}{
		{fakeAnswer{status: http.StatusOK, header: map[string]string{"Content-Type": "text/html; charset=utf-8"}, body: portal}, true},
		{fakeAnswer{status: http.StatusOK, body: portal}, true}, // sniffed
		{fakeAnswer{status: http.StatusAccepted}, false},
		{fakeAnswer{status: http.StatusAccepted, header: map[string]string{"Content-Type": "text/html"}, body: portal}, false},
		{fakeAnswer{status: http.StatusOK}, false},
		{fakeAnswer{status: http.StatusOK, header: map[string]string{"Content-Type": "application/json"}, body: `{"posted":true}`}, false},
	} {
		f.answerWith(&c.a)
		_, err := send(t, ch, update(broadcast.StatusInvestigating))
		if !c.foreign {
			assert.NoError(t, err, "%d %q", c.a.status, c.a.body)
			continue
		}
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.Contains(t, err.Error(), "teams: post: http status 200 OK: <html>")
		assert.Contains(t, err.Error(), "not the workflow's answer (check Config.WebhookURL)")
	}
}

// Teams is not a Checker: nothing checks a workflow's webhook without
// posting, so Broadcaster.Check says so instead of reporting it reachable.
func TestNotAChecker(t *testing.T) {
	ch, _ := newTestChannel(t)
	var c broadcast.Channel = ch
	_, ok := c.(broadcast.Checker)
	assert.False(t, ok)
}

// Short query values of the URL (api-version=1, sv=1.0) are not secrets:
// an error keeps its digits; the signature is still redacted.
func TestErrorKeepsShortQueryValues(t *testing.T) {
	f := newFakeWorkflow(t)
	ch, err := New(Config{WebhookURL: redact.NewURL(f.srv.URL + triggerPath +
		"?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + workflowSig)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	f.answerWith(&fakeAnswer{status: http.StatusUnauthorized, code: "DirectApiAuthorizationRequired"})
	_, err = send(t, ch, update(broadcast.StatusInvestigating))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "http status 401 Unauthorized")
	f.Fail(channeltest.FailEcho)
	_, err = send(t, ch, update(broadcast.StatusInvestigating))
	require.Error(t, err)
	channeltest.AssertNoSecret(t, err.Error(), workflowSig, workflowID)
}
