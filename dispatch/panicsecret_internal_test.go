package dispatch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The secrets the panic values of TestPanicValueOfARunShownNowhere hold.
const (
	runPanicToken    = "tok-5c2e8d1a"
	runPanicPassword = "pw-0f6b3a9e"
)

// A run that panics, with a value quoting a secret (a token in a string,
// a URL's password in a *url.Error), within the limits (left to River)
// and past them (given up), shows the panic's value as the Broadcaster
// does (package panictext): by its type only. Neither its Event's error,
// the Logger's record, nor the value River records and logs (fmt's %v of
// the panic it recovers) holds the secret. Before, the Event's error read
// "panic: " and the value, the Logger's record had it in its "panic"
// attribute, and River was given the value itself.
func TestPanicValueOfARunShownNowhere(t *testing.T) {
	values := map[string]any{
		"string": "bad token " + runPanicToken,
		"error": &url.Error{Op: "Post", URL: "https://ops:" + runPanicPassword + "@hooks.example/in",
			Err: errors.New("refused token " + runPanicToken)},
	}
	args := []byte(`{"job":{"kind":"send","channel":"x","update":{"id":"u-1","incident_id":"i-1"}},"update_id":"u-1","channel":"x"}`)
	for name, value := range values {
		for _, attempt := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s, attempt %d", name, attempt), func(t *testing.T) {
				var events []Event
				d, m := strayDispatcher(&events, "x")
				var log bytes.Buffer
				d.cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
				row := &rivertype.JobRow{ID: 7, Kind: KindSend, Attempt: attempt, MaxAttempts: 3 + maxRescues,
					CreatedAt: time.Now(), EncodedArgs: args}
				var p any
				func() {
					defer func() { p = recover() }()
					_ = m.Work(context.Background(), row, func(context.Context) error { panic(value) })
				}()
				texts := map[string]string{"log": log.String()}
				if p != nil {
					texts["River's record"] = fmt.Sprintf("%v", p)
				}
				require.NotEmpty(t, events)
				for i, e := range events {
					if e.Err != nil {
						texts[fmt.Sprint("event ", i)] = e.Err.Error()
					}
				}
				assert.Contains(t, events[len(events)-1].Err.Error(), fmt.Sprintf("panic: a %T", value))
				for where, text := range texts {
					assert.NotContains(t, text, runPanicToken, where)
					assert.NotContains(t, text, runPanicPassword, where)
				}
			})
		}
	}
}
