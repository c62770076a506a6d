package broadcast_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A correction that edited some rooms' posts in place and posted anew in a
// room whose post was gone (with or without another room's edit failing
// transiently first) is one correction: a later Correct of it edits every
// post that shows it, the one posted anew included, and posts nothing
// anew; a Retract of it deletes them all.
func TestCorrectOfACorrectionPostedAnewInSomeRooms(t *testing.T) {
	for _, tt := range []struct {
		flaky        int // edits of ap that fail transiently
		retractFirst bool
	}{{0, false}, {1, false}, {0, true}, {1, true}} {
		flaky, retractFirst := tt.flaky, tt.retractFirst
		t.Run(fmt.Sprintf("edits failing transiently: %d, retracted: %v", flaky, retractFirst), func(t *testing.T) {
			ch := newPostRooms("us", "eu", "ap")
			b := newBroadcaster(t, quickRetry(3), ch)
			ctx := context.Background()
			u := validUpdate()
			u.ID = "wrong"
			_, err := b.Send(ctx, u)
			require.NoError(t, err)
			require.Equal(t, []string{"us", "eu", "ap"}, ch.posted) // posts 1, 2, 3
			ch.gone["2"] = true
			ch.flaky["ap"] = flaky

			fixed := validUpdate()
			fixed.ID, fixed.Body = "fixed", "The CDN in Europe is fine."
			rep, err := b.Correct(ctx, "wrong", fixed)
			require.NoError(t, err)
			require.Equal(t, []string{"us", "eu", "ap", "eu"}, ch.posted, "eu got the correction posted anew: post 4")
			assert.Equal(t, map[string]string{"us": "1", "eu": "4", "ap": "3"}, rep.Results[0].Receipt.Meta,
				"the Result names where readers find the correction, the post made anew included")
			require.Equal(t, []string{"ap:3", "us:1"}, ch.edits())

			if retractFirst {
				_, err = b.Retract(ctx, "fixed")
				require.NoError(t, err)
				for _, post := range []string{"1", "3", "4"} {
					assert.True(t, ch.gone[post], "post %s, which shows the correction, is deleted", post)
				}
				return
			}

			again := validUpdate()
			again.ID, again.Body = "fixed again", "The CDN in Europe and Asia is fine."
			_, err = b.Correct(ctx, "fixed", again)
			require.NoError(t, err)
			assert.Equal(t, []string{"ap:3", "eu:4", "us:1"}, ch.edits(), "every post showing the correction is edited")
			assert.Len(t, ch.posted, 4, "nothing posted anew: %v", ch.posted)

			_, err = b.Retract(ctx, "fixed again")
			require.NoError(t, err)
			for _, post := range []string{"1", "3", "4"} {
				assert.True(t, ch.gone[post], "post %s, which shows the correction, is deleted", post)
			}
		})
	}
}
