package main

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// TestOverrideNameWithEquals: -override splits at the first "=", which
// cannot tell the override of a channel named "ops=eu" from one of a
// channel "ops" with text "eu=…"; checkOverrides, which knows the
// channels, splits each after the configured name it starts with. Before,
// "ops=eu=Short text" was refused as no channel named "ops", and
// "ops=eu=E" with "ops=us=U" as "ops: given twice".
func TestOverrideNameWithEquals(t *testing.T) {
	noop := func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil }
	chans := []broadcast.Channel{broadcast.ChannelFunc("ops=eu", noop), broadcast.ChannelFunc("ops=us", noop),
		broadcast.ChannelFunc("x", noop), broadcast.ChannelFunc("web", noop), broadcast.ChannelFunc("web=eu", noop)}
	for _, c := range []struct {
		name string
		flag []string
		want map[string]string
		err  string
	}{
		{"name with =", []string{"ops=eu=Short text"}, map[string]string{"ops=eu": "Short text"}, ""},
		{"text with =", []string{"x=a=b"}, map[string]string{"x": "a=b"}, ""},
		{"white space around the name", []string{" x =hi"}, map[string]string{"x": "hi"}, ""},
		{"two names with =", []string{"ops=eu=E", "ops=us=U", "x=X"}, map[string]string{"ops=eu": "E", "ops=us": "U", "x": "X"}, ""},
		{"no such channel", []string{"ops=hi"}, nil, `no channel named "ops"`},
		{"empty text after the name", []string{"ops=eu= "}, nil, "ops=eu: empty text"},
		{"fits two channels", []string{"web=eu=T"}, nil, "-override: fits channel web and channel web=eu: rename one"},
		{"given twice", []string{"x=A", "x=B"}, nil, "x: given twice"},
		{"given twice, text with =", []string{"x=A", "x=a=b"}, nil, "x: given twice"},
		{"given twice, name with =", []string{"ops=eu=E", "ops=eu=F"}, nil, "ops=eu: given twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseOverrides(c.flag)
			var o map[string]string
			if err == nil {
				o, err = checkOverrides(c.flag, chans)
			}
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(o, c.want) {
				t.Fatalf("overrides %q, want %q", o, c.want)
			}
		})
	}
}

// An override of a configuration without channels says there is none;
// before, the error ended "(channels: )", an empty list.
func TestOverrideWithoutChannels(t *testing.T) {
	_, err := checkOverrides([]string{"x=hi"}, nil)
	want := `-override: no channel named "x" (no channel is configured)`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}

// Two -override flags of channels whose names hold "=" ("ops=eu" and
// "ops=fr") are two updates when one's text changes, and the same update
// in either order: the ID counts each override as typed. Before, the ID
// took the overrides split at the first "=", where both were channel
// "ops" and the last one given won: a changed text of the first was the
// same update, skipped as delivered before, and the same flags in another
// order a new update, posted twice.
func TestOverrideNamesWithEqualsAllCountInTheID(t *testing.T) {
	cfg := writeConfig(t, "channels:\n"+
		"  - {kind: console, name: ops=eu, template: short}\n"+
		"  - {kind: console, name: ops=fr, template: short}\n")
	state := filepath.Join(t.TempDir(), "state.db")
	send := func(overrides ...string) result {
		args := []string{"-config", cfg, "-state", state, "-quiet", "-title", "Override test", "-status", "investigating"}
		for _, o := range overrides {
			args = append(args, "-override", o)
		}
		return announce(t, context.Background(), "", args...)
	}

	first := send("ops=eu=Text A", "ops=fr=Text B")
	require.Equal(t, exitOK, first.code, first.stderr)
	assert.Contains(t, first.stdout, "Text A")

	changed := send("ops=eu=Text A2", "ops=fr=Text B")
	require.Equal(t, exitOK, changed.code, changed.stderr)
	assert.Contains(t, changed.stdout, "Text A2", "a changed override is a new update")
	assert.Regexp(t, `ops=eu +delivered +1 `, changed.stdout)

	swapped := send("ops=fr=Text B", "ops=eu=Text A2")
	require.Equal(t, exitOK, swapped.code, swapped.stderr)
	assert.NotContains(t, swapped.stdout, "Text A2", "the same overrides in another order are the same update")
	assert.Regexp(t, `ops=eu +skipped +0 `, swapped.stdout)
	assert.Regexp(t, `ops=fr +skipped +0 `, swapped.stdout)
}

// An -override whose text the update refuses names its channel: the flag
// repeats, and "-override: 25001 characters, more than 25000" did not say
// which of them is at fault.
func TestOverrideTextErrorNamesItsChannel(t *testing.T) {
	cfg := writeConfig(t, "channels:\n"+
		"  - {kind: console, name: a, template: short}\n"+
		"  - {kind: console, name: b, template: short}\n")
	long := strings.Repeat("x", broadcast.MaxBodyLength+1)
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "investigating",
		"-override", "a=Fine", "-override", "b="+long)
	require.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, fmt.Sprintf("-override: b: %d characters, more than %d", broadcast.MaxBodyLength+1, broadcast.MaxBodyLength))
	assert.Empty(t, r.stdout, "nothing sent")

	// A channel whose name holds "=", refused as the update is sent.
	cfg = writeConfig(t, "channels:\n"+
		"  - {kind: console, name: ops=eu, template: short}\n"+
		"  - {kind: console, name: ops=fr, template: short}\n")
	r = announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "investigating",
		"-override", "ops=eu="+long, "-override", "ops=fr=Fine")
	require.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, fmt.Sprintf("-override: ops=eu: %d characters, more than %d", broadcast.MaxBodyLength+1, broadcast.MaxBodyLength))
	assert.Empty(t, r.stdout, "nothing sent")
}
