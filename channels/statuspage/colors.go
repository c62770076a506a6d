package statuspage

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/outagecast/outagecast/channels/internal/setup"
)

// Palette is the colours of one colour scheme, as CSS hex colours ("#0969da"
// or "#06d"). Zero fields keep the default. New checks that every pair of
// colours the page shows together meets the WCAG 2.1 AA contrast ratio for
// normal text, 4.5:1, and fails naming the pair otherwise.
type Palette struct {
	// Background of the page.
	Background string
	// Surface is the background of the cards (components, incidents).
	Surface string
	// Text is the body text, on Background and on Surface.
	Text string
	// Muted is secondary text (times, descriptions), on Background and
	// Surface.
	Muted string
	// Link is the colour of links, on Background and Surface.
	Link string
	// Border is the colour of card borders and separators (decoration
	// only: it carries no meaning, so it is not checked).
	Border string
	// Operational, Degraded, PartialOutage, MajorOutage and Maintenance
	// colour the component states and the banner: as text on Background
	// and Surface, and as the background of OnStatus text.
	Operational   string
	Degraded      string
	PartialOutage string
	MajorOutage   string
	Maintenance   string
	// OnStatus is the text on a status colour (the banner, badges), and
	// on Muted (the badge of an incident without impact); the focus ring
	// of the banner's links too, which the Link colour is not seen on.
	OnStatus string
}

// defaultLight and defaultDark are the default palettes: quiet greys with
// status colours that pass WCAG 2.1 AA against each other.
var (
	defaultLight = Palette{
		Background: "#f6f8fa", Surface: "#ffffff", Text: "#1f2328", Muted: "#59636e",
		Link: "#0860ca", Border: "#d1d9e0",
		Operational: "#1a7f37", Degraded: "#8a5c00", PartialOutage: "#b1460b",
		MajorOutage: "#c91c2b", Maintenance: "#0860ca", OnStatus: "#ffffff",
	}
	defaultDark = Palette{
		Background: "#0d1117", Surface: "#151b23", Text: "#e6edf3", Muted: "#9198a1",
		Link: "#58a6ff", Border: "#3d444d",
		Operational: "#3fb950", Degraded: "#d29922", PartialOutage: "#f0883e",
		MajorOutage: "#ff7b72", Maintenance: "#58a6ff", OnStatus: "#0d1117",
	}
)

// minContrast is WCAG 2.1 AA's contrast ratio for normal text (1.4.3).
const minContrast = 4.5

// withDefaults returns p with its empty fields taken from def.
func (p Palette) withDefaults(def Palette) Palette {
	fill := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	fill(&p.Background, def.Background)
	fill(&p.Surface, def.Surface)
	fill(&p.Text, def.Text)
	fill(&p.Muted, def.Muted)
	fill(&p.Link, def.Link)
	fill(&p.Border, def.Border)
	fill(&p.Operational, def.Operational)
	fill(&p.Degraded, def.Degraded)
	fill(&p.PartialOutage, def.PartialOutage)
	fill(&p.MajorOutage, def.MajorOutage)
	fill(&p.Maintenance, def.Maintenance)
	fill(&p.OnStatus, def.OnStatus)
	return p
}

// namedColor is a palette field and its value.
type namedColor struct{ name, value string }

func (p Palette) fields() []namedColor {
	return []namedColor{
		{"Background", p.Background}, {"Surface", p.Surface}, {"Text", p.Text},
		{"Muted", p.Muted}, {"Link", p.Link}, {"Border", p.Border},
		{"Operational", p.Operational}, {"Degraded", p.Degraded},
		{"PartialOutage", p.PartialOutage}, {"MajorOutage", p.MajorOutage},
		{"Maintenance", p.Maintenance}, {"OnStatus", p.OnStatus},
	}
}

// pairs returns every (foreground, background) pair the page shows.
func (p Palette) pairs() [][2]namedColor {
	bg := []namedColor{{"Background", p.Background}, {"Surface", p.Surface}}
	fg := []namedColor{
		{"Text", p.Text}, {"Muted", p.Muted}, {"Link", p.Link},
		{"Operational", p.Operational}, {"Degraded", p.Degraded},
		{"PartialOutage", p.PartialOutage}, {"MajorOutage", p.MajorOutage},
		{"Maintenance", p.Maintenance},
	}
	var out [][2]namedColor
	for _, f := range fg {
		for _, b := range bg {
			out = append(out, [2]namedColor{f, b})
		}
	}
	on := namedColor{"OnStatus", p.OnStatus}
	for _, s := range slices.Concat(fg[3:], []namedColor{{"Muted", p.Muted}}) {
		out = append(out, [2]namedColor{on, s})
	}
	return out
}

// check validates p's colours and their contrast; field names the palette
// in errors ("Config.Branding.Light").
func (p Palette) check(field string) error {
	var f setup.Faults // of every colour
	for _, c := range p.fields() {
		if _, err := parseColor(c.value); err != nil {
			f.Add(fmt.Errorf("statuspage: %s.%s: %w", field, c.name, err))
		}
	}
	if err := f.Err(); err != nil {
		return err // colours refused have no contrast to measure
	}
	// The first pair short of contrast alone: one colour amiss would
	// fail every pair it is in.
	for _, pair := range p.pairs() {
		fg, _ := parseColor(pair[0].value)
		bg, _ := parseColor(pair[1].value)
		if r := contrast(fg, bg); r < minContrast {
			return fmt.Errorf("statuspage: %s.%s: %s on %s (%s) has a contrast of %.2f:1; WCAG 2.1 AA needs %.1f:1",
				field, pair[0].name, pair[0].value, pair[1].name, pair[1].value, r, minContrast)
		}
	}
	return nil
}

// rgb is a colour with 8-bit channels.
type rgb [3]uint8

// parseColor parses "#rrggbb" or "#rgb". Nothing else is accepted: the
// value goes into the page's style sheet.
func parseColor(s string) (rgb, error) {
	var c rgb
	if len(s) != 4 && len(s) != 7 || s[0] != '#' {
		return c, fmt.Errorf("%q is not a CSS hex colour like #0969da or #06d", s)
	}
	short := len(s) == 4
	for i := range c {
		var digits string
		if short {
			digits = s[1+i:2+i] + s[1+i:2+i]
		} else {
			digits = s[1+2*i : 3+2*i]
		}
		v, err := strconv.ParseUint(digits, 16, 8)
		if err != nil {
			return c, fmt.Errorf("%q is not a CSS hex colour like #0969da or #06d", s)
		}
		c[i] = uint8(v)
	}
	return c, nil
}

// luminance is the relative luminance of c, per WCAG 2.1.
func luminance(c rgb) float64 {
	var ch [3]float64
	for i, v := range c {
		s := float64(v) / 255
		if s <= 0.04045 {
			ch[i] = s / 12.92
		} else {
			ch[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*ch[0] + 0.7152*ch[1] + 0.0722*ch[2]
}

// contrast is the WCAG 2.1 contrast ratio of two colours, from 1 to 21.
func contrast(a, b rgb) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}
