package httpx

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestClassifyStatus(t *testing.T) {
	const (
		ok        = "ok"
		transient = "transient"
		permanent = "permanent"
	)
	tests := []struct {
		status int
		want   string
	}{
		{200, ok}, {201, ok}, {202, ok}, {204, ok}, {299, ok},
		{100, permanent}, {199, permanent},
		{300, permanent}, {301, permanent}, {302, permanent}, {304, permanent}, {307, permanent}, {308, permanent},
		{400, permanent}, {401, permanent}, {403, permanent}, {404, permanent}, {405, permanent},
		{409, permanent}, {410, permanent}, {413, permanent}, {422, permanent}, {451, permanent},
		{408, transient}, {421, permanent}, {425, transient}, {429, transient},
		{500, transient}, {501, permanent}, {502, transient}, {503, transient}, {504, transient},
		{505, transient}, {507, transient}, {599, transient}, {600, permanent},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status)+"_"+strconv.Itoa(tt.status), func(t *testing.T) {
			err := classifyAt(&Response{Status: tt.status, Header: http.Header{}, Body: []byte("oops")}, now)
			if tt.want == ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var se *StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.status, se.Status)
			assert.Equal(t, "oops", se.Snippet)
			assert.Contains(t, err.Error(), "http status "+strconv.Itoa(tt.status))
			assert.Equal(t, tt.want == permanent, broadcast.IsPermanent(err))
			d, hinted := broadcast.RetryDelay(err)
			if tt.status == http.StatusTooManyRequests {
				assert.Equal(t, RateLimitWait, d, "a rate limit naming no wait waits RateLimitWait")
			} else {
				assert.False(t, hinted, "no Retry-After header, no hint")
			}
		})
	}
}

func TestClassifyRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header string
		want   time.Duration
		hinted bool
	}{
		{"seconds", 429, "120", 2 * time.Minute, true},
		{"zero seconds", 503, "0", 0, true},
		{"seconds with spaces", 429, " 7 ", 7 * time.Second, true},
		{"http date", 503, now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"rfc850 date", 503, now.Add(time.Hour).Format("Monday, 02-Jan-06 15:04:05 GMT"), time.Hour, true},
		{"date in the past", 429, now.Add(-time.Hour).Format(http.TimeFormat), RateLimitWait, true},
		{"date in the past, not a rate limit", 503, now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"huge seconds capped", 429, "99999999999999999999999", MaxRetryAfter, true},
		{"two days capped", 429, "172800", MaxRetryAfter, true},
		{"far date capped", 429, now.AddDate(1, 0, 0).Format(http.TimeFormat), MaxRetryAfter, true},
		{"negative", 429, "-5", RateLimitWait, true},
		{"plus sign", 429, "+5", RateLimitWait, true},
		{"fraction", 429, "1.5", RateLimitWait, true},
		{"garbage", 503, "soon", 0, false},
		{"empty", 429, "", RateLimitWait, true},
		{"ignored on permanent status", 400, "10", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("Retry-After", tt.header)
			}
			err := classifyAt(&Response{Status: tt.status, Header: h}, now)
			require.Error(t, err)
			d, hinted := broadcast.RetryDelay(err)
			assert.Equal(t, tt.hinted, hinted)
			assert.Equal(t, tt.want, d)
		})
	}
}

