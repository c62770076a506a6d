package templates_test

import (
	"strings"
	"testing"

	"github.com/outagecast/outagecast/templates"
)

// Shorten cuts no domain name without a scheme: X, Telegram and others
// link a cut one, "api.cloud.examp…", as far as it names a domain.
func TestShortenKeepsDomainsWhole(t *testing.T) {
	const text = "Status: api.cloud.example.com down, more words here"
	for limit := 1; limit < templates.Runes(text); limit++ {
		got := templates.Shorten(text, limit, templates.Runes)
		head := strings.TrimSuffix(got, templates.Ellipsis)
		if i := strings.Index(head, "api."); i >= 0 && !strings.HasPrefix(head[i:], "api.cloud.example.com") {
			t.Errorf("Shorten(%d) = %q cuts the domain", limit, got)
		}
	}
}

// Nor is the first label cut, before the first dot: X weighs a domain 23
// whatever its length, so "Status: averyverylongsubdomainn…" would weigh
// more than the domain it was cut from.
func TestShortenKeepsFirstLabel(t *testing.T) {
	const domain = "averyveryverylongsubdomainname.example.com"
	const text = "Status: " + domain + " down, more words here"
	for limit := 1; limit < templates.Runes(text); limit++ {
		got := templates.Shorten(text, limit, templates.Runes)
		head := strings.TrimSuffix(got, templates.Ellipsis)
		for n := 1; n < len(domain); n++ {
			if strings.HasSuffix(head, " "+domain[:n]) {
				t.Errorf("Shorten(%d) = %q cuts the domain", limit, got)
			}
		}
	}
}

// A number or a domain in text without spaces, as Japanese, keeps the text
// after it cuttable: only the run of ASCII the dot is in is whole.
func TestShortenCutsAfterDottedRun(t *testing.T) {
	const text = "レイテンシが1.5秒増加しています。原因を調査しており、復旧までしばらくお待ちください。"
	got := templates.Shorten(text, 20, templates.Runes)
	if want := "レイテンシが1.5秒増加しています…"; templates.Runes(got) < 18 {
		t.Errorf("Shorten = %q, want about %q", got, want)
	}
}

// Shorten cuts no hashtag: "#cdnout…" is another tag, which platforms
// link.
// A "#" after punctuation starts a hashtag too: X, Telegram and Mastodon
// link "(#cdnoutageeuropewest2)".
func TestShortenKeepsHashtagsWhole(t *testing.T) {
	for _, text := range []string{
		"Errors #cdnoutageeuropewest2 traffic is failing over",
		"Errors (#cdnoutageeuropewest2) traffic is failing over",
		"Errors,#cdnoutageeuropewest2 traffic is failing over",
		"Errors: \"#cdnoutageeuropewest2\" traffic is failing over",
	} {
		for limit := 1; limit < templates.Runes(text); limit++ {
			got := templates.Shorten(text, limit, templates.Runes)
			head := strings.TrimSuffix(got, templates.Ellipsis)
			if i := strings.Index(head, "#"); i >= 0 && !strings.HasPrefix(head[i:], "#cdnoutageeuropewest2") {
				t.Errorf("Shorten(%d) = %q cuts the hashtag", limit, got)
			}
		}
	}
}

// Shorten cuts no mention either: "@AcmeSupp…" names, and notifies,
// another account on X, Mastodon and Telegram. An "@" after a letter or
// a digit is an e-mail address's, no mention.
func TestShortenKeepsMentionsWhole(t *testing.T) {
	for _, text := range []string{
		"Errors: ask @AcmeSupportTeam and traffic is failing over",
		"Errors (@AcmeSupportTeam) traffic is failing over",
		"Errors,@AcmeSupportTeam traffic is failing over",
		"Errors ＠AcmeSupportTeam traffic is failing over",
	} {
		for limit := 1; limit < templates.Runes(text); limit++ {
			got := templates.Shorten(text, limit, templates.Runes)
			head := strings.TrimSuffix(got, templates.Ellipsis)
			if i := strings.IndexAny(head, "@＠"); i >= 0 && !strings.HasPrefix(strings.TrimLeft(head[i:], "@＠"), "AcmeSupportTeam") {
				t.Errorf("Shorten(%d) = %q cuts the mention", limit, got)
			}
		}
	}
	// After a letter, "@" starts no mention: a cut may fall after it.
	got := templates.Shorten("Write to ab@averyveryverylongname for help", 25, templates.Runes)
	if want := "Write to ab@averyveryver" + templates.Ellipsis; got != want {
		t.Errorf("Shorten = %q, want %q", got, want)
	}
}

