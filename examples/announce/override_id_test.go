package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The ID of a command whose -override flags share no name before their
// first "=" is the one it was before the ID counted every text of a
// shared name (typedOverrides): re-running such a command is the same
// update, skipped where it was delivered. The IDs below were computed by
// the code before that change.
func TestTypedIDsOfCommandsWithoutSharedOverrideNamesStay(t *testing.T) {
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		stdin string
		args  []string
		id    string
	}{
		{"", nil, "u_80a7ce7922c5ad952a4486b77bcc4ddc"},
		{"", []string{"-override", "x=Short text"}, "u_181f98272951c522b02ac6e896abc115"},
		{"", []string{"-override", "x=Short", "-override", "slack=Longer text"}, "u_207064de6ef9f35e842e8e08c53ebb54"},
		{"", []string{"-override", "slack=Longer text", "-override", "x=Short"}, "u_207064de6ef9f35e842e8e08c53ebb54"},
		{"", []string{"-override", "ops=eu=Text"}, "u_5c9fa6c72cf842739a17803aab3dfa2e"},
		{"", []string{"-override", "ops=eu=Text", "-override", "x=Short = sweet"}, "u_13c46e947b509124aa662f039f142c64"},
		{"", []string{"-override", " x = Short "}, "u_c8a0ef165d5981f120a6f4f35008beca"},
		{"", []string{"-override", "x=Short", "-next", "+30m"}, "u_52164f1732699f8674a165644e3cf450"},
		{"line one\nline two\n", []string{"-incident", "cdn", "-impact", "major", "-body", "-", "-advice", "Retry",
			"-url", "https://status.example.com/i/1", "-component", "CDN=major_outage",
			"-component", "API=degraded_performance", "-override", "x=X text", "-next", "14:30"},
			"u_02da08a7360b82f87510e8df1331cccd"},
		{"", []string{"-correct", "u_0123456789abcdef0123456789abcdef", "-override", "x=Fixed"}, "u_8881e86b5ea3e1e0af9510d0947468eb"},
	} {
		o, _, err := parseFlags(append([]string{"-title", "CDN errors", "-status", "investigating"}, c.args...))
		require.NoError(t, err, c.args)
		u, err := o.update(strings.NewReader(c.stdin), now)
		require.NoError(t, err, c.args)
		assert.Equal(t, c.id, u.ID, "%q", c.args)
	}
}

// An -override whose text the update refuses names its channel, and that
// text's length, in whichever order the flags come and whether or not
// another channel's name starts as its does. Before, the flags were
// checked split at their first "=": "ops=eu=" and 25001 characters after
// it, following "ops=fr=Fine", was "-override: ops: 25004 characters",
// a channel that is not configured, and the length of "eu=" and the text.
func TestOverrideTextErrorNamesItsChannelInAnyOrder(t *testing.T) {
	cfg := writeConfig(t, "channels:\n"+
		"  - {kind: console, name: ops=eu, template: short}\n"+
		"  - {kind: console, name: ops=fr, template: short}\n"+
		"  - {kind: console, name: x, template: short}\n")
	long := strings.Repeat("x", broadcast.MaxBodyLength+1)
	want := func(channel string, n int) string {
		return fmt.Sprintf("-override: %s: %d characters, more than %d", channel, n, broadcast.MaxBodyLength)
	}
	for _, c := range []struct {
		overrides []string
		want      string
	}{
		{[]string{"ops=fr=Fine", "ops=eu=" + long}, want("ops=eu", broadcast.MaxBodyLength+1)},
		{[]string{"ops=eu=" + long, "ops=fr=Fine"}, want("ops=eu", broadcast.MaxBodyLength+1)},
		{[]string{"ops=eu=" + long}, want("ops=eu", broadcast.MaxBodyLength+1)},
		{[]string{"x=a=" + long}, want("x", broadcast.MaxBodyLength+3)},
		{[]string{"x=" + long}, want("x", broadcast.MaxBodyLength+1)},
	} {
		args := []string{"-config", cfg, "-title", "T", "-status", "investigating"}
		for _, o := range c.overrides {
			args = append(args, "-override", o)
		}
		r := announce(t, context.Background(), "", args...)
		require.Equal(t, exitUsage, r.code, r.stderr)
		assert.Contains(t, r.stderr, c.want)
		assert.NotContains(t, r.stderr, "-override: ops: ")
		assert.Empty(t, r.stdout, "nothing sent")
	}
}

// A dry run refuses an -override text the update refuses as a send does,
// naming the flag and its channel. Before, its error was the library's:
// "broadcast: invalid update: Overrides["ops=eu"]: …".
func TestDryRunOverrideTextErrorNamesTheFlag(t *testing.T) {
	cfg := writeConfig(t, "channels:\n"+
		"  - {kind: console, name: ops=eu, template: short}\n"+
		"  - {kind: console, name: ops=fr, template: short}\n")
	long := strings.Repeat("x", broadcast.MaxBodyLength+1)
	r := announce(t, context.Background(), "", "-config", cfg, "-dry-run", "-title", "T", "-status", "investigating",
		"-override", "ops=eu="+long, "-override", "ops=fr=Fine")
	require.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, fmt.Sprintf("announce: -override: ops=eu: %d characters, more than %d",
		broadcast.MaxBodyLength+1, broadcast.MaxBodyLength))
	assert.NotContains(t, r.stderr, "invalid update")
	assert.Empty(t, r.stdout, "nothing previewed")
}

// An -override that fits two channels' names is refused naming both,
// without its text, which may hold what is not to be shown (a link with
// its token, say) and may be 25000 characters long. Before, the error
// quoted the flag whole.
func TestOverrideFittingTwoChannelsQuotesNoText(t *testing.T) {
	cfg := writeConfig(t, "channels:\n"+
		"  - {kind: console, name: ops, template: short}\n"+
		"  - {kind: console, name: ops=eu, template: short}\n")
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "investigating",
		"-override", "ops=eu=Join https://meet.example.com/j/1?pwd=s3cr3tT0ken")
	require.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "-override: fits channel ops and channel ops=eu: rename one")
	assert.NotContains(t, r.stderr, "s3cr3tT0ken")
	assert.NotContains(t, r.stderr, "Join")
	assert.Empty(t, r.stdout, "nothing sent")
}
