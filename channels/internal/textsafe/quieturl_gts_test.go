package textsafe

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// The Update's URL, which a template puts on a line of its own or after a
// space, gets GoToSocial's rule too, as a URL in the body does: where
// GoToSocial links none of it (a host without a lower-case top-level
// domain, as an IP address) or only part of it (up to a character its
// linkify takes in no path, as "|" or "ü"), it reads an "@" after "/" or
// "_" in the rest as a mention, which is written "%40". Before, the URL
// got Mastodon's rule alone, and a status on GoToSocial notified @ops.
// A URL GoToSocial links whole stays as it is.
func TestQuietURLGetsGoToSocialsRule(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"http://10.0.0.7/status/@ops", "http://10.0.0.7/status/%40ops"},
		{"https://STATUS.EXAMPLE/team_@ops", "https://STATUS.EXAMPLE/team_%40ops"},
		{"https://status.example/störung/@ops", "https://status.example/störung/%40ops"},
		{"https://status.example/a|b/@ops?x=@y", "https://status.example/a|b/%40ops?x=@y"},
		// Linked whole: GoToSocial reads no mention in it.
		{"https://mastodon.social/@name", "https://mastodon.social/@name"},
		{"https://status.example/team_@ops", "https://status.example/team_@ops"},
		// Mastodon's rule, as before.
		{"https://status.example/a,@ops", "https://status.example/a,%40ops"},
	} {
		u := broadcast.Update{URL: tc.url}
		assert.Equal(t, tc.want, Quiet(u, "m").URL, tc.url)
		assert.Equal(t, QuietMentions("See "+tc.url), "See "+Quiet(u, "m").URL, "as in the body: %s", tc.url)
	}
}
