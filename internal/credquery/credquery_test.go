package credquery

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A query parameter is a credential by the words of its name, in the
// spellings services use, with a value; a word that merely holds one
// ("keyword", "author") is not.
func TestHolds(t *testing.T) {
	for q, want := range map[string]bool{
		"token=s3cr3tPW": true, "access_token=s3cr3tPW": true, "apiKey=s3cr3tPW": true, "APIKey=s3cr3tPW": true,
		"api-key=s3cr3tPW": true, "key=s3cr3tPW": true, "sig=s3cr3tPW": true, "sv=1&sig=s3cr3tPW": true,
		"X-Amz-Signature=abc": true, "X-Goog-Credential=abc": true, "client_secret=abc": true,
		"password=abc": true, "Passwd=abc": true, "auth=abc": true, "authToken=abc": true, "a%5Ftoken=abc": true,
		"": false, "size=64": false, "s=64&d=identicon": false, "keyword=outage": false, "author=ops": false,
		"monkey=1": false, "token=": false, "token": false, "v=2&ref=status": false, "passage=1": false,
	} {
		assert.Equal(t, want, Holds(q), q)
	}
}

// A name written as one word counts by its ending ("accesskey",
// "secretkey"), a session's too, in any case and %-escaped; ";" separates
// parameters as "&" does, as servers of the CGI convention read it.
func TestHoldsOneWordNamesAndSemicolons(t *testing.T) {
	for q, want := range map[string]bool{
		"accesskey=abc": true, "AccessKey=abc": true, "ACCESSKEY=abc": true, "secretkey=abc": true,
		"privatekey=abc": true, "apikey=abc": true, "client_secret=abc": true, "password=abc": true,
		"passwd=abc": true, "jwt=abc": true, "session=abc": true, "sessionid=abc": true, "PHPSESSID=abc": true,
		"%74oken=abc": true, "%41ccessKey=abc": true, "v=1;token=abc": true, "v=1;%74oken=abc": true,
		"v=1;page=2": false, "hotkey=f5": false, "monkey=1": false, "sessions=2": false, "v=1;token=": false,
	} {
		assert.Equal(t, want, Holds(q), q)
	}
}

// A fragment is read as a query, or as a single-page application's path
// and then a query, whose path's words name no parameter.
func TestHoldsFragment(t *testing.T) {
	for f, want := range map[string]bool{
		"access_token=abc&token_type=bearer": true, "/incidents/42?apiKey=abc": true,
		"/callback?x=1;token=abc": true, "a=1?token=abc": true,
		"/components/auth?tab=history": false, "/token-expiry?page=2": false, "key": false, "/incidents/42": false,
	} {
		assert.Equal(t, want, HoldsFragment(f), f)
	}
}

// A header's name names a credential as a parameter's does; a cookie
// carries the session that signs a client in (RFC 6265: Cookie,
// Set-Cookie), so its header is one too.
func TestNamedHeaders(t *testing.T) {
	for name, want := range map[string]bool{
		"Authorization": true, "Proxy-Authorization": true, "X-Api-Key": true, "X-Auth-Token": true,
		"Cookie": true, "Set-Cookie": true, "X-Session": true,
		"X-Source": false, "X-Trace-Id": false, "Content-Type": false, "X-Cookies-Enabled": false,
	} {
		assert.Equal(t, want, Named(name), name)
	}
}
