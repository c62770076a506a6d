package broadcast_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A component listed twice (a list built from alerts, one per host) was
// accepted: the post listed it twice, with two statuses ("CDN: Partial
// outage", "CDN: Operational"), and a status page set it to whichever came
// last. Validate now refuses the second, naming it and the first.
func TestValidateRefusesAComponentListedTwice(t *testing.T) {
	u := validUpdate()
	u.Components = []broadcast.Component{
		{Name: "CDN", Status: broadcast.ComponentPartialOutage},
		{Name: "API", Status: broadcast.ComponentOperational},
		{Name: " CDN ", Status: broadcast.ComponentOperational},
	}
	err := u.Validate()
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	fes := broadcast.FieldErrors(err)
	require.Len(t, fes, 1)
	assert.Equal(t, "Components[2].Name", fes[0].Field)
	assert.Contains(t, fes[0].Problem, "Components[0]")

	u.Components[2].Name = "CDN (Europe)"
	assert.NoError(t, u.Validate(), "names apart")
}
