package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// emailWithPassword is an email channel whose password is written as
// value, unquoted: a generated password may start with any character.
func emailWithPassword(value string) string {
	return lines("channels:", "  - kind: email", "    host: smtp.example.com", "    from: status@example.com",
		"    to: [ops@example.com]", "    username: status", "    password: "+value)
}

// A value that starts with "*" is an alias to YAML, and one that starts
// with "!" a tag: a password written so unquoted is no password. The
// error names the key and says to quote the value, and never quotes it:
// the YAML library's own message ("unknown anchor 'Pa55…' referenced")
// holds all of it but the first character.
func TestIndicatorValueNamesKeyNotValue(t *testing.T) {
	const pw = "Pa55-w0rd-8c1f2e"
	tests := []struct{ name, yaml, want string }{
		{"alias", emailWithPassword("*" + pw), "test.yaml:7: channels[0].password: "},
		{"alias in a header", lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in",
			"    allow_unsigned: true", "    headers:", "      X-Api-Key: *"+pw), "test.yaml:6: channels[0].headers.X-Api-Key: "},
		{"tag", emailWithPassword("!" + pw), "test.yaml:7: channels[0].password: "},
		// "!tag text": the library takes the text after the tag, and
		// the password would be "and-more" without a word.
		{"tag before text", emailWithPassword("!" + pw + " and-more"), "test.yaml:7: channels[0].password: "},
		{"tag of YAML's form", emailWithPassword("!!" + pw + " and-more"), "test.yaml:7: channels[0].password: "},
		{"tag on a channel", lines("channels:", "  - !"+pw+" console://"), "test.yaml:2: channels[0]: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "quote")
			assert.NotContains(t, err.Error(), pw[1:])
		})
	}
}

// A key and its value without a space between ("url:https://…") is
// text to YAML, not a key: the error names the key and says what is
// missing, as for other lines that break the file.
func TestMissingSpaceAfterColonNamesKey(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"in a channel", lines("channels:", "  - kind: webhook", "    url:https://hooks.example.com/in", "    allow_unsigned: true"),
			"test.yaml:3: channels[0].url: "},
		{"last key of a channel", lines("channels:", "  - kind: email", "    host: smtp.example.com", "    port:587"),
			"test.yaml:4: channels[0].port: "},
		{"top level", lines("state:outagecast.db", "channels: [console://]"), "test.yaml:1: state: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), `space after ":"`)
		})
	}
}

// A plain value that holds ": " is a key to YAML; the library's error
// ("mapping values are not allowed in this context") reads as one of
// indentation. The error says to quote the value.
func TestValueHoldingColonSaysQuote(t *testing.T) {
	_, _, err := parse(t, lines("channels:", "  - kind: statuspage", "    dir: site", "    base_url: https://status.example.com/",
		"    title: Example: Status"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `test.yaml:5: channels[0].title: a value holding ": " must be quoted`)
}

// A value given by an alias is wrong where the alias is: the error names
// the alias's line, as it names its key, not the line of the anchor,
// which is another key's.
func TestAliasedValueErrorAtTheAlias(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"wrong type", lines("channels:", "  - kind: console", "    name: &n one", "  - kind: email", "    host: smtp.example.com",
			"    from: status@example.com", "    to: [ops@example.com]", "    port: *n"), "test.yaml:8: channels[1].port: want a whole number"},
		{"listed values", lines("channels:", "  - kind: console", "    name: &n one", "  - kind: email", "    host: smtp.example.com",
			"    from: status@example.com", "    to: [ops@example.com]", "    tls: *n"), "test.yaml:8: channels[1].tls: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// A key is text: one written as a list, a mapping or an alias is an error
// naming where it is; before, a list was the YAML library's "cannot
// unmarshal !!seq into string" with no key, and an alias was checked as
// its own name ("unknown key "k"") while decoding read its anchor's value.
func TestKeyThatIsNoTextNamesWhere(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"list", lines("channels:", "  - kind: console", "    [name]: ops"), "test.yaml:3: channels[0]: "},
		{"alias", lines("channels:", "  - kind: console", "    name: &k template", "  - kind: console", "    *k : short"), "test.yaml:5: channels[1]: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "write the key as text")
		})
	}
}

