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
