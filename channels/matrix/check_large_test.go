package matrix

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// An account in many rooms (a bridge bot's, an old operator's) is checked
// as well as one in two: GET /joined_rooms answers with every room the
// account is in, in one answer without pagination, which grows with them
// past any answer limit. Check asks each configured room for the
// account's membership instead, so the account's other rooms cost
// nothing.
func TestCheckAccountInManyRooms(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	f.mu.Lock()
	for i := range 10_000 {
		f.joined = append(f.joined, fmt.Sprintf("!%018d:matrix.status-bridge.example.org", i))
	}
	slices.Sort(f.joined)
	f.mu.Unlock()
	require.NoError(t, ch.Check(context.Background()))

	f.mu.Lock()
	f.joined = slices.DeleteFunc(f.joined, func(r string) bool { return r == confRooms[confTargets[1]] })
	f.mu.Unlock()
	err := ch.Check(context.Background())
	require.EqualError(t, err, "matrix: check: #status:example.org: @status-bot:example.org has not joined the room !Zb3xQw:example.org")
}

// A room the account left (or was invited to, or banned from) shows the
// account's membership as it is there: not joined, and the error says
// which.
func TestCheckMembershipNotJoin(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	f.mu.Lock()
	f.membership = map[string]string{confRooms[confTargets[1]]: "leave"}
	f.joined = slices.DeleteFunc(f.joined, func(r string) bool { return r == confRooms[confTargets[1]] })
	f.mu.Unlock()
	err := ch.Check(context.Background())
	require.EqualError(t, err, `matrix: check: #status:example.org: @status-bot:example.org has not joined the room !Zb3xQw:example.org (its membership there is "leave")`)
}

// A membership field that quotes the access token (a relay echoing the
// request into its answer) is no membership a homeserver has: Check's
// error names the room without the token in it.
func TestCheckMembershipEchoingTokenHidesIt(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	f.mu.Lock()
	f.membership = map[string]string{confRooms[confTargets[1]]: "Bearer " + confToken}
	f.joined = slices.DeleteFunc(f.joined, func(r string) bool { return r == confRooms[confTargets[1]] })
	f.mu.Unlock()
	err := ch.Check(context.Background())
	require.Error(t, err)
	require.NotContains(t, err.Error(), confToken)
	require.Contains(t, err.Error(), "has not joined the room !Zb3xQw:example.org")
}
