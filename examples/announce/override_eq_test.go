package main

import (
	"context"
	"maps"
	"strings"
	"testing"

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
		{"fits two channels", []string{"web=eu=T"}, nil, `"web=eu=T": fits channel web and channel web=eu`},
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
