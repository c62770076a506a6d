// Package durlimit says which limit of a time.Duration a duration too far
// from zero to hold passes, the one wording of the example programs' duration
// flags and the config package's duration keys: "at most" the greatest,
// or "at least" the least for one written with a "-" (which time.ParseDuration
// reads as negative; both set a negative duration for the program to
// refuse by name, so its limit is the least a time.Duration holds).
package durlimit

import (
	"math"
	"strings"
	"time"
)

// Limit returns how the limit that s, a duration written as
// time.ParseDuration takes it but too far from zero, passes reads, and
// that limit, to the second: "at most" and the greatest duration, or,
// for s written with a leading "-", "at least" and the least.
func Limit(s string) (words string, limit time.Duration) {
	if strings.HasPrefix(s, "-") {
		return "at least", time.Duration(math.MinInt64).Truncate(time.Second)
	}
	return "at most", time.Duration(math.MaxInt64).Truncate(time.Second)
}
