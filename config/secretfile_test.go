package config_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/config"
)

// writeFile writes content to name below dir, making its directory.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// ${file:PATH} is the file's content without one trailing newline, as
// Docker and Compose secrets (/run/secrets/NAME), Kubernetes secret volumes
// and systemd credentials ($CREDENTIALS_DIRECTORY/NAME) mount it: written
// by "echo", a secret ends in a newline that is not part of it. A relative
// PATH starts at the configuration file's directory, not the working one.
func TestSecretFromAFile(t *testing.T) {
	const token = "Bearer tok-8c1f2e9d"
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Authorization")
	}))
	defer srv.Close()
	abs := writeFile(t, t.TempDir(), "token", token+"\n")
	tests := []struct{ name, path, content string }{
		{"a newline trimmed", "token", token + "\n"},
		{"a CRLF trimmed", "token", token + "\r\n"},
		{"no newline", "token", token},
		// Notepad and other Windows editors start a UTF-8 file with a
		// byte-order mark (U+FEFF); the platform would refuse the token
		// with an error that does not say why. Docker's env-file reader
		// drops it too (docker/cli pkg/kvfile: "BOM headers are removed").
		{"a byte-order mark trimmed", "token", "\uFEFF" + token + "\r\n"},
		{"relative path below the file's directory", "secrets/token", token + "\n"},
		{"absolute path", abs, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.content != "" {
				writeFile(t, dir, tt.path, tt.content)
			}
			cfg, err := parseIn(dir, lines(
				"channels:",
				"  - kind: webhook",
				"    url: "+srv.URL,
				"    allow_unsigned: true",
				"    headers: {Authorization: \"${file:"+tt.path+"}\"}",
			), config.Loader{LookupEnv: env(nil)})
			require.NoError(t, err)
			_, err = cfg.Channels[0].Send(context.Background(), broadcast.NewMessage(
				broadcast.Update{ID: "u1", Title: "CDN errors", Status: broadcast.StatusInvestigating}))
			require.NoError(t, err)
			assert.Equal(t, token, <-got)
			assert.Equal(t, "got ${file:"+tt.path+"}", cfg.Hide("got "+token))
		})
	}
}

// Only one newline goes: a file that ends in a blank line (or in a
// carriage return) is an error naming the line, the key and the file, and
// saying why, never quoting the value, in every key: before, the value
// kept the newline before the blank line, which an e-mail password
// refused as a control character, not saying where it came from. The
// same file with one newline gives the token.
func TestSecretFileLosesOneNewline(t *testing.T) {
	const token = "tok-8c1f2e9d"
	load := func(content string) (*config.File, string, error) {
		dir := t.TempDir()
		path := writeFile(t, dir, "token", content)
		cfg, err := parseIn(dir, lines("channels:", "  - kind: email", "    host: smtp.example.com", "    username: status",
			"    password: ${file:token}", "    from: status@example.com", "    to: [a@example.com]"), config.Loader{LookupEnv: env(nil)})
		return cfg, path, err
	}
	for content, why := range map[string]string{
		token + "\n\n":     " ends in a blank line (one final newline is left out, not more): remove it",
		token + "\r\n\r\n": " ends in a blank line",
		token + "\n\r\n":   " ends in a blank line",
		token + "\r":       " ends in a carriage return",
		token + "\r\r\n":   " ends in a carriage return",
	} {
		_, path, err := load(content)
		require.Error(t, err, "%q", content)
		assert.Contains(t, err.Error(), "test.yaml:5: channels[0].password: ${file:token}: "+path+why, "%q", content)
		assert.NotContains(t, err.Error(), token)
	}
	cfg, _, err := load(token + "\n")
	require.NoError(t, err)
	assert.Equal(t, "[${file:token}]", cfg.Hide("["+token+"]"), "the value is the token")
}

// A file that cannot give a value is an error naming the line, the key and
// the path, never the content; so is a value from a file that the key
// refuses, and a secret from a file never shows in an error that quotes it.
// References cannot multiply a file past a bound, as aliases cannot: a
// list of a hundred ${file:PATH} of one 1 MiB file (the configuration
// file itself, say) stood for a hundred MiB, which Load read and kept.
func TestReferencesExpandBounded(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "big", strings.Repeat("x", config.MaxFileSize))
	mail := "channels:\n  - type: email\n    host: h\n    from: s@example.com\n    to:\n"
	for _, tt := range []struct{ name, yaml, want string }{
		{"in many values", mail + strings.Repeat("      - ${file:big}\n", 128), "test.yaml:22: channels[0].to[16]: "},
		{"in one value", mail + "      - " + strings.Repeat("${file:big}", 128) + "\n", "test.yaml:6: channels[0].to[0]: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := parseIn(dir, tt.yaml, config.Loader{LookupEnv: env(nil)})
			runtime.ReadMemStats(&after)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want+"references expand the file's values to more than 16777216 bytes")
			assert.NotContains(t, err.Error(), "\n", "said once")
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(256<<20), "bytes allocated")
		})
	}
}

