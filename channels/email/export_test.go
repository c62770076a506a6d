package email

import (
	"net"
	"time"
)

// WaitingForConnection returns how many waits for one of ch's connections
// are under way: a Send's (one per connection it could use) or a Check's.
func WaitingForConnection(ch *Channel) int { return ch.pool.waiting() }

// SetProbeWait sets how long a kept connection's RSET is waited for (see
// Channel.probe), so that a test of a silent server need not wait
// seconds. Call it before the first Send.
func SetProbeWait(ch *Channel, d time.Duration) { ch.probe = d }

// WrapConnections has the connections ch dials from now on go through
// wrap, which may make their reads and writes fail. Call it before the
// first Send.
func WrapConnections(ch *Channel, wrap func(net.Conn) net.Conn) { ch.wrapRaw = wrap }