// A value that starts with "#" after a space is a comment to YAML, so the
// IRC channel "- #ops" (or a password "#Pa55…") is an empty value; in
// [...] a "#" that starts an item, and an "@" (Telegram's "@channel"),
// "`" or "%" anywhere, break the file, as does a "|" or ">" (a block
// scalar's header to YAML) followed by more text. The error says to quote
// the value, never quoting it, where before it said to write a value, or
// gave the YAML library's "did not find expected node content", "found
// character that cannot start any token" or "did not find expected
// comment or line break" alone.
func TestHashAndReservedValueSayQuote(t *testing.T) {
	const pw = "Pa55-w0rd-8c1f2e"
	irc := func(value string) string {
		return lines("channels:", "  - kind: irc", "    server: irc.example.com:6697", "    nick: statusbot", "    channels: "+value)
	}
	tests := []quoteHint{
		{"item", irc("\n      - #ops\n      - \"#dev\""), "test.yaml:6: channels[0].channels[0]: empty", `quote a value that starts with "#"`},
		{"password", emailWithPassword("#" + pw), "test.yaml:7: channels[0].password: empty", `quote a value that starts with "#"`},
		{"in a flow list", irc("[#ops]"), "test.yaml:5: channels[0].channels: ", `quote a value that starts with "#"`},
		{"after a space in a flow list", irc(`["#ops", #dev]`), "test.yaml:5: channels[0].channels: ", `quote a value that starts with "#"`},
		{"at sign", lines("channels:", "  - kind: telegram", "    token: \"123456:ABCdefGHIjklMNOpqrSTUvwxYZ\"",
			"    chats: [-1001234567890, @status]"), "test.yaml:4: channels[0].chats: ", `quote a value that starts with "@"`},
		{"at sign in a password", emailWithPassword("@" + pw), "test.yaml:7: channels[0].password: ", `quote a value that starts with "@"`},
		{"backquote in a password", emailWithPassword("`" + pw), "test.yaml:7: channels[0].password: ", "quote a value that starts with \"`\""},
		{"percent sign in a password", emailWithPassword("%" + pw), "test.yaml:7: channels[0].password: ", `quote a value that starts with "%"`},
		{"percent sign in a flow list", lines("channels:", "  - kind: email", "    host: smtp.example.com", "    from: status@example.com",
			"    to: [ops@example.com, %"+pw+"]"), "test.yaml:5: channels[0].to: ", `quote a value that starts with "%"`},
		{"vertical bar in a password", emailWithPassword("|" + pw), "test.yaml:7: channels[0].password: ", `quote a value that starts with "|"`},
		{"greater-than sign in a password", emailWithPassword(">" + pw), "test.yaml:7: channels[0].password: ", `quote a value that starts with ">"`},
	}
	checkQuoteHints(t, tests, pw)
	// A comment on purpose, "# …", is no value: the key is empty, as
	// before.
	_, _, err := parse(t, emailWithPassword("# set below"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:7: channels[0].password: empty (write a value, or leave the key out)")
}

// A "#" after a "," in a quoted value that is not closed is no item of a
// flow collection: the error says the quote is not closed.
func TestUnclosedQuoteWithHashIsNoFlowItem(t *testing.T) {
	_, _, err := parse(t, lines("channels:", "  - kind: statuspage", "    dir: site", "    base_url: https://status.example.com/",
		`    title: "Outage, #3`), nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "inside [...]")
}

// A "[" and "#" inside a quoted value that is not closed are text, not an
// item of a flow collection: the error says the quote is not closed.
// Before, it said to quote a value that starts with "#" in [...].
func TestUnclosedQuoteWithBracketHashIsNoFlowItem(t *testing.T) {
	for _, yaml := range []string{
		lines("channels:", "  - kind: console", `    name: "ops [#3]`),
		lines("channels:", `  - {kind: console, name: "ops [#3]}`),
		lines("channels:", "  - kind: console", `    name: 'ops [#3]`),
	} {
		_, _, err := parse(t, yaml, nil)
		require.Error(t, err, yaml)
		assert.NotContains(t, err.Error(), "inside [...]", yaml)
		assert.Contains(t, err.Error(), "quote not closed", yaml)
	}
}

// The hint to quote names the character that starts the value YAML
// cannot read, under every key that may hold a secret, and never quotes
// the value. A "%", "@" or "`" inside a quoted value, or after a space in
// the middle of one, starts nothing: before, the first of them on the
// line was named ("quote a value that starts with "%"" for
// [“50 %”, @status]), whichever value broke the line. A "|" or ">" that
// starts an item of a flow collection, or a block scalar's header
// followed by text after a space ("| Pa55…"), is a value to quote too;
// before, the error said nothing of quoting.
func TestQuoteHintNamesTheValueThatBreaksTheLine(t *testing.T) {
	const pw = "Pa55-w0rd-8c1f2e"
	telegram := func(chats string) string {
		return lines("channels:", "  - kind: telegram", "    token: \"123456:ABCdefGHIjklMNOpqrSTUvwxYZ\"", "    chats: "+chats)
	}
	webhook := func(key, value string) string {
		return lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in", "    "+key+": "+value)
	}
	tests := []quoteHint{
		{"percent sign in a quoted value before", telegram(`["ops 50 %` + pw + `", @` + pw + `]`), "test.yaml:4: channels[0].chats: ", `quote a value that starts with "@"`},
		{"percent sign mid-value before", telegram("[ops 50 %" + pw + ", @" + pw + "]"), "test.yaml:4: channels[0].chats: ", `quote a value that starts with "@"`},
		{"at sign in a quoted value before", telegram(`["ops @` + pw + `", ` + "`" + pw + `]`), "test.yaml:4: channels[0].chats: ", "quote a value that starts with \"`\""},
		{"percent sign after a tag", emailWithPassword("!!str %" + pw), "test.yaml:7: channels[0].password: ", `quote a value that starts with "%"`},
		{"vertical bar in a flow list", telegram("[-1001234567890, |" + pw + "]"), "test.yaml:4: channels[0].chats: ", `quote a value that starts with "|"`},
		{"greater-than sign in a flow mapping", lines("channels:", "  - {kind: email, host: smtp.example.com, password: >"+pw+"}"),
			"test.yaml:2: ", `quote a value that starts with ">"`},
		{"vertical bar then a space", emailWithPassword("| " + pw), "test.yaml:7: channels[0].password: ", `quote a value that starts with "|"`},
		{"greater-than sign then a space", emailWithPassword("> " + pw), "test.yaml:7: channels[0].password: ", `quote a value that starts with ">"`},
		{"secret header", webhook("headers", "{X-Api-Key: %"+pw+"}"), "test.yaml:4: channels[0].headers: ", `quote a value that starts with "%"`},
		{"signing secret", webhook("secret", "|"+pw), "test.yaml:4: channels[0].secret: ", `quote a value that starts with "|"`},
		{"url with credentials", webhook("url", ">https://user:"+pw+"@hooks.example.com/in"), "test.yaml:4: channels[0].url: ", `quote a value that starts with ">"`},
		{"token", lines("channels:", "  - kind: telegram", "    token: %123456:"+pw, "    chats: [-1001234567890]"), "test.yaml:3: channels[0].token: ", `quote a value that starts with "%"`},
		{"channel URL", lines("channels:", "  - `slack://"+pw+"@C123"), "test.yaml:2: ", "quote a value that starts with \"`\""},
	}
	checkQuoteHints(t, tests, pw)
}

// A block scalar's header is no value to quote when the line breaks for
// another reason: text after a quoted value ("password: "a" |b") is not a
// value that starts with "|". Valid block scalars load as ever.
func TestBlockScalarHeaderNoFalseHint(t *testing.T) {
	const pw = "Pa55-w0rd-8c1f2e"
	_, _, err := parse(t, emailWithPassword(`"`+pw+`" |x`), nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), `quote a value that starts with "|"`)
	assert.NotContains(t, err.Error(), pw)
	for _, header := range []string{">-", "|-", ">2-", "|-2", ">- # the SMTP relay's"} {
		_, _, err := parse(t, emailWithPassword(header+"\n      "+pw), nil)
		require.NoError(t, err, header)
	}
}

// quoteHint is a configuration whose Load fails naming want (the key and
// line) and saying quote (how to quote the value).
type quoteHint struct{ name, yaml, want, quote string }

// checkQuoteHints loads each of tests, whose errors never show pw.
func checkQuoteHints(t *testing.T, tests []quoteHint, pw string) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), tt.quote)
			assert.NotContains(t, err.Error(), pw)
		})
	}
}