// A date in Retry-After is by the server's clock: it is measured from the
// answer's Date, so that a machine whose clock is off waits as long as the
// server asks.
func TestRetryAfterDateMeasuredFromTheServersDate(t *testing.T) {
	server := now.Add(-10 * time.Minute) // this machine's clock is 10 minutes fast
	h := http.Header{"Retry-After": {server.Add(90 * time.Second).Format(http.TimeFormat)}, "Date": {server.Format(http.TimeFormat)}}
	d, ok := RetryAfter(h, now)
	assert.True(t, ok)
	assert.Equal(t, 90*time.Second, d, "clock fast")
	server = now.Add(time.Hour) // this machine's clock is an hour slow
	h = http.Header{"Retry-After": {server.Add(90 * time.Second).Format(http.TimeFormat)}, "Date": {server.Format(http.TimeFormat)}}
	d, _ = RetryAfter(h, now)
	assert.Equal(t, 90*time.Second, d, "clock slow")
	h.Set("Date", "yesterday")
	d, _ = RetryAfter(h, now)
	assert.Equal(t, time.Hour+90*time.Second, d, "a Date that does not parse: this machine's clock")
	assert.Equal(t, now, ServerNow(http.Header{}, now), "no Date")

	date := func(t time.Time) string { return t.Format(http.TimeFormat) }
	assert.Equal(t, now.Add(-3*time.Minute), ServerNow(http.Header{"Date": {date(now.Add(-5 * time.Minute))}, "Age": {"120"}}, now),
		"a response a cache kept 2 minutes: its Date plus its Age")
	assert.Equal(t, now, ServerNow(http.Header{"Date": {date(time.Unix(0, 0))}}, now), "a Date far off: this machine's clock")
	assert.Equal(t, now, ServerNow(http.Header{"Date": {date(now.Add(2 * time.Hour))}}, now), "a Date far ahead: this machine's clock")
}

func TestClassifyUsesTheClock(t *testing.T) {
	h := http.Header{"Retry-After": {time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}}
	d, ok := broadcast.RetryDelay(Classify(&Response{Status: 503, Header: h}))
	require.True(t, ok)
	assert.InDelta(t, float64(time.Hour), float64(d), float64(5*time.Second))
}

func TestStatusErrorText(t *testing.T) {
	assert.Equal(t, "http status 404 Not Found", (&StatusError{Status: 404}).Error())
	assert.Equal(t, `http status 599: {"error":"x"}`, (&StatusError{Status: 599, Snippet: `{"error":"x"}`}).Error())
	var se *StatusError
	err := Classify(&Response{Status: 410, Header: http.Header{}, Body: []byte("gone")})
	require.True(t, errors.As(err, &se))
	assert.Equal(t, 410, se.Status)
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("é", 400) // 800 bytes
	tests := []struct {
		name, body, want string
	}{
		{"plain", "service unavailable", "service unavailable"},
		{"empty", "", ""},
		{"control characters", "a\r\nb\x00c\x1b[31md\te", "a b c [31md e"},
		{"white space runs", "  a \n\n  b  ", "a b"},
		{"invalid utf-8", "a\xff\xfeb", "a\uFFFD\uFFFDb"},
		{"bidi override", "a\u202eb", "a b"},
		// Removed, a zero-width space would join what redaction saw as
		// two words: a secret the server split with one would show.
		{"zero-width space", "tok\u200ben", "tok en"},
		{"at the ends", "\u200ba\u200b", "a"},
		{"line separator", "a\u2028b", "a b"},
		{"exactly the limit", strings.Repeat("x", SnippetLimit), strings.Repeat("x", SnippetLimit)},
		{"limit then spaces", strings.Repeat("x", SnippetLimit) + "   ", strings.Repeat("x", SnippetLimit)},
		{"one over", strings.Repeat("x", SnippetLimit+1), strings.Repeat("x", SnippetLimit-3) + "…"},
		{"multibyte cut", long, strings.Repeat("é", (SnippetLimit-3)/2) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Snippet([]byte(tt.body))
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, len(got), SnippetLimit)
			assert.True(t, utf8.ValidString(got))
		})
	}
}

// A secret an answer splits with an invisible character, which the
// Redactor does not find, is not joined again in the snippet shown.
func TestBodySnippetJoinsNoSecret(t *testing.T) {
	rd := redact.NewRedactor(redact.NewSecret("s3cr3t-t0ken"))
	for _, body := range []string{"bad token s3cr3t\u200b-t0ken", "bad token s3cr3t-\u2060t0ken", "s3cr3t\u202e-t0ken"} {
		for _, truncated := range []bool{false, true} {
			got := BodySnippet(rd, &Response{Status: 401, Body: []byte(body), Truncated: truncated})
			assert.NotContains(t, got, "s3cr3t-t0ken", body)
		}
	}
}

