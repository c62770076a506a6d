// Package cutbody answers an HTTP request with a response whose body
// breaks off, for tests of what a channel makes of an answer cut short
// after its status line (the status decides; a retry would repeat a post).
package cutbody

import (
	"fmt"
	"net/http"
)

// Write answers with status, a Content-Length longer than partial, then
// partial, and closes the connection: the client reads the status line and
// headers whole and the body fails with io.ErrUnexpectedEOF.
func Write(w http.ResponseWriter, status int, partial string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		status, http.StatusText(status), len(partial)+500, partial)
	_ = buf.Flush()
}
