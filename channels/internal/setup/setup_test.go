package setup

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

func TestErrorf(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", Errorf("demo", "Rooms[2]", "%q repeats Rooms[%d]", "#ops", 0))
	assert.EqualError(t, err, `wrapped: demo: Config.Rooms[2]: "#ops" repeats Rooms[0]`)
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, Error{Pkg: "demo", Field: "Rooms[2]", Problem: `"#ops" repeats Rooms[0]`}, *e)
}

// One rule for a channel's name, the strictest of the adapters' variants:
// no white space around it, no control character in it.
func TestName(t *testing.T) {
	for name, want := range map[string]string{"": "demo", "ops": "ops", "ops team": "ops team", "état": "état"} {
		got, err := Name("demo", name, "demo", nil)
		require.NoError(t, err, name)
		assert.Equal(t, want, got)
	}
	for _, name := range []string{" ops", "ops ", "\u00a0ops"} {
		_, err := Name("demo", name, "demo", nil)
		assert.EqualError(t, err, "demo: Config.Name: leading or trailing white space", "%q", name)
	}
	for _, name := range []string{"\tops", "ops\n", "ops\nteam", "ops\x00", "ops\x7f", "ops\u0085"} {
		_, err := Name("demo", name, "demo", nil)
		assert.EqualError(t, err, "demo: Config.Name: holds a control character", "%q", name)
	}
}

// A name that is not valid UTF-8 can key no Update.Overrides (Validate
// refuses such a key), and a metrics label of it panics: New refuses it,
// naming the field.
func TestNameNotUTF8(t *testing.T) {
	for _, name := range []string{"ops\xff", "\xc3", "op\xc3s"} {
		_, err := Name("demo", name, "demo", nil)
		assert.EqualError(t, err, "demo: Config.Name: not valid UTF-8", "%q", name)
	}
}

// A name longer than 255 bytes can key no Update.Overrides either
// (Validate refuses such a key): New refuses it, naming the field.
func TestNameTooLong(t *testing.T) {
	_, err := Name("demo", strings.Repeat("é", 127)+"o", "demo", nil)
	require.NoError(t, err, "255 bytes")
	_, err = Name("demo", strings.Repeat("é", 128), "demo", nil)
	assert.EqualError(t, err, "demo: Config.Name: longer than 255 bytes")
}

// One rule for a token sent in a header, the strictest of the adapters'
// variants: printable ASCII.
func TestToken(t *testing.T) {
	assert.NoError(t, Token("demo", "Token", redact.NewSecret("syt_abc-DEF.123~+/=")))
	assert.EqualError(t, Token("demo", "Token", redact.Secret{}), "demo: Config.Token: missing")
	for _, tok := range []string{"abc ", " abc", "a b", "abc\n", "abc\r\nX-Evil: 1", "a\tb", "a\x00b", "a\x7fb", "abcé", "a\u00a0b"} {
		err := Token("demo", "Token", redact.NewSecret(tok))
		assert.EqualError(t, err, "demo: Config.Token: holds white space, a control character or a character outside ASCII", "%q", tok)
	}
}

func TestDistinct(t *testing.T) {
	assert.NoError(t, Distinct("demo", "Rooms", []string{"#ops", "#eng", "#OPS"}, nil))
	assert.NoError(t, Distinct("demo", "Rooms", nil, nil))
	assert.EqualError(t, Distinct("demo", "Rooms", []string{"#ops", "#eng", "#ops"}, nil),
		`demo: Config.Rooms[2]: the same as Rooms[0]`)
	assert.EqualError(t, Distinct("demo", "Rooms", []string{"#ops", "#eng", "#OPS"}, strings.ToLower),
		`demo: Config.Rooms[2]: the same as Rooms[0]`)
	// An entry pasted twice may be a secret: neither is quoted.
	assert.EqualError(t, Distinct("demo", "Channels", []string{"xoxb-1234-5678-abcdEFGH", "xoxb-1234-5678-abcdEFGH"}, nil),
		`demo: Config.Channels[1]: the same as Channels[0]`)
}

func TestTemplates(t *testing.T) {
	set, err := Templates("demo", nil, "demo", "{{.Title}}")
	require.NoError(t, err)
	assert.Contains(t, set.Names(), "demo", "added to the defaults")
	assert.Contains(t, set.Names(), "short")

	own, err := templates.Default().With("demo", "own {{.Title}}")
	require.NoError(t, err)
	set, err = Templates("demo", own, "demo", "{{.Title}}")
	require.NoError(t, err)
	text, err := set.Render("demo", Samples("demo")[0])
	require.NoError(t, err)
	assert.Equal(t, "own Sample", text, "the user's template is kept")

	_, err = Templates("demo", nil, "demo", "{{.Title")
	assert.ErrorContains(t, err, "demo: Config.Templates: templates: demo:")
}

