package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A channel URL with several query parameters its package refuses names
// each of them, in the order of their names, every time: before, the
// channel packages read the parameters in map order and stopped at the
// first refused, so the error named one of them, a different one from
// run to run.
func TestURLFormParamFaultsNamedTogether(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want []string
	}{
		{"statuspageio", "statuspageio://" + urlKey + "@page1?rate_limit=fast&notify=maybe&maintenance_window=soon",
			[]string{
				`(statuspageio "statuspageio"): URL: query maintenance_window: want a positive duration`,
				`(statuspageio "statuspageio"): URL: query notify: want yes or no`,
				`(statuspageio "statuspageio"): URL: query rate_limit: want a positive number`,
			}},
		{"irc", "ircs://statusbot@irc.example.com/ops?timeout=" + urlKey + "&sasl_password=" + urlKey + "&notice=maybe&burst=many",
			[]string{
				`(irc "irc"): URL: query burst: want a whole number`,
				`(irc "irc"): URL: query notice: want yes or no`,
				`(irc "irc"): URL: query timeout: `,
			}},
		{"discord", "discord://" + urlKey + "@123456789012345678?tls=maybe&forum=maybe&root_update=perhaps",
			[]string{
				`(discord "discord"): URL: query forum: want yes or no`,
				`(discord "discord"): URL: query root_update: want yes or no`,
				`(discord "discord"): URL: query tls: want yes or no`,
			}},
		{"statuspage", "statuspage:site?base_url=https://status.example.com/&history_days=many&feed_entries=all",
			[]string{
				`(statuspage "statuspage"): URL: query feed_entries: not a whole number`,
				`(statuspage "statuspage"): URL: query history_days: not a whole number`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 20 { // map order differs from run to run
				_, _, err := parse(t, lines("channels:", "  - "+tt.url), nil)
				assertFaults(t, err, tt.want...)
				assert.NotContains(t, err.Error(), urlKey)
				if t.Failed() {
					return
				}
			}
		})
	}
}

// urlKey is a secret of the URLs: an API key, a token, a password.
const urlKey = "Zx9kQ2mW7pL4vR8n"

// A query parameter refused for its name (unknown, or given twice) is
// named with the others refused for their values, and with each other:
// before, the first such name stopped the query, so a URL with an
// unknown parameter and a bad value took a run per mistake. An unknown
// name that may hold a secret is still not quoted, nor is any value.
func TestURLFormParamNameFaultsNamedWithValueFaults(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want []string
	}{
		{"statuspageio unknown and bad value", "statuspageio://" + urlKey + "@page1?colour=red&notify=maybe&" + urlKey + "=1",
			[]string{
				`(statuspageio "statuspageio"): URL: query: unknown parameter (want name`,
				`(statuspageio "statuspageio"): URL: query: unknown parameter "colour"`,
				`(statuspageio "statuspageio"): URL: query notify: want yes or no`,
			}},
		{"discord repeated and bad value", "discord://" + urlKey + "@123456789012345678?forum=yes&forum=no&tls=maybe",
			[]string{
				`(discord "discord"): URL: query: "forum" given 2 times`,
				`(discord "discord"): URL: query tls: want yes or no`,
			}},
		{"irc repeated and bad value", "ircs://statusbot@irc.example.com/ops?notice=maybe&burst=1&burst=2&sasl_password=" + urlKey,
			[]string{
				`(irc "irc"): URL: query: "burst" given 2 times`,
				`(irc "irc"): URL: query notice: want yes or no`,
			}},
		// The literal-parameter form (a query of secrets) went on past its
		// first unknown name too: before, it stopped there, so the second
		// unknown name, a bad %-escape and notice=maybe went untold.
		{"irc unknown names, bad escape and bad value", "ircs://statusbot@irc.example.com/ops?nick=bot&notice=maybe&" + urlKey + "&sasl_password=%zz" + urlKey + "&burst=many",
			[]string{
				`(irc "irc"): URL: query: parameter 1: unknown name (want user, real_name,`,
				`(irc "irc"): URL: query: parameter 3: unknown name (want user, real_name,`,
				`(irc "irc"): URL: query sasl_password: bad %-escape`,
				`(irc "irc"): URL: query burst: want a whole number`,
				`(irc "irc"): URL: query notice: want yes or no`,
			}},
		{"statuspage unknown and bad value", "statuspage:site?base_url=https://status.example.com/&history_days=many&colour=red",
			[]string{
				`(statuspage "statuspage"): URL: query: unknown parameter "colour"`,
				`(statuspage "statuspage"): URL: query history_days: not a whole number`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, lines("channels:", "  - "+tt.url), nil)
			assertFaults(t, err, tt.want...)
			assert.NotContains(t, err.Error(), urlKey)
		})
	}
}

// A statuspage URL whose base_url is refused names its other parameters
// refused for their values too, in name order, the same on every run:
// before, the base_url fault stopped the query, and history_days=many
// was told only once base_url was mended.
func TestStatuspageURLBaseURLFaultNamedWithOthers(t *testing.T) {
	for range 20 {
		_, _, err := parse(t, lines("channels:", "  - statuspage:site?history_days=many&base_url=ftp://status.example.com/&colour=red&feed_entries=x"), nil)
		assertFaults(t, err,
			`(statuspage "statuspage"): URL: query: unknown parameter "colour"`,
			`(statuspage "statuspage"): URL: query base_url: not an absolute http or https URL`,
			`(statuspage "statuspage"): URL: query feed_entries: not a whole number`,
			`(statuspage "statuspage"): URL: query history_days: not a whole number`,
		)
	}
}
