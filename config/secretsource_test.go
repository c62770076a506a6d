package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fault of a name that holds another channel's secret says where
// that secret comes from: written in the file, or taken from the
// environment, naming the reference, never the value. A secret written
// in the file stays "written" when other parts of its entry come from the
// environment (the host), and one from the environment is so also
// percent-encoded there.
func TestSecretAsNameSaysWhereItComesFrom(t *testing.T) {
	const pw = "Zq8xKw5vT0pS3cr3t"
	tests := []struct{ name, url, want string }{
		{"written, the host from the environment", "smtp://user:" + pw + "@${MAIL_HOST}:587/?from=s@example.com&to=a@example.com",
			"channels[1].name: holds a secret written in channels[0] ("},
		{"from the environment, percent-encoded", "smtp://user:${MAIL_PW}@smtp.example.com:587/?from=s@example.com&to=a@example.com",
			"channels[1].name: holds a secret that channels[0] takes from ${MAIL_PW} ("},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, lines("channels:", "  - url: '"+tt.url+"'", "    name: mail",
				"  - kind: console", "    name: 'ops-"+pw+"'"),
				map[string]string{"MAIL_HOST": "smtp.example.com", "MAIL_PW": "Zq8xKw5vT0p%53" + pw[12:]})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), pw)
			assert.NotContains(t, err.Error(), "Zq8xKw5vT0p%53")
		})
	}
}
