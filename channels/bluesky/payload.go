package bluesky

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rivo/uniseg"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// Limits of a post's text, from the app.bsky.feed.post lexicon.
const (
	// MaxGraphemes is the limit on a post's text in grapheme clusters.
	MaxGraphemes = 300
	// MaxBytes is the limit on a post's text in bytes of UTF-8.
	MaxBytes = 3000
)

// Collection is the NSID of the records the channel creates.
const Collection = "app.bsky.feed.post"

// Measure is a post's length for the limits: its grapheme clusters, and
// more than MaxGraphemes when it has more than MaxBytes bytes, so that a
// text that measures at most MaxGraphemes fits both limits.
func Measure(s string) int {
	g := templates.Graphemes(s)
	if len(s) > MaxBytes {
		return max(g, MaxGraphemes+1)
	}
	return g
}

// post is an app.bsky.feed.post record.
type post struct {
	Type      string    `json:"$type"`
	Text      string    `json:"text"`
	Facets    []facet   `json:"facets,omitempty"`
	Reply     *replyRef `json:"reply,omitempty"`
	Langs     []string  `json:"langs,omitempty"`
	CreatedAt string    `json:"createdAt"`
}

// replyRef is app.bsky.feed.post#replyRef: the thread's first post and
// the post replied to.
type replyRef struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

// strongRef is com.atproto.repo.strongRef: a record's AT URI and CID.
type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// facet is app.bsky.richtext.facet with a #link or a #tag feature.
type facet struct {
	Index    byteSlice `json:"index"`
	Features []feature `json:"features"`
}

// byteSlice is app.bsky.richtext.facet#byteSlice: UTF-8 byte offsets,
// end exclusive.
type byteSlice struct {
	ByteStart int `json:"byteStart"`
	ByteEnd   int `json:"byteEnd"`
}

// feature is a facet's feature: a #link's uri, or a #tag's tag.
type feature struct {
	Type string `json:"$type"`
	URI  string `json:"uri,omitempty"`
	Tag  string `json:"tag,omitempty"`
}

const linkFeature = "app.bsky.richtext.facet#link"

// linkFacets returns a #link facet for every http(s) URL in text, with the
// UTF-8 byte offsets Bluesky's facets use, so that the URL is clickable.
// What follows a URL in a sentence is left out of the link (see
// templates.LinkSpans), but for the URLs of whole (Update.URL), linked
// whole where text shows them (templates.LinkSpansWhole).
func linkFacets(text string, whole ...string) []facet {
	var out []facet
	for _, loc := range templates.LinkSpansWhole(text, whole...) {
		start, end := loc[0], loc[1]
		raw := text[start:end]
		if u, err := url.Parse(raw); err != nil || u.Host == "" {
			continue
		}
		out = append(out, facet{Index: byteSlice{ByteStart: start, ByteEnd: end},
			Features: []feature{{Type: linkFeature, URI: raw}}})
	}
	return out
}

// newPost returns the record of a post of text, replying in thread unless
// reply is nil. url is Update.URL, linked whole where text shows it;
// shown, unless nil, is its link where text shows it shortened.
func newPost(text, url string, shown *shownLink, reply *replyRef, langs []string, createdAt time.Time) post {
	return post{Type: Collection, Text: text, Facets: withShown(postFacets(text, url), shown), Reply: reply, Langs: langs,
		CreatedAt: createdAt.UTC().Format("2006-01-02T15:04:05.000Z")}
}

// shownLink is Update.URL where a post's text shows it shortened (see
// shortURL): the bytes [start, end) of the text, which link to uri, the
// whole URL.
type shownLink struct {
	start, end int
	uri        string
}