// A rate limit whose wait is already over when it arrives (Retry-After: 0,
// or a date in the past) names no wait, as a platform's reset already past
// does: a retry within the Broadcaster's first backoff steps would run into
// the limit again. RFC 9110 section 10.2.3 lets Retry-After be 0 or any
// date; a 429 (RFC 6585 section 4) that says "now" is most often a proxy
// rounding down a window that has not reset yet. Azure's azcore retry policy
// likewise treats a Retry-After that is not positive as no hint
// (sdk/azcore/runtime/policy_retry.go: "if delay <= 0 { delay =
// calcDelay(...) }"), where go-retryablehttp's DefaultBackoff would retry at
// once. Other statuses keep the hint as given: the backoff still applies.
func TestRateLimitWithoutAWaitLeft(t *testing.T) {
	past := now.Add(-time.Minute).Format(http.TimeFormat)
	for _, v := range []string{"0", past, now.Format(http.TimeFormat)} {
		err := classifyAt(&Response{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {v}}}, now)
		d, ok := broadcast.RetryDelay(err)
		assert.True(t, ok, v)
		assert.Equal(t, RateLimitWait, d, "Retry-After %q on a 429", v)
	}
	for _, d := range []time.Duration{0, -time.Second} {
		got, _ := broadcast.RetryDelay(RateLimited(errors.New("slow down"), d, true))
		assert.Equal(t, RateLimitWait, got, "a channel's own wait of %v", d)
	}
	got, _ := broadcast.RetryDelay(RateLimited(errors.New("slow down"), time.Second, true))
	assert.Equal(t, time.Second, got, "a wait left is the platform's")
	err := classifyAt(&Response{Status: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {"0"}}}, now)
	got, ok := broadcast.RetryDelay(err)
	assert.True(t, ok)
	assert.Zero(t, got, "a 503 that may be retried now: the backoff decides")
}

// A platform that refuses for its rate with another status than 429 names
// it, and the status then waits as a 429 does: Statuspage answers 420 or
// 429 to a key over its rate (Atlassian Statuspage REST API reference, Rate
// limiting: https://developer.statuspage.io/#section/Rate-Limiting).
// Unnamed, 420 stays permanent, as every 4xx but 408, 425 and 429.
func TestClassifyExtraRateLimitStatus(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   time.Duration
	}{{"", RateLimitWait}, {"7", 7 * time.Second}, {"0", RateLimitWait}} {
		h := http.Header{}
		if tt.header != "" {
			h.Set("Retry-After", tt.header)
		}
		err := Classify(&Response{Status: 420, Header: h}, 420)
		require.Error(t, err)
		assert.False(t, broadcast.IsPermanent(err), tt.header)
		d, ok := broadcast.RetryDelay(err)
		assert.True(t, ok, tt.header)
		assert.Equal(t, tt.want, d, tt.header)
		var se *StatusError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 420, se.Status)

		assert.True(t, broadcast.IsPermanent(Classify(&Response{Status: 420, Header: h})), "420 unnamed")
		assert.True(t, broadcast.IsPermanent(Classify(&Response{Status: 404, Header: h}, 420)), "another status")
	}
	assert.NoError(t, Classify(&Response{Status: 200, Header: http.Header{}}, 420))
}

// Mark decides as Classify does, from flags a channel reads in its
// platform's own error codes.
func TestMark(t *testing.T) {
	err := errors.New("refused")
	h := http.Header{"Retry-After": {"7"}}
	assert.True(t, broadcast.IsPermanent(Mark(err, false, false, h, now)))
	d, ok := broadcast.RetryDelay(Mark(err, true, false, nil, now))
	assert.True(t, ok)
	assert.Equal(t, RateLimitWait, d, "a rate limit without a wait")
	d, ok = broadcast.RetryDelay(Mark(err, false, true, h, now))
	assert.True(t, ok)
	assert.Equal(t, 7*time.Second, d)
	got := Mark(err, false, true, nil, now)
	assert.Same(t, err, got, "transient, no wait named")
}