func TestSamples(t *testing.T) {
	s := Samples("ops")
	require.Len(t, s, 11)
	statuses := map[broadcast.Status]bool{}
	for _, u := range s {
		require.NoError(t, u.Validate())
		assert.NotEmpty(t, u.ID)
		statuses[u.Status] = true
	}
	assert.Len(t, statuses, 8, "every status, for a template's variants")
	assert.Empty(t, s[0].Corrects)
	assert.Empty(t, s[0].Overrides)
	assert.Equal(t, "u_sample", s[1].Corrects)
	assert.Empty(t, s[1].Overrides)
	assert.Empty(t, s[2].Corrects)
	assert.Equal(t, map[string]string{"ops": "Sample override."}, s[2].Overrides)
	assert.Equal(t, "u_sample", s[3].Corrects, "a correction with an override")
	assert.Equal(t, map[string]string{"ops": "Sample override."}, s[3].Overrides)
}

// Try renders the plain, correction, override and corrected override
// samples, and names Config.Templates in the error of the first that fails.
func TestTry(t *testing.T) {
	var seen []broadcast.Update
	require.NoError(t, Try("demo", "ops", func(u broadcast.Update) error { seen = append(seen, u); return nil }))
	assert.Equal(t, Samples("ops"), seen)

	err := Try("demo", "ops", func(u broadcast.Update) error {
		if u.Corrects != "" {
			return errors.New("no correction template")
		}
		return nil
	})
	assert.EqualError(t, err, "demo: Config.Templates: no correction template")

	// A failure only when a correction has an override is found too.
	err = Try("demo", "ops", func(u broadcast.Update) error {
		if u.Corrects != "" && u.Overrides["ops"] != "" {
			return errors.New("no corrected override")
		}
		return nil
	})
	assert.EqualError(t, err, "demo: Config.Templates: no corrected override")
}

func TestTryText(t *testing.T) {
	assert.NoError(t, TryText("demo", templates.Default(), "ops", "short", 280, templates.Runes))
	set, err := templates.Default().With("short", "{{if .Corrects}}{{.NoSuchField}}{{end}}{{.Title}}")
	require.NoError(t, err)
	assert.ErrorContains(t, TryText("demo", set, "ops", "short", 280, templates.Runes),
		"demo: Config.Templates: templates: render short: ")
	assert.ErrorContains(t, TryText("demo", templates.Default(), "ops", "nope", 280, templates.Runes),
		"demo: Config.Templates: templates: unknown template")
}

// A user's variant for the resolved update that fails on an update
// without components is found when the channel is made, not when the
// update that says the outage is over is sent: the channel's samples have
// no components, and were all "investigating".
func TestTryFindsAFailingVariant(t *testing.T) {
	own, err := templates.Default().With("short.resolved", "{{(index .Components 0).Name}} is back")
	require.NoError(t, err, "the Set's own check renders a sample with components")
	err = TryText("demo", own, "ops", "short", 280, templates.Runes)
	assert.ErrorContains(t, err, "demo: Config.Templates:")
	assert.ErrorContains(t, err, "short.resolved")
}

// A template name not in the set may be a secret pasted under the wrong
// key: the error lists the names there, without quoting it.
func TestTemplate(t *testing.T) {
	set := templates.Default()
	require.NoError(t, Template("demo", "Template", set, "short"))
	err := Template("demo", "Template", set, "123456789:AAF1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU_v")
	assert.EqualError(t, err, "demo: Config.Template: not in Config.Templates (want html, markdown, short, subject or text)")
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "Template", e.Field)
}

// A name is shown everywhere, unredacted: one that holds a secret of the
// channel's Config, in any encoding a Redactor redacts, also behind a
// pointer, is refused, naming the field and the Config's field that holds
// the secret, and not quoting the name. Other names, and a name checked
// without a Config, are taken.
func TestNameHoldingASecret(t *testing.T) {
	type endpoint struct{ Secret redact.Secret }
	type config struct {
		Name      string
		Token     redact.Secret
		URL       redact.URL
		Endpoints []endpoint
		Headers   map[string]redact.Secret
		Client    *struct{ Key redact.Secret }
	}
	const token = "xoxb-1234567890-abcdefghijkl"
	const whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	cfg := config{Token: redact.NewSecret(token), URL: redact.NewURL("https://ops:hunter2-pass@hooks.example.com/in/T0K3N-abcdef"),
		Endpoints: []endpoint{{Secret: redact.NewSecret(whsec)}},
		Headers:   map[string]redact.Secret{"Authorization": redact.NewSecret("Bearer api-key-98765")},
		Client:    &struct{ Key redact.Secret }{redact.NewSecret("client-key-0000")}}
	for name, field := range map[string]string{
		token: "Token", "ops " + token: "Token", hex.EncodeToString([]byte(token)): "Token",
		base64.StdEncoding.EncodeToString([]byte(token)): "Token",
		"hunter2-pass": "URL", "https://ops:hunter2-pass@hooks.example.com/in/T0K3N-abcdef": "URL", "T0K3N-abcdef": "URL",
		whsec: "Endpoints[0].Secret", strings.TrimPrefix(whsec, "whsec_"): "Endpoints[0].Secret",
		"Bearer api-key-98765": "Headers[…]", "client-key-0000": "Client.Key", "extra-secret-1": "",
	} {
		_, err := Name("demo", name, "demo", cfg, redact.NewSecret("extra-secret-1"))
		require.Error(t, err, name)
		want := "demo: Config.Name: " + redact.ErrSecretInName.Error()
		if field != "" {
			want += "; it holds the value of Config." + field
		}
		assert.Equal(t, want, err.Error())
		assert.ErrorIs(t, err, redact.ErrSecretInName)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "Name", e.Field)
	}
	for _, name := range []string{"ops", "hooks.example.com", "https://hooks.example.com", "demo"} {
		got, err := Name("demo", name, "demo", cfg)
		require.NoError(t, err, name)
		assert.Equal(t, name, got)
	}
	got, err := Name("demo", token, "demo", nil)
	require.NoError(t, err, "no Config: checked before")
	assert.Equal(t, token, got)
}

