package httpx

import (
	"net/url"

	"github.com/outagecast/outagecast/redact"
)

// redactURLError shows the URL of the *url.Error the http package returns
// without its secrets (see redact.ShowURL), keeping the error it wraps
// (which names no URL) for errors.Is and net.Error checks. Channels still
// pass every error through their redact.Redactor: a server may echo a
// secret anywhere.
func redactURLError(err error) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	return &url.Error{Op: ue.Op, URL: redact.ShowURL(ue.URL), Err: ue.Err}
}
