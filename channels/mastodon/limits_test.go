package mastodon

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// longUpdate is an update longer than any limit the tests use, with a
// status-page URL longer than a link's 23 characters.
func longUpdate() broadcast.Update {
	u := testUpdate()
	u.URL = "https://status.example.com/incidents/01J9ZQ4T7K3M8N2P5R6S9V0W1X"
	u.Body = strings.Repeat("Requests to the CDN in 東京 fail intermittently 👩🏽‍💻, we are on it. ", 120)
	return u
}

// A limits read that fails for now (a 5xx, a 429, a network error) fails
// the attempt, transient, before anything is posted: the Broadcaster
// tries again, and the status is fitted to the instance's own limit once
// it reads. Before, the attempt posted with Mastodon's default 500 on an
// instance allowing 1,000, a status cut short for good.
func TestLimitsReadFailingForNowFailsTheAttempt(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		wait   time.Duration // broadcast.RetryDelay; 0: none
	}{
		{"503", http.StatusServiceUnavailable, nil, 0},
		{"502", http.StatusBadGateway, nil, 0},
		{"429", http.StatusTooManyRequests, http.Header{"Retry-After": {"42"}}, 42 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeMastodon(t)
			f.set(func(f *fakeMastodon) { f.maxChars, f.instance, f.instanceHeader = 1000, tt.status, tt.header })
			ch := newTestChannel(t, f)
			u := longUpdate()

			_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), err)
			assert.Contains(t, err.Error(), "mastodon: read instance limits: ")
			d, ok := broadcast.RetryDelay(err)
			assert.Equal(t, tt.wait != 0, ok)
			assert.Equal(t, tt.wait, d)
			assert.Empty(t, f.received(http.MethodPost, "/api/v1/statuses"), "nothing posted")
			_, err = ch.Edit(context.Background(), broadcast.NewMessage(u), broadcast.Receipt{ID: "1"})
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), err)
			assert.Empty(t, f.received(http.MethodPut, ""), "nothing edited")

			f.set(func(f *fakeMastodon) { f.instance = 0 })
			_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
			require.NoError(t, err)
			got := f.Received()
			require.Len(t, got, 1)
			n := countable(got[0].Text, 23)
			assert.LessOrEqual(t, n, 1000)
			assert.Greater(t, n, 950, "the instance's limit, read on the retry")
		})
	}
}

// A limits read cut off by the network fails the attempt, transient, too.
func TestLimitsReadNetworkErrorFailsTheAttempt(t *testing.T) {
	f := newFakeMastodon(t)
	ch := newTestChannel(t, f)
	f.Close() // nothing listens any more
	_, err := ch.Send(context.Background(), broadcast.NewMessage(longUpdate()))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), err)
	assert.Contains(t, err.Error(), "mastodon: read instance limits: ")
	assert.Equal(t, defaultLimits, ch.s.limits.cached(), "nothing kept")
}

// A caller whose context ends while another reads the limits gets ctx's
// error, not the defaults to post with.
func TestLimitsWaitEndsWithContext(t *testing.T) {
	ch, err := New(testConfig("https://mastodon.example"))
	require.NoError(t, err)
	ch.s.limits.sem <- struct{}{} // a read under way
	defer func() { <-ch.s.limits.sem }()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ch.s.limits.get(ctx, func(context.Context) (limits, bool, error) {
		t.Error("read while another read runs")
		return limits{}, false, nil
	})
	require.ErrorIs(t, err, context.Canceled)
}

