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
