package twitter_test

import (
	"fmt"
	"github.com/outagecast/outagecast/redact"

	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/channels/twitter"
)

// The credentials are redact.Secret values: a Config can be printed or
// logged without them.
func ExampleConfig() {
	cfg := twitter.Config{
		Name:           "x-status",
		ConsumerKey:    redact.NewSecret("app-api-key"),
		ConsumerSecret: redact.NewSecret("app-api-key-secret"),
		AccessToken:    redact.NewSecret("1234567890-account-access-token"),
		AccessSecret:   redact.NewSecret("account-access-token-secret"),
	}
	fmt.Printf("%+v\n", cfg)
	// Output:
	// {Name:x-status ConsumerKey:REDACTED ConsumerSecret:REDACTED AccessToken:REDACTED AccessSecret:REDACTED TokenSource:<nil> BaseURL: HTTPClient:<nil> Templates:<nil>}
}

// With OAuth 2.0, TokenSource is the Token method of an oauth2.TokenSource:
// in a program, the one oauth2.Config.TokenSource returns for the account's
// token, which refreshes it.
func ExampleConfig_oauth2() {
	src := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "account-access-token"})
	ch, err := twitter.New(twitter.Config{Name: "x-status", TokenSource: src.Token})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ch)
	fmt.Printf("%+v\n", ch)
	// Output:
	// twitter.Channel(x-status)
	// twitter.Channel(x-status)
}
