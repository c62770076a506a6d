package matrix

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// idServer is a homeserver whose room !a:example.org has a tombstone
// naming replacement, and whose sends answer with the event ID event.
type idServer struct {
	replacement, event, membership string

	mu    sync.Mutex
	paths []string
}

func (s *idServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.paths = append(s.paths, r.URL.EscapedPath())
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	reply := func(status int, v any) {
		b, _ := json.Marshal(v)
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/account/whoami"):
		reply(200, map[string]string{"user_id": "@bot:example.org"})
	case strings.Contains(p, "/state/m.room.tombstone/") && s.replacement != "":
		reply(200, map[string]string{"replacement_room": s.replacement})
	case strings.Contains(p, "/state/m.room.member/"):
		reply(200, map[string]string{"membership": cmp.Or(s.membership, "join")})
	case strings.Contains(p, "/state/"):
		reply(404, map[string]string{"errcode": "M_NOT_FOUND", "error": "Event not found."})
	case strings.Contains(p, "/send/m.room.message/") && s.event != "":
		reply(200, map[string]string{"event_id": s.event})
	case strings.Contains(p, "/send/m.room.message/"):
		reply(403, map[string]string{"errcode": "M_FORBIDDEN", "error": "You don't have permission to post that to the room."})
	default:
		reply(404, map[string]string{"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})
	}
}

// printable reports whether s holds no control, format (bidi) or
// invalid character.
func printable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return r == '\uFFFD' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
	})
}

// A room ID or event ID a homeserver answers with that the specification
// does not allow (control characters, a terminal escape, a right-to-left
// override, more than 255 bytes) is not taken: not as the room an upgrade
// leads to, which would have put it in every error and request path,
// nor as the event of a post, which would have put it in the Receipt.
func TestServerIDsAreChecked(t *testing.T) {
	for _, bad := range []string{"!new\x1b[2J\u202e:example.org", "!" + strings.Repeat("n", 100_000) + ":example.org", "!new room:example.org"} {
		s := &idServer{replacement: bad}
		srv := httptest.NewServer(s)
		ch, err := New(Config{Homeserver: srv.URL, AccessToken: redact.NewSecret(confToken), Rooms: []string{"!a:example.org"}})
		require.NoError(t, err)
		_, err = ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{Title: "t", Status: broadcast.StatusInvestigating}))
		require.Error(t, err)
		assert.True(t, printable(err.Error()), "%q", err)
		assert.Less(t, len(err.Error()), 2000)
		cerr := ch.Check(context.Background())
		require.Error(t, cerr)
		assert.True(t, printable(cerr.Error()), "%q", cerr)
		assert.Less(t, len(cerr.Error()), 2000)
		for _, p := range s.paths {
			assert.Less(t, len(p), 1000, "a request to the room the tombstone names")
		}
		_ = ch.Close()
		srv.Close()
	}
	for _, bad := range []string{"$ev\x1b[31m", "$" + strings.Repeat("e", 300), "$ev\u202e", "$ev ent"} {
		srv := httptest.NewServer(&idServer{event: bad})
		ch, err := New(Config{Homeserver: srv.URL, AccessToken: redact.NewSecret(confToken), Rooms: []string{"!a:example.org"}})
		require.NoError(t, err)
		r, err := ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{Title: "t", Status: broadcast.StatusInvestigating}))
		assert.Error(t, err, "receipt %q", r.ID)
		if err != nil {
			assert.True(t, printable(err.Error()), "%q", err)
		}
		_ = ch.Close()
		srv.Close()
	}
}

// A membership a homeserver names that is not "join" is quoted in Check's
// error only as far as a snippet goes: the membership field of a hostile
// or broken server can be as long as an answer.
func TestCheckQuotesAShortMembership(t *testing.T) {
	srv := httptest.NewServer(&idServer{membership: "leave\x1b[2J" + strings.Repeat("x", 100_000)})
	defer srv.Close()
	ch, err := New(Config{Homeserver: srv.URL, AccessToken: redact.NewSecret(confToken), Rooms: []string{"!a:example.org"}})
	require.NoError(t, err)
	defer ch.Close()
	err = ch.Check(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `has not joined the room !a:example.org (its membership there is "leave`)
	assert.True(t, printable(err.Error()), "%q", err)
	assert.Less(t, len(err.Error()), 2000)
}
