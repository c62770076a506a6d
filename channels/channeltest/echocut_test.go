package channeltest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A channel that makes more than one request per Send (to two endpoints at
// once, here) meets the padding of its attempt in each answer. Before, each
// answer took the padding of an attempt of its own: the second request
// waited for the next attempt's, which never came, and the helper hung.
func TestEchoAtTheCutManyRequests(t *testing.T) {
	const secret = "tok-5f2b9e0c4d7a1e8b3f6a"
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	channeltest.AssertEchoAtTheCutRedacted(t, http.StatusOK,
		func(r *http.Request) string { return "auth=" + r.Header.Get("Authorization") }, secret,
		func(baseURL string) (broadcast.Channel, error) {
			return broadcast.ChannelFunc("two-endpoints", func(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
				errs := make([]error, 2)
				var wg sync.WaitGroup
				for i := range errs {
					wg.Go(func() { errs[i] = get(ctx, client, fmt.Sprintf("%s/endpoint/%d", baseURL, i), secret) })
				}
				wg.Wait()
				return broadcast.Receipt{}, broadcast.Permanent(errors.Join(errs...))
			}), nil
		})
}

// get makes a request with token and refuses the answer, an HTML page.
func get(ctx context.Context, client *http.Client, url, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return errors.New("request failed")
	}
	_ = resp.Body.Close()
	return fmt.Errorf("%s: not the platform's answer (%s)", req.URL.Path, resp.Header.Get("Content-Type"))
}
