package dispatch

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// Jobs whose args cannot be decoded, channel included, have Results under
// no channel, all with the empty Channel. Watch called fn for the first of
// them to finish and never for the others, which it took for the same
// channel's. It calls fn once for each job, and once for each channel.
func TestWatchReportsEveryJobUnderNoChannel(t *testing.T) {
	pending := func(ch string) broadcast.Result { return broadcast.Result{Channel: ch, Err: ErrPending} }
	given := func(ch string, job int) broadcast.Result {
		return broadcast.Result{Channel: ch, Err: broadcast.Permanent(fmt.Errorf("job %d: its args cannot be decoded", job))}
	}
	seen := map[watchKey]bool{}
	var got []string
	for _, read := range []struct {
		results  []broadcast.Result
		unplaced []int64
	}{
		{[]broadcast.Result{pending("x"), given("", 12), pending("")}, []int64{12, 13}},
		{[]broadcast.Result{{Channel: "x"}, given("", 12), given("", 13)}, []int64{12, 13}},
		{[]broadcast.Result{{Channel: "x"}, given("", 12), given("", 13)}, []int64{12, 13}},
	} {
		for _, r := range finishedNow(&broadcast.Report{Results: read.results}, read.unplaced, seen) {
			text := "delivered"
			if r.Err != nil {
				text = r.Err.Error()
			}
			got = append(got, r.Channel+": "+text)
		}
	}
	assert.Equal(t, []string{
		": job 12: its args cannot be decoded",
		"x: delivered",
		": job 13: its args cannot be decoded",
	}, got)
}
