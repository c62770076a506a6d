//go:build twittertext

package twitter

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

// This file compares Weight with twitter-text's own parseTweet, run by
// node: scripts/twitter-text.sh installs the pinned npm package and sets
// TWITTER_TEXT_MODULES to its node_modules directory.

// randomTexts is how many texts TestTwitterTextRandom compares.
const randomTexts = 4000

// nodeParse is the program node runs: it reads a JSON array of texts and
// writes, for each, parseTweet's weighted length and validity and the
// links of the NFC-normalised text.
const nodeParse = `
const tt = require('twitter-text');
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', d => { input += d; });
process.stdin.on('end', () => {
  const out = JSON.parse(input).map(text => {
    const r = tt.parseTweet(text);
    return { weight: r.weightedLength, valid: r.valid, urls: tt.extractUrls(text.normalize()) };
  });
  process.stdout.write(JSON.stringify(out));
});
`

// parsed is twitter-text's answer for one text.
type parsed struct {
	Weight int      `json:"weight"`
	Valid  bool     `json:"valid"`
	URLs   []string `json:"urls"`
}

// twitterText parses texts with twitter-text in one node process.
func twitterText(t *testing.T, texts []string) []parsed {
	t.Helper()
	modules := os.Getenv("TWITTER_TEXT_MODULES")
	require.NotEmpty(t, modules, "TWITTER_TEXT_MODULES: run scripts/twitter-text.sh")
	in, err := json.Marshal(texts)
	require.NoError(t, err)
	cmd := exec.Command("node", "-e", nodeParse)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node: %s", stderr.String())
	var res []parsed
	require.NoError(t, json.Unmarshal(out, &res))
	require.Len(t, res, len(texts))
	return res
}

// compare checks every text against twitter-text's answer and returns how
// many agree.
func compare(t *testing.T, texts []string) int {
	t.Helper()
	agree := 0
	for i, want := range twitterText(t, texts) {
		weight, valid := measure(texts[i])
		urls := ourURLs(texts[i])
		if weight == want.Weight && valid == want.Valid && slicesEqual(urls, want.URLs) {
			agree++
			continue
		}
		t.Errorf("text %q:\n weight %d, valid %v, links %q;\n twitter-text: weight %d, valid %v, links %q",
			texts[i], weight, valid, urls, want.Weight, want.Valid, want.URLs)
	}
	return agree
}

func ourURLs(s string) []string {
	s = norm.NFC.String(s)
	urls := []string{}
	for _, u := range findURLs(s) {
		urls = append(urls, u.link(s))
	}
	return urls
}

func slicesEqual(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00") && len(a) == len(b)
}

func TestTwitterTextRandom(t *testing.T) {
	g := textGen{rand.New(rand.NewPCG(20251124, 42))}
	texts := make([]string, randomTexts)
	for i := range texts {
		texts[i] = g.text()
	}
	agree := compare(t, texts)
	t.Logf("%d of %d random texts agree with twitter-text", agree, len(texts))
}

// TestTwitterTextCases compares the unit tests' tables too: Weight, and
// each case's expected weight, must be twitter-text's.
func TestTwitterTextCases(t *testing.T) {
	cases := weightCases()
	texts := make([]string, len(cases))
	for i, c := range cases {
		texts[i] = c.text
	}
	for i, want := range twitterText(t, texts) {
		if cases[i].want != want.Weight {
			t.Errorf("case %q expects weight %d; twitter-text: %d", cases[i].name, cases[i].want, want.Weight)
		}
	}
	agree := compare(t, texts)
	t.Logf("%d of %d table cases agree with twitter-text", agree, len(texts))
}

// mentionTexts is how many texts TestTwitterTextMentions checks.
const mentionTexts = 4000

// nodeEntities reads a JSON array of [text, quieted] pairs and writes, for
// each, the hashtags twitter-text finds in the text (before its check
// against links), the mentions X keeps in the quieted text, those of
// extractEntitiesWithIndices, which drops the later of entities that
// overlap, and the links it keeps in the text and in the quieted text,
// each read in NFC as X reads a post.
const nodeEntities = `
const tt = require('twitter-text');
const links = t => tt.extractEntitiesWithIndices(t.normalize()).filter(e => e.url !== undefined).map(e => e.url);
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', d => { input += d; });
process.stdin.on('end', () => {
  const out = JSON.parse(input).map(([text, quiet]) => ({
    tags: tt.extractHashtagsWithIndices(text, { checkUrlOverlap: false }).map(h => h.hashtag),
    mentions: tt.extractEntitiesWithIndices(quiet.normalize()).filter(e => e.screenName !== undefined).map(e => e.screenName),
    links: links(text),
    quietLinks: links(quiet),
  }));
  process.stdout.write(JSON.stringify(out));
});
`

