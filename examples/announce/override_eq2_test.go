package main

import (
	"context"
	"maps"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
)

// Two channels whose names begin alike up to an "=" ("ops=eu", "ops=us")
// each get their own -override. Before, both split at the first "=" as
// channel "ops", and the second was refused as "ops: given twice".
func TestOverridesOfTwoNamesWithEquals(t *testing.T) {
	noop := func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil }
	chans := []broadcast.Channel{broadcast.ChannelFunc("ops=eu", noop), broadcast.ChannelFunc("ops=us", noop),
		broadcast.ChannelFunc("x", noop)}
	o, err := parseOverrides([]string{"ops=eu=E", "ops=us=U"})
	if err == nil {
		err = checkOverrides(o, chans)
	}
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"ops=eu": "E", "ops=us": "U"}; !maps.Equal(o, want) {
		t.Fatalf("overrides %v, want %v", o, want)
	}

	// One channel given twice is still refused.
	for _, flags := range [][]string{{"x=A", "x=B"}, {"x=A", "x=a=b"}, {"ops=eu=E", "ops=eu=F"}} {
		o, err := parseOverrides(flags)
		if err == nil {
			err = checkOverrides(o, chans)
		}
		if err == nil {
			t.Errorf("%q: accepted as %v, want refused as given twice", flags, o)
		}
	}
}
