package statuspage

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The WCAG 2.1 formula, checked on known values.
func TestContrastFormula(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#fff", "#fff", 1},
		{"#777777", "#ffffff", 4.48}, // the classic "grey that just fails"
		{"#767676", "#ffffff", 4.54}, // and the one that just passes
		{"#0000ff", "#ffffff", 8.59},
		{"#ff0000", "#ffffff", 4.00},
	} {
		a, err := parseColor(tc.a)
		require.NoError(t, err)
		b, err := parseColor(tc.b)
		require.NoError(t, err)
		assert.InDelta(t, tc.want, contrast(a, b), 0.01, "%s on %s", tc.a, tc.b)
		assert.InDelta(t, contrast(a, b), contrast(b, a), 1e-9, "symmetric")
	}
}

// Every pair of colours the default pages show together meets WCAG 2.1
// AA for normal text, 4.5:1, in both schemes.
func TestDefaultPalettesMeetWCAG(t *testing.T) {
	for name, p := range map[string]Palette{"light": defaultLight, "dark": defaultDark} {
		pairs := p.pairs()
		require.Len(t, pairs, 8*2+6, "%s: the pairs checked", name)
		for _, pair := range pairs {
			fg, err := parseColor(pair[0].value)
			require.NoError(t, err)
			bg, err := parseColor(pair[1].value)
			require.NoError(t, err)
			r := contrast(fg, bg)
			assert.GreaterOrEqualf(t, r, 4.5, "%s: %s %s on %s %s: %.2f:1", name,
				pair[0].name, pair[0].value, pair[1].name, pair[1].value, r)
		}
		assert.NoError(t, p.check("Config.Branding"))
	}
}

// Colours a user sets are checked too, and must be hex colours.
func TestPaletteChecks(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Palette
		want string
	}{
		{"low contrast", Palette{Operational: "#4caf50"}, "Config.Branding.Light.Operational: #4caf50 on Background"},
		{"status text", Palette{OnStatus: "#000000"}, "Config.Branding.Light.OnStatus"},
		{"muted on white", Palette{Muted: "#999"}, "Config.Branding.Light.Muted"},
		{"not hex", Palette{Text: "red"}, `Config.Branding.Light.Text: "red" is not a CSS hex colour`},
		{"css injection", Palette{Link: "#fff;}body{x:y"}, "Config.Branding.Light.Link"},
		{"bad digits", Palette{Link: "#12345g"}, "Config.Branding.Light.Link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Dir: "x", BaseURL: "https://s.test/", Branding: Branding{Light: tc.p}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "statuspage: "), err.Error())
		})
	}
	_, err := New(Config{Dir: "x", BaseURL: "https://s.test/", Branding: Branding{
		Light: Palette{Operational: "#006400"}, Dark: Palette{Background: "#000", Surface: "#111111"}}})
	assert.NoError(t, err, "colours that pass")
}