// A dotted run that does not fit is left out whole, however long: which
// of its prefixes a platform links depends on its list of top-level
// domains, which Shorten does not know.
func TestShortenLeavesOutLongDottedRun(t *testing.T) {
	class := strings.Repeat("com.example.internal.", 19) + "Handler.run(Handler.java:42)"
	got := templates.Shorten("Crash in "+class+" again", 100, templates.Runes)
	if want := "Crash in" + templates.Ellipsis; got != want {
		t.Errorf("Shorten = %q, want %q", got, want)
	}
}

// A domain name with letters outside ASCII (an internationalized one) is
// kept whole as an ASCII one is, its first label too: a cut before its
// first dot once fell wherever a letter outside ASCII ended the run of
// ASCII, "bücher-beispiel-sehr-l…".
func TestShortenKeepsIDNWhole(t *testing.T) {
	for _, domain := range []string{
		"bücher-beispiel-sehr-länger-als-lang.example.com/pfad",
		"пример-очень-длинного-домена.рф/путь",
		"status.bücher-beispiel-sehr-länger.example.com",
	} {
		text := "Status: " + domain + " down, more words here"
		for limit := 1; limit < templates.Runes(text); limit++ {
			got := templates.Shorten(text, limit, templates.Runes)
			head := strings.TrimSuffix(got, templates.Ellipsis)
			if !strings.HasPrefix("Status:", head) && !strings.HasPrefix(head, "Status: "+domain) {
				t.Errorf("Shorten(%d) = %q cuts %q", limit, got, domain)
			}
		}
	}
}

// Text in a script written without spaces around a domain is cut as
// before: only the domain is whole.
func TestShortenCutsJapaneseAroundDomain(t *testing.T) {
	const text = "障害の詳細はstatus.example.comをご覧ください。復旧までしばらくお待ちください。"
	got := templates.Shorten(text, 40, templates.Runes)
	if templates.Runes(got) < 30 {
		t.Errorf("Shorten = %q, want about 40 runes", got)
	}
}

// A link without a scheme keeps a "-" at its end before the ellipsis: X
// and Telegram link "x.example/path-" with it, and "x.example/path…" is
// another page. Telegram links the dashes U+2010 to U+2015 too, at the
// end of a link ("x.example/path–") or inside it ("x.example/a–b"): no
// cut falls before one or after one, where Telegram would link a shorter
// path ("x.example/a–…"). X ends the link before such a dash either way.
func TestShortenKeepsBareLinkDash(t *testing.T) {
	for _, link := range []string{"status.example.com/path-", "status.example.com/a-b--", "bücher.example/pfad-",
		"status.example.com/path–", "status.example.com/path—", "status.example.com/path‐",
		"status.example.com/a–b", "status.example.com/a——b―"} {
		text := "See " + link + " and more words here"
		prev := 0
		for limit := 1; limit < templates.Runes(text); limit++ {
			got := templates.Shorten(text, limit, templates.Runes)
			if strings.Contains(got, "status.example.com") || strings.Contains(got, "bücher.example") {
				if !strings.Contains(got, link+templates.Ellipsis) && !strings.Contains(got, link+" ") {
					t.Errorf("Shorten(%d) = %q changes the link %q", limit, got, link)
				}
			}
			if n := templates.Runes(got); n < prev {
				t.Errorf("Shorten(%d) = %q is shorter than for a lower limit", limit, got)
			} else {
				prev = n
			}
		}
	}
	// A "-" after a word is trimmed as before.
	if got, want := templates.Shorten("See x.example - and more words here", 16, templates.Runes), "See x.example…"; got != want {
		t.Errorf("Shorten = %q, want %q", got, want)
	}
}
