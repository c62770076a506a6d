package config_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// A password written in the file may hold "${" (generated passwords hold
// symbols): Load refuses it, as it cannot be a reference, and asks for
// $${, but without quoting the text after "${", which is part of the
// password.
func TestExpansionErrorsQuoteNoValue(t *testing.T) {
	for i, password := range []string{"k8${Qx!9z-rest", "k8${Qx!9}z-rest", "k8${ Qx9}z-rest"} {
		t.Run(fmt.Sprint(i), func(t *testing.T) { // not the password: the test's directory has its name
			_, _, err := parse(t, lines("channels:", "  - type: email", "    host: smtp.example.com",
				"    username: status", "    password: "+password, "    from: s@example.com", "    to: [a@example.com]"), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "test.yaml:5: channels[0].password: ")
			assert.Contains(t, err.Error(), "$${")
			channeltest.AssertNoSecret(t, err.Error(), "Qx!9", "-rest")
		})
	}
}

// A variable that is set but empty is refused like one that is not set:
// Compose passes a variable the host lacks as empty ("SMTP_PASSWORD=
// ${SMTP_PASSWORD}"), and "state: ${STATE_FILE}" would otherwise keep
// nothing across restarts (no state: a memory store), "url: ${HOOK_URL}"
// would say the url is missing, which the file sets. ${NAME:-} is an
// empty value on purpose.
func TestEmptyVariableRefused(t *testing.T) {
	vars := map[string]string{"EMPTY": ""}
	tests := []struct{ name, yaml, want string }{
		{"state", "state: ${EMPTY}\nchannels: [{kind: console}]\n",
			"test.yaml:1: state: ${EMPTY}: environment variable EMPTY is empty (use ${EMPTY:-default}, or ${EMPTY:-} for an empty value)"},
		{"in a channel", "channels:\n  - kind: webhook\n    url: ${EMPTY}\n",
			"test.yaml:3: channels[0].url: ${EMPTY}: environment variable EMPTY is empty"},
		{"inside other text", "channels:\n  - kind: console\n    name: ops-${EMPTY}\n",
			"test.yaml:3: channels[0].name: ${EMPTY}: environment variable EMPTY is empty"},
		{"a channel URL", "channels:\n  - ${EMPTY}\n", "test.yaml:2: channels[0]: ${EMPTY}: environment variable EMPTY is empty"},
		{"empty on purpose", "state: ${EMPTY:-}\nchannels: [{kind: console, name: \"ops${EMPTY:-}\"}]\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := parse(t, tt.yaml, vars)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, "memory", cfg.Store.Kind)
				return
			}
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

// A run of "$" right before "{" reads as in Docker Compose, whose rule is
// that "$$" is one literal "$" and a "$" before "{" starts a reference
// (compose-spec interpolation; compose-go template.go matches "$$" before
// "${NAME}", left to right): "$${NAME}" is the text "${NAME}", and
// "$$${NAME}" a "$" before NAME's value. Only "${" is a reference here, so
// elsewhere "$" and "$$" are kept as written, where Compose would make
// "$$" one "$" (and read "$NAME" as a reference).
func TestDollarEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ops$$", "ops$$"},
		{"a$$b", "a$$b"},
		{"cost$5", "cost$5"},
		{"$${NAME}", "${NAME}"},
		{"$$${NAME}", "$ops"},
		{"$$$${NAME}", "$${NAME}"},
		{"$$$$${NAME}", "$$ops"},
		{"x$${NAME}-${NAME}", "x${NAME}-ops"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cfg, _, err := parse(t, "channels:\n  - kind: console\n    name: \""+tt.in+"\"\n", map[string]string{"NAME": "ops"})
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Channels[0].Name())
		})
	}
}

// A default is text, read by the rule of text outside a reference: in a
// run of "$" before "{" each "$$" is one "$", so "$${" is a literal "${"
// there too, and other "$" and "$$" are kept. Compose reads a default as
// it reads the rest of the value (compose-go template.go, softDefault:
// the default goes through Substitute again), so "${A:-$${B}}" is the
// text "${B}" there as here; that Compose also makes "x$$" one "$" is
// the documented difference of TestDollarEscapes, kept in a default so
// that a default means what the same text means outside one.
func TestDefaultEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"${A:-x$$}", "x$$"},
		{"${A:-x$}", "x$"},
		{"${A:-$${B}}", "${B}"},
		{"${A:-$$$${B}}", "$${B}"},
		{"${A:-pa$${word}", "pa${word"}, // the first "}" ends the reference
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cfg, _, err := parse(t, "channels:\n  - kind: console\n    name: \""+tt.in+"\"\n", nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Channels[0].Name())
		})
	}
	_, _, err := parse(t, "channels:\n  - kind: console\n    name: \"${A:-$$${B}}\"\n", nil)
	assert.ErrorContains(t, err, "channels[0].name: ${A:-$$${B}}: a default cannot hold a reference (write $${ for a literal ${)")
}

