package channeltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
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

// EchoAnswer wraps h, an HTTP back end's handler, to give the
// FailEchoDelivered answer: h answers the request as the platform does (and
// keeps the post), and every string value of its 2xx JSON answer is
// followed by the request's credentials as a relay or a debugging proxy
// echoing the request writes them: the Authorization header and its HTTP
// Basic credentials, the request URI as sent, its path and query
// unescaped, and the string values of a JSON or form body. A 2xx answer
// of another non-empty body (Slack's "ok") is followed by them likewise,
// and so is each value of the 2xx answer's headers named in headers (an
// id the platform answers with in a header). Other answers pass as h
// writes them. Numbers keep their digits.
func EchoAnswer(h http.Handler, headers ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		out := rec.Body.Bytes()
		echo := echoOf(r, body)
		if rec.Code/100 == 2 {
			for _, name := range headers {
				for i, v := range rec.Header().Values(name) {
					rec.Header()[http.CanonicalHeaderKey(name)][i] = v + strings.NewReplacer("\r", " ", "\n", " ").Replace(echo)
				}
			}
		}
		if rec.Code/100 == 2 && len(out) > 0 {
			if echoed, ok := echoJSON(out, echo); ok {
				out = echoed
			} else {
				out = append(bytes.TrimRight(out, "\r\n"), echo...)
			}
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(out)
	})
}

// EchoAnswerWhile is EchoAnswer(h, headers...) for the requests that come
// while echo reports true, and h itself for the others: how a fake back
// end injects FailEchoDelivered and stops.
func EchoAnswerWhile(echo func() bool, h http.Handler, headers ...string) http.Handler {
	echoed := EchoAnswer(h, headers...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if echo() {
			echoed.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// echoOf is the text a relay echoing r, whose body is body, adds.
func echoOf(r *http.Request, body []byte) string {
	var b strings.Builder
	if auth := r.Header.Get("Authorization"); auth != "" {
		fmt.Fprintf(&b, " Authorization: %s", auth)
	}
	if user, pass, ok := r.BasicAuth(); ok {
		fmt.Fprintf(&b, " user %s password %s", user, pass)
	}
	fmt.Fprintf(&b, " %s %s path %s", r.Method, r.RequestURI, r.URL.Path)
	query := r.URL.Query()
	for _, k := range slices.Sorted(maps.Keys(query)) {
		fmt.Fprintf(&b, " %s=%s", k, strings.Join(query[k], ","))
	}
	for _, v := range bodyStrings(r.Header.Get("Content-Type"), body) {
		fmt.Fprintf(&b, " %s", v)
	}
	return b.String()
}

// echoJSON returns the JSON text b with echo after every string value, or
// false when b is not JSON.
func echoJSON(b []byte, echo string) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case string:
			return v + echo
		case []any:
			for i := range v {
				v[i] = walk(v[i])
			}
		case map[string]any:
			for k := range v {
				v[k] = walk(v[k])
			}
		}
		return v
	}
	out, err := json.Marshal(walk(v))
	return out, err == nil
}
