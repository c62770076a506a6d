package dispatch

import (
	"crypto/rand"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// River's bounds of a client's ID: its Config takes at most 100 bytes;
// its default cuts the host name to 60.
const (
	maxClientID     = 100
	maxClientIDHost = 60
)

// clientIDSuffix is how many random characters (5 bits each) clientID
// adds to River's default: as many as its 100 bytes leave room for.
const clientIDSuffix = maxClientID - maxClientIDHost - len("_2006_01_02T15_04_05_000000") - len("_")

// clientBase is the ID River's client would give itself on this host now
// (its defaultClientID): the host name, its dots made underscores, cut to
// 60 bytes (here on a character's boundary, and any byte not UTF-8 made
// an underscore: PostgreSQL would refuse it in attempted_by), and the
// time to the microsecond.
func clientBase(host string, at time.Time) string {
	host = strings.ToValidUTF8(strings.ReplaceAll(host, ".", "_"), "_")
	if host == "" {
		host = "unknown_host"
	}
	if len(host) > maxClientIDHost {
		host = host[:maxClientIDHost]
		for !utf8.ValidString(host) {
			host = host[:len(host)-1]
		}
	}
	return host + "_" + strings.Replace(at.UTC().Format("2006_01_02T15_04_05.000000"), ".", "_", 1)
}

// hostClientBase is clientBase of this host, now.
func hostClientBase() string {
	host, _ := os.Hostname()
	return clientBase(host, time.Now())
}

// clientID is base with a random suffix: the ID of one Dispatcher's River
// client, which no other client shares. River's default alone is shared
// by two instances of one host name (host networking, long pod names cut
// to the same 60 bytes) started in the same microsecond, and by two
// Dispatchers of one process made in it: the Stop of one would then make
// the other's running jobs available again (see rescueStranded), to run a
// second time beside the first.
func clientID(base string) string {
	return base + "_" + strings.ToLower(rand.Text()[:clientIDSuffix])
}
