package channeltest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// ForeignPage answers r as another server in the platform's place does,
// the FailForeign answer of an HTTP back end: a text/html page with status
// (200 for a captive portal, which answers every request; 404 for a
// proxy's page) that quotes the request as it arrived, its credentials
// first, where a snippet of the page would show them: the Authorization
// header and its HTTP Basic credentials decoded (after a link back to the
// URL escaped once more, as a query value: a token's "%3D" there is
// "%253D"), the request line, the URL path and query unescaped, every
// other header, and the body with the string values of a JSON or form
// body decoded. It reads r.Body.
func ForeignPage(w http.ResponseWriter, r *http.Request, status int) {
	body, _ := io.ReadAll(r.Body)
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><title>Sign in to continue</title></head><body><pre>\n")
	fmt.Fprintf(&b, "<a href=\"/report?u=%s\">report this page</a>\n", url.QueryEscape("http://"+r.Host+r.RequestURI))
	if auth := r.Header.Get("Authorization"); auth != "" {
		fmt.Fprintf(&b, "Authorization: %s\n", auth)
	}
	if user, pass, ok := r.BasicAuth(); ok {
		fmt.Fprintf(&b, "user %s password %s\n", user, pass)
	}
	fmt.Fprintf(&b, "%s %s %s\nurl http://%s%s\npath %s\n", r.Method, r.RequestURI, r.Proto, r.Host,
		r.RequestURI, r.URL.Path)
	query := r.URL.Query()
	for _, k := range slices.Sorted(maps.Keys(query)) {
		fmt.Fprintf(&b, "%s = %s\n", k, strings.Join(query[k], ", "))
	}
	_ = r.Header.Write(&b)
	fmt.Fprintf(&b, "\n%s\n", body)
	for _, v := range bodyStrings(r.Header.Get("Content-Type"), body) {
		fmt.Fprintf(&b, "%s\n", v)
	}
	b.WriteString("</pre><p>This network requires you to sign in before you can reach the Internet.</p>" +
		"</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, b.String())
}

// bodyStrings returns the string values of a JSON or form body, decoded.
func bodyStrings(contentType string, body []byte) []string {
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" {
		form, _ := url.ParseQuery(string(body))
		var out []string
		for _, vs := range form {
			out = append(out, vs...)
		}
		return out
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}
