package httpx_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// One attempt of a channel: send, classify.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":"slow down"}`)
	}))
	defer srv.Close()
	client := httpx.ChannelClient(nil, httpx.ClientOptions{})
	defer client.Close()

	req, err := httpx.NewRequest(context.Background(), http.MethodPost, srv.URL+"/hook?token=abc", []byte(`{}`), "application/json")
	if err != nil {
		panic(err)
	}
	resp, err := httpx.DoStatus(client, req, 0, 0, nil)
	if err != nil {
		panic(err)
	}
	err = httpx.Classify(resp)
	d, _ := broadcast.RetryDelay(err)
	fmt.Println(err)
	fmt.Println("permanent:", broadcast.IsPermanent(err), "retry after:", d)
	// Output:
	// http status 429 Too Many Requests: {"error":"slow down"}
	// permanent: false retry after: 30s
}
