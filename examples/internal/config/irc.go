package config

import (
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
)

// ircSpec is the YAML form of irc.Config.
type ircSpec struct {
	common       `yaml:",inline"`
	Server       string        `yaml:"server"`
	TLS          *bool         `yaml:"tls"` // default true
	CAFile       string        `yaml:"ca_file" sets:"TLSConfig"`
	Nick         string        `yaml:"nick"`
	User         string        `yaml:"user"`
	RealName     string        `yaml:"real_name"`
	Password     string        `yaml:"password"`
	SASLUser     string        `yaml:"sasl_user"`
	SASLPassword string        `yaml:"sasl_password"`
	Channels     []string      `yaml:"channels"`
	Notice       bool          `yaml:"notice"`
	Template     string        `yaml:"template"`
	MaxLines     int           `yaml:"max_lines"`
	Burst        int           `yaml:"burst"`
	Interval     time.Duration `yaml:"interval"`
	Timeout      time.Duration `yaml:"timeout"`
}

func (s *ircSpec) build(b *builder, name string) (broadcast.Channel, error) {
	mode := irc.TLSOn
	if s.TLS != nil && !*s.TLS {
		mode = irc.TLSOff
	}
	tc, err := b.tlsConfig(s.CAFile)
	if err != nil {
		return nil, err
	}
	return irc.New(irc.Config{
		Name: name, Server: s.Server, TLS: mode, TLSConfig: tc, Nick: s.Nick, User: s.User, RealName: s.RealName,
		Password: s.Password, SASLUser: s.SASLUser, SASLPassword: s.SASLPassword,
		Channels: s.Channels, Notice: s.Notice, Templates: b.templates, Template: s.Template,
		MaxLines: s.MaxLines, Burst: s.Burst, Interval: s.Interval, Timeout: s.Timeout,
	})
}
