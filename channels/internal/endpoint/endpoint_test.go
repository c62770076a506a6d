package endpoint

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/internal/credquery"
	"github.com/outagecast/outagecast/redact"
)

// Loopback is the one rule the channels had in two variants: "localhost"
// in any case (DNS names are case-insensitive) and IP addresses parsed
// with their zone.
func TestLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "127.1.2.3": true, "::1": true,
		"::1%lo0": true, "::ffff:127.0.0.1": true, "0:0:0:0:0:0:0:1": true, "localhost.": true, "LOCALHOST.": true,
		"localhost..": false,
		"":            false, "example.com": false, "localhost.example.com": false, "foo.localhost": false,
		"10.0.0.1": false, "128.0.0.1": false, "::2": false, "[::1]": false, "127.0.0.1:80": false,
	} {
		assert.Equal(t, want, Loopback(host), host)
	}
}

// Every service URL follows the rule; Rules add what some may hold.
func TestCheck(t *testing.T) {
	const ex = "https://api.example.com"
	for _, tt := range []struct {
		name, raw string
		rules     Rules
		want      string // the problem; "" for none
	}{
		{"https", "https://api.example.com/v1", Rules{}, ""},
		{"http to 127.0.0.1", "http://127.0.0.1:8080/v1", Rules{}, ""},
		{"http to localhost", "http://localhost:8080", Rules{}, ""},
		{"http to ::1", "http://[::1]:8080/", Rules{}, ""},
		{"http elsewhere, public", "http://status.example.com/", Rules{PlainHTTP: true}, ""},
		{"query allowed", "https://hooks.example.com/x?sig=abc", Rules{Query: true}, ""},
		{"default", "", Rules{Default: ex}, ""},

		{"missing", "", Rules{}, "missing"},
		{"missing, example", "", Rules{Example: ex}, `missing (an absolute https URL, as "https://api.example.com")`},
		{"not a URL", "https://api.example.com/%zz", Rules{}, "not a URL"},
		{"control character", "https://api.example.com/\r\n", Rules{}, "not a URL"},
		{"relative", "api.example.com", Rules{}, "not an absolute https URL"},
		{"relative, example", "api.example.com", Rules{Example: ex}, `not an absolute https URL, as "https://api.example.com"`},
		{"relative, public", "/status/", Rules{PlainHTTP: true}, "not an absolute http or https URL"},
		{"ftp", "ftp://api.example.com", Rules{}, "not an absolute https URL"},
		{"no host", "https:///v1", Rules{}, "not an absolute https URL"},
		{"port, no host", "https://:8443/v1", Rules{}, "not an absolute https URL"},
		{"port, no host, http", "http://:8080/", Rules{PlainHTTP: true}, "not an absolute http or https URL"},
		{"opaque", "https:api.example.com", Rules{}, "not an absolute https URL"},
		{"plain http", "http://api.example.com", Rules{}, "must use https (http only for a loopback host)"},
		{"plain http to a private address", "http://10.0.0.1", Rules{}, "must use https (http only for a loopback host)"},
		{"port out of range", "https://hooks.example.com:99999/x", Rules{}, "a port that is not a number from 1 to 65535"},
		{"port 0", "https://hooks.example.com:0/x", Rules{}, "a port that is not a number from 1 to 65535"},
		{"port 65535", "https://hooks.example.com:65535/x", Rules{}, ""},
		{"internationalised host", "https://bücher.example/x", Rules{}, ""},
		{"host with underscore, trailing dot", "https://my_hooks.example.com./x", Rules{}, ""},
		{"host with a comma", "https://hooks,example.com/x", Rules{}, HostProblem},
		{"empty label", "https://api..example.com/x", Rules{}, HostProblem},
		{"label starting with -", "https://-api.example.com/x", Rules{}, HostProblem},
		{"label of 64", "https://" + strings.Repeat("a", 64) + ".example.com/x", Rules{}, HostProblem},
		{"credentials", "https://bot:hunter2@api.example.com", Rules{}, "must not hold credentials"},
		{"user alone", "https://bot@api.example.com", Rules{}, "must not hold credentials"},
		// A "/" or "?" in the password ends the authority: the user name
		// becomes the host, the password's digits the port, and the
		// credential would go to that host.
		{"password cut by a /", "https://bot:7319/hunter2@api.example.com", Rules{},
			`port: followed by a path holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the path, %40)`},
		{"password cut by a ?", "https://bot:7319?hunter2@hooks.example.com/x", Rules{Query: true},
			`port: followed by a query holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the query, %40)`},
		{"password cut by a / at once", "https://bot:/hunter2@api.example.com", Rules{},
			`port: empty (a "/", "?" or "#" in a password is written %2F, %3F or %23)`},
		{"@ in the path, escaped, after a port", "https://api.example.com:8443/users/%40me", Rules{}, ""},
		{"@ in the path without a port", "https://hooks.example.com/webhookb2/a@b/x", Rules{}, ""},
		{"fragment", "https://api.example.com/#top", Rules{}, "must not have a fragment"},
		{"empty fragment", "https://api.example.com/#", Rules{}, "must not have a fragment"},
		{"space", "https://api.example.com/a b", Rules{}, "must not hold white space"},
		{"no-break space", "https://api.example.com/a\u00a0b", Rules{}, "must not hold white space"},
		{"query", "https://api.example.com/?a=1", Rules{}, "must not have a query"},
		{"empty query", "https://api.example.com/?", Rules{}, "must not have a query"},
		{"bad query", "https://hooks.example.com/x?%zz", Rules{Query: true}, "a badly escaped query"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Check("demo", "BaseURL", tt.raw, tt.rules)
			if tt.want == "" {
				require.NoError(t, err)
				assert.NotEmpty(t, u.Host)
				return
			}
			require.Error(t, err)
			assert.Equal(t, "demo: Config.BaseURL: "+tt.want, err.Error())
			var se *setup.Error
			require.True(t, errors.As(err, &se))
			assert.Equal(t, "BaseURL", se.Field)
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

// Base is Check without a query, trimmed for paths to be appended.
func TestBase(t *testing.T) {
	for raw, want := range map[string]string{
		"":                            "https://api.example.com/v1",
		"https://api.example.com/v1/": "https://api.example.com/v1",
		"https://api.example.com//":   "https://api.example.com",
		"http://127.0.0.1:8080":       "http://127.0.0.1:8080",
	} {
		got, err := Base("demo", "BaseURL", raw, Rules{Default: "https://api.example.com/v1"})
		require.NoError(t, err, raw)
		assert.Equal(t, want, got, raw)
	}
	_, err := Base("demo", "BaseURL", "https://api.example.com/?a=1", Rules{Query: true})
	assert.EqualError(t, err, "demo: Config.BaseURL: must not have a query")
	_, err = Base("demo", "Server", "", Rules{})
	assert.EqualError(t, err, "demo: Config.Server: missing")
}

// ASCIIHost is the one conversion of a host name every package uses: a
// name outside ASCII in A-labels, as net/http dials it; one in ASCII as
// it is.
func TestASCIIHost(t *testing.T) {
	for in, want := range map[string]string{
		"hooks.example.com":   "hooks.example.com",
		"Hooks.Example.COM.":  "Hooks.Example.COM.", // as it is: callers fold case and the final dot
		"bücher.example":      "xn--bcher-kva.example",
		"BÜCHER.example.":     "xn--bcher-kva.example.",
		"under_score.example": "under_score.example", // the Go resolver takes it; idna.Lookup would not
	} {
		got, err := ASCIIHost(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ASCIIHost("\u0301\u00e9.example") // no A-labels: a label may not start with a combining mark
	assert.Error(t, err)
}

// A URL shown publicly is refused with a credential in its query, naming
// the field, quoting nothing of it; other URLs may carry one there.
func TestCheckPublic(t *testing.T) {
	const raw = "https://cdn.example.com/a.png?X-Amz-Signature=s3cr3tPW"
	_, err := Check("demo", "AvatarURL", raw, Rules{PlainHTTP: true, Query: true, Public: true})
	assert.EqualError(t, err, "demo: Config.AvatarURL: "+credquery.Problem)
	_, err = Check("demo", "AvatarURL", "https://cdn.example.com/a.png?size=64", Rules{Query: true, Public: true})
	assert.NoError(t, err)
	_, err = Check("demo", "WebhookURL", raw, Rules{Query: true})
	assert.NoError(t, err)
}

// A URL given in a plain string field of a Config is refused when it
// holds one of that Config's secrets, as written or %-escaped, naming the
// field that holds the secret and quoting neither; the default URL, a
// URL without them and a Config given no Rules.Config pass.
func TestCheckOwnSecret(t *testing.T) {
	type demo struct {
		Token   redact.Secret
		Hook    redact.URL
		BaseURL string
	}
	const tok = "xoxb-1234-s3cr3t/PW+x"
	cfg := demo{Token: redact.NewSecret(tok), Hook: redact.NewURL("https://hooks.example.com/services/T0123/B0456/hOOkS3cr3tV4lue99")}
	for raw, field := range map[string]string{
		"https://api.example.com/" + tok + "/api":                              "Token",
		"https://api.example.com/bot" + url.PathEscape(tok):                    "Token",
		"https://api.example.com/" + url.QueryEscape(tok):                      "Token",
		"https://api.example.com/x/%78oxb-1234-s3cr3t%2FPW%2Bx":                "Token",
		"https://api.example.com/relay/hOOkS3cr3tV4lue99":                      "Hook",
		"https://api.example.com/api?t=" + strings.ReplaceAll(tok, "/", "%2F"): "Token",
	} {
		cfg.BaseURL = raw
		_, err := Check("demo", "BaseURL", raw, Rules{Query: true, Config: cfg})
		assert.EqualError(t, err, "demo: Config.BaseURL: "+SecretProblem(field), raw)
		if err != nil {
			assert.NotContains(t, err.Error(), "s3cr3t", raw)
			assert.NotContains(t, err.Error(), "hOOk", raw)
		}
	}
	_, err := Base("demo", "BaseURL", "https://api.example.com/"+tok, Rules{Config: cfg})
	assert.EqualError(t, err, "demo: Config.BaseURL: "+SecretProblem("Token"), "Base")
	for _, raw := range []string{"https://api.example.com/api", "https://hooks.example.com/services/T0123/B0456/hOOkS3cr3tV4lue99"} {
		_, err := Check("demo", "BaseURL", raw, Rules{Config: demo{Token: cfg.Token, Hook: redact.NewURL(raw), BaseURL: raw}})
		assert.NoError(t, err, "%s: no secret of the Config but the URL itself", raw)
	}
	_, err = Base("demo", "BaseURL", "", Rules{Default: "https://api.example.com/" + tok, Config: cfg})
	assert.NoError(t, err, "the default is no user's")
	_, err = Check("demo", "BaseURL", "https://api.example.com/"+tok, Rules{})
	assert.NoError(t, err, "no Config, no secrets")
}

// A short password that is by chance a word of the server's host name
// ("social" of bsky.social) is not held by the URL: the host names a
// public server. In the path it is refused, as any secret is.
func TestCheckOwnSecretNotInHost(t *testing.T) {
	type demo struct {
		Password redact.Secret
		Service  string
	}
	cfg := demo{Password: redact.NewSecret("social")}
	for _, raw := range []string{"https://bsky.social", "https://social.example.net:8443/xrpc", "https://[::1]:8080/"} {
		_, err := Base("demo", "Service", raw, Rules{Config: cfg})
		assert.NoError(t, err, raw)
	}
	_, err := Base("demo", "Service", "https://pds.example.net/social/xrpc", Rules{Config: cfg})
	assert.EqualError(t, err, "demo: Config.Service: "+SecretProblem("Password"))
}
