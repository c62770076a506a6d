package statuspageio

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// The API's answers are classified for the Broadcaster's retries, with the
// API's message in the error.
func TestErrorClassification(t *testing.T) {
	for _, tt := range []struct {
		status    int
		header    map[string]string
		body      string
		permanent bool
		wait      time.Duration // RetryAfter, 0: none
		want      string
	}{
		{401, nil, `{"error":"Could not authenticate"}`, true, 0,
			"http status 401 Unauthorized: Could not authenticate (refused the credential: check Config.APIKey)"},
		{403, nil, `{"error":"You are not authorized to access this resource."}`, true, 0,
			"http status 403 Forbidden: You are not authorized to access this resource."},
		{404, nil, `{"error":"The requested resource could not be found."}`, true, 0,
			"http status 404 Not Found: The requested resource could not be found."},
		{422, nil, `{"error":["Name can't be blank","Status is not included in the list"]}`, true, 0,
			"http status 422 Unprocessable Entity: Name can't be blank; Status is not included in the list"},
		{400, nil, `{"message":"Bad request"}`, true, 0, "http status 400 Bad Request: Bad request"},
		{420, nil, `{"error":"Rate limit exceeded"}`, false, httpx.RateLimitWait, "http status 420 (rate limited): Rate limit exceeded"},
		{420, map[string]string{"Retry-After": "7"}, ``, false, 7 * time.Second, "http status 420 (rate limited)"},
		{429, map[string]string{"Retry-After": "30"}, `{"error":"Too many requests"}`, false, 30 * time.Second,
			"http status 429 Too Many Requests: Too many requests"},
		{500, nil, `{"error":"Internal Server Error"}`, false, 0, "http status 500 Internal Server Error: Internal Server Error"},
		{502, nil, "<html>\n<h1>502 Bad Gateway</h1>\n</html>", false, 0, "http status 502 Bad Gateway: <html> <h1>502 Bad Gateway</h1> </html>"},
		{503, map[string]string{"Retry-After": "5"}, ``, false, 5 * time.Second, "http status 503 Service Unavailable"},
		{501, nil, ``, true, 0, "http status 501 Not Implemented"},
		{302, map[string]string{"Location": "https://example.com/"}, ``, true, 0,
			"http status 302 Found: redirect to https://example.com not followed; not the Statuspage API's answer (check Config.BaseURL)"},
	} {
		t.Run(fmt.Sprint(tt.status, tt.header), func(t *testing.T) {
			f := newFake(t)
			ch := newChannel(t, f, nil)
			f.answer(canned{status: tt.status, header: tt.header, body: tt.body})
			u := fullUpdate
			u.Components = nil
			_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
			require.Error(t, err)
			assert.Equal(t, "statuspageio: create incident: "+tt.want, err.Error())
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err))
			d, ok := broadcast.RetryDelay(err)
			assert.Equal(t, tt.wait != 0, ok)
			assert.Equal(t, tt.wait, d)
		})
	}
}

// A transport failure is transient and shows no secret.
func TestTransportError(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	f.srv.Close()
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	channeltest.AssertNoSecret(t, err.Error(), testKey)
}

// Check gets the page and posts nothing; its errors are classified and
// redacted like Send's.
func TestCheck(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	require.NoError(t, ch.Check(context.Background()))
	reqs := f.sent()
	require.Len(t, reqs, 1)
	assert.Equal(t, "GET /v1/pages/"+testPage, reqs[0].method+" "+reqs[0].path)

	f.Fail(channeltest.FailUnauthorized)
	err := ch.Check(context.Background())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Equal(t, "statuspageio: check page: http status 401 Unauthorized: Could not authenticate (refused the credential: check Config.APIKey)", err.Error())

	f.Fail(channeltest.FailEcho)
	err = ch.Check(context.Background())
	require.Error(t, err)
	channeltest.AssertNoSecret(t, fmt.Sprintf("%v %+v %#v", err, err, err), testKey)

	f.Fail(channeltest.FailNone)
	f.answer(canned{status: 200, body: `{"id":"otherpage123"}`})
	err = ch.Check(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "another page")
	assert.Empty(t, f.Received())
}

