package channeltest

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// testSecret has what encoders escape: "/", "+", "=", a quote, "<", "&"
// and non-ASCII.
const testSecret = `pA/ss+w0rd="x<y&z"é`

// TestFindSecretEncodings checks each encoding against texts made by the
// encoders that produce it, not by encodings itself.
func TestFindSecretEncodings(t *testing.T) {
	basic := func(user string) string {
		return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+testSecret))
	}
	saslPlain := func(user string) string {
		return "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+testSecret))
	}
	goJSON, _ := json.Marshal(map[string]string{"password": testSecret})
	texts := map[string]string{
		"raw":                        "token " + testSecret + " refused",
		"hex":                        fmt.Sprintf("%x", "err: "+testSecret),
		"hex upper":                  fmt.Sprintf("%X", "err: "+testSecret),
		"Basic, user of 0 mod 3":     basic("bob"),
		"Basic, user of 1 mod 3":     basic("ops"),
		"Basic, user of 2 mod 3":     basic("alice"),
		"Basic, long user":           basic("relay-bot-7"),
		"SASL PLAIN":                 saslPlain("ops"),
		"SASL PLAIN, other length":   saslPlain("nick"),
		"base64 URL":                 base64.URLEncoding.EncodeToString([]byte("k=" + testSecret + "&x=1")),
		"base64 raw URL":             base64.RawURLEncoding.EncodeToString([]byte(testSecret)),
		"query":                      "https://api.example.com/v1?token=" + url.QueryEscape(testSecret),
		"query, lower-case escapes":  "?token=" + lowerHex.Replace(url.QueryEscape(testSecret)),
		"path":                       "/hooks/" + url.PathEscape(testSecret) + "/send",
		"Go JSON":                    string(goJSON),
		"JSON without HTML escaping": `{"password":"pA/ss+w0rd=\"x<y&z\"é"}`,
		"PHP JSON":                   `{"password":"pA\/ss+w0rd=\"x<y&z\"\u00e9"}`,
		"Python JSON":                `{"password": "pA/ss+w0rd=\"x<y&z\"\u00e9"}`,
		"Java JSON, upper hex":       `{"password":"pA/ss+w0rd=\"x\u003Cy\u0026z\"\u00E9"}`,
		"%q":                         fmt.Sprintf("%q", "token "+testSecret),
		"%+q":                        fmt.Sprintf("%+q", "token "+testSecret),
		"HTML":                       "<p>" + html.EscapeString(testSecret) + "</p>",
	}
	for name, text := range texts {
		_, ok := findSecret(text, testSecret)
		assert.Truef(t, ok, "%s: %q", name, text)
	}
	assert.NotContains(t, texts["query, lower-case escapes"], url.QueryEscape(testSecret), "lower-case escapes differ")
}

// lowerHex writes the escapes of testSecret with lower-case hex digits.
var lowerHex = strings.NewReplacer("%2F", "%2f", "%2B", "%2b", "%3D", "%3d", "%3C", "%3c", "%C3", "%c3", "%A9", "%a9")

func TestFindSecretClean(t *testing.T) {
	clean := []string{
		"",
		"chat: post: status 401",
		`{"error":"invalid_auth","token":"REDACTED"}`,
		"Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("ops:another-password")),
		hex.EncodeToString([]byte("pA/ss+w0rd")), // a prefix only
		strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 20),
	}
	for _, text := range clean {
		f, ok := findSecret(text, testSecret)
		assert.Falsef(t, ok, "%q: found as %s", text, f.encoding)
	}
	_, ok := findSecret("anything", "")
	assert.False(t, ok, "the empty secret")
}

// Every fragment is in the encoding of any text holding the secret at its
// alignment, whatever comes before and after it.
func TestBase64Fragment(t *testing.T) {
	for _, secret := range []string{"abc", "s3cr3t", testSecret, "0123456789abcdef"} {
		for pre := range 7 {
			for post := range 4 {
				text := strings.Repeat("\x00", pre) + secret + strings.Repeat("\xff", post)
				for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
					frag := base64Fragment(enc, secret, pre%3)
					assert.Contains(t, enc.EncodeToString([]byte(text)), frag, "%q with %d bytes before", secret, pre)
				}
			}
		}
	}
	assert.Empty(t, base64Fragment(base64.RawStdEncoding, "a", 1), "no character depends on one byte alone")
}

func TestJSONEscape(t *testing.T) {
	assert.Equal(t, `a\"b\\c\n`, jsonEscape("a\"b\\c\n", 0))
	assert.Equal(t, `\u003c\/\u00e9\ud83d\ude00`, jsonEscape("</é😀", jsonHTML|jsonSlash|jsonASCII))
	assert.Equal(t, `\u00E9\u0001`, jsonEscape("é\x01", jsonASCII|jsonUpper))
	b, _ := json.Marshal(testSecret)
	assert.Equal(t, string(b[1:len(b)-1]), jsonEscape(testSecret, jsonHTML), "Go's encoding/json")
}

// spyT records what AssertNoSecret reports.
type spyT struct {
	*testing.T
	errors []string
}

func (s *spyT) Helper() {}

func (s *spyT) Errorf(format string, args ...any) {
	s.errors = append(s.errors, fmt.Sprintf(format, args...))
}

func TestAssertNoSecret(t *testing.T) {
	spy := &spyT{T: t}
	text := "dial: auth failed: " + base64.StdEncoding.EncodeToString([]byte("\x00ops\x00"+testSecret))
	assert.False(t, AssertNoSecret(spy, text, "", "unrelated-token", testSecret))
	if assert.Len(t, spy.errors, 1) {
		assert.Contains(t, spy.errors[0], "secrets[2]")
		assert.Contains(t, spy.errors[0], "base64, standard alphabet, inside a longer credential")
		assert.Contains(t, spy.errors[0], "at byte 26 of 55") // past "dial: auth failed: AG9wcwBw"
	}
	spy.errors = nil
	assert.True(t, AssertNoSecret(spy, "dial: auth failed", testSecret, ""))
	assert.Empty(t, spy.errors)
}
