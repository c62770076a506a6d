package config_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// A password written in the file may hold "${" (generated passwords hold
// symbols): Load refuses it, as it cannot be a reference, and asks for
// $${, but without quoting the text after "${", which is part of the
// password.
func TestExpansionErrorsQuoteNoValue(t *testing.T) {
	for i, password := range []string{"k8${Qx!9z-rest", "k8${Qx!9}z-rest", "k8${ Qx9}z-rest"} {
		t.Run(fmt.Sprint(i), func(t *testing.T) { // not the password: the test's directory has its name
			_, _, err := parse(t, lines("channels:", "  - type: email", "    host: smtp.example.com",
				"    username: status", "    password: "+password, "    from: s@example.com", "    to: [a@example.com]"), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "test.yaml:5: channels[0].password: ")
			assert.Contains(t, err.Error(), "$${")
			channeltest.AssertNoSecret(t, err.Error(), "Qx!9", "-rest")
		})
	}
}
