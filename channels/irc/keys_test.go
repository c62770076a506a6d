package irc_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/redact"
)

// shortKey is a one-letter channel key, a letter the servers' words are
// full of ("Cannot join channel").
const shortKey = "n"

// assertNoKey checks that key appears in none of texts as a word of its
// own, the way a server or a program would show it.
func assertNoKey(t *testing.T, key string, texts ...string) {
	t.Helper()
	word := regexp.MustCompile(`(^|[^\pL\pN])` + regexp.QuoteMeta(key) + `($|[^\pL\pN])`)
	for _, s := range texts {
		assert.False(t, word.MatchString(s), "the channel key %q shows in %q", key, s)
	}
}

// A channel key is a password however short it is: no error of New or
// ParseURL shows it.
func TestOneLetterKeyNotInConfigErrors(t *testing.T) {
	for name, channels := range map[string][]string{
		"name without prefix": {"ops " + shortKey},
		"comma in the name":   {"#a,b " + shortKey},
		"three fields":        {"#ops " + shortKey + " x"},
		"comma in the key":    {"#ops " + shortKey + ","},
		"duplicate":           {"#ops " + shortKey, "#OPS " + shortKey},
		"key in the clear":    {"#ops " + shortKey},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := irc.Config{Server: "irc.example.net:6667", TLS: irc.TLSOff, Nick: "statusbot", Channels: channels}
			_, err := irc.New(cfg)
			require.Error(t, err)
			assertNoKey(t, shortKey, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%+v", cfg))
		})
	}
	for _, raw := range []string{
		"irc://statusbot@irc.example.net/ops%20" + shortKey,
		"ircs://statusbot@irc.example.net/ops%20" + shortKey + "?max_lines=many",
	} {
		cfg, err := irc.ParseURL(raw)
		if err == nil {
			_, err = irc.New(cfg)
		}
		require.Error(t, err, raw)
		assertNoKey(t, shortKey, err.Error(), fmt.Sprintf("%+v", err), cfg.URL().String())
	}
}

// A channel key is a password however short it is: no error, log line,
// event or Report of a Send shows it, whichever way the Send fails, even
// from a server that repeats the key in its answers. Hiding it keeps the
// server's other words whole: a one-letter key is not cut out of every
// word that has its letter.
func TestOneLetterKeyNotInSendErrors(t *testing.T) {
	tests := []struct {
		name string
		opts fakeOptions
		cfg  func(*irc.Config)
		fail channeltest.Failure // of #ops
		want string
	}{
		{name: "wrong key", opts: fakeOptions{keys: map[string]string{"#ops": "right"}},
			want: "475 Cannot join channel (+k) - bad key REDACTED"},
		{name: "invite only", opts: fakeOptions{modes: map[string]string{"#ops": "i"}}, want: "473 Cannot join channel (+i) (you sent"},
		{name: "banned", opts: fakeOptions{modes: map[string]string{"#ops": "b"}}, want: "474 Cannot join channel (+b)"},
		{name: "full", opts: fakeOptions{modes: map[string]string{"#ops": "l"}}, want: "471 Cannot join channel (+l)"},
		{name: "opers only", opts: fakeOptions{modes: map[string]string{"#ops": "O"}}, want: "520 Cannot join channel (IRCops only)"},
		{name: "moderated", opts: fakeOptions{modes: map[string]string{"#ops": "m"}}, want: "404 Cannot send to channel"},
		{name: "registered nicks only", fail: channeltest.FailUnauthorized, want: "477 You need a registered nick to join that channel"},
		{name: "temporarily unavailable", fail: channeltest.FailTransient, want: "437 Channel is temporarily unavailable"},
		{name: "wrong server password", opts: fakeOptions{password: "right", bare464: true},
			cfg:  func(c *irc.Config) { c.Password = redact.NewSecret("wrong") },
			want: "Access denied: Bad password?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.echo = true
			srv := newFakeServer(t, tt.opts)
			if tt.fail != 0 {
				srv.FailTarget("#ops", tt.fail)
			}
			cfg := testConfig(srv.addr())
			cfg.Channels = []string{"#ops " + shortKey, "#dev"}
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			var logs bytes.Buffer
			var shown []string
			b, err := broadcast.New([]broadcast.Channel{newChannel(t, cfg)}, broadcast.Options{
				Retry:   broadcast.RetryPolicy{MaxAttempts: 1},
				Logger:  slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
				OnEvent: func(e broadcast.Event) { shown = append(shown, fmt.Sprintf("%+v", e)) },
			})
			require.NoError(t, err)
			t.Cleanup(func() { _ = b.Close() })

			rep, err := b.Send(context.Background(), sampleUpdate())
			require.Error(t, err)
			shown = append(shown, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err),
				fmt.Sprintf("%+v", rep), logs.String())
			for _, res := range rep.Results {
				shown = append(shown, fmt.Sprintf("%v", res.Err))
				for _, f := range res.Failures {
					shown = append(shown, f.Target, f.Err.Error())
				}
			}
			if re, ok := replyError(rep.Results[0].Err); ok {
				shown = append(shown, re.Text)
			}
			assertNoKey(t, shortKey, shown...)
			assert.Contains(t, rep.Results[0].Err.Error(), tt.want, "the server's words stay readable")
		})
	}
}

