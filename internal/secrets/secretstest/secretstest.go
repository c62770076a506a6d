// Package secretstest is a Config with secrets in every place the walker
// of package secrets looks, and the names that hold each, for the tests
// that prove every user of the walker (the channel packages' New, through
// their setup, and config, for every Kind) finds the same secrets.
package secretstest

import "github.com/outagecast/outagecast/redact"

// Inner is a nested part of Config.
type Inner struct {
	Key  redact.Secret `yaml:"key" json:"key"`
	URLs []redact.URL  `yaml:"urls" json:"urls"`
	Note string        `yaml:"note" json:"note"`
}

// Config holds secrets in its fields, in a nested struct, in lists, in
// maps, behind a pointer, and in URLs' user information and query, in a
// redact.URL and in a plain string.
type Config struct {
	Name    string                   `yaml:"name" json:"name"`
	Token   redact.Secret            `yaml:"token" json:"token"`
	Hook    redact.URL               `yaml:"hook" json:"hook"`
	BaseURL string                   `yaml:"base_url" json:"base_url"`
	Inner   Inner                    `yaml:"inner" json:"inner"`
	List    []Inner                  `yaml:"list" json:"list"`
	Map     map[string]Inner         `yaml:"map" json:"map"`
	Headers map[string]redact.Secret `yaml:"headers" json:"headers"`
	Ptr     *Inner                   `yaml:"ptr" json:"ptr"`
	Level   int                      `yaml:"level" json:"level"`
}

// YAML is Config in a configuration file's keys, without kind and name.
const YAML = `token: tok-Field-7a1b2c
hook: "https://ops:hookPassword-77@hooks.example.com/in?sig=hookQuerySig-88"
base_url: "https://api:basePassword-99@api.example.com/v1?api_key=baseQueryKey-11"
inner: {key: innerKey-12345, note: plain words}
list:
  - {key: listKey-0-abcd}
  - {urls: ["https://hooks.example.com/x?token=listUrlToken-22", "https://u:listUrlPw-33@h.example.com/"]}
map:
  first: {key: mapKey-first-55}
headers: {X-Source: headerValue-66}
ptr: {key: ptrKey-44444, urls: ["https://:ptrUrlPw-45@p.example.com/"]}
level: 3
`

// Value is the Config that YAML decodes to.
func Value() Config {
	return Config{
		Token:   redact.NewSecret("tok-Field-7a1b2c"),
		Hook:    redact.NewURL("https://ops:hookPassword-77@hooks.example.com/in?sig=hookQuerySig-88"),
		BaseURL: "https://api:basePassword-99@api.example.com/v1?api_key=baseQueryKey-11",
		Inner:   Inner{Key: redact.NewSecret("innerKey-12345"), Note: "plain words"},
		List: []Inner{{Key: redact.NewSecret("listKey-0-abcd")},
			{URLs: []redact.URL{redact.NewURL("https://hooks.example.com/x?token=listUrlToken-22"), redact.NewURL("https://u:listUrlPw-33@h.example.com/")}}},
		Map:     map[string]Inner{"first": {Key: redact.NewSecret("mapKey-first-55")}},
		Headers: map[string]redact.Secret{"X-Source": redact.NewSecret("headerValue-66")},
		Ptr:     &Inner{Key: redact.NewSecret("ptrKey-44444"), URLs: []redact.URL{redact.NewURL("https://:ptrUrlPw-45@p.example.com/")}},
		Level:   3,
	}
}

// Held are the names that hold a secret of Value, each with the Go path
// of the field that holds it.
var Held = map[string]string{
	"ops-tok-Field-7a1b2c": "Token",
	"hookPassword-77":      "Hook",
	"hookQuerySig-88-ops":  "Hook",
	"basePassword-99":      "BaseURL",
	"baseQueryKey-11":      "BaseURL",
	"innerKey-12345":       "Inner.Key",
	"listKey-0-abcd":       "List[0].Key",
	"listUrlToken-22":      "List[1].URLs[0]",
	"listUrlPw-33":         "List[1].URLs[1]",
	"mapKey-first-55":      "Map[…].Key",
	"headerValue-66":       "Headers[…]",
	"ptrKey-44444":         "Ptr.Key",
	"ptrUrlPw-45":          "Ptr.URLs[0]",
	"aW5uZXJLZXktMTIzNDU=": "Inner.Key", // base64
}

// Free are names that hold none of Value's secrets.
var Free = []string{"ops", "plain words", "hooks.example.com", "https://hooks.example.com", "first", "X-Source", "level 3"}
