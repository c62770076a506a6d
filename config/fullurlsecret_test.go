package config_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel named as a secret part of another channel's URL written in a
// full-form entry (a Discord webhook's token, a webhook endpoint's token
// in its path or query, a password in its user information), or holding
// one, is refused as a name holding a secret, naming the field, and no
// fault quotes the secret (the "used twice" fault of the names neither,
// nor the stages'), whether the URL was written in the file or taken
// from the environment. Before, only the secrets of a short-form entry's
// URL were compared with the names, and the faults read `name
// "Kq7vT2xN9pLmW4rZ8sYb": already used by channels[1]`.
func TestFullFormURLSecretAsOtherNameNotQuoted(t *testing.T) {
	const token = "Kq7vT2xN9pLmW4rZ8sYb"
	tests := []struct {
		name, key, url, env, channel string
		extra                        []string
	}{
		{"a Discord token", "webhook_url", "https://discord.com/api/webhooks/123456789/" + token, "", token, nil},
		{"a Discord token, held", "webhook_url", "https://discord.com/api/webhooks/123456789/" + token, "", "ops-" + token, nil},
		{"a Discord token, URL from the environment", "webhook_url", "${HOOK_URL}", "https://discord.com/api/webhooks/123456789/" + token, token, nil},
		{"a webhook token in the path", "url", "https://hooks.example.com/in/" + token, "", token, []string{"    allow_unsigned: true"}},
		{"a webhook token in the query", "url", "https://hooks.example.com/in?token=" + token, "", token, []string{"    allow_unsigned: true"}},
		{"a webhook password", "url", "https://ops:" + token + "@hooks.example.com/in", "", token, []string{"    allow_unsigned: true"}},
		{"a webhook endpoint's token", "endpoints", "", "", token, []string{"      - url: 'https://hooks.example.com/in/" + token + "'", "    allow_unsigned: true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind := "discord"
			if tt.key != "webhook_url" {
				kind = "webhook"
			}
			l := []string{"channels:", "  - kind: " + kind, "    name: hook", "    " + tt.key + ": '" + tt.url + "'"}
			if tt.url == "" {
				l[3] = "    " + tt.key + ":"
			}
			l = append(l, tt.extra...)
			first := len(l) + 2 // the line of the next entry's name
			l = append(l, "  - kind: console", "    name: '"+tt.channel+"'", "  - kind: console", "    name: '"+tt.channel+"'",
				"stages: [['"+tt.channel+"'], ['"+tt.channel+"']]")
			_, _, err := parse(t, lines(l...), map[string]string{"HOOK_URL": tt.env})
			require.Error(t, err)
			from := "a secret written in channels[0] ("
			if tt.env != "" {
				from = "a secret that channels[0] takes from ${HOOK_URL} ("
			}
			assert.Contains(t, err.Error(), fmtLine(first)+": channels[1].name: holds "+from)
			assert.Contains(t, err.Error(), fmtLine(first+2)+": channels[2].name: holds "+from)
			assert.NotContains(t, err.Error(), token)
		})
	}
}

// A channel named as a plain part of another full-form entry's URL (its
// host, a path segment that is no token, a user name beside a password)
// is taken: the parts of a URL that are no secret are not compared.
func TestFullFormURLPlainPartsAsOtherNameTaken(t *testing.T) {
	_, _, err := parse(t, lines("channels:",
		"  - kind: webhook", "    name: hook", "    url: 'https://ops:Kq7vT2xN9pLmW4rZ8sYb@hooks.example.com/incoming/status'",
		"    allow_unsigned: true",
		"  - kind: discord", "    name: chat", "    webhook_url: 'https://discord.com/api/webhooks/123456789/Kq7vT2xN9pLmW4rZ8sYc'",
		"  - kind: console", "    name: hooks.example.com",
		"  - kind: console", "    name: incoming",
		"  - kind: console", "    name: status",
		"  - kind: console", "    name: webhooks",
		"  - kind: console", "    name: discord.com",
		"  - kind: console", "    name: ops",
	), nil)
	require.NoError(t, err)
}

func fmtLine(n int) string { return "test.yaml:" + strconv.Itoa(n) }

// A short-form entry whose kind parses its URL into a Config holding a
// URL (a Discord webhook's, with the token in its path) gives that URL's
// secret parts too: a channel named as the token is refused, naming the
// field, and not quoted. Before, only the Config's plain secrets (its
// redact.Secret fields) were compared with the names, and a Discord
// webhook has none.
func TestShortURLNestedURLSecretAsOtherNameNotQuoted(t *testing.T) {
	const token = "Kq7vT2xN9pLmW4rZ8sYb"
	_, _, err := parse(t, lines("channels:",
		"  - url: 'discord://"+token+"@123456789'", "    name: chat",
		"  - kind: console", "    name: '"+token+"'", "  - kind: console", "    name: '"+token+"'",
		"stages: [['"+token+"'], ['"+token+"']]"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:5: channels[1].name: holds a secret written in channels[0] (")
	assert.Contains(t, err.Error(), "test.yaml:7: channels[2].name: holds a secret written in channels[0] (")
	assert.NotContains(t, err.Error(), token)
}

// A channel named as the password of another full-form entry's URL, of
// fewer than 6 bytes, which redact.CheckName does not look for in a
// name, is refused all the same, and not quoted.
func TestFullFormURLShortPasswordAsOtherNameNotQuoted(t *testing.T) {
	const pw = "Qz7!k"
	_, _, err := parse(t, lines("channels:",
		"  - kind: webhook", "    name: hook", "    url: 'https://ops:"+pw+"@hooks.example.com/in'", "    allow_unsigned: true",
		"  - kind: console", "    name: '"+pw+"'", "  - kind: console", "    name: '"+pw+"'",
		"stages: [['"+pw+"'], ['"+pw+"']]"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:7: channels[1].name: holds a secret written in channels[0] (")
	assert.Contains(t, err.Error(), "test.yaml:9: channels[2].name: holds a secret written in channels[0] (")
	assert.NotContains(t, err.Error(), pw)
}
