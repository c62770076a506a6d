package telegram

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// aliasChannel is a fake whose channel has a second username, and a
// Channel with both: two entries whose chat is not known, which a Send
// looks up with getChat before posting.
func aliasChannel(t *testing.T) (*Channel, *fakeBot) {
	f := newFakeBot(t)
	f.chats[channelID].aliases = []string{"examplestatus_alt"}
	f.targets["@examplestatus_alt"] = chatTopic{channelID, 0}
	return newTestChannel(t, f, []string{"@examplestatus", "@examplestatus_alt"}), f
}

// Concurrent Sends (a dispatcher's workers) ask getChat once per
// username: a Send that finds another's getChat of the username under
// way waits for its answer. The first Send's getChat is held until the
// second waits for it (or, as before, asks itself). Before, each Send
// asked.
func TestConcurrentSendsAskGetChatOncePerUsername(t *testing.T) {
	ch, f := aliasChannel(t)
	arrived := make(chan struct{}, 8)
	release := make(chan struct{})
	f.set(func(f *fakeBot) {
		f.gate = func(method string) {
			if strings.EqualFold(method, "getChat") {
				arrived <- struct{}{}
				<-release
			}
		}
	})
	waiting := make(chan struct{}, 8)
	ch.s.asking.waiting = func() { waiting <- struct{}{} }
	send := func(u broadcast.Update) <-chan error {
		done := make(chan error, 1)
		go func() {
			_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
			done <- err
		}()
		return done
	}
	a := testUpdate()
	b := testUpdate()
	b.ID, b.IncidentID = "u2", "another"

	errA := send(a)
	<-arrived // a's getChat of the first username, held
	errB := send(b)
	select {
	case <-waiting: // b waits for a's getChat
	case <-arrived: // b asks itself
	}
	close(release)
	require.NoError(t, <-errA)
	require.NoError(t, <-errB)
	assert.Len(t, f.received("getChat"), 2, "one getChat per username")
	var shown int
	for _, m := range f.inChat(channelID) {
		if !m.deleted {
			shown++
		}
	}
	assert.Equal(t, 2, shown, "the chat shows each update once")
}

// A getChat refused otherwise than for the bot token (chat not found,
// 400 or 404) or answered by another server (a relay that does not
// forward getChat: a 404 page) stops nothing: the entries post as
// without the look-up, the second message deleted at once. Before, a
// 404 or a page not the Bot API's stopped the attempt, every entry
// failing, though Send asked no getChat before it looked up usernames.
// A getChat refusing the token (401, or a Bot API server's 421
// "unallowed token specified", as a message's answer does) stops the
// attempt: no message is sent.
func TestGetChatRefusalStopsOnlyForTheToken(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer http.HandlerFunc
		stops  bool
	}{
		{"chat not found 400", func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, http.StatusBadRequest, "Bad Request: chat not found", nil)
		}, false},
		{"chat not found 404", func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, http.StatusNotFound, "Not Found: chat not found", nil)
		}, false},
		{"relay's 404 page", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>")
		}, false},
		{"token refused 401", func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, http.StatusUnauthorized, "Unauthorized", nil)
		}, true},
		{"token not served 421", func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, http.StatusMisdirectedRequest, "Misdirected Request: unallowed token specified", nil)
		}, true},
		{"proxy's 421", func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, http.StatusMisdirectedRequest, "Misdirected Request", nil)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, f := aliasChannel(t)
			f.set(func(f *fakeBot) { f.chatAnswer = tc.answer })
			m := broadcast.NewMessage(testUpdate())
			r, err := ch.Send(context.Background(), m)
			if tc.stops {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "refused the bot token")
				assert.Len(t, f.received("getChat"), 1, "no more getChat")
				assert.Empty(t, f.received("sendMessage"), "no message")
				return
			}
			require.NoError(t, err)
			var shown []fakeMessage
			for _, m := range f.inChat(channelID) {
				if !m.deleted {
					shown = append(shown, m)
				}
			}
			require.Len(t, shown, 1, "the chat shows the update once")
			for _, target := range []string{"@examplestatus", "@examplestatus_alt"} {
				p, ok := postedIn(r, target)
				require.True(t, ok, target)
				assert.Equal(t, shown[0].id, p.messageID, target)
			}
		})
	}
}

// A getChat refusing the token stops the attempt with the error a
// message's refusal gives: permanent, ending in the Config field that
// holds the token, and without the token (which is in the request's URL).
func TestGetChatTokenRefusalNamesTokenField(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		desc   string
	}{
		{"401", http.StatusUnauthorized, "Unauthorized"},
		{"421", http.StatusMisdirectedRequest, "Misdirected Request: unallowed token specified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, f := aliasChannel(t)
			f.set(func(f *fakeBot) {
				f.chatAnswer = func(w http.ResponseWriter, _ *http.Request) { writeError(w, tc.status, tc.desc, nil) }
			})
			_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			channeltest.AssertCredentialField(t, err, "Config.Token")
			assert.NotContains(t, err.Error(), testToken)
			assert.NotContains(t, err.Error(), strings.SplitN(testToken, ":", 2)[1])
		})
	}
}
