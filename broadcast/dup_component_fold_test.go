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
		u := validUpdate()
		u.Components = []broadcast.Component{
			{Name: pair[0], Status: broadcast.ComponentMajorOutage},
			{Name: pair[1], Status: broadcast.ComponentOperational},
		}
		err := u.Validate()
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "%q and %q", pair[0], pair[1])
		fes := broadcast.FieldErrors(err)
		require.Len(t, fes, 1)
		assert.Equal(t, "Components[1].Name", fes[0].Field)
		assert.Contains(t, fes[0].Problem, "Components[0]")
	}

	u := validUpdate()
	u.Components = []broadcast.Component{
		{Name: "API", Status: broadcast.ComponentMajorOutage},
		{Name: "API v2", Status: broadcast.ComponentOperational},
	}
	assert.NoError(t, u.Validate(), "names apart")
}