// TestTwitterTextMentions checks quietMentions against twitter-text: no
// text it returns holds a mention X keeps, and findHashtags finds the
// hashtags twitter-text finds. It logs the texts where quieting made X
// find a link it did not find before (see TestQuietMentionsMakesNoLink). The texts are the random posts of TestTwitterTextRandom with
// hashtags running into links, "@name" in their paths, names running into
// domains, and invisible characters around at signs.
func TestTwitterTextMentions(t *testing.T) {
	modules := os.Getenv("TWITTER_TEXT_MODULES")
	require.NotEmpty(t, modules, "TWITTER_TEXT_MODULES: run scripts/twitter-text.sh")
	g := textGen{rand.New(rand.NewPCG(20260101, 7))}
	pairs := make([][2]string, mentionTexts)
	for i := range pairs {
		var b strings.Builder
		for range 1 + g.r.IntN(4) {
			if g.chance(0.5) {
				b.WriteString(g.text())
			}
			b.WriteString(g.pick(" ", "", "(", "日本", "&", "\uFE0F", "#", "＃"))
			b.WriteString(g.pick("#", "＃", "##", "#\uFE0F", "#\u20E3"))
			b.WriteString(g.pick("", "障害", "x", "日本x", "café", "ops_1", "1", "é", "a\u0301", "ab&"))
			b.WriteString(g.pick("", " ", "/", "."))
			b.WriteString(g.pick(g.bare(), g.url(), "example.com/@ops", "x.com/a/＠ops", "example.com/@ops#tag"))
			b.WriteString(g.pick("", "/@ops", "@ops", " @ops", "#日本", "://x.com/@ops"))
			if g.chance(0.5) {
				b.WriteString(g.pick(" ", "", "日本", "a", "/", "\u200B", "\u2060", "\u202E", "\u2067"))
				b.WriteString(g.pick("@", "＠", "@\u200B", "@\u2060", "@\u00AD", "@\uFE0F", "@\u200E", "@\u202C", "@\u2069", "RT\u200B@"))
				b.WriteString(g.pick("api.COM", "okta.example.com/@ops", "https://x.com/@ops", "\u212Aops", "ops日x.com/@ops",
					"ops日.example.com", "user/list.example.com", "ops\u0301", "ops\u03B9", "ops@x.com", "ops_.co.uk/@a", g.bare()))
			}
		}
		pairs[i] = [2]string{b.String(), quietMentions(b.String())}
	}
	in, err := json.Marshal(pairs)
	require.NoError(t, err)
	cmd := exec.Command("node", "-e", nodeEntities)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node: %s", stderr.String())
	var res []struct {
		Tags       []string `json:"tags"`
		Mentions   []string `json:"mentions"`
		Links      []string `json:"links"`
		QuietLinks []string `json:"quietLinks"`
	}
	require.NoError(t, json.Unmarshal(out, &res))
	require.Len(t, res, len(pairs))
	agree, madeLinks := 0, 0
	for i, want := range res {
		text, quiet := pairs[i][0], pairs[i][1]
		tags := []string{}
		for _, h := range findHashtags(text) {
			_, size := utf8.DecodeRuneInString(text[h[0]:])
			tags = append(tags, text[h[0]+size:h[1]])
		}
		if made := newLinks(want.Links, want.QuietLinks); len(made) > 0 {
			// Rare: a word joiner ends a match of X's link expression
			// that made no link (as a t.co link with too long a slug),
			// and X finds a link in the text that match held.
			madeLinks++
			t.Logf("quieted %q: twitter-text finds links it did not: %q", quiet, made)
		}
		if slicesEqual(tags, want.Tags) && len(want.Mentions) == 0 {
			agree++
			continue
		}
		t.Errorf("text %q:\n hashtags %q, twitter-text: %q;\n quieted %q: twitter-text finds mentions %q",
			text, tags, want.Tags, quiet, want.Mentions)
	}
	t.Logf("%d of %d texts agree with twitter-text; %d quieted have links the text had not", agree, len(pairs), madeLinks)
}

// newLinks returns the links of quiet, a quieted text, that the text it
// came from does not hold, the marks quieting inserts aside.
func newLinks(text, quiet []string) []string {
	had := map[string]int{}
	for _, l := range text {
		had[unmarked.Replace(l)]++
	}
	var made []string
	for _, l := range quiet {
		if l = unmarked.Replace(l); had[l] > 0 {
			had[l]--
		} else {
			made = append(made, l)
		}
	}
	return made
}

var unmarked = strings.NewReplacer("\u2060", "", mentionBreak, "")
