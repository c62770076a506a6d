package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A -component the update's validation refuses (a name too long, blank
// once invisible characters are dropped, or listed twice once cleaned)
// names the flag and the value at fault, as the flag's other errors do:
// with several -component flags, "-component: missing" left the user to
// guess which. Before, the error named the flag alone, and a duplicate
// "Components[0]".
func TestComponentValidationNamesTheValue(t *testing.T) {
	long := strings.Repeat("x", 300) + "=operational"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"CDN=major_outage", long}, `announce: -component: "` + strings.Repeat("x", 64) + `"…: name: 300 characters, more than 255`},
		{[]string{"CDN=major_outage", "\u200b=operational"}, `announce: -component: "\u200b=operational": name: missing`},
		{[]string{"a\x01b=operational", "ab=major_outage"}, `announce: -component: "ab=major_outage": name: "ab", listed already as -component "a\x01b=operational" (names`},
	} {
		args := []string{"-title", "T", "-status", "identified"}
		for _, v := range c.args {
			args = append(args, "-component", v)
		}
		r := announce(t, context.Background(), "", args...)
		assert.Equal(t, exitUsage, r.code, c.want)
		assert.Contains(t, r.stderr, c.want)
		assert.NotContains(t, r.stderr, "Components[", c.want)
		assert.Empty(t, r.stdout, c.want)
	}
}
