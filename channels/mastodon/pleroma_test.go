package mastodon

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// pleromaInstance is GET /api/v1/instance of Pleroma 2.5 or, with akkoma,
// Akkoma 3, with the limit given; their GET /api/v2/instance is 404.
func pleromaInstance(f *fakeMastodon, akkoma bool, limit int) {
	version := "2.7.2 (compatible; Pleroma 2.5.2)"
	if akkoma {
		version = "2.7.2 (compatible; Akkoma 3.13.2)"
	}
	f.pleroma, f.akkoma, f.instance, f.maxChars = true, akkoma, http.StatusNotFound, limit
	f.v1 = map[string]any{"uri": "https://pleroma.example", "version": version, "max_toot_chars": limit,
		"pleroma": map[string]any{"metadata": map[string]any{"features": []string{"pleroma_api", "mastodon_api"}}}}
}

// A DELETE answered 404 says less than it seems: Mastodon answers 404 to
// the deletion of another account's status, Pleroma and Akkoma to every
// deletion that fails, the status still up. The channel reads the status
// back: still there, the retraction failed for good, and says so; gone
// (a retraction retried after a lost answer), it is done.
func TestRetractConfirmsA404(t *testing.T) {
	for _, server := range []string{"Mastodon", "Pleroma", "Akkoma"} {
		t.Run(server, func(t *testing.T) {
			f := newFakeMastodon(t)
			if server != "Mastodon" {
				f.set(func(f *fakeMastodon) { pleromaInstance(f, server == "Akkoma", 5000) })
			}
			ch := newTestChannel(t, f)
			ctx := context.Background()
			up, err := ch.Send(ctx, broadcast.NewMessage(testUpdate()))
			require.NoError(t, err)
			f.set(func(f *fakeMastodon) { f.notOwned = map[string]bool{up.ID: true} })
			err = ch.Retract(ctx, up)
			require.Error(t, err, "the status is still up")
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), "still up")
			assert.Contains(t, err.Error(), up.ID)
			assert.Len(t, f.received(http.MethodGet, "/api/v1/statuses/"+up.ID), 1)

			f.set(func(f *fakeMastodon) { f.notOwned = nil })
			require.NoError(t, ch.Retract(ctx, up))
			require.NoError(t, ch.Retract(ctx, up), "gone already: a retry after a lost answer")
		})
	}
}

// A token limited to write:statuses, all the channel otherwise needs, may
// delete but, on Mastodon, not read a status back: a 404 to the deletion
// then counts as the instance said, so that a retry after a lost answer
// does not fail for good.
func TestRetractWithoutReadScope(t *testing.T) {
	f := newFakeMastodon(t)
	f.set(func(f *fakeMastodon) { f.scopes = []string{"write:statuses"} })
	ch := newTestChannel(t, f)
	ctx := context.Background()
	up, err := ch.Send(ctx, broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	f.set(func(f *fakeMastodon) { f.notOwned = map[string]bool{up.ID: true} })
	assert.NoError(t, ch.Retract(ctx, up), "the token cannot tell: the 404 counts, as the instance said")
}

// Pleroma and Akkoma answer an edit whose text is over their limit with
// 500, not 422 (StatusController.update maps every failure to 500). After
// an administrator lowered the limit, the channel's edit, fitted to the
// limit read before, gets that 500: the channel reads the limit again,
// says the edit is too long and what the limit is now, and the next
// attempt is fitted to it. A 500 to an edit that fits stays an ordinary
// transient failure.
func TestEditTooLongPleroma(t *testing.T) {
	f := newFakeMastodon(t)
	f.set(func(f *fakeMastodon) { pleromaInstance(f, false, 1000) })
	ch := newTestChannel(t, f)
	ctx := context.Background()
	prev, err := ch.Send(ctx, broadcast.NewMessage(longUpdate()))
	require.NoError(t, err)

	f.set(func(f *fakeMastodon) { pleromaInstance(f, false, 500) })
	u := longUpdate()
	u.ID, u.Body, u.Corrects = "", u.Body+" More detail.", longUpdate().ID
	m := broadcast.NewMessage(u)
	_, err = ch.Edit(ctx, m, prev)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too long")
	assert.Contains(t, err.Error(), "500")
	assert.Contains(t, err.Error(), "limit")
	m.Attempt = 2
	_, err = ch.Edit(ctx, m, prev)
	require.NoError(t, err, "fitted to the new limit")
	puts := f.received(http.MethodPut, "/api/v1/statuses/"+prev.ID)
	require.Len(t, puts, 2)
	var sb statusBody
	require.NoError(t, json.Unmarshal([]byte(puts[1].Body), &sb))
	assert.Less(t, len([]rune(*sb.Status)), 500)

	// A 500 to an edit within the limit: the server's own failure.
	f.set(func(f *fakeMastodon) { f.editFails = 1 })
	m = broadcast.NewMessage(u)
	_, err = ch.Edit(ctx, m, prev)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.NotContains(t, err.Error(), "too long")
}

// Akkoma takes only a two-letter ISO 639-1 code as a status's language
// (ActivityDraft: Pleroma.ISO639.valid_alpha2?) and refuses any other
// with 422 "Invalid language"; Mastodon takes its regional and
// three-letter codes too. The channel sends Akkoma the primary subtag of
// two letters, or no language, and Mastodon the code as configured.
func TestLanguageAkkoma(t *testing.T) {
	for _, tt := range []struct{ configured, akkoma string }{
		{"en", "en"}, {"zh-TW", "zh"}, {"zh-YUE", "zh"}, {"ast", ""},
	} {
		t.Run(tt.configured, func(t *testing.T) {
			for _, akkoma := range []bool{false, true} {
				f := newFakeMastodon(t)
				if akkoma {
					f.set(func(f *fakeMastodon) { pleromaInstance(f, true, 5000) })
				}
				ch := newTestChannel(t, f, func(c *Config) { c.Language = tt.configured })
				ctx := context.Background()
				prev, err := ch.Send(ctx, broadcast.NewMessage(testUpdate()))
				require.NoError(t, err, "akkoma: %v", akkoma)
				u := testUpdate()
				u.ID, u.Body, u.Corrects = "", "The errors are limited to the Paris region.", testUpdate().ID
				_, err = ch.Edit(ctx, broadcast.NewMessage(u), prev)
				require.NoError(t, err, "akkoma: %v", akkoma)
				want := tt.configured
				if akkoma {
					want = tt.akkoma
				}
				for _, r := range append(f.received(http.MethodPost, "/api/v1/statuses"),
					f.received(http.MethodPut, "/api/v1/statuses/"+prev.ID)...) {
					var sb statusBody
					require.NoError(t, json.Unmarshal([]byte(r.Body), &sb))
					assert.Equal(t, want, sb.Language, "akkoma: %v, %s", akkoma, r.Method)
				}
			}
		})
	}
}
