package durlimit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLimit(t *testing.T) {
	for _, tt := range []struct {
		s, words string
		limit    string
	}{
		{"2562048h", "at most", "2562047h47m16s"},
		{"+2562048h", "at most", "2562047h47m16s"},
		{"-2562048h", "at least", "-2562047h47m16s"},
		{"-1h99999999999999999999s", "at least", "-2562047h47m16s"},
	} {
		words, limit := Limit(tt.s)
		assert.Equal(t, tt.words, words, tt.s)
		assert.Equal(t, tt.limit, limit.String(), tt.s)
		_, err := time.ParseDuration(tt.s)
		assert.Error(t, err, "%s is out of range", tt.s)
	}
}
