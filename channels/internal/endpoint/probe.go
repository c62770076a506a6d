package endpoint

import "time"

// ProbeWait bounds the wait for the answer that tells whether a kept
// connection (one left open between Sends) still has a server at its
// other end, before a channel uses it: the reply to e-mail's RSET, the
// PONG to IRC's PING. A server vanished without closing the connection
// (a host down, a NAT or firewall that dropped the idle flow) never
// answers, and a wait of the channel's own timeout (30s by default) would
// use up a Broadcaster's whole attempt (AttemptTimeout, 30s by default)
// in an outage, leaving the update for the next attempt, after its
// backoff. A server that is there answers at once; 5s outlasts two TCP
// retransmissions of a lost segment (1s, then 2s: RFC 6298) and leaves
// most of the attempt for a new connection. A live server it cuts short
// costs that connection, not a failure.
const ProbeWait = 5 * time.Second
