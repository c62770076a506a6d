package textsafe

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// A hostile title cannot mention an account: every "@name" outside URLs
// gets an invisible word joiner after the "@". E-mail addresses and URLs
// stay as they are.
func TestQuietMentions(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"@everyone look", "@\u2060everyone look"},
		{"cc @admin@mastodon.social now", "cc @\u2060admin@mastodon.social now"},
		{"mail ops@example.com", "mail ops@example.com"},
		{"see https://mastodon.social/@examplestatus/1 @x", "see https://mastodon.social/@examplestatus/1 @\u2060x"},
		{"see HTTPS://t.me/@examplestatus", "see HTTPS://t.me/@examplestatus"},
		{"a lone @ stays", "a lone @ stays"},
		{"ends with @", "ends with @"},
		{"(@_ops)", "(@\u2060_ops)"},
		{"@@ops", "@@\u2060ops"},
		{"über@ops", "über@ops"},
		{"@ümlaut", "@ümlaut"},
		{"no at sign", "no at sign"},
		{"", ""},
	} {
		assert.Equal(t, tt.want, QuietMentions(tt.in), tt.in)
	}
}

// Map changes the author's text, the channel's override among the
// overrides, and nothing else; the Update it was given is not modified.
func TestMap(t *testing.T) {
	u := broadcast.Update{ID: "u_1", IncidentID: "cdn", Corrects: "u_0", Title: "title", Body: "body", Advice: "advice",
		URL: "https://status.example.com/x", Components: []broadcast.Component{{Name: "api", Status: broadcast.ComponentDegraded}},
		Overrides: map[string]string{"ops": "override", "other": "other"}}
	before := u
	before.Components = append([]broadcast.Component(nil), u.Components...)
	got := Map(u, "ops", strings.ToUpper)

	want := before
	want.Title, want.Body, want.Advice = "TITLE", "BODY", "ADVICE"
	want.Components = []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded}}
	want.Overrides = map[string]string{"ops": "OVERRIDE", "other": "other"}
	assert.Equal(t, want, got)
	assert.Equal(t, before.Components, u.Components, "the slice is not modified")
	assert.Equal(t, map[string]string{"ops": "override", "other": "other"}, u.Overrides, "the map is not modified")

	bare := Map(broadcast.Update{Title: "t"}, "ops", strings.ToUpper)
	assert.Nil(t, bare.Components)
	assert.Nil(t, bare.Overrides)
}

// Insert marks the bytes after says, and never inside a URL.
func TestInsert(t *testing.T) {
	star := func(s string, i int) bool { return s[i] == '*' }
	assert.Equal(t, "a*|b https://x.example/*y* *|", Insert("a*b https://x.example/*y* *", "|", star))
	assert.Equal(t, "", Insert("", "|", star))
}
