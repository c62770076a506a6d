package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// TestSentenceAfterEmoji: sentence adds no full stop after a text that
// ends in a symbol, "👍" as much as "✔️", which is "✔" and the emoji
// variation selector, a mark, nor after a keycap ("1️⃣") or a
// subdivision flag, which end in a mark or a tag character; a letter
// with a combining accent still gets one.
func TestSentenceAfterEmoji(t *testing.T) {
	set, err := templates.Default().With("mine", "{{sentence .Body}}")
	require.NoError(t, err)
	for body, want := range map[string]string{
		"All good 👍":               "All good 👍",
		"All good ✔\ufe0f":         "All good ✔\ufe0f",
		"Service restored ❤\ufe0f": "Service restored ❤\ufe0f",
		"Press 1\ufe0f\u20e3":      "Press 1\ufe0f\u20e3",
		"Fans in 🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F": "Fans in 🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
		"Why?\u0301":             "Why?\u0301",
		"Back at the cafe\u0301": "Back at the cafe\u0301.",
		"Done":                   "Done.",
	} {
		got, err := set.Render("mine", broadcast.Update{Title: "T", Status: broadcast.StatusResolved, Body: body})
		require.NoError(t, err)
		assert.Equal(t, want, got, body)
	}

	// In a post: no "✔️." before the link.
	u := representative(broadcast.StatusResolved)
	u.Body = "Service restored ✔\ufe0f"
	got, err := templates.Default().Render("short", u)
	require.NoError(t, err)
	assert.Equal(t, "Resolved: Elevated CDN error rates — Service restored ✔\ufe0f https://status.example.com/incidents/42", got)
}
