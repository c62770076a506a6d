package dispatch

// NewWithClientBase is New whose River client's ID is base with a random
// suffix, as if River's default ID on this host now were base.
func NewWithClientBase(cfg Config, base string) (*Dispatcher, error) { return newDispatcher(cfg, base) }

// ClientID is the ID of d's River client (a func, not a method: the
// methods are each checked on a Dispatcher not made by New).
func ClientID(d *Dispatcher) string { return d.client.ID() }