// withShown returns fs with the link facet of shown, in place of the
// facets that overlap it (the link of its shortened text), in the order
// of the text. fs as it is when shown is nil.
func withShown(fs []facet, shown *shownLink) []facet {
	if shown == nil {
		return fs
	}
	out := slices.DeleteFunc(fs, func(f facet) bool {
		return f.Index.ByteStart < shown.end && shown.start < f.Index.ByteEnd
	})
	out = append(out, facet{Index: byteSlice{ByteStart: shown.start, ByteEnd: shown.end},
		Features: []feature{{Type: linkFeature, URI: shown.uri}}})
	slices.SortStableFunc(out, func(a, b facet) int { return a.Index.ByteStart - b.Index.ByteStart })
	return out
}

// maxShownPath is how many characters (grapheme clusters) of a shortened
// URL's path, query and fragment its text keeps, as Bluesky's app shows a
// long link.
const maxShownPath = 24

// shortURL is how a post shows the http(s) URL raw when the post cannot
// hold it whole: its scheme and host, the start of what follows (never
// cut inside a character as the reader sees it, a grapheme cluster, nor
// inside a %-escape), then "...", the whole URL its link facet's. It is
// "" when raw is no URL or no shorter so.
func shortURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	// The scheme as written: url.Parse lower-cases it ("HTTPS://…").
	n := len(u.Scheme) + len("://") + len(u.Host)
	if len(raw) < n || !strings.EqualFold(raw[:n], u.Scheme+"://"+u.Host) {
		return ""
	}
	origin, rest := raw[:n], raw[n:]
	if templates.Graphemes(rest) <= maxShownPath+len("...") {
		return ""
	}
	end, state := 0, -1
	for range maxShownPath {
		var cluster string
		cluster, _, _, state = uniseg.FirstGraphemeClusterInString(rest[end:], state)
		end += len(cluster)
	}
	keep := rest[:end]
	if i := strings.LastIndexByte(keep, '%'); i >= 0 && i > len(keep)-3 {
		keep = keep[:i]
	}
	return origin + keep + "..."
}

// createRecord is the input of com.atproto.repo.createRecord.
type createRecord struct {
	Repo       string `json:"repo"`
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
	Record     post   `json:"record"`
}

// deleteRecord is the input of com.atproto.repo.deleteRecord.
type deleteRecord struct {
	Repo       string `json:"repo"`
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
}

// recordRef is the output of createRecord and getRecord.
type recordRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

func parseRecordRef(body []byte) (recordRef, error) {
	var r recordRef
	if json.Unmarshal(body, &r) != nil || r.URI == "" || r.CID == "" {
		return recordRef{}, errors.New("the answer holds no record's uri and cid")
	}
	if _, _, _, ok := parseATURI(r.URI); !ok || !cidRE.MatchString(r.CID) {
		// Not kept, not quoted: another server's answer.
		return recordRef{}, errors.New("the answer holds a uri or cid that is none")
	}
	return r, nil
}

// parseGotRecord reads getRecord's output, body: the record's uri and
// value, which its schema requires, and its cid, which it leaves optional
// (lexicons/com/atproto/repo/getRecord.json in bluesky-social/atproto): a
// record read without one has CID "". ok is false for an answer that is
// no record (no uri or value, or a uri or cid that is none).
func parseGotRecord(body []byte) (ref recordRef, ok bool) {
	var out struct {
		URI   string          `json:"uri"`
		CID   string          `json:"cid"`
		Value json.RawMessage `json:"value"`
	}
	if json.Unmarshal(body, &out) != nil || !bytes.HasPrefix(bytes.TrimSpace(out.Value), []byte("{")) {
		return recordRef{}, false
	}
	if _, _, _, ok := parseATURI(out.URI); !ok || out.CID != "" && !cidRE.MatchString(out.CID) {
		return recordRef{}, false
	}
	return recordRef{URI: out.URI, CID: out.CID}, true
}

