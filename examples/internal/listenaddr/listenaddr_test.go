package listenaddr

import "testing"

// Valid takes what net.Listen takes, service names included, and refuses
// what it would refuse as no address.
func TestValid(t *testing.T) {
	for _, tt := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8090", true},
		{":8090", true},
		{"[::1]:8090", true},
		{"localhost:0", true},
		{"127.0.0.1:65535", true},
		{"localhost:http", true},
		{"127.0.0.1:https", true},
		{"", false},
		{"nope", false},
		{"8090", false},
		{"127.0.0.1:", true},
		{"127.0.0.1:65536", false},
		{"127.0.0.1:-1", false},
		{"127.0.0.1:99999999999999999999", false},
		{"127.0.0.1:no-such-service-here", false},
		{"[::1:8090", false},
	} {
		if got := Valid(tt.addr); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}
