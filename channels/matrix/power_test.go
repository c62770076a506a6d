package matrix

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// newRoomPair returns a fake homeserver where the account has joined
// room, and a channel posting there.
func newRoomPair(t *testing.T, room string) (*fakeServer, *Channel) {
	t.Helper()
	f := newFakeServer(t, confToken, map[string]string{room: room})
	ch := newTestChannel(t, Config{Name: "ops-matrix", Homeserver: f.srv.URL,
		AccessToken: redact.NewSecret(confToken), Rooms: []string{room}})
	return f, ch
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
