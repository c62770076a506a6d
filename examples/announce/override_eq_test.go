package main

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
)

// TestOverrideNameWithEquals: -override splits at the first "=", so the
// override of a channel named "ops=eu" reads as channel "ops" with text
// "eu=…"; checkOverrides, which knows the channels, splits it after the
// longest configured name instead.
func TestOverrideNameWithEquals(t *testing.T) {
	noop := func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil }
	chans := []broadcast.Channel{broadcast.ChannelFunc("ops=eu", noop), broadcast.ChannelFunc("x", noop)}
	for _, c := range []struct {
		name string
		flag []string
		want map[string]string
		err  string
	}{
		{"name with =", []string{"ops=eu=Short text"}, map[string]string{"ops=eu": "Short text"}, ""},
		{"text with =", []string{"x=a=b"}, map[string]string{"x": "a=b"}, ""},
		{"both", []string{"ops=eu=E", "x=X"}, map[string]string{"ops=eu": "E", "x": "X"}, ""},
		{"no such channel", []string{"ops=hi"}, nil, `no channel named "ops"`},
		{"empty text after the name", []string{"ops=eu= "}, nil, "ops=eu: empty text"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, err := parseOverrides(c.flag)
			if err == nil {
				err = checkOverrides(o, chans)
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