// Quote quotes a short value that shows no secret, cuts a long one, and
// names the reason for any it does not quote, so that a secret pasted in
// a field never stands in an error about the field.
func TestQuote(t *testing.T) {
	type cfg struct {
		Token redact.Secret
		Hook  redact.URL
	}
	c := cfg{Token: redact.NewSecret("s3cr3t-t0k"), Hook: redact.NewURL("https://hooks.example.com/T0/hooksecret123")}
	for v, want := range map[string]string{
		"friends":                       `"friends"`,
		"a..b":                          `"a..b"`,
		"kctb/../x":                     `"kctb/../x"`,
		"a@example.com":                 `"a@example.com"`,
		"\x1b[31m":                      `"\x1b[31m"`,
		"Authorization:":                `"Authorization:"`,
		"smtp.example.co":               `"smtp.example.co"`,
		strings.Repeat("ab", 30):        `"` + strings.Repeat("ab", 20) + `"…`,
		strings.Repeat("é", 30):         `"` + strings.Repeat("é", 20) + `"…`,
		"x" + strings.Repeat("é", 30):   `"x` + strings.Repeat("é", 19) + `"…`,
		"s3cr3t-t0k":                    "a value (not quoted: it holds a secret of the channel's Config)",
		"my s3cr3t-t0k":                 "a value (not quoted: it holds a secret of the channel's Config)",
		"hooksecret123":                 "a value (not quoted: it holds a secret of the channel's Config)",
		"https://u:pw@smtp.example.com": NotQuotedURL,
		"https://hooks.slack.com/services/T0/B0/x":    NotQuotedURL,
		"Authorization: Bearer abc":                   `a value (not quoted: it holds an authorization, as "Bearer …" does)`,
		"Basic dTpw":                                  `a value (not quoted: it holds an authorization, as "Bearer …" does)`,
		"user:pw@smtp.example.com":                    `a value with ":" (not quoted: it may be "user:password" or a header with its value)`,
		"status.bsky.social:abcd-efgh-ijkl-mnop":      `a value with ":" (not quoted: it may be "user:password" or a header with its value)`,
		"X-Api-Key: k":                                `a value with ":" (not quoted: it may be "user:password" or a header with its value)`,
		"ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0": "a value (not quoted: it may be a token)",
		"xoxb-1234567890-abcdef":                      "a value (not quoted: it may be a token)",
	} {
		assert.Equal(t, want, Quote(v, c), "%q", v)
	}
	assert.Equal(t, "a value (not quoted: it holds a secret of the channel's Config)", Quote("hunter2", nil, redact.NewSecret("hunter2")))
	assert.Equal(t, `"hunter2"`, Quote("hunter2", nil))
}

// Line refuses a one-line secret with white space around it or a control
// character in it, naming the field and never quoting the value.
func TestLine(t *testing.T) {
	for v, want := range map[string]string{
		"":                     "",
		"abcd-efgh-ijkl-mnop":  "",
		"pass word ü":          "",
		" abcd":                "p: Config.F: leading or trailing white space",
		"abcd\n":               "p: Config.F: leading or trailing white space",
		"abcd\nefgh":           "p: Config.F: holds a control character (such as a line break): a key is one line of printable characters",
		"abcd\x00efgh":         "p: Config.F: holds a control character (such as a line break): a key is one line of printable characters",
		"abcd\u0085efgh-other": "p: Config.F: holds a control character (such as a line break): a key is one line of printable characters",
		"abcd\u2028efgh":       "p: Config.F: holds a control character (such as a line break): a key is one line of printable characters",
		"abcd\u2029efgh":       "p: Config.F: holds a control character (such as a line break): a key is one line of printable characters",
	} {
		err := Line("p", "F", "a key is", redact.NewSecret(v))
		if want == "" {
			assert.NoError(t, err, "%q", v)
			continue
		}
		require.Error(t, err, "%q", v)
		assert.Equal(t, want, err.Error())
	}
}
