package broadcast_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Two names of one component that differ only in case or spacing ("API"
// and "api", "Data base" and "Data  base", as alerts of several hosts
// label it) were both accepted: the post listed the component twice with
// two statuses, and Statuspage.io, which finds a component by its name in
// any case, set it to whichever came last. Validate refuses the second.
func TestValidateRefusesAComponentListedTwiceInAnotherCase(t *testing.T) {
	for _, pair := range [][2]string{{"API", "api"}, {"Data base", "data  base"}, {"Ærø", "ÆRØ"}} {
		assertListedTwice(t, pair[0], pair[1])
	}

	u := twoComponents("API", "API v2")
	assert.NoError(t, u.Validate(), "names apart")
}

// Names that differ only in case as strings.EqualFold has it (Greek's
// final sigma, "ΟΔΟΣ" and "Οδος", which strings.ToLower writes "οδοσ"
// and "οδος"; the long s; the Kelvin sign), or only by an invisible
// format character (a zero width space or a soft hyphen pasted with a
// label), read alike in every post: they were accepted as two components.
// Letters that only look alike (the Turkish dotless ı and i) and the
// joiners, which change how text is drawn, still tell two names apart.
func TestValidateRefusesAComponentListedTwiceFolded(t *testing.T) {
	for _, pair := range [][2]string{
		{"ΟΔΟΣ", "Οδος"},
		{"ΥΠΗΡΕΣΊΕΣ", "Υπηρεσίες"},
		{"Caſe", "CASE"},
		{"\u212Aiosk", "kiosk"},
		{"API", "API\u200b"},
		{"Data\u00adbase", "database"},
		{"EU\u200e API", "eu api"},
	} {
		assertListedTwice(t, pair[0], pair[1])
	}

	for _, pair := range [][2]string{
		{"sık", "sik"},
		{"\U0001F468\u200d\U0001F469", "\U0001F468\U0001F469"},
		{"می\u200cخواهم", "میخواهم"},
	} {
		u := twoComponents(pair[0], pair[1])
		assert.NoError(t, u.Validate(), "%q and %q are two names", pair[0], pair[1])
	}
}

// A Route's component selects an update naming it in any case or with an
// invisible character, as Validate has one component.
func TestRouteComponentFolded(t *testing.T) {
	r := broadcast.Route{Components: []string{"Οδος", "API"}}
	for _, name := range []string{"ΟΔΟΣ", "API\u200b"} {
		u := validUpdate()
		u.Components = []broadcast.Component{{Name: name, Status: broadcast.ComponentMajorOutage}}
		assert.True(t, r.Selects(u, broadcast.Thread{}), "%q", name)
	}
}

// twoComponents is a valid update naming components a, down, and b, up.
func twoComponents(a, b string) broadcast.Update {
	u := validUpdate()
	u.Components = []broadcast.Component{
		{Name: a, Status: broadcast.ComponentMajorOutage},
		{Name: b, Status: broadcast.ComponentOperational},
	}
	return u
}

// assertListedTwice checks that Validate refuses an update naming a and
// then b as one component listed twice, naming the second and the first.
func assertListedTwice(t *testing.T, a, b string) {
	t.Helper()
	u := twoComponents(a, b)
	err := u.Validate()
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "%q and %q", a, b)
	fes := broadcast.FieldErrors(err)
	require.Len(t, fes, 1)
	assert.Equal(t, "Components[1].Name", fes[0].Field)
	assert.Contains(t, fes[0].Problem, "Components[0]")
}
