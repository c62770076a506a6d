package matrix

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// v12Room is a room ID of room version 12: the event ID of its
// m.room.create with "!" for "$", without a server part.
const v12Room = "!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM"

// newRoomPair returns a fake homeserver where the account has joined
// room, and a channel posting there.
func newRoomPair(t *testing.T, room string) (*fakeServer, *Channel) {
	t.Helper()
	f := newFakeServer(t, confToken, map[string]string{room: room})
	ch := newTestChannel(t, Config{Name: "ops-matrix", Homeserver: f.srv.URL,
		AccessToken: redact.NewSecret(confToken), Rooms: []string{room}})
	return f, ch
}

// createEvent is the m.room.create of room in the client format, sent by
// sender, with content.
func createEvent(room, sender, content string) string {
	return `{"content":` + content + `,"event_id":"$` + room[1:] + `","origin_server_ts":1741944000000,` +
		`"room_id":"` + room + `","sender":"` + sender + `","state_key":"","type":"m.room.create","unsigned":{"age":90000}}`
}

// retractRefused posts to f's only room, has the homeserver refuse the
// redaction there as Dendrite does (500) with power levels pl, and
// returns Retract's error.
func retractRefused(t *testing.T, f *fakeServer, ch *Channel, room, pl string) error {
	t.Helper()
	ctx := context.Background()
	prev, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	f.mu.Lock()
	f.refuseRedact[room], f.redact500, f.powerLevels[room] = true, true, pl
	f.mu.Unlock()
	err = ch.Retract(ctx, prev)
	require.Error(t, err)
	return err
}

// Rooms of versions 1 to 9 take power levels written as strings ("50"),
// with leading zeros, a sign and white space around them, and those of
// versions 1 to 5 as floats, truncated; homeservers serve them as they
// were sent. A redaction refused in such a room (Dendrite answers 500)
// for want of power fails for good and says why, as with integers; one
// refused while the power levels allow it stays retryable, as does one
// where a value that counts is no integer the specification allows
// (such power levels are not the room's: it rejects them).
func TestRetractReadsPowerLevelsWrittenAsStrings(t *testing.T) {
	const room = "!ops7Kq:example.org"
	for _, tc := range []struct {
		name, pl string
		why      string // "" when the refusal is not the account's power's
	}{
		{"strings", `{"users":{"@admin:example.org":"100"},"users_default":"0","events_default":"50","ban":"50"}`,
			"the account's power level 0 in the room is below the 50 a redaction needs"},
		{"signs, zeros and spaces", `{"users":{"` + fakeUser + `":" +0010 "},"events":{"m.room.redaction":"\t0050\n"}}`,
			"the account's power level 10 in the room is below the 50 a redaction needs"},
		{"negative", `{"users_default":"-1","events_default":"-0"}`,
			"the account's power level -1 in the room is below the 0 a redaction needs"},
		{"floats", `{"users":{"` + fakeUser + `":49.9},"events_default":5e1}`,
			"the account's power level 49 in the room is below the 50 a redaction needs"},
		{"a string that allows it", `{"users":{"` + fakeUser + `":"50"},"events_default":"50"}`, ""},
		{"another event's level does not count", `{"events":{"m.room.name":"high"},"events_default":"0"}`, ""},
		{"not an integer", `{"users_default":"0","events_default":"fifty"}`, ""},
		{"a float in a string", `{"users_default":"0","events_default":"50.5"}`, ""},
		{"two signs", `{"users_default":"+-1","events_default":"0"}`, ""},
		{"hexadecimal", `{"users_default":"0","events_default":"0x32"}`, ""},
		{"a space inside", `{"users_default":"0","events_default":"5 0"}`, ""},
		{"empty", `{"users_default":"","events_default":"50"}`, ""},
		{"a boolean", `{"users_default":false,"events_default":"50"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ch := newRoomPair(t, room)
			err := retractRefused(t, f, ch, room, tc.pl)
			if tc.why == "" {
				assert.False(t, broadcast.IsPermanent(err), "a 500 not explained by the power levels is retried: %v", err)
				assert.NotContains(t, err.Error(), "power level")
				return
			}
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), tc.why)
		})
	}
}

// In room version 12 the room's creators, the sender of its
// m.room.create and the users its additional_creators lists, have an
// infinite power level, and power_levels cannot list them: a creator's
// refused redaction is no matter of power, and stays retryable. Others
// fail for good as in earlier versions, and so does the creator of a
// room of version 11, whose power is what power_levels says.
func TestRetractByACreatorOfAVersion12Room(t *testing.T) {
	const pl = `{"users":{"@mod:example.org":50},"users_default":0,"events_default":50}`
	const v11Room = "!ops7Kq:example.org"
	for _, tc := range []struct {
		name, room, create string
		noEventFormat      bool
		permanent          bool
	}{
		{name: "the sender", room: v12Room, create: createEvent(v12Room, fakeUser, `{"room_version":"12"}`)},
		{name: "an additional creator", room: v12Room,
			create: createEvent(v12Room, "@founder:example.com", `{"room_version":"12","additional_creators":["@ops:example.net","`+fakeUser+`"]}`)},
		{name: "a later version", room: v12Room, create: createEvent(v12Room, fakeUser, `{"room_version":"13"}`)},
		{name: "not a creator", room: v12Room, permanent: true,
			create: createEvent(v12Room, "@founder:example.com", `{"room_version":"12","additional_creators":["@ops:example.net"]}`)},
		{name: "the sender, without format=event", room: v12Room, noEventFormat: true,
			create: createEvent(v12Room, fakeUser, `{"room_version":"12"}`)},
		{name: "an additional creator, without format=event", room: v12Room, noEventFormat: true,
			create: createEvent(v12Room, "@founder:example.com", `{"room_version":"12","additional_creators":["`+fakeUser+`"]}`)},
		{name: "the creator of a version 11 room", room: v11Room, permanent: true,
			create: createEvent(v11Room, fakeUser, `{"room_version":"11"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ch := newRoomPair(t, tc.room)
			f.create[tc.room], f.noEventFormat = tc.create, tc.noEventFormat
			err := retractRefused(t, f, ch, tc.room, pl)
			if !tc.permanent {
				assert.False(t, broadcast.IsPermanent(err), "%v", err)
				assert.NotContains(t, err.Error(), "power level")
				return
			}
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), "the account's power level 0 in the room is below the 50 a redaction needs")
		})
	}
}

// A room of version 12 has an ID without a server part, which names no
// server to find the room through: the Receipt's matrix.to link names the
// account's own server with via, the server of a member, as the
// specification asks of links to a room ID. Edit's Receipt links alike.
func TestReceiptLinkOfAVersion12RoomHasVia(t *testing.T) {
	_, ch := newRoomPair(t, v12Room)
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a")))
	require.NoError(t, err)
	want := "https://matrix.to/#/%21" + v12Room[1:] + "/" + r.ID + "?via=" + fakeServerName
	assert.Equal(t, want, r.URL)
	e, err := ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "b")), r)
	require.NoError(t, err)
	assert.Equal(t, want, e.URL)
}
