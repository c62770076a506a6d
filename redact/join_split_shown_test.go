package redact_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A secret a join's parts hold only together ("s3cr3tAB" and "9t0k3nXY"
// of "s3cr3tAB9t0k3nXY", or the lines of a secret that holds a line
// break) is shown nowhere once something in the error is redacted: the
// parts are hidden, and the text the join copy keeps (that of the join,
// which the Redactor finds no secret in, "s3cr3tAB\n9t0k3nXY") is the one
// the redacted text around it shows already, no more. No text a caller
// reaches, the top's or a part's, through errors.Unwrap or errors.As,
// under any verb, holds a secret the Redactor would redact, and the
// hidden parts put together hold none either.
func TestRedactedJoinSplitSecretShownNowhere(t *testing.T) {
	const pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----"
	for _, secret := range []string{"s3cr3tAB9t0k3nXY", "s3cr3tAB\n9t0k3nXY", pem} {
		r := redact.NewRedactor(redact.NewSecret(secret), redact.NewSecret(pw))
		a, b := secret[:8], secret[8:]
		if i := strings.Index(secret, "\n"); i >= 0 {
			a, b = secret[:i], secret[i+1:]
		}
		join := func() error { return errors.Join(errors.New(a), errors.New(b)) }
		for name, orig := range map[string]error{
			"join":                  join(),
			"wrapped":               fmt.Errorf("post: %w", join()),
			"a wrapper with pw":     fmt.Errorf("post %s: %w", pw, join()),
			"a wrapper with secret": fmt.Errorf("post %s: %w", secret, join()),
			"a wrapper with a":      fmt.Errorf("post %s: %w", a, join()),
			"a part with pw":        errors.Join(errors.New(a), errors.New(b), errors.New("token "+pw)),
			"two wrappers with pw":  fmt.Errorf("send: %w", fmt.Errorf("post %s: %w", pw, join())),
			"put together":          fmt.Errorf("post %s: %w", pw, concatErrors{errors.New(a), errors.New(b)}),
		} {
			err := r.Error(orig)
			where := fmt.Sprintf("%q, %s", secret[:8], name)
			top := err.Error()
			joins := 0
			walkTree(err, func(e error) {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
					s := fmt.Sprintf(verb, e)
					assert.NotContains(t, s, secret, "%s: %T with %s", where, e, verb)
					assert.NotContains(t, s, pw, "%s: %T with %s", where, e, verb)
					if verb != "%q" && verb != "%#v" {
						assert.Equal(t, r.String(s), s, "%s: %T with %s holds a secret", where, e, verb)
					}
				}
				j, ok := e.(interface{ Unwrap() []error })
				if !ok || !strings.HasPrefix(fmt.Sprintf("%T", e), "*redact.") {
					return // not a join, or the original's, given as it is
				}
				// A redacted join: its text is the one the top shows, and its
				// parts' texts, put together, hold no secret.
				joins++
				assert.Contains(t, top, e.Error(), "%s: the join copy's text is the top's", where)
				var texts []string
				for _, p := range j.Unwrap() {
					texts = append(texts, p.Error())
				}
				for _, sep := range []string{"", "\n"} {
					all := strings.Join(texts, sep)
					assert.Equal(t, r.String(all), all, "%s: the parts put together with %q", where, sep)
				}
			})
			if err != orig {
				assert.Positive(t, joins, "%s: the redaction keeps a join", where)
			}
		}
	}

	// The parts hidden only together: each is hidden, and the join copy
	// keeps the join's text, which the top shows as it is.
	r := redact.NewRedactor(redact.NewSecret("s3cr3tAB9t0k3nXY"), redact.NewSecret(pw))
	err := r.Error(fmt.Errorf("post %s: %w", pw, errors.Join(errors.New("s3cr3tAB"), errors.New("9t0k3nXY"))))
	assert.Equal(t, "post "+redact.Redacted+": s3cr3tAB\n9t0k3nXY", err.Error())
	j, _ := chainJoin(err)
	if assert.NotNil(t, j) {
		assert.Equal(t, "s3cr3tAB\n9t0k3nXY", j.(error).Error())
		for _, p := range j.Unwrap() {
			assert.Equal(t, redact.Redacted, p.Error())
		}
	}
}
