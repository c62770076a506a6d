package email

// WaitingForConnection returns how many waits for one of ch's connections
// are under way: a Send's (one per connection it could use) or a Check's.
func WaitingForConnection(ch *Channel) int { return ch.pool.waiting() }