func TestSecretFileErrors(t *testing.T) {
	const password = "correct-horse-battery-staple"
	dir := t.TempDir()
	writeFile(t, dir, "empty", "")
	writeFile(t, dir, "newline", "\n")
	writeFile(t, dir, "password", password+"\n")
	writeFile(t, dir, "huge", strings.Repeat("x", config.MaxFileSize+1))
	writeFile(t, dir, "bom", "\uFEFF\r\n")
	// Notepad's "Unicode": UTF-16LE after the byte-order mark FF FE.
	writeFile(t, dir, "utf16", "\xFF\xFE"+strings.Join(strings.Split(password, ""), "\x00")+"\x00")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "a-directory"), 0o700))
	at := func(key string) string { return "test.yaml:4: channels[0]." + key + ": " }
	atEmail := func(key string) string { return "test.yaml:5: channels[0]." + key + ": " }
	tests := []struct {
		name, key, value string
		want             []string
	}{
		{"missing", "secret", "${file:nope}", []string{at("secret") + "${file:nope}: stat " + filepath.Join(dir, "nope") + ": no such file"}},
		{"a directory", "secret", "${file:a-directory}", []string{at("secret") + "${file:a-directory}: " + filepath.Join(dir, "a-directory") + " is not a regular file (a directory)"}},
		{"empty", "secret", "${file:empty}", []string{at("secret") + "${file:empty}: " + filepath.Join(dir, "empty") + " is empty"}},
		{"only a newline", "secret", "${file:newline}", []string{at("secret") + "${file:newline}: " + filepath.Join(dir, "newline") + " is empty"}},
		{"only a byte-order mark", "secret", "${file:bom}", []string{at("secret") + "${file:bom}: " + filepath.Join(dir, "bom") + " is empty"}},
		{"UTF-16", "secret", "${file:utf16}", []string{at("secret") + "${file:utf16}: " + filepath.Join(dir, "utf16") + " is UTF-16", "save it as UTF-8"}},
		{"too large", "secret", "${file:huge}", []string{at("secret") + "${file:huge}: " + filepath.Join(dir, "huge") + " is larger than"}},
		{"no path", "secret", "${file:}", []string{at("secret") + "${file:}: no path"}},
		// The first "}" ends the reference, as in a default: the path
		// would be "/run/secrets/${ENV", never ENV's value.
		{"a reference in the path", "secret", "${file:/run/secrets/${ENV}}", []string{at("secret") + "${file:/run/secrets/${ENV}}: a path cannot hold a reference"}},
		// No shell reads the file: "~" is a directory's name, not home.
		{"a tilde", "secret", "${file:~/secret}", []string{at("secret") + "${file:~/secret}: stat " + filepath.Join(dir, "~", "secret") + ": no such file or directory (~ is not your home directory here: write the whole path)"}},
		{"absolute path", "secret", "${file:" + filepath.Join(dir, "nope") + "}", []string{"stat " + filepath.Join(dir, "nope") + ": no such file"}},
		{"refused by the decoder", "port", "${file:password}", []string{atEmail("port") + `want a whole number, got "${file:password}"`}},
		{"refused by the channel", "from", "${file:password}", []string{`test.yaml:5: channels[0] (email "email"): from:`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind := "webhook\n    url: https://h.example.com/in"
			if tt.key != "secret" {
				kind = "email\n    host: smtp.example.com\n    to: [a@example.com]"
			}
			_, err := parseIn(dir, "channels:\n  - kind: "+kind+"\n    "+tt.key+": "+tt.value+"\n", config.Loader{LookupEnv: env(nil)})
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			channeltest.AssertNoSecret(t, err.Error(), password)
		})
	}
}

// ${file:…} is a reference like ${NAME}: inside other text, escaped as
// $${file:…}, and ${file:-default} is still the variable "file" with a
// default.
func TestFileReferenceSyntax(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "name", "ops\n")
	tests := []struct{ in, want string }{
		{"${file:name}", "ops"},
		{"pre-${file:name}-post", "pre-ops-post"},
		{"$${file:name}", "${file:name}"},
		{"${file:-dflt}", "dflt"},
		{"${file:./name}", "ops"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cfg, err := parseIn(dir, "channels:\n  - kind: console\n    name: \""+tt.in+"\"\n", config.Loader{LookupEnv: env(nil)})
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Channels[0].Name())
		})
	}
}

// A secret from a file reaches no printed form of the loaded configuration:
// not its description, nor fmt's or encoding/json's view of the File and its
// channels (the channels keep it in a redact.Secret, whose String, Format
// and MarshalJSON print REDACTED).
func TestSecretFromAFileNeverPrints(t *testing.T) {
	const password = "correct-horse-battery-staple"
	dir := t.TempDir()
	writeFile(t, dir, "smtp-password", password+"\n")
	cfg, err := parseIn(dir, lines("channels:", "  - kind: email", "    host: smtp.example.com", "    username: status",
		"    password: ${file:smtp-password}", "    from: status@example.com", "    to: [a@example.com]"),
		config.Loader{LookupEnv: env(nil)})
	require.NoError(t, err)
	ch := reflect.ValueOf(cfg.Channels[0]).Elem().Interface()
	js, err := json.Marshal(cfg)
	require.NoError(t, err)
	out := cfg.Describe("email") + fmt.Sprintf("%v %+v %#v %v %+v %#v %s", cfg, *cfg, *cfg, ch, ch, ch, js)
	channeltest.AssertNoSecret(t, out, password)
}

// The schema takes a reference to a file wherever it takes one to the
// environment, and says so at every secret key.
func TestSchemaTakesFileReferences(t *testing.T) {
	s := compiled(t)
	dir := t.TempDir()
	writeFile(t, dir, "port", "2525\n")
	writeFile(t, dir, "password", "correct-horse-battery-staple\n")
	yaml := `channels: [{kind: email, host: h.example.com, port: "${file:port}", username: status, password: "${file:password}", from: s@example.com, to: [a@example.com]}]`
	_, err := parseIn(dir, yaml+"\n", config.Loader{LookupEnv: env(nil)})
	require.NoError(t, err)
	require.NoError(t, validate(t, s, yaml))

	var schema struct {
		Defs map[string]struct {
			Properties map[string]struct{ Description string }
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(config.Schema(), &schema))
	assert.Contains(t, schema.Defs["kind_email"].Properties["password"].Description, "${file:PATH}")
	assert.Contains(t, schema.Defs["kind_webhook"].Properties["secret"].Description, "${file:PATH}")
}
