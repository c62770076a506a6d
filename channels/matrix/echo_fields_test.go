package matrix

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// fieldEchoServer is a homeserver (or whatever answers in its place) that
// quotes the access token of each request in one field of its 2xx
// answers, a field the channel reads: field names it.
type fieldEchoServer struct{ field string }

func (s fieldEchoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	echo := func(field, normal string) string {
		if field == s.field {
			return strings.Replace(normal, "ECHO", tok, 1)
		}
		return strings.Replace(normal, "ECHO", "x", 1)
	}
	w.Header().Set("Content-Type", "application/json")
	reply := func(status int, v any) {
		b, _ := json.Marshal(v)
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/account/whoami"):
		reply(200, map[string]string{"user_id": echo("user_id", "@bot_ECHO:example.org")})
	case strings.Contains(p, "/directory/room/"):
		reply(200, map[string]any{"room_id": echo("room_id", "!room_ECHO:example.org"), "servers": []string{"example.org"}})
	case strings.Contains(p, "/state/m.room.tombstone/") && s.field == "replacement_room":
		reply(200, map[string]string{"body": "This room has been replaced", "replacement_room": "!" + tok + ":example.org"})
	case strings.Contains(p, "/state/m.room.member/"):
		reply(200, map[string]string{"membership": echo("membership", "leave ECHO")})
	case strings.Contains(p, "/state/"):
		reply(404, map[string]string{"errcode": "M_NOT_FOUND", "error": "Event not found."})
	case strings.Contains(p, "/send/") || strings.Contains(p, "/redact/"):
		reply(200, map[string]string{"event_id": echo("event_id", "$ev_ECHO")})
	default:
		reply(404, map[string]string{"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})
	}
}

// A token quoted in a field the channel reads from a 2xx answer (a room
// or event ID, a user ID, a membership) reaches no error and no Receipt:
// the field of such an answer is never taken as the homeserver's word.
func TestNoTokenFromAnAnswersFields(t *testing.T) {
	for _, field := range []string{"user_id", "room_id", "replacement_room", "membership", "event_id"} {
		t.Run(field, func(t *testing.T) {
			srv := httptest.NewServer(fieldEchoServer{field})
			defer srv.Close()
			ch, err := New(Config{Homeserver: srv.URL, AccessToken: redact.NewSecret(confToken),
				Rooms: []string{"!a:example.org", "#ops:example.org"}})
			require.NoError(t, err)
			defer ch.Close()
			ctx := context.Background()
			r, err := ch.Send(ctx, broadcast.NewMessage(broadcast.Update{Title: "t", Status: broadcast.StatusInvestigating}))
			channeltest.AssertNoSecret(t, fmt.Sprintf("%v %+v", err, r), confToken)
			err = ch.Check(ctx)
			channeltest.AssertNoSecret(t, fmt.Sprint(err), confToken)
			prev := broadcast.Receipt{Channel: ch.Name(), ID: "$ev1", Meta: map[string]string{"!a:example.org": "$ev1"}}
			r, err = ch.Edit(ctx, broadcast.NewMessage(broadcast.Update{Title: "u", Status: broadcast.StatusIdentified}), prev)
			channeltest.AssertNoSecret(t, fmt.Sprintf("%v %+v", err, r), confToken)
			err = ch.Retract(ctx, prev)
			channeltest.AssertNoSecret(t, fmt.Sprint(err), confToken)
		})
	}
}
