package bluesky

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// An Update.URL too long for a post is shown shortened at the end of a
// character as the reader sees it (a grapheme cluster): an accent written
// as a combining mark stays with its letter, a flag is not halved into a
// lone regional indicator (shown as a boxed letter), a skin tone stays
// with its emoji. Before, the start of its path was cut after 24 code
// points, inside such a character.
func TestShortenedURLCutsBetweenGraphemes(t *testing.T) {
	ch, err := New(testConfig("https://bsky.social"))
	require.NoError(t, err)
	// Each path is too long for a post, and its first 24 code points
	// end inside a character.
	for _, path := range []string{
		strings.Repeat("e\u0301", MaxGraphemes),                        // é, decomposed
		strings.Repeat("🇪🇺", 20) + strings.Repeat("x", MaxGraphemes),   // a flag halved
		strings.Repeat("👍🏽", 20) + strings.Repeat("x", MaxGraphemes),   // an emoji without its skin tone
		strings.Repeat("क्षि", 10) + strings.Repeat("x", MaxGraphemes), // Devanagari: a consonant without its vowel sign
	} {
		u := broadcast.Update{ID: "u", Title: "CDN errors", Status: broadcast.StatusInvestigating,
			URL: "https://status.example.com/" + path}
		require.NoError(t, u.Validate())
		text, shown, err := ch.text(u.WithDefaults(fixedNow))
		require.NoError(t, err)
		require.NotNil(t, shown, "%q", text)
		assert.LessOrEqual(t, Measure(text), MaxGraphemes)
		kept, ok := strings.CutSuffix(text[shown.start:shown.end], "...")
		require.True(t, ok)
		require.True(t, strings.HasPrefix(u.URL, kept), kept)
		assert.Equal(t, templates.Graphemes(u.URL), templates.Graphemes(kept)+templates.Graphemes(u.URL[len(kept):]),
			"%q is cut inside a character", kept)
	}
}
