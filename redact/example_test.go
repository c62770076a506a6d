package redact_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/outagecast/outagecast/redact"
)

// A Config whose credentials are Secrets can be printed and encoded as is.
func ExampleSecret() {
	type Config struct {
		User     string
		Password redact.Secret
		Webhook  redact.URL
	}
	c := Config{User: "ops", Password: redact.NewSecret("hunter2"),
		Webhook: redact.NewURL("https://hooks.example.com/services/T0/B0/XYZ123secret")}
	fmt.Printf("%+v\n", c)
	j, _ := json.Marshal(c)
	fmt.Println(string(j))
	fmt.Println(c.Password.Reveal())
	// Output:
	// {User:ops Password:REDACTED Webhook:https://hooks.example.com/…}
	// {"User":"ops","Password":"REDACTED","Webhook":"https://hooks.example.com/…"}
	// hunter2
}

// A Redactor removes a secret a server echoed, also in base64 as an SMTP
// server may quote an AUTH PLAIN line.
func ExampleRedactor() {
	r := redact.NewRedactor().WithLogin("ops@example.com", redact.NewSecret("hunter2"))
	auth := base64.StdEncoding.EncodeToString([]byte("\x00ops@example.com\x00hunter2"))
	err := r.Error(errors.New("535 5.7.8 authentication failed: " + auth))
	fmt.Println(err)
	// Output:
	// 535 5.7.8 authentication failed: REDACTED
}

// ReplaceError hides secrets its caller's way, here by the variable each
// came from, and keeps what the error matches.
func ExampleReplaceError() {
	hide := strings.NewReplacer("xoxb-123-secret", "${SLACK_TOKEN}").Replace
	err := redact.ReplaceError(fmt.Errorf("token %s: %w", "xoxb-123-secret", fs.ErrPermission), hide)
	fmt.Println(err)
	fmt.Println(errors.Is(err, fs.ErrPermission))
	// Output:
	// token ${SLACK_TOKEN}: permission denied
	// true
}
