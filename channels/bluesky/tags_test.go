package bluesky

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A hashtag in an update is one on Bluesky too: a #tag facet over it,
// with UTF-8 byte offsets, as Bluesky's app makes for a post written in
// it (RichText.detectFacets). Before, "#CDN" went out as plain text: not
// a link, and the post was missing from the tag's feed. Tags follow the
// app's rule: "#" at the start or after white space, then a run that is
// not only digits and punctuation (so "#42" is none), its trailing
// punctuation left out, at most 64 UTF-16 units; never inside a link.
func TestTagFacets(t *testing.T) {
	tests := []struct {
		text string
		tags []string // as they appear in the text, "#" included
	}{
		{"Errors on the #CDN", []string{"#CDN"}},
		{"#CDN errors, #東京 too.", []string{"#CDN", "#東京"}},
		{"👩🏽‍💻 #outage! and (#not-a-tag", []string{"#outage"}},
		{"Incident #42 and #1a", []string{"#1a"}},
		{"＃全角 tag", []string{"＃全角"}},
		{"keycap #️⃣ is none", nil},
		{"a#b is none", nil},
		{"see https://status.example.com/#frag", nil},
		{"#a#b one tag", []string{"#a#b"}},
		{"#" + strings.Repeat("x", 64) + " #" + strings.Repeat("y", 65), []string{"#" + strings.Repeat("x", 64)}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got []string
			for _, fc := range postFacets(tt.text) {
				if fc.Features[0].Type != tagFeature {
					continue
				}
				s := tt.text[fc.Index.ByteStart:fc.Index.ByteEnd]
				got = append(got, s)
				assert.Equal(t, strings.TrimLeft(strings.TrimLeft(s, "#"), "＃"), fc.Features[0].Tag, "the tag, without its #")
			}
			assert.Equal(t, tt.tags, got)
		})
	}
}

// The record of a post with a hashtag and a link carries both facets, in
// the order of the text, and the server takes it.
func TestSendTagFacet(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.Title = "Errors on the #CDN in 東京"
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	var in struct {
		Record struct {
			Text   string `json:"text"`
			Facets []struct {
				Index    byteSlice         `json:"index"`
				Features []json.RawMessage `json:"features"`
			} `json:"facets"`
		} `json:"record"`
	}
	require.NoError(t, json.Unmarshal([]byte(f.received("com.atproto.repo.createRecord")[0].Body), &in))
	require.Len(t, in.Record.Facets, 2)
	tag, link := in.Record.Facets[0], in.Record.Facets[1]
	assert.Equal(t, "#CDN", in.Record.Text[tag.Index.ByteStart:tag.Index.ByteEnd])
	assert.JSONEq(t, `{"$type":"app.bsky.richtext.facet#tag","tag":"CDN"}`, string(tag.Features[0]))
	assert.Equal(t, u.URL, in.Record.Text[link.Index.ByteStart:link.Index.ByteEnd])
}