// MarkWait decides as Mark does, with a wait the channel read in its
// platform's answer.
func TestMarkWait(t *testing.T) {
	err := errors.New("refused")
	assert.True(t, broadcast.IsPermanent(MarkWait(err, false, false, 7*time.Second, true)), "permanent, whatever the wait")
	for _, tt := range []struct {
		name                   string
		rateLimited, transient bool
		wait                   time.Duration
		known                  bool
		want                   time.Duration
		hinted                 bool
	}{
		{"rate limit with a wait", true, false, 7 * time.Second, true, 7 * time.Second, true},
		{"rate limit, transient too", true, true, 7 * time.Second, true, 7 * time.Second, true},
		{"rate limit without a wait", true, false, 0, false, RateLimitWait, true},
		{"rate limit with a wait already over", true, true, 0, true, RateLimitWait, true},
		{"transient with a wait", false, true, 7 * time.Second, true, 7 * time.Second, true},
		{"transient with a wait already over", false, true, 0, true, 0, true},
		{"transient without a wait", false, true, 0, false, 0, false},
	} {
		got := MarkWait(err, tt.rateLimited, tt.transient, tt.wait, tt.known)
		assert.False(t, broadcast.IsPermanent(got), tt.name)
		d, ok := broadcast.RetryDelay(got)
		assert.Equal(t, tt.hinted, ok, tt.name)
		assert.Equal(t, tt.want, d, tt.name)
		assert.ErrorIs(t, got, err, tt.name)
		// Only a rate limit says nothing was posted: a server error's
		// wait is no answer to what became of the request.
		assert.Equal(t, !tt.rateLimited && tt.hinted, broadcast.IsUncertain(got), tt.name)
	}
}

// Seconds reads a platform's wait in seconds, capped as Retry-After is.
func TestSeconds(t *testing.T) {
	for _, tt := range []struct {
		s    float64
		want time.Duration
		ok   bool
	}{
		{0, 0, true}, {1.25, 1250 * time.Millisecond, true}, {64.57, 64570 * time.Millisecond, true},
		{0.0004, 0, true}, {86400, MaxRetryAfter, true}, {1e12, MaxRetryAfter, true}, {math.Inf(1), MaxRetryAfter, true},
		{-1, 0, false}, {math.NaN(), 0, false}, {math.Inf(-1), 0, false},
	} {
		d, ok := Seconds(tt.s)
		assert.Equal(t, tt.ok, ok, "%v", tt.s)
		assert.Equal(t, tt.want, d, "%v", tt.s)
	}
}

// Foreign tells another server's answer from the platform's, whose every
// refusal carries its own error.
func TestForeign(t *testing.T) {
	for _, tt := range []struct {
		status   int
		location string
		own      bool
		why      string
		foreign  bool
	}{
		{301, "https://www.example.org/…", false, "redirect to https://www.example.org/… not followed", true},
		{302, "", false, "redirect not followed", true},
		{307, "https://www.example.org/…", true, "redirect to https://www.example.org/… not followed", true},
		{404, "", false, "", true}, {405, "", false, "", true}, {401, "", false, "", true},
		{404, "", true, "", false}, {401, "", true, "", false},
		// A CDN's or a proxy's 403 (Cloudflare's "Attention Required",
		// Akamai's "Access Denied") refuses no token of the platform's:
		// only a 403 with the platform's own error does.
		{403, "", false, "", true}, {403, "", true, "", false},
		{400, "", false, "", false}, {502, "", false, "", false}, {429, "", false, "", false},
	} {
		why, foreign := Foreign(&Response{Status: tt.status, Location: tt.location}, tt.own)
		assert.Equal(t, tt.why, why, "%d own %v", tt.status, tt.own)
		assert.Equal(t, tt.foreign, foreign, "%d own %v", tt.status, tt.own)
	}
}

// A 2xx of an API whose answers are JSON objects is another server's page
// when it is not JSON; one cut off, when it does not start as an object.
func TestNotJSON(t *testing.T) {
	for _, tt := range []struct {
		name string
		r    Response
		want bool
	}{
		{"an object", Response{Status: 200, Body: []byte(` {"id":"1"} `)}, false},
		{"a portal's page", Response{Status: 200, Body: []byte("<html>Sign in to the Wi-Fi</html>")}, true},
		{"a portal's page, cut off", Response{Status: 200, Body: []byte("<html>Sign in"), Truncated: true}, true},
		{"an object, cut off", Response{Status: 200, Body: []byte(`{"id":"1","conte`), Truncated: true}, false},
		{"empty", Response{Status: 204}, false},
		{"not a 2xx", Response{Status: 502, Body: []byte("<html>Bad gateway</html>")}, false},
	} {
		assert.Equal(t, tt.want, NotJSON(&tt.r), tt.name)
	}
}
