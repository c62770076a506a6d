package config

import (
	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/webhook"
)

// webhookSpec is the YAML form of webhook.Config.
type webhookSpec struct {
	common        `yaml:",inline"`
	URL           string            `yaml:"url"`
	Secret        string            `yaml:"secret"`
	Endpoints     []endpointSpec    `yaml:"endpoints"`
	AllowUnsigned bool              `yaml:"allow_unsigned"`
	Headers       map[string]string `yaml:"headers"`
	Concurrency   int               `yaml:"concurrency"`
}

type endpointSpec struct {
	URL    string `yaml:"url"`
	Secret string `yaml:"secret"`
}

func (s *webhookSpec) build(_ *builder, name string) (broadcast.Channel, error) {
	cfg := webhook.Config{Name: name, URL: s.URL, Secret: s.Secret,
		AllowUnsigned: s.AllowUnsigned, Headers: s.Headers, Concurrency: s.Concurrency}
	for _, e := range s.Endpoints {
		cfg.Endpoints = append(cfg.Endpoints, webhook.Endpoint{URL: e.URL, Secret: e.Secret})
	}
	return webhook.New(cfg)
}
