package config

import (
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/twitter"
)

// xSpec is the YAML form of twitter.Config.
type xSpec struct {
	common         `yaml:",inline"`
	ConsumerKey    string `yaml:"consumer_key"`
	ConsumerSecret string `yaml:"consumer_secret"`
	AccessToken    string `yaml:"access_token"`
	AccessSecret   string `yaml:"access_secret"`
	// OAuth2AccessToken is an OAuth 2.0 user-context access token, used as
	// is (it is not refreshed), instead of the four OAuth 1.0a values.
	OAuth2AccessToken string `yaml:"oauth2_access_token" sets:"TokenSource"`
	BaseURL           string `yaml:"base_url"`
}

func (s *xSpec) build(b *builder, name string) (broadcast.Channel, error) {
	cfg := twitter.Config{Name: name, ConsumerKey: s.ConsumerKey, ConsumerSecret: s.ConsumerSecret,
		AccessToken: s.AccessToken, AccessSecret: s.AccessSecret, BaseURL: s.BaseURL,
		Templates: b.templates}
	if s.OAuth2AccessToken != "" {
		cfg.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: s.OAuth2AccessToken})
	}
	return twitter.New(cfg)
}