// Servers without /api/v2/instance (Mastodon before 4.0, Pleroma and
// Akkoma before theirs, older GoToSocial and glitch-soc) publish their
// limit in /api/v1/instance: Mastodon 3.4.2 and later as
// configuration.statuses.max_characters (its V1::Instance), Pleroma,
// Akkoma, glitch-soc and GoToSocial also as max_toot_chars. The channel
// reads it there, and fits each status to what that server counts:
// Pleroma and Akkoma count every character of the text, URLs whole
// (String.length), and Pleroma 2.x refuses a status of the limit itself.
// Before, all of them got 500 characters.
func TestLimitsFromV1Instance(t *testing.T) {
	pleromaMeta := map[string]any{"metadata": map[string]any{"features": []string{"pleroma_api", "mastodon_api"}}}
	tests := []struct {
		name   string
		v2     int // status of GET /api/v2/instance; 0: 200
		v1     map[string]any
		counts string // how the server counts: "" as Mastodon, "pleroma", "gts"
		limit  int
	}{
		{"Mastodon 3.5", http.StatusNotFound, map[string]any{"uri": "mastodon.example", "version": "3.5.3",
			"configuration": map[string]any{"statuses": map[string]int{"max_characters": 1000, "max_media_attachments": 4, "characters_reserved_per_url": 23}}},
			"", 1000},
		// glitch-soc before 3.4.2: max_toot_chars only (its InstanceSerializer).
		{"glitch-soc 3.3", http.StatusNotFound, map[string]any{"uri": "glitch.example", "version": "3.3.0+glitch", "max_toot_chars": 1000},
			"", 1000},
		// Pleroma's InstanceView (show.json): configuration without
		// characters_reserved_per_url, max_toot_chars, pleroma metadata.
		{"Pleroma 2.5", http.StatusNotFound, map[string]any{"uri": "https://pleroma.example", "version": "2.7.2 (compatible; Pleroma 2.5.2)",
			"max_toot_chars": 1000, "pleroma": pleromaMeta,
			"configuration": map[string]any{"statuses": map[string]int{"max_characters": 1000, "max_media_attachments": 1000}}},
			"pleroma", 1000},
		{"Akkoma 3", http.StatusNotFound, map[string]any{"uri": "https://akkoma.example", "version": "2.7.2 (compatible; Akkoma 3.13.2)",
			"max_toot_chars": 1000, "pleroma": pleromaMeta,
			"configuration": map[string]any{"statuses": map[string]int{"max_characters": 1000, "max_media_attachments": 1000}}},
			"pleroma", 1000},
		// Pleroma before it had configuration: max_toot_chars only.
		{"Pleroma 2.0", http.StatusNotFound, map[string]any{"uri": "https://pleroma.example", "version": "2.7.2 (compatible; Pleroma 2.0.7)",
			"max_toot_chars": 1000, "pleroma": pleromaMeta}, "pleroma", 1000},
		// GoToSocial before /api/v2/instance: its InstanceV1, counted in
		// code points with URLs whole, whatever it reports per URL.
		{"GoToSocial 0.9", http.StatusNotFound, map[string]any{"uri": "gts.example", "version": "0.9.0 git-ccd4d17", "max_toot_chars": 1000,
			"configuration": map[string]any{"statuses": map[string]int{"max_characters": 1000, "characters_reserved_per_url": 25}}},
			"gts", 1000},
		// A v2 answer without the limit: the v1 answer has it.
		{"v2 without statuses", v2NoLimit, map[string]any{"uri": "mastodon.example", "version": "3.5.3",
			"configuration": map[string]any{"statuses": map[string]int{"max_characters": 1000, "characters_reserved_per_url": 23}}},
			"", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeMastodon(t)
			f.set(func(f *fakeMastodon) {
				f.instance, f.v1, f.maxChars = tt.v2, tt.v1, tt.limit
				f.pleroma, f.gts = tt.counts == "pleroma", tt.counts == "gts"
			})
			ch := newTestChannel(t, f)
			for range 2 {
				u := longUpdate()
				u.ID = ""
				u.Body += strings.Repeat("!", f.statusCount())
				_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
				require.NoError(t, err)
			}
			assert.Len(t, f.received(http.MethodGet, "/api/v2/instance"), 1, "read once")
			assert.Len(t, f.received(http.MethodGet, "/api/v1/instance"), 1, "read once")
			for _, d := range f.Received() {
				n := countable(d.Text, 23)
				switch tt.counts {
				case "pleroma":
					n = uniseg.GraphemeClusterCount(d.Text)
				case "gts":
					n = utf8.RuneCountInString(d.Text)
				}
				assert.Less(t, n, tt.limit+1)
				// A server that does not say how it counts (glitch-soc's
				// max_toot_chars alone) gets the larger of two counts,
				// which costs some characters of this emoji-laden text.
				assert.Greater(t, n, tt.limit*9/10, "the status uses the server's limit: %d of %q", n, d.Text)
			}
		})
	}
}

// Pleroma's /api/v2/instance (Pleroma 2.6 and later) reports
// characters_reserved_per_url 0: it counts URLs whole, as its v1 does.
func TestLimitsPleromaV2(t *testing.T) {
	got, ok := parseLimits([]byte(`{"domain":"pleroma.example","version":"3.0.0 (compatible; Pleroma 2.7.0)",` +
		`"source_url":"https://git.pleroma.social/pleroma/pleroma","configuration":{"statuses":` +
		`{"max_characters":5000,"max_media_attachments":1000,"characters_reserved_per_url":0}},"pleroma":{"metadata":{}}}`))
	require.True(t, ok)
	text := "See https://status.example.com/incidents/01J9ZQ4T7K3M8N2P5R6S9V0W1X " + strings.Repeat("x", 100)
	assert.GreaterOrEqual(t, got.measure()(text), utf8.RuneCountInString(text), "a URL counts whole")
	assert.Less(t, got.MaxCharacters, 5000, "Pleroma 2.x refuses a status of the limit itself")
}

