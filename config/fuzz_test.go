package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/config"
)

// fuzzEnv is the environment of FuzzLoad: SECRET_WORD and SECRET_NUM are
// secrets, which no error may show unless the file itself holds them.
var fuzzEnv = map[string]string{
	"SECRET_WORD": "hunter2-s3cr3t", "SECRET_NUM": "99999999999999999999999", "PORT": "587",
	"BIG": "1e999999", "NEG": "-0", "HEX": "0x1F", "YES": "yes", "TRUE": "true", "QUOTED": `"true"`,
}

// fuzzFiles are files with one value left to fill in (%s), in keys of
// each type: numbers, booleans, durations, enums, secrets, channels.
var fuzzFiles = []string{
	"channels:\n  - kind: email\n    host: h\n    port: %s\n    from: a@b.c\n    to: [x@y.z]\n",
	"channels:\n  - kind: email\n    host: h\n    port: 25\n    tls: %s\n    from: a@b.c\n    to: [x@y.z]\n",
	"channels:\n  - kind: email\n    host: h\n    username: u\n    password: %s\n    from: a@b.c\n    to: [x@y.z]\n",
	"channels:\n  - kind: irc\n    server: irc.example.com\n    nick: n\n    channels: ['#x']\n    tls: %s\n",
	"channels:\n  - kind: irc\n    server: irc.example.com\n    nick: n\n    channels: ['#x']\n    max_lines: %s\n",
	"channels:\n  - kind: irc\n    server: irc.example.com\n    nick: n\n    channels: ['#x']\n    interval: %s\n",
	"retry:\n  max_attempts: %s\nchannels:\n  - console://\n",
	"attempt_timeout: %s\nchannels:\n  - console://\n",
	"channels:\n  - kind: webhook\n    url: https://h.example.com/\n    allow_unsigned: true\n    concurrency: %s\n",
	"channels:\n  - kind: webhook\n    url: https://h.example.com/\n    secret: %s\n",
	"channels:\n  - kind: console\n    when: {first: %s}\n",
	"store: {kind: bolt, path: %s}\nchannels:\n  - console://\n",
	"channels:\n  - url: %s\n",
	"channels:\n  - %s\n",
}

// fuzzValues fill fuzzFiles: the kinds of value that have needed care.
var fuzzValues = []string{
	"5", "1.0e3", "9223372036854775807.0", "-9223372036854775809", "99999999999999999999999", "1e999999", "0x1F", "1_000",
	".inf", ".nan", "true", "'true'", `"false"`, "!!str true", "True", "ON", "on", "yes", `""`, "~",
	"1m0", "00", "0", "1m30s", "99999999999h", "${SECRET_WORD}", `"${SECRET_NUM}"`, "${SECRET_NUM}", "${BIG}", "${NEG}",
	"${HEX}", "${YES}", "${TRUE}", "${QUOTED}", `"${NOPE:-}"`, "[1]", "{a: 1}", "&a 5", "*a", "${SECRET_WORD", "console://",
}

// Load never panics, and its errors show no secret from the environment.
func FuzzLoad(f *testing.F) {
	for _, file := range fuzzFiles {
		for _, v := range fuzzValues {
			f.Add(strings.Replace(file, "%s", v, 1))
		}
	}
	f.Add("x: &a {kind: console}\nchannels: [*a, *a]\n")
	f.Add("channels:\n  - kind: irc\n    <<: {tls: \"false\"}\n    server: irc.example.com\n    nick: n\n" +
		"    channels: ['#x', '#y ${SECRET_WORD}']\n    password: ${SECRET_NUM}\n")
	f.Add("channels:\n  - kind: irc\n    <<: [{nick: n}, &t {tls: 'true'}]\n    server: irc.example.com\n    channels: ['#x']\n")
	f.Fuzz(func(t *testing.T, doc string) {
		if len(doc) > 4096 {
			return // the checks are per value; long files only slow the search
		}
		l := config.Loader{LookupEnv: env(fuzzEnv), Stdout: &strings.Builder{}, Stderr: &strings.Builder{}}
		_, err := l.Parse(strings.NewReader(doc), filepath.Join(t.TempDir(), "f.yaml"))
		if err == nil {
			return
		}
		for _, secret := range []string{fuzzEnv["SECRET_WORD"], fuzzEnv["SECRET_NUM"]} {
			if strings.Contains(err.Error(), secret) && !strings.Contains(doc, secret) {
				t.Fatalf("error shows a secret: %v\nfile:\n%s", err, doc)
			}
		}
	})
}
