package bluesky

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A text with bytes that are not UTF-8 before a link (an IncidentID a
// template shows, in a Message built by hand, which no Broadcaster
// validated) gets a facet over the link as the server reads the text:
// JSON carries each such byte as U+FFFD, three bytes, so the channel
// counts the offsets in the text with them replaced so. Before, the
// facet's offsets counted the bytes as sent, and the link fell short of
// the URL by two bytes a bad byte.
func TestFacetsAfterInvalidUTF8(t *testing.T) {
	set, err := templates.Default().With("short", "{{.IncidentID}} {{.URL}}")
	require.NoError(t, err)
	f := newFakePDS(t)
	ch := newTestChannel(t, f, func(c *Config) { c.Templates = set })
	u := testUpdate()
	u.IncidentID = "cdn\xff\xfeerrors"
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	in := createInput(t, f.received("com.atproto.repo.createRecord")[0])
	require.Len(t, in.Record.Facets, 1)
	fc := in.Record.Facets[0]
	assert.Equal(t, u.URL, in.Record.Text[fc.Index.ByteStart:fc.Index.ByteEnd], "the bytes the facet covers, as the server has the text")
}

// Bytes that are not UTF-8 go out as U+FFFD, three bytes each: the post is
// fitted as it goes out, so that it stays within MaxBytes. Before, it was
// fitted with the bytes as given, and a post near the limit came out over
// it, which the server refuses for good (400 InvalidRequest).
func TestInvalidUTF8WithinMaxBytes(t *testing.T) {
	set, err := templates.Default().With("short", "{{.IncidentID}} {{.Body}}")
	require.NoError(t, err)
	f := newFakePDS(t)
	ch := newTestChannel(t, f, func(c *Config) { c.Templates = set })
	u := testUpdate()
	u.IncidentID = strings.Repeat("\xff\u0301", 120)       // one grapheme, 3 bytes; 5 as sent
	u.Body = strings.Repeat("👨\u200d👩\u200d👧\u200d👦", 100) // one grapheme, 25 bytes
	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.LessOrEqual(t, p.Length, MaxGraphemes)
	assert.LessOrEqual(t, len(p.Text), MaxBytes)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	in := createInput(t, f.received("com.atproto.repo.createRecord")[0])
	assert.LessOrEqual(t, len(in.Record.Text), MaxBytes)
}
