package discord

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// refusingTransport fails every request as a refused connection does.
type refusingTransport struct{}

func (refusingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("dial tcp 192.0.2.1:443: connect: connection refused")
}

// Every error names the package and the operation once. The error of a
// request that got no answer already names its method, "post: dial tcp
// …" (the URL, which holds the token, is left out): before, a post read
// "discord: post: post: dial tcp …" and a deletion "discord: delete:
// delete: …". An operation named otherwise keeps the method after it.
func TestTransportErrorNamesOperationOnce(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, func(c *Config) { c.HTTPClient = &http.Client{Transport: refusingTransport{}} })
	ctx := context.Background()
	prev := broadcast.Receipt{Channel: ch.Name(), ID: "1100000000000000001"}
	const cause = "dial tcp 192.0.2.1:443: connect: connection refused"
	for _, tt := range []struct {
		what string
		call func() error
		want string
	}{
		{"Send", func() error { _, err := ch.Send(ctx, broadcast.NewMessage(fullUpdate)); return err }, "discord: post: " + cause},
		{"Retract", func() error { return ch.Retract(ctx, prev) }, "discord: delete: " + cause},
		{"Edit", func() error { _, err := ch.Edit(ctx, broadcast.NewMessage(fullUpdate), prev); return err },
			"discord: edit: patch: " + cause},
		{"Check", func() error { return ch.Check(ctx) }, "discord: check: get: " + cause},
	} {
		err := tt.call()
		assert.EqualError(t, err, tt.want, tt.what)
		assert.False(t, broadcast.IsPermanent(err), "%s: %v", tt.what, err)
	}
}
