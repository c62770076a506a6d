package redact_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A URL's path segment of eight characters or more that holds an
// upper-case letter is a token, as one with a digit is: an all-letter
// webhook token at the end of a URL ("…/services/abcDEFghij") is hidden
// wherever it appears, and a channel named as it is refused. The lower-case
// words of a path are not. A CamelCase path word ("Incidents",
// "StatusPage") has the shape of such a token and is hidden too, as the
// doc says: only as written, not in another case ("incidents").
func TestPathSegmentWithUpperCaseIsToken(t *testing.T) {
	for _, tt := range []struct {
		url, token string
	}{
		{"https://hooks.example.com/services/abcDEFghij", "abcDEFghij"},
		{"https://discord.com/api/webhooks/123/abcDEFghijKLMN", "abcDEFghijKLMN"},
		{"https://hooks.example.com/services/ABCDEFGHIJKLM?x=1", "ABCDEFGHIJKLM"},
		{"https://status.example.com/Incidents/", "Incidents"},
		{"https://github.com/acme/StatusPage", "StatusPage"},
	} {
		u := redact.NewURL(tt.url)
		r := redact.NewRedactor().WithURL(u)
		assert.Equal(t, "post failed: REDACTED refused", r.String("post failed: "+tt.token+" refused"), tt.url)
		assert.ErrorIs(t, redact.CheckName(tt.token, nil, []redact.URL{u}), redact.ErrSecretInName, tt.url)
	}

	// Lower-case path words, under sixteen characters and without a
	// digit, are no tokens; nor is a hidden word's other case.
	u := redact.NewURL("https://discord.com/api/webhooks/services/incidents/notifications/Incidents")
	r := redact.NewRedactor().WithURL(u)
	for _, word := range []string{"webhooks", "services", "incidents", "notifications"} {
		assert.Equal(t, "see "+word, r.String("see "+word), word)
		assert.NoError(t, redact.CheckName(word, nil, []redact.URL{u}), word)
	}
	assert.Equal(t, "see REDACTED", r.String("see Incidents"))
	assert.Equal(t, "see INCIDENTS and incidents", r.String("see INCIDENTS and incidents"),
		"a short token of letters is hidden as written only: its other cases may be words")
}

// The rule is the path's: a URL's other parts keep theirs. A query value
// is a token with a digit or from sixteen characters (a value of a key
// named like a credential from four), and a user name alone likewise: a
// CamelCase query value ("?view=StatusPage") or user name (an IRC
// nick, "OutageBot") is a word or a name there.
func TestUpperCaseRuleIsThePathsOnly(t *testing.T) {
	u := redact.NewURL("https://OutageBot@hooks.example.com/hook?view=StatusPage")
	r := redact.NewRedactor().WithURL(u)
	assert.Equal(t, "OutageBot sees StatusPage", r.String("OutageBot sees StatusPage"))
	assert.NoError(t, redact.CheckName("OutageBot", nil, []redact.URL{u}))
	assert.NoError(t, redact.CheckName("StatusPage", nil, []redact.URL{u}))
	r = redact.NewRedactor().WithURL(redact.NewURL("https://hooks.example.com/hook?token=StatusPage"))
	assert.Equal(t, "REDACTED", r.String("StatusPage"), "a value named like a credential is one")
}