// A key the server shows in colour, an IRC colour code right before it
// ("\x0304n"), is hidden too: the code's digits, removed from the text
// the error shows, ran on with the key and kept it from being found.
func TestKeyAfterColourCodeNotInSendErrors(t *testing.T) {
	re, err := joinRefused(t, shortKey, "475 Cannot join channel (+k) - bad key \x0304"+shortKey+"\x03")
	assertNoKey(t, shortKey, err.Error(), fmt.Sprintf("%+v", err), re.Text)
	assert.Contains(t, re.Text, "bad key REDACTED", "the server's words stay readable")
}

// joinRefused sends through a server that answers the join of "#ops key"
// with reply, and returns the Send's error and the *irc.ReplyError in it.
func joinRefused(t *testing.T, key, reply string) (*irc.ReplyError, error) {
	t.Helper()
	srv := newFakeServer(t, fakeOptions{joinReply: map[string]string{"#ops": reply}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#ops " + key}

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	re, ok := replyError(err)
	require.True(t, ok, "a *irc.ReplyError in %q", err)
	return re, err
}

// A channel key that holds the server password ("letmein-ops" beside
// "letmein") is hidden whole where a server repeats it: hiding the
// password first must not leave the rest of the key ("-ops") readable.
func TestKeyHoldingThePasswordHiddenWhole(t *testing.T) {
	const password, key = "letmein", "letmein-ops"
	srv := newFakeServer(t, fakeOptions{password: password, keys: map[string]string{"#ops": "right"}})
	cfg := testConfig(srv.addr())
	cfg.Password = redact.NewSecret(password)
	cfg.Channels = []string{"#ops " + key}

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	re, ok := replyError(err)
	require.True(t, ok, "a *irc.ReplyError in %q", err)
	for _, s := range []string{err.Error(), re.Text} {
		assert.Contains(t, s, "bad key REDACTED", "the server's words stay readable")
		assert.NotContains(t, s, "-ops", "the rest of the key shows")
	}
}

// A key that ends in punctuation is hidden where the server glues its own
// words to that end ("bad key ops!1"): the key's "!" ends the word, as
// the redactor reads a secret's edge.
func TestKeyEndingInPunctuationGluedToServerWordsNotInSendErrors(t *testing.T) {
	const key = "ops!"
	srv := newFakeServer(t, fakeOptions{joinReply: map[string]string{
		"#ops": "475 Cannot join channel (+k) - bad key " + key + "1"}})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#ops " + key}

	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	re, ok := replyError(err)
	require.True(t, ok, "a *irc.ReplyError in %q", err)
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), re.Text} {
		assert.NotContains(t, s, key)
	}
	assert.Contains(t, re.Text, "bad key REDACTED", "the server's words stay readable")
}
