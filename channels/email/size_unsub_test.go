package email_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// With a ListUnsubscribeFunc, a message that fits the server's SIZE limit
// exactly, its List-Unsubscribe fields as the function made them, goes out
// to every recipient; one byte less of limit refuses it for every one,
// the error saying its exact size. The function is called once per
// recipient and Send.
func TestSizeWithAnUnsubscribeFuncCountsTheFieldsExactly(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, recipients(3)...)
	calls := 0
	cfg.Concurrency = 1
	cfg.ListUnsubscribeFunc = func(r string) string {
		calls++
		return "https://status.example.com/unsubscribe?r=" + url.QueryEscape(r)
	}
	srv.script(func(s *fakeSMTP) { s.size = "SIZE 100000" })
	send(t, newChannel(t, cfg), broadcast.NewMessage(incident(1)))
	largest := 0
	for _, m := range srv.messages() {
		largest = max(largest, messageSize([]byte(m.data)))
	}
	require.NotZero(t, largest)
	assert.Equal(t, 3, calls)

	srv.script(func(s *fakeSMTP) { s.size = "SIZE " + strconv.Itoa(largest-1) })
	_, err := newChannel(t, cfg).Send(context.Background(), broadcast.NewMessage(incident(1)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), fmt.Sprintf("the message is %d bytes, over the %d", largest, largest-1))
	assert.Len(t, srv.messages(), 3)

	srv.script(func(s *fakeSMTP) { s.size = "SIZE " + strconv.Itoa(largest) })
	calls = 0
	send(t, newChannel(t, cfg), broadcast.NewMessage(incident(1)))
	assert.Len(t, srv.messages(), 6)
	assert.Equal(t, 3, calls, "one call per recipient")
}
