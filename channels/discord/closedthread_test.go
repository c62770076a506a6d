package discord

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The fake refuses what Discord refuses in a thread a moderator closed
// (archived and locked), with the statuses reported for Discord:
// {"message": "Thread is archived", "code": 50083}, 403 Forbidden for a
// post (discord/discord-api-docs issues 6884 and 7707), 400 Bad Request
// for an edit or a deletion there. Discord's list of JSON error codes
// names 50083 ("Operation not allowed on an archived thread") with no HTTP
// status
// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes);
// its answers, as reported, are 400 for a deletion (victornpb/undiscord
// issue 399, cedws/discord-delete issue 48) and an edit (discord.py's
// "400 Bad Request (error code: 50083): Thread is archived"). Before, the
// fake took an edit or a deletion there as if the thread were open. The
// channel goes by the JSON code, whatever the status.
func TestClosedThreadRefusedAsDiscordDoes(t *testing.T) {
	const thread = "1200000000000000001"
	f := newFake(t, fakeOptions{threads: []string{thread}})
	ch := newChannel(t, f, func(c *Config) { c.ThreadID = thread })
	r := send(t, ch, fullUpdate, broadcast.Thread{})
	f.lockThread(thread, threadArchived)

	_, err := ch.Send(context.Background(), broadcast.NewMessage(resolvedUpdate))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "http status 403 Forbidden: Thread is archived (code 50083)")

	fix := fullUpdate
	fix.ID, fix.Corrects = "u_fix", fullUpdate.ID
	_, err = ch.Edit(context.Background(), broadcast.NewMessage(fix), r)
	assert.ErrorIs(t, err, broadcast.ErrNotEditable, "the Broadcaster posts the correction anew")
	assert.Contains(t, err.Error(), "http status 400 Bad Request: Thread is archived (code 50083)")

	err = ch.Retract(context.Background(), r)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.Contains(t, err.Error(), "the message is still up")
	assert.False(t, f.message(0).deleted)
}