// postReply returns the reply of the post whose getRecord output is body:
// the root of its thread and the post it replies to; nil when it replies
// to none, or its reply names no root (it is then its own root).
func postReply(body []byte) *replyRef {
	var out struct {
		Value struct {
			Reply *replyRef `json:"reply"`
		} `json:"value"`
	}
	if json.Unmarshal(body, &out) != nil || out.Value.Reply == nil || !validRef(out.Value.Reply.Root) {
		return nil
	}
	return out.Value.Reply
}

// Receipt.Meta keys: the post's strong reference, which replies need, and
// that of the first post of its thread (the post itself when it replies
// to none), which a reply to it must name as its root.
const (
	metaURI     = "uri"
	metaCID     = "cid"
	metaRootURI = "root_uri"
	metaRootCID = "root_cid"
)

// threadRef returns the reply of a post in thread: its latest post as
// parent, and as root the root of the parent's own thread, which its
// receipt names; the thread's first post for a receipt that does not. Nil
// when the thread has no post, or its receipts lack a URI or CID (the post
// then starts a new thread). Bluesky's AppView leaves a reply out of the
// thread unless its root is its parent's root (or its parent, a post
// replying to none): the thread's first post is not, when the latest post
// started a thread of its own.
func threadRef(t broadcast.Thread) *replyRef {
	root, rok := strongRefOf(t.Root)
	parent, pok := strongRefOf(t.Last)
	if !rok || !pok {
		return nil
	}
	if own := (strongRef{URI: t.Last.Meta[metaRootURI], CID: t.Last.Meta[metaRootCID]}); validRef(own) {
		root = own
	}
	return &replyRef{Root: root, Parent: parent}
}

func strongRefOf(r broadcast.Receipt) (strongRef, bool) {
	ref := strongRef{URI: r.Meta[metaURI], CID: r.Meta[metaCID]}
	return ref, validRef(ref)
}

func validRef(ref strongRef) bool { return strings.HasPrefix(ref.URI, "at://") && ref.CID != "" }

// tidAlphabet is base32-sortable, the encoding of TIDs.
const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// recordKey returns the record key of m's post: a TID (13 characters of
// base32-sortable, a 64-bit integer with its top bit 0, then 53 bits of
// microseconds since the Unix epoch and a 10-bit clock identifier), as
// app.bsky.feed.post requires. Its time is the second of m.Update.Time,
// so Bluesky orders the incident's posts by when they were written; the
// microseconds within that second and the clock identifier are 30 bits of
// m.Key(""), so that two updates written in the same second get distinct
// keys, and every attempt of one update gets the same key. Without
// Update.Time, all 63 bits come from the key.
func recordKey(m broadcast.Message) string {
	sum, _ := hex.DecodeString(m.Key("")) // 16 bytes
	a, b := binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])
	v := a
	if t := m.Update.Time; t.Unix() > 0 && t.Unix() < maxTIDSeconds {
		v = (uint64(t.Unix())*1_000_000+a%1_000_000)<<10 | b&0x3ff
	}
	return encodeTID(v &^ (1 << 63))
}

// maxTIDSeconds bounds the times a TID's 53 bits of microseconds hold.
const maxTIDSeconds = 1 << 53 / 1_000_000

func encodeTID(v uint64) string {
	var b [13]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// parseATURI splits at://DID/COLLECTION/RKEY, each part of the
// characters of a DID, an NSID or a record key.
func parseATURI(uri string) (did, collection, rkey string, ok bool) {
	m := atURIRE.FindStringSubmatch(uri)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

var (
	atURIRE = regexp.MustCompile(`^at://([A-Za-z0-9._:%-]+)/([A-Za-z0-9.-]+)/([A-Za-z0-9._:~-]+)$`)
	cidRE   = regexp.MustCompile(`^[A-Za-z0-9]+$`)
)

// postURL is the post's link in Bluesky's web app.
func postURL(did, rkey string) string {
	return "https://bsky.app/profile/" + url.PathEscape(did) + "/post/" + url.PathEscape(rkey)
}
