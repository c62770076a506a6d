package redact_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A *broadcast.TargetsError in a join whose parts split a secret between
// them (a target's error ending in the first line of base64 that MIME
// wraps, the next part holding the rest, or a quoted-printable soft line
// break) was dropped with the join's other parts: the redacted error was
// flat, so errors.As found no TargetsError, and the Broadcaster lost which
// targets were pending and which refused, and their marks. The parts are
// now each given hidden (their text REDACTED, their marks and what
// errors.Is matches kept), the TargetsError as a copy of it whose targets'
// names and errors show as REDACTED; no part prints a piece of the secret,
// and the join's text hides it either way.
func TestRedactedJoinKeepsATargetsErrorThatSplitsASecret(t *testing.T) {
	long := strings.Repeat("k3y-", 20) // 108 characters of base64
	qp := "q7-Secret=9x"               // "=3D" in quoted-printable
	r := redact.NewRedactor(redact.NewSecret(long), redact.NewSecret(qp))
	b64 := base64.StdEncoding.EncodeToString([]byte(long))
	qpText := strings.ReplaceAll(qp, "=", "=3D")
	for name, tt := range map[string]struct {
		last   error // the last target's error, whose text ends the TargetsError's
		next   error // the join's part after the TargetsError
		pieces []string
	}{
		"base64 lines": {
			last:   errors.Join(errors.New("echoed:"), errors.New(b64[:76])),
			next:   errors.New(b64[76:]),
			pieces: []string{b64[4:40], b64[80:100]},
		},
		"a soft line break": {
			last:   errors.New("body " + qpText[:5] + "="),
			next:   errors.New(qpText[5:] + " end"),
			pieces: []string{qpText[:5], qpText[5:]},
		},
	} {
		t.Run(name, func(t *testing.T) {
			te := &broadcast.TargetsError{Total: 3,
				Pending: []broadcast.TargetFailure{{Target: "a", Err: broadcast.RetryAfter(
					fmtWrap("slow", context.DeadlineExceeded), 2*time.Second)}},
				Failures: []broadcast.TargetFailure{{Target: "b", Err: broadcast.Permanent(tt.last)}},
			}
			err := redactSplitJoin(t, r, tt.pieces, te, tt.next)

			got, ok := errors.AsType[*broadcast.TargetsError](err)
			require.True(t, ok, "errors.As finds the TargetsError")
			assert.Equal(t, 3, got.Total)
			require.Len(t, got.Pending, 1)
			require.Len(t, got.Failures, 1)
			assert.Equal(t, "a", got.Pending[0].Target)
			assert.Equal(t, "b", got.Failures[0].Target)
			d, waits := broadcast.RetryDelay(got.Pending[0].Err)
			assert.True(t, waits)
			assert.Equal(t, 2*time.Second, d)
			assert.ErrorIs(t, got.Pending[0].Err, context.DeadlineExceeded)
			assert.True(t, broadcast.IsPermanent(got.Failures[0].Err))
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		})
	}
}

// fmtWrap returns an error whose text is msg and the cause's, wrapping it.
func fmtWrap(msg string, cause error) error { return &wrapped{msg, cause} }

type wrapped struct {
	msg   string
	cause error
}

func (e *wrapped) Error() string { return e.msg + ": " + e.cause.Error() }
func (e *wrapped) Unwrap() error { return e.cause }