// Requests are paced by the limiter: with one request an hour, a second
// request waits, and an attempt whose context ends first fails
// transiently without sending it.
func TestRateLimiterPaces(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, func(c *Config) { c.Limiter = rate.NewLimiter(rate.Every(time.Hour), 1) })
	u := fullUpdate
	u.Components = nil
	send(t, ch, u, broadcast.Thread{})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	u.ID = "u_second"
	_, err := ch.Send(ctx, broadcast.NewMessage(u))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "wait for the rate limit")
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the deadline ends the attempt, as it would mid-request")
	assert.Len(t, f.sent(), 1, "the second request was not sent")

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	err = ch.Check(ctx)
	assert.True(t, errors.Is(err, context.Canceled))
}

// By default the channel keeps to the API's documented limit: one request
// a second, no burst.
func TestDefaultRateLimit(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, func(c *Config) { c.RateLimit = 0 })
	assert.Equal(t, rate.Limit(1), ch.s.limiter.Limit())
	assert.Equal(t, 1, ch.s.limiter.Burst())
	ch = newChannel(t, f, func(c *Config) { c.RateLimit = 5 })
	assert.Equal(t, rate.Limit(5), ch.s.limiter.Limit())
}

// A whole 2xx that is not the API's answer (a captive portal's or a
// proxy's page, JSON of another service) is another server's: the API
// answers a created or updated incident with the Incident, an edited
// incident update with the IncidentUpdate, a deleted incident with the
// Incident and the page with the Page, each with its id
// (https://developer.statuspage.io/#operation/postPagesPageIdIncidents,
// #operation/patchPagesPageIdIncidentsIncidentIdIncidentUpdatesIncidentUpdateId,
// #operation/deletePagesPageIdIncidentsIncidentId, #operation/getPagesPageId),
// so nothing shows the request reached Statuspage. It is Permanent and
// names Config.BaseURL. Before, a page was a transient "unreadable
// answer", and {} a transient unknown creation, an update, an edit or a
// deletion made, or a page checked.
func TestForeignSuccess(t *testing.T) {
	const want = "not the Statuspage API's answer (check Config.BaseURL)"
	check := func(t *testing.T, err error, body string) {
		t.Helper()
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.Contains(t, err.Error(), "http status 200 OK: "+httpx.Snippet([]byte(body)))
		assert.Contains(t, err.Error(), want)
		channeltest.AssertNoSecret(t, err.Error(), testKey)
	}
	u := fullUpdate
	u.Components = nil
	for _, body := range []string{"<html><title>Log in to the guest Wi-Fi</title></html>", `{}`} {
		t.Run(body, func(t *testing.T) {
			f := newFake(t)
			ch := newChannel(t, f, nil)
			root := send(t, ch, u, broadcast.Thread{})
			mid := send(t, ch, later(broadcast.StatusIdentified, "EU"), broadcast.Thread{Root: root, Last: root})
			portal := canned{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: body}

			f.answer(portal)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(later(broadcast.StatusInvestigating, "new")))
			check(t, err, body)
			f.answer(portal)
			m := broadcast.NewMessage(later(broadcast.StatusMonitoring, "fix"))
			m.Thread = broadcast.Thread{Root: root, Last: mid}
			_, err = ch.Send(context.Background(), m)
			check(t, err, body)
			f.answer(portal)
			_, err = ch.Edit(context.Background(), correction(u, "x"), mid)
			check(t, err, body)
			f.answer(portal)
			check(t, ch.Retract(context.Background(), root), body)
			f.answer(portal)
			check(t, ch.Check(context.Background()), body)
		})
	}
}