// A variable read from an env file with Windows line endings ends in a
// carriage return: a shell's "set -a; . ./.env" keeps it, as do some
// tools' env-file readers (redpanda-data/connect#1820,
// buildpacks/pack#2635; Docker's own drops it, reading lines with
// bufio.ScanLines). Some platforms then refuse the value without saying
// why (an SMTP server's "535 authentication failed" for a password).
// Load names the variable instead, and not its value.
func TestCarriageReturnRefused(t *testing.T) {
	const password = "correct-horse-battery-staple"
	_, _, err := parse(t, lines("channels:", "  - kind: email", "    host: smtp.example.com", "    username: status",
		"    password: ${SMTP_PASSWORD}", "    from: s@example.com", "    to: [a@example.com]"),
		map[string]string{"SMTP_PASSWORD": password + "\r"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:5: channels[0].password: ${SMTP_PASSWORD}: environment variable SMTP_PASSWORD ends in a carriage return")
	channeltest.AssertNoSecret(t, err.Error(), password)
}

// Every reference that cannot be expanded is named at once, in the file's
// order: filling in a sample configuration of forty variables should not
// take forty runs. Past a hundred, the error says how many more there are.
func TestEveryUnsetVariableNamed(t *testing.T) {
	_, _, err := parse(t, lines("state: ${STATE_NOPE}", "channels:", "  - kind: webhook",
		"    url: ${HOOK_NOPE}", "    secret: ${SECRET_NOPE}"), nil)
	require.Error(t, err)
	got := strings.Split(err.Error(), "\n")
	require.Len(t, got, 3, err.Error())
	for i, want := range []string{
		"test.yaml:1: state: ${STATE_NOPE}: environment variable STATE_NOPE is not set (use ${STATE_NOPE:-default} for a default)",
		"test.yaml:4: channels[0].url: ${HOOK_NOPE}: environment variable HOOK_NOPE is not set (use ${HOOK_NOPE:-default} for a default)",
		"test.yaml:5: channels[0].secret: ${SECRET_NOPE}: environment variable SECRET_NOPE is not set (use ${SECRET_NOPE:-default} for a default)",
	} {
		assert.True(t, strings.HasSuffix(got[i], "/"+want), "line %d: %s", i+1, got[i])
	}

	var many []string
	for i := range 103 {
		many = append(many, "  - kind: console", fmt.Sprintf("    name: ${NOPE_%d}", i))
	}
	_, _, err = parse(t, lines(append([]string{"channels:"}, many...)...), nil)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "NOPE_99 is not set")
	assert.NotContains(t, msg, "NOPE_100 is not set")
	assert.True(t, strings.HasSuffix(msg, "\n… and 3 more"), msg)
}

// The shell and Compose forms this file does not read are named with what
// to write instead, without quoting what follows the operator (it may be a
// password's text).
func TestShellFormsExplained(t *testing.T) {
	for _, tt := range []struct{ ref, want string }{
		{"${TOKEN:?set the token}", "${TOKEN:?…}: not needed: ${TOKEN} is already an error when TOKEN is not set or empty"},
		{"${TOKEN?x}", "${TOKEN?…}: not needed: ${TOKEN} is already an error when TOKEN is not set or empty"},
		{"${TOKEN-abc}", "${TOKEN-…}: write ${TOKEN:-default}, the one default form (it also covers an empty TOKEN)"},
		{"${TOKEN:+abc}", "${TOKEN:+…}: not read here: want ${NAME}, ${NAME:-default} or ${file:PATH}"},
		{"${TOKEN:=abc}", "${TOKEN:=…}: not read here: want ${NAME}, ${NAME:-default} or ${file:PATH}"},
	} {
		_, _, err := parse(t, lines("channels:", "  - kind: console", "    name: "+tt.ref), nil)
		require.Error(t, err, tt.ref)
		assert.Contains(t, err.Error(), "channels[0].name: "+tt.want)
		assert.NotContains(t, err.Error(), "abc")
		assert.NotContains(t, err.Error(), "set the token")
	}
}

// A variable's value is text typed as a value written in its place would
// be, but "null" or "~" is not the key left out: only an empty value
// (${NAME:-}) is. A name "null" stays, and a port "null" is no number.
func TestNullTextFromTheEnvironment(t *testing.T) {
	for _, v := range []string{"null", "~", "NULL"} {
		t.Run(v, func(t *testing.T) {
			cfg, _, err := parse(t, lines("channels:", "  - kind: console", "    name: ${N}"), map[string]string{"N": v})
			require.NoError(t, err)
			assert.Equal(t, v, cfg.Channels[0].Name())
			for _, yaml := range []string{
				lines("channels:", "  - kind: email", "    host: h", "    port: ${N}", "    from: s@example.com", "    to: [a@example.com]"),
				lines("channels:", `  - {kind: email, host: h, port: "${N}", from: s@example.com, to: [a@example.com]}`),
			} {
				_, _, err = parse(t, yaml, map[string]string{"N": v})
				assert.ErrorContains(t, err, `port: want a whole number, got "${N}"`, yaml)
			}
		})
	}
}
