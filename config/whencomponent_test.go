package config_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A component of "when:" that no update's component can be (blank,
// holding a control character, too long), which broadcast.New refuses, is
// an error of Load naming its line and key; before, Load took it and Open
// failed with broadcast's error, naming neither the file nor the line.
func TestWhenComponentRefusedAsNewRefusesIt(t *testing.T) {
	tests := []struct {
		name, component string
		want            string // "" when taken
	}{
		{"plain", "API", ""},
		{"white space around", "  CDN ", ""},
		{"tab inside", "a\tb", ""},
		{"longest", strings.Repeat("é", broadcast.MaxComponentNameLength), ""},
		{"blank", "  ", "empty"},
		{"zero width space", "\u200b", "blank"},
		{"soft hyphen and space", "\u00ad ", "blank"},
		{"control character", "a\x01b", "holds a control character"},
		{"C1 control character", "a\u009bb", "holds a control character"},
		{"too long", strings.Repeat("x", broadcast.MaxComponentNameLength+1), "longer than 255 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := broadcast.ChannelFunc("c", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
				return broadcast.Receipt{}, nil
			})
			b, newErr := broadcast.New([]broadcast.Channel{ch},
				broadcast.Options{Routes: map[string]broadcast.Route{"c": {Components: []string{strings.TrimSpace(tt.component)}}}})
			if newErr == nil {
				require.NoError(t, b.Close())
			}
			assert.Equal(t, tt.want == "", newErr == nil, "broadcast.New's verdict: %v", newErr)

			q := strconv.Quote(tt.component)
			for form, yaml := range map[string]string{
				"full":  lines("channels:", "  - kind: console", "    when: {components: ["+q+"]}"),
				"short": lines("channels:", "  - url: console://", "    when: {components: ["+q+"]}"),
			} {
				cfg, _, err := parse(t, yaml, nil)
				if tt.want == "" {
					require.NoError(t, err, form)
					bc, err := cfg.Open(cfg.Options())
					require.NoError(t, err, form)
					require.NoError(t, bc.Close())
					continue
				}
				require.Error(t, err, form)
				assert.Contains(t, err.Error(), "test.yaml:3: channels[0].when.components[0]: "+tt.want, form)
			}
		})
	}
}
