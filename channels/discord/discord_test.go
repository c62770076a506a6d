package discord

import (
	"testing"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// The channel keeps the Channel contract, posting to a text channel.
func TestConformance(t *testing.T) { channeltest.Run(t, harness(false)) }

// The same in a forum channel, where updates thread under the incident's
// post.
func TestConformanceForum(t *testing.T) { channeltest.Run(t, harness(true)) }
