package listenaddr

import (
	"net"
	"net/url"
	"testing"
)

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

// The URL of an address bound is one a client can use: an IPv6 zone is
// %-escaped, as a URL writes it.
func TestURL(t *testing.T) {
	for _, tt := range []struct {
		addr *net.TCPAddr
		path string
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "/", "http://127.0.0.1:8080/"},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 80}, "", "http://[::1]:80"},
		{&net.TCPAddr{IP: net.ParseIP("fe80::1"), Zone: "eth0", Port: 9093}, "/alerts", "http://[fe80::1%25eth0]:9093/alerts"},
	} {
		got := URL(tt.addr, tt.path)
		if got != tt.want {
			t.Errorf("URL(%v, %q) = %q, want %q", tt.addr, tt.path, got, tt.want)
		}
		if _, err := url.Parse(got); err != nil {
			t.Errorf("URL(%v, %q) = %q: %v", tt.addr, tt.path, got, err)
		}
	}
}
