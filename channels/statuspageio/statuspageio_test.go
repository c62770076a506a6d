package statuspageio

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/golden"
	"github.com/outagecast/outagecast/redact"
)

// harness is the conformance harness: a channel on a fresh fake page.
func harness() channeltest.Harness {
	return channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			f := newFake(t)
			return newChannel(t, f, nil), f
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			return newChannel(t, be.(*fakeAPI), nil)
		},
		OwnClient: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			f := newFake(t)
			return newChannel(t, f, func(c *Config) { c.HTTPClient = nil }), f
		},
		Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
			ch, err := New(Config{Name: "ops-status", APIKey: redact.NewSecret(testKey), PageID: testPage,
				BaseURL: serverURL + "/v1"})
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			return ch
		},
		Secrets:   []string{testKey},
		Config:    Config{Name: "ops-status", APIKey: redact.NewSecret(testKey), PageID: testPage},
		MaxLength: MaxBody,
		ThreadsTo: channeltest.Root,
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
			channeltest.FailForeign,
			channeltest.FailEchoDelivered},
		ServerField:     "Config.BaseURL",
		CredentialField: "Config.APIKey",
	}
}

// The channel keeps the Channel contract; the incident is the thread.
func TestConformance(t *testing.T) { channeltest.Run(t, harness()) }

func newChannel(t *testing.T, f *fakeAPI, edit func(*Config)) *Channel {
	t.Helper()
	cfg := f.config()
	if edit != nil {
		edit(&cfg)
	}
	ch, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	return ch
}

// fullUpdate is an incident's first update with every field set.
var fullUpdate = broadcast.Update{
	ID: "u_full", IncidentID: "cdn-errors", Title: "Elevated error rates on the CDN", Status: broadcast.StatusInvestigating,
	Impact: broadcast.ImpactMajor, Body: "We are investigating elevated error rates.\n\nRequests to Europe fail.",
	Advice: "Retry failed requests; no data was lost.",
	Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage},
		{Name: "API", Status: broadcast.ComponentDegraded}},
	URL:        "https://status.example.com/incidents/42",
	Time:       time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC),
	NextUpdate: time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC),
}

// later returns fullUpdate's incident at status, as a later update.
func later(status broadcast.Status, body string) broadcast.Update {
	u := fullUpdate
	u.ID, u.Status, u.Body, u.Advice = "u_"+string(status), status, body, ""
	u.Time = u.Time.Add(30 * time.Minute)
	u.NextUpdate = time.Time{}
	return u
}

func send(t *testing.T, ch *Channel, u broadcast.Update, thread broadcast.Thread) broadcast.Receipt {
	t.Helper()
	m := broadcast.NewMessage(u)
	m.Thread = thread
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	r.Channel, r.UpdateID = ch.Name(), m.Update.ID
	return r
}

// incidentOfRequest decodes the "incident" object of a request body.
func incidentOfRequest(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var b map[string]map[string]any
	require.NoError(t, json.Unmarshal(raw, &b))
	require.Contains(t, b, "incident")
	return b["incident"]
}

// An incident's first update creates the incident: POST /incidents as the
// reference documents it, with the name, status, impact override, body,
// components by id and status, notifications on, and the update's key in
// the metadata. The receipt is the incident.
func TestCreateRequest(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	r := send(t, ch, fullUpdate, broadcast.Thread{})

	reqs := f.sent()
	require.Len(t, reqs, 2, "the component list, then the incident")
	assert.Equal(t, "GET /v1/pages/"+testPage+"/components?page=1&per_page=100", reqs[0].method+" "+reqs[0].path+"?"+reqs[0].query)
	req := reqs[1]
	assert.Equal(t, "POST /v1/pages/"+testPage+"/incidents", req.method+" "+req.path)
	assert.Equal(t, "OAuth "+testKey, req.header.Get("Authorization"))
	assert.Equal(t, "application/json", req.header.Get("Content-Type"))
	golden.JSON(t, "create.json", req.raw)
	in := incidentOfRequest(t, req.raw)
	assert.Equal(t, map[string]any{"outagecast": map[string]any{"key": broadcast.NewMessage(fullUpdate).Key(""),
		"incident": fullUpdate.IncidentID}},
		in["metadata"], "the update's key, for a retry to find the incident, and its incident, for a newer update")

	d := f.Received()
	require.Len(t, d, 1)
	assert.Equal(t, d[0].ID, r.ID, "Receipt.ID: the incident's id")
	assert.Equal(t, "https://stspg.io/"+r.ID, r.URL, "Receipt.URL: the incident's shortlink")
	assert.Equal(t, r.ID, r.Meta[MetaIncidentID])
	assert.NotEmpty(t, r.Meta[MetaUpdateID])
	assert.NotEqual(t, r.ID, r.Meta[MetaUpdateID])
}

