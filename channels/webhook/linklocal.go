package webhook

import (
	"errors"
	"net/netip"
	"syscall"

	urlcheck "github.com/outagecast/outagecast/channels/internal/endpoint"
)

// linkLocalProblem is why an endpoint at a link-local address is refused.
const linkLocalProblem = "a link-local or cloud metadata address (169.254.0.0/16, fe80::/10, fd00:ec2::254, fd20:ce::254, 100.100.100.200, …), where a POST could reach the instance's credentials: refused"

// errLinkLocal is the error of a connection the channel's own client
// refused to open.
var errLinkLocal = errors.New(linkLocalProblem)

// metadataAddrs are cloud metadata services outside the link-local ranges:
// the IPv6 ones are unique local addresses, which the channel otherwise
// posts to (receivers inside your network).
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("fd00:ec2::254"),   // AWS, over IPv6
	netip.MustParseAddr("fd00:ec2::23"),    // AWS EKS Pod Identity Agent, over IPv6
	netip.MustParseAddr("fd20:ce::254"),    // Google Cloud, over IPv6
	netip.MustParseAddr("fd00:42::42"),     // Scaleway, over IPv6
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
}

// linkLocal reports whether a, an IPv4-mapped one too, is link-local or
// a cloud metadata service's address.
func linkLocal(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() {
		return true
	}
	for _, m := range metadataAddrs {
		if a == m {
			return true
		}
	}
	return false
}

// linkLocalHost reports whether host, as a URL holds it, is an IP address
// that linkLocal refuses, also once in the ASCII form net/http dials: the
// IDNA mapping makes "１６９.２５４.１６９.２５４" 169.254.169.254.
func linkLocalHost(host string) bool {
	if a, err := urlcheck.ASCIIHost(host); err == nil {
		host = a
	}
	a, err := netip.ParseAddr(host)
	return err == nil && linkLocal(a)
}

// refuseLinkLocal is the Control of the channel's own client's dialer
// (httpx.ClientOptions.Control): it
// refuses a connection to a link-local or metadata address, which a name
// (or a proxy) can resolve to, before it is opened.
func refuseLinkLocal(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err == nil && linkLocal(ap.Addr()) {
		return errLinkLocal
	}
	return nil
}
