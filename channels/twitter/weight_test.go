package twitter

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// weightCase is a text and its weight as twitter-text counts it. The
// tagged test TestTwitterTextCases checks every table against twitter-text
// itself.
type weightCase struct {
	name string
	text string
	want int
}

// weightCases returns every table of this file.
func weightCases() []weightCase {
	return slices.Concat(lengthCases(), boundaryCases(), urlWeightCases())
}

func TestWeight(t *testing.T) {
	for _, tt := range weightCases() {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Weight(tt.text))
		})
	}
}

// lengthCases are twitter-text's counting examples for lengths, CJK,
// emoji and normalisation, rebuilt with explicit escapes.
func lengthCases() []weightCase {
	x10 := "xxxxxxxxxx-"
	poem := "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。" +
		"旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。" +
		"泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。" +
		"遥知兄弟登高处，遍插茱萸少一人。"
	kana := "あいうえおかきくけこ"
	family := "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"
	return []weightCase{
		{"regular tweet with url", "Hi http://test.co", 26},
		{"just url", "http://test.co", 23},
		{"285 chars", "285 chars-" + strings.Repeat(x10, 25), 285},
		{"url in the middle", "285 chars- http://www.twitter.com/jack " + strings.Repeat(x10, 24), 299},
		{"url at the end", strings.Repeat(x10, 24) + " http://www.twitter.com/jack ", 289},
		{"10 urls", strings.Repeat("https://www.twitter.com/aloha ", 10), 240},
		{"160 CJK", poem, 320},
		{"160 emoji", strings.Repeat("\U0001F637", 160), 320},
		{"3 latin + 160 CJK", "the" + poem, 323},
		{"normalized character", "282 chars-" + strings.Repeat(x10, 24) + "xxxxx" + "A\u0301x", 281},
		{"mix with ZWJ family", "H\U0001F431\u263A" + family, 7},
		{"emoji in a row", "\U0001F637\U0001F47E\U0001F621\U0001F525\U0001F4A9", 10},
		{"skin tone and ZWJ", "\U0001F64B\U0001F3FD\U0001F468\u200D\U0001F3A4", 4},
		{"general punctuation", "This is a tweet with general punctuation characters: " +
			"\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u200B" +
			" \u2010 \u2011 \u2012 \u2013 \u2014 \u2015 \u2016  \u2017 \u2018 \u2019 \u201A \u201B" +
			" \u201C \u201D \u201E \u201F \u2032 \u2033 \u2034 \u2035 \u2036 \u2037", 110},
		{"64-character domain is not a link", strings.Repeat("randomurl", 7) + "s.com", 68},
		{"IDN label over 63 in Punycode", strings.Repeat(kana, 12) + " http://" + strings.Repeat(kana, 5) + "あいう.com", 358},
		{"IDN label within 63 in Punycode", strings.Repeat(kana, 12) + " http://" + strings.Repeat(kana, 5) + "あい.com", 264},
		{"140 family emoji", strings.Repeat(family, 140), 280},
		{"count characters", "This is a test.", 15},
		{"http url", "http://test.com", 23},
		{"https url", "https://test.com", 23},
		{"url without protocol", "test.com", 23},
		{"multiple urls", "Test https://test.com test https://test.com test.com test", 86},
		{"hangul", "저찀쯿쿿", 8},
		{"Á normalized to one", "A\u0301B", 2},
		{"שּׁ normalized to three", "A\uFB2C", 4},
	}
}

// boundaryCases are the limits of the weights of characters and emoji.
func boundaryCases() []weightCase {
	return []weightCase{
		{"empty", "", 0},
		{"280 ASCII", strings.Repeat("a", 280), 280},
		{"281 ASCII", strings.Repeat("a", 281), 281},
		{"140 CJK", strings.Repeat("の", 140), 280},
		{"141 CJK", strings.Repeat("の", 141), 282},
		{"139 CJK and a letter", strings.Repeat("の", 139) + "a", 279},
		{"ellipsis weighs 2", "…", 2},
		{"em dash weighs 1", "—", 1},
		{"Cyrillic", "Сбой", 4},
		{"flag", "\U0001F1EF\U0001F1F5", 2},
		{"two flags", "\U0001F1EF\U0001F1F5\U0001F1FA\U0001F1F8", 4},
		{"lone regional indicator", "\U0001F1EF", 2},
		{"subdivision flag", "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", 2},
		{"keycap", "#\uFE0F\u20E3", 2},
		{"digit keycap", "1\uFE0F\u20E3", 2},
		{"heart with presentation selector", "\u2764\uFE0F", 2},
		{"copyright sign alone", "\u00A9", 1},
		{"letter with ZWJ is no emoji", "a\u200D", 2},
		{"letter with VS16 is no emoji", "a\uFE0F", 3},
		{"rainbow flag", "\U0001F3F3\uFE0F\u200D\U0001F308", 2},
		{"emoji with a selector it needs no", "\U0001F600\uFE0F", 4},
		{"pictograph shown as text by default with a selector", "\U0001F321\uFE0F", 2},
		{"mahjong tile with a selector", "\U0001F004\uFE0F", 2},
		{"hot beverage with a selector", "\u2615\uFE0F", 2},
	}
}

// TestWeightConcurrent weighs every case from several goroutines at once,
// short texts and one longer than the texts whose memory findURLs reuses
// (maxPooledBytes): each must weigh what it weighs alone.
func TestWeightConcurrent(t *testing.T) {
	cases := append(weightCases(), weightCase{"long", strings.Repeat("See https://status.example.com/a for it. ", 120), 120 * (len("See ") + urlWeight + len(" for it. "))})
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(cases))
	for g := range 4 {
		wg.Go(func() {
			for i := range cases {
				c := cases[(i+g*7)%len(cases)]
				if got := Weight(c.text); got != c.want {
					errs <- fmt.Sprintf("%s: %d, want %d", c.name, got, c.want)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