// A later update is a PATCH of the Root's incident, which makes an
// incident update; its receipt is that incident update.
func TestUpdateRequest(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	u := later(broadcast.StatusIdentified, "The cause is a faulty configuration push.")
	u.Components = []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentDegraded}}
	mid := send(t, ch, u, broadcast.Thread{Root: root, Last: root})
	res := later(broadcast.StatusResolved, "Error rates are back to normal.")
	res.Components = []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentOperational},
		{Name: "API", Status: broadcast.ComponentOperational}}
	last := send(t, ch, res, broadcast.Thread{Root: root, Last: mid})

	reqs := f.sent()
	require.Len(t, reqs, 4, "components once, then one request per update")
	for _, req := range reqs[2:] {
		assert.Equal(t, "PATCH /v1/pages/"+testPage+"/incidents/"+root.ID, req.method+" "+req.path)
	}
	golden.JSON(t, "update.json", reqs[2].raw)
	in := incidentOfRequest(t, reqs[2].raw)
	assert.NotContains(t, in, "metadata", "only a new incident carries the key")
	assert.NotContains(t, in, "scheduled_for")

	d := f.Received()
	require.Len(t, d, 3)
	for i, r := range []broadcast.Receipt{mid, last} {
		assert.Equal(t, d[i+1].ID, r.ID, "Receipt.ID of a later update: its incident update's id")
		assert.Equal(t, root.ID, d[i+1].ReplyTo)
		assert.Equal(t, root.ID, r.Meta[MetaIncidentID])
		assert.Equal(t, r.ID, r.Meta[MetaUpdateID])
		assert.Equal(t, root.URL, r.URL)
	}
	assert.Equal(t, "Elevated error rates on the CDN\nResolved\nError rates are back to normal.\n\n"+
		"https://status.example.com/incidents/42", d[2].Text)
}

// The body is the template's: advice, body, next update and link; the name
// and the status are fields of their own. An override replaces the body.
func TestBody(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	send(t, ch, fullUpdate, broadcast.Thread{})
	u := fullUpdate
	u.ID, u.Overrides = "u_override", map[string]string{"ops-status": "Written for the status page only."}
	send(t, ch, u, broadcast.Thread{})

	d := f.Received()
	require.Len(t, d, 2)
	assert.Equal(t, []string{"Elevated error rates on the CDN", "Investigating",
		"What you can do: Retry failed requests; no data was lost.\n\n" +
			"We are investigating elevated error rates.\n\nRequests to Europe fail.\n\n" +
			"Next update by 10:00 UTC.\n\nhttps://status.example.com/incidents/42"}, d[0].Parts)
	assert.Equal(t, "Written for the status page only.", d[1].Parts[2])
}

// The name is the Title on one line; text is sent as written, as plain
// text: markup in it is neither added nor escaped.
func TestTextAsWritten(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Title = "CDN <b>errors</b> &   [login](https://evil.example)\t**now**"
	u.Body = `<script>alert("x")</script> & "quotes" \ back`
	u.Components, u.Advice, u.NextUpdate, u.URL = nil, "", time.Time{}, ""
	send(t, ch, u, broadcast.Thread{})

	in := incidentOfRequest(t, f.sent()[0].raw)
	assert.Equal(t, "CDN <b>errors</b> & [login](https://evil.example) **now**", in["name"])
	assert.Equal(t, u.Body, in["body"])
}

// SkipNotifications posts without notifying subscribers.
func TestSkipNotifications(t *testing.T) {
	for _, skip := range []bool{false, true} {
		f := newFake(t)
		ch := newChannel(t, f, func(c *Config) { c.SkipNotifications = skip })
		root := send(t, ch, fullUpdate, broadcast.Thread{})
		send(t, ch, later(broadcast.StatusMonitoring, "A fix is out."), broadcast.Thread{Root: root, Last: root})
		for _, req := range f.sent()[1:] {
			assert.Equalf(t, !skip, incidentOfRequest(t, req.raw)["deliver_notifications"], "%s with skip=%v", req.method, skip)
		}
	}
}

// Preview shows the body as Send posts it, in characters against
// Statuspage's limit, and the incident's name as Subject.
func TestPreview(t *testing.T) {
	ch := newChannel(t, newFake(t), nil)
	p, err := ch.Preview(fullUpdate)
	require.NoError(t, err)
	assert.Equal(t, "ops-status", p.Channel)
	assert.Equal(t, "Elevated error rates on the CDN", p.Subject)
	assert.Contains(t, p.Text, "We are investigating elevated error rates.")
	assert.Equal(t, MaxBody, p.Limit)
	assert.Equal(t, "characters", p.Unit)
	assert.Equal(t, len([]rune(p.Text)), p.Length)
}