// A server whose limits can never be read (both endpoints answer with the
// instance's own 404, or hold no limit) gets Mastodon's defaults, 500
// characters and 23 a URL, kept for the Channel's life: every server that
// allows more publishes its limit in one of the two places, and Mastodon
// before 3.4.2, which publishes none, allows 500.
func TestLimitsNeverReadable(t *testing.T) {
	for _, tt := range []struct {
		name string
		v1   map[string]any
		v1s  int
	}{
		{"404 twice", nil, http.StatusNotFound},
		{"410 twice", nil, http.StatusGone},
		{"no limit in v1", map[string]any{"uri": "mastodon.example", "version": "3.0.1"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeMastodon(t)
			f.set(func(f *fakeMastodon) { f.instance, f.v1, f.v1Status, f.maxChars = tt.v1s, tt.v1, tt.v1s, 500 })
			if tt.v1s == 0 {
				f.set(func(f *fakeMastodon) { f.instance = http.StatusNotFound })
			}
			ch := newTestChannel(t, f)
			for range 2 {
				u := longUpdate()
				u.ID = ""
				u.Body += strings.Repeat("!", f.statusCount())
				_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
				require.NoError(t, err)
			}
			assert.Len(t, f.received(http.MethodGet, "/api/v2/instance"), 1)
			assert.Len(t, f.received(http.MethodGet, "/api/v1/instance"), 1)
			assert.Equal(t, defaultLimits, ch.s.limits.cached())
		})
	}
}

// The limits are read once, and an instance's limit can change while a
// Channel lives (glitch-soc's MAX_TOOT_CHARS, a patched Mastodon, a move
// to other software). When the instance refuses a status fitted to the
// limits read before, they are read again: if they changed, the refusal
// is transient and the next attempt is fitted to the new ones. Before, a
// lowered limit made every later update fail for good until a restart.
func TestLimitsReadAgainAfterRefusal(t *testing.T) {
	for _, edit := range []bool{false, true} {
		t.Run(map[bool]string{false: "post", true: "edit"}[edit], func(t *testing.T) {
			f := newFakeMastodon(t)
			f.set(func(f *fakeMastodon) { f.maxChars = 1000 })
			ch := newTestChannel(t, f)
			first, err := ch.Send(context.Background(), broadcast.NewMessage(longUpdate()))
			require.NoError(t, err)

			f.set(func(f *fakeMastodon) { f.maxChars = 500 })
			u := longUpdate()
			u.ID, u.Status = "", broadcast.StatusIdentified
			m := broadcast.NewMessage(u)
			do := func() error {
				if edit {
					_, err := ch.Edit(context.Background(), m, first)
					return err
				}
				_, err := ch.Send(context.Background(), m)
				return err
			}
			err = do()
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "the limit changed: %v", err)
			assert.Contains(t, err.Error(), "500")
			m.Attempt = 2
			require.NoError(t, do())
			last := f.received("", "")
			body := last[len(last)-1].Body
			var sb statusBody
			require.NoError(t, json.Unmarshal([]byte(body), &sb))
			assert.LessOrEqual(t, countable(*sb.Status, 23), 500)
			assert.Greater(t, countable(*sb.Status, 23), 450)

			// A refusal under limits that did not change stays final.
			f.set(func(f *fakeMastodon) { f.failure = channeltest.FailRejected })
			err = do()
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
		})
	}
}

// Pleroma and Akkoma keep the refusal of a status too long for its
// Idempotency-Key and give it again to the next POST with the key: the
// attempt after the limits changed posts under the next key of the chain,
// the refusal having posted nothing.
func TestLimitsReadAgainAfterRefusalPleroma(t *testing.T) {
	v1 := func(limit int) map[string]any {
		return map[string]any{"uri": "https://pleroma.example", "version": "2.7.2 (compatible; Pleroma 2.5.2)",
			"max_toot_chars": limit, "pleroma": map[string]any{"metadata": map[string]any{}}}
	}
	f := newFakeMastodon(t)
	f.set(func(f *fakeMastodon) {
		f.pleroma, f.instance, f.v1, f.maxChars = true, http.StatusNotFound, v1(1000), 1000
	})
	ch := newTestChannel(t, f)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(longUpdate()))
	require.NoError(t, err)

	f.set(func(f *fakeMastodon) { f.v1, f.maxChars = v1(500), 500 })
	u := longUpdate()
	u.ID, u.Status = "", broadcast.StatusIdentified
	m := broadcast.NewMessage(u)
	_, err = ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "the limit changed: %v", err)
	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err, "posted under the next key, not refused again from the kept answer")
	m.Attempt = 3 // as after a lost answer
	again, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, r.ID, again.ID)
	assert.Equal(t, 2, f.statusCount())
}
