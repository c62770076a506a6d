// Package listenaddr checks an example program's -listen address while it
// reads its flags, so that a mistake in it is a mistake on the command line
// (exit status 2), and every program takes the same addresses; and writes
// the URL of the address bound, as every program prints it.
package listenaddr

import (
	"net"
	"net/url"
)

// Valid reports whether addr has the form of a TCP address to listen on,
// as net.Listen takes it: host:port (the host may be empty, a name or an
// IP address, and is not looked up), where the port is a number from 0 to
// 65535, empty (as 0: any free port), or a service name that
// net.LookupPort knows ("localhost:http"). Whether the address is free, or
// this machine's, only listening tells.
func Valid(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	_, err = net.LookupPort("tcp", port) // numbers, and the services file: no network
	return err == nil
}

// URL returns the http URL of path on addr, an address a listener bound:
// an IPv6 address's zone %-escaped ("http://[fe80::1%25eth0]:8080/"), so
// that the URL an example program prints is one a client can use.
func URL(addr net.Addr, path string) string {
	return (&url.URL{Scheme: "http", Host: addr.String(), Path: path}).String()
}
