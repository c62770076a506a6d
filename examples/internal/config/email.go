package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
)

// emailSpec is the YAML form of email.Config.
type emailSpec struct {
	common                  `yaml:",inline"`
	Host                    string        `yaml:"host"`
	Port                    int           `yaml:"port"`
	TLS                     string        `yaml:"tls"`
	CAFile                  string        `yaml:"ca_file" sets:"TLSConfig"` // PEM certificates to trust, for a private CA
	Auth                    string        `yaml:"auth"`
	Username                string        `yaml:"username"`
	Password                string        `yaml:"password"`
	From                    string        `yaml:"from"`
	To                      []string      `yaml:"to"`
	Concurrency             int           `yaml:"concurrency"`
	ListUnsubscribe         string        `yaml:"list_unsubscribe"`
	ListUnsubscribeOneClick bool          `yaml:"list_unsubscribe_one_click"`
	HelloName               string        `yaml:"hello_name"`
	Timeout                 time.Duration `yaml:"timeout"`
}

var tlsModes = map[string]email.TLSMode{
	"": email.TLSStartTLS, "starttls": email.TLSStartTLS,
	"implicit": email.TLSImplicit, "plaintext": email.TLSPlaintext,
}

func (s *emailSpec) build(b *builder, name string) (broadcast.Channel, error) {
	mode, ok := tlsModes[strings.ToLower(s.TLS)]
	if !ok {
		return nil, fmt.Errorf("tls: unknown value %q (want starttls, implicit or plaintext)", s.TLS)
	}
	tc, err := b.tlsConfig(s.CAFile)
	if err != nil {
		return nil, err
	}
	return email.New(email.Config{
		Name: name, Host: s.Host, Port: s.Port, TLS: mode, TLSConfig: tc,
		Auth: email.AuthMethod(strings.ToUpper(s.Auth)), Username: s.Username, Password: s.Password,
		From: s.From, To: s.To, Concurrency: s.Concurrency, Templates: b.templates,
		ListUnsubscribe: s.ListUnsubscribe, ListUnsubscribeOneClick: s.ListUnsubscribeOneClick,
		HelloName: s.HelloName, Timeout: s.Timeout,
	})
}
