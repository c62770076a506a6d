package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/outagecast/outagecast/internal/syncbuf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func get(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, err := io.ReadAll(rec.Result().Body)
	require.NoError(t, err)
	return rec.Result(), string(body)
}

// The demo writes an incident, a maintenance and a past incident once;
// the handler serves them as a static host would.
func TestDemo(t *testing.T) {
	o := options{dir: filepath.Join(t.TempDir(), "site"), addr: "127.0.0.1:8080", base: "http://127.0.0.1:8080/",
		title: "Example Status", demo: true}
	page, err := newPage(o)
	require.NoError(t, err)
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	require.NoError(t, prepare(context.Background(), page, o, now))
	first, err := os.Readlink(page.Root())
	require.NoError(t, err)
	require.NoError(t, prepare(context.Background(), page, o, now), "the demo again")
	again, err := os.Readlink(page.Root())
	require.NoError(t, err)
	assert.Equal(t, first, again, "running the demo again writes nothing")

	h := newHandler(page.Root())
	resp, body := get(t, h, "/")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	// A content policy that lets the page's own script, icon and inline
	// style sheet load and nothing else.
	assert.Equal(t, "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self'; "+
		"base-uri 'none'; form-action 'none'", resp.Header.Get("Content-Security-Policy"))
	assert.Contains(t, body, "Elevated error rates on the API")
	assert.Contains(t, body, "Database upgrade")
	assert.Contains(t, body, "Slow logins")
	resp, body = get(t, h, "/incidents/api-errors.html")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 3, strings.Count(body, `class="update"`), "the incident's three updates")
	resp, _ = get(t, h, "/incidents/")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "a directory without an index is not listed")
	resp, body = get(t, h, "/api/")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, body)
	resp, _ = get(t, h, "/history.atom")
	assert.Equal(t, "application/atom+xml", resp.Header.Get("Content-Type"))
	resp, _ = get(t, h, "/api/v2/summary.json")
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	// Under nosniff, a browser runs a script only with a JavaScript type.
	resp, _ = get(t, h, "/overdue.js")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript"), "overdue.js: %s", resp.Header.Get("Content-Type"))
}

// Without the demo, an empty directory gets an all-operational page.
func TestFirstPage(t *testing.T) {
	o := options{dir: filepath.Join(t.TempDir(), "site"), base: "http://127.0.0.1:8080/", title: "Example Status"}
	page, err := newPage(o)
	require.NoError(t, err)
	require.NoError(t, prepare(context.Background(), page, o, time.Now()))
	resp, body := get(t, newHandler(page.Root()), "/")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, "All systems operational")
}

// The handler reads the site with GET and HEAD only, as a static host
// does: a POST, PUT or DELETE is refused with 405, never answered with the
// page and 200 as if the change were made.
func TestHandlerMethods(t *testing.T) {
	o := options{dir: filepath.Join(t.TempDir(), "site"), base: "http://127.0.0.1:8080/", title: "Example Status"}
	page, err := newPage(o)
	require.NoError(t, err)
	require.NoError(t, prepare(context.Background(), page, o, time.Now()))
	h := newHandler(page.Root())
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/history.atom", nil))
		assert.Equal(t, http.StatusOK, rec.Code, method)
	}
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		for _, path := range []string{"/", "/history.atom", "/api/v2/summary.json"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader("x")))
			assert.Equal(t, http.StatusMethodNotAllowed, rec.Code, "%s %s", method, path)
			assert.Equal(t, "GET, HEAD", rec.Header().Get("Allow"), "%s %s", method, path)
			assert.NotContains(t, rec.Body.String(), "<html", "%s %s: the page", method, path)
		}
	}
}

// The page is announced once its port is bound, never before a bind that
// fails.
func TestListensBeforeSayingSo(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	o := options{dir: filepath.Join(t.TempDir(), "site"), addr: taken.Addr().String(), base: "http://127.0.0.1:8080/",
		title: "Example Status"}
	var log bytes.Buffer
	err = run(context.Background(), nil, &log, o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-listen: ")
	assert.Empty(t, log.String(), "nothing said to serve")

	o.addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	var out syncbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, &out, o) }()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "statuspage: serving ") }, time.Minute, 5*time.Millisecond)
	cancel()
	assert.NoError(t, <-done)
}

// A bad flag is named as the command line names it.
func TestBadFlagsAreNamed(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	ok := options{dir: filepath.Join(t.TempDir(), "site"), addr: "127.0.0.1:0", base: "http://127.0.0.1:8080/",
		title: "Example Status"}
	for _, tt := range []struct {
		set  func(*options)
		want string
	}{
		{func(o *options) { o.base = "not a url" }, `-base: not an absolute http or https URL`},
		{func(o *options) { o.dir = "" }, `-dir: missing`},
		{func(o *options) { o.dir = filepath.Join(file, "site") }, `-dir: mkdir ` + file + `: not a directory`},
		{func(o *options) { o.title = "a\nb" }, `-title: `},
		{func(o *options) { o.lang = "not a language" }, `-lang: "not a language" is not a BCP 47 language tag`},
	} {
		o := ok
		tt.set(&o)
		err := run(context.Background(), nil, io.Discard, o)
		require.Error(t, err, tt.want)
		assert.True(t, strings.HasPrefix(err.Error(), tt.want), err.Error())
		assert.NotContains(t, err.Error(), "Config.")
		// As for the flags parseFlags refuses: exit 2, with the usage hint.
		var out strings.Builder
		assert.Equal(t, 2, fail(&out, err), tt.want)
		assert.Equal(t, "statuspage: "+err.Error()+"\nRun statuspage -help for usage.\n", out.String())
	}
}

// A failure that is no mistake on the command line exits 1, without the
// usage hint.
func TestRunFailureExits1(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	o := options{dir: t.TempDir(), addr: ln.Addr().String(), base: "http://127.0.0.1:8080/", title: "Example Status"}
	err = run(context.Background(), nil, io.Discard, o) // the address is taken
	require.ErrorContains(t, err, "-listen: ")
	var out strings.Builder
	assert.Equal(t, 1, fail(&out, err))
	assert.NotContains(t, out.String(), "-help")
}

// A -listen address taken is found before -demo writes its updates
// (seconds of work for nothing): the directory is left without a page.
func TestListenTakenBeforeDemo(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	dir := filepath.Join(t.TempDir(), "site")
	o := options{dir: dir, addr: ln.Addr().String(), base: "http://127.0.0.1:8080/", title: "Example Status", demo: true}
	err = run(context.Background(), nil, io.Discard, o)
	require.ErrorContains(t, err, "-listen: ")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing written before the address was tried")
}

// The command line is read whole: a stray argument is an error, not a
// -dir silently left at its default, and the page's default URL, made
// from -listen, must be one its links can use; a mistake there names -listen,
// the flag given, not -base.
func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-dir", "/tmp/site", "-listen", "127.0.0.1:8081"})
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8081/", o.base)
	o, err = parseFlags([]string{"-listen", ":8081", "-base", "https://status.example.com/", "-lang", "pt-BR"})
	require.NoError(t, err)
	assert.Equal(t, "https://status.example.com/", o.base)
	assert.Equal(t, "pt-BR", o.lang)

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"/tmp/site"}, `unexpected argument "/tmp/site"`},
		{[]string{"-listen", ":8081"}, `-listen: ":8081" names no host for the page's links: give -base, the page's public URL`},
		{[]string{"-listen", "0.0.0.0:8081"}, `-listen: "0.0.0.0:8081" names no host for the page's links: give -base`},
		{[]string{"-listen", "127.0.0.1:0"}, `-listen: "127.0.0.1:0": want a port from 1 to 65535 for the page's links, or give -base`},
		{[]string{"-listen", "127.0.0.1:"}, `-listen: "127.0.0.1:": want a port from 1 to 65535 for the page's links, or give -base`},
		{[]string{"-listen", "127.0.0.1:8081x"}, `-listen: "127.0.0.1:8081x": want host:port`},
		{[]string{"-listen", "127.0.0.1:65536", "-base", "https://status.example.com/"}, `-listen: "127.0.0.1:65536": want host:port`},
		{[]string{"-listen", "nope", "-base", "https://status.example.com/"}, `-listen: "nope": want host:port`},
		{[]string{"-listen", ":http"}, `-listen: ":http" names no host for the page's links: give -base`},
		// The unspecified address with a zone, or mapped from IPv4, is
		// every interface too: no host for a link.
		{[]string{"-listen", "[::%eth0]:8081"}, `-listen: "[::%eth0]:8081" names no host for the page's links: give -base`},
		{[]string{"-listen", "[::ffff:0.0.0.0%eth0]:8081"}, `-listen: "[::ffff:0.0.0.0%eth0]:8081" names no host for the page's links: give -base`},
		{[]string{"-listen", "127.0.0.1"}, `-listen: "127.0.0.1": want host:port`},
		{[]string{"-nope"}, `flag provided but not defined: -nope`},
		// The channel would title an empty -title "Service status", so the
		// page, built with another title than -title, would be rebuilt at
		// every start: refused, as a blank title is.
		{[]string{"-title", ""}, `-title: missing`},
		{[]string{"-title", "  "}, `-title: missing`},
	} {
		_, err := parseFlags(tt.args)
		require.Error(t, err, tt.args)
		assert.True(t, strings.HasPrefix(err.Error(), tt.want), err.Error())
	}
}

// -listen takes what net.Listen takes, a service name for the port too;
// the page's default URL has the port's number, the only port a URL can
// hold, and a -base makes a -listen without a host fine.
func TestParseFlagsListenServiceName(t *testing.T) {
	for _, tt := range []struct{ listen, base string }{
		{"localhost:http", "http://localhost:80/"},
		{"127.0.0.1:https", "http://127.0.0.1:443/"},
		{"[::1]:http", "http://[::1]:80/"},
		{"[fe80::1%eth0]:8080", "http://[fe80::1%25eth0]:8080/"},
	} {
		o, err := parseFlags([]string{"-listen", tt.listen})
		require.NoError(t, err, tt.listen)
		assert.Equal(t, tt.base, o.base, tt.listen)
		_, err = url.Parse(o.base)
		assert.NoError(t, err, tt.listen)
	}
	o, err := parseFlags([]string{"-listen", ":http", "-base", "https://status.example.com/"})
	require.NoError(t, err)
	assert.Equal(t, ":http", o.addr)
}

// A restart with another -title, -base or -lang rebuilds the page at once, not at
// the next update, with or without -demo; a restart with the same
// settings writes nothing.
func TestRestartWithNewSettingsRebuilds(t *testing.T) {
	for _, demo := range []bool{false, true} {
		o := options{dir: filepath.Join(t.TempDir(), "site"), base: "http://127.0.0.1:8080/", title: "Example Status", demo: demo}
		start := func(o options) (string, string) {
			t.Helper()
			page, err := newPage(o)
			require.NoError(t, err)
			require.NoError(t, prepare(context.Background(), page, o, time.Now()))
			version, err := os.Readlink(page.Root())
			require.NoError(t, err)
			_, body := get(t, newHandler(page.Root()), "/")
			return version, body
		}
		first, _ := start(o)
		again, _ := start(o)
		assert.Equal(t, first, again, "the same settings: nothing written")

		o.title = "Statut d’Exemple ✓"
		_, body := start(o)
		assert.True(t, strings.Contains(body, "<title>Statut d’Exemple ✓</title>"), "demo=%t: the new -title", demo)

		o.base = "https://status.example.com/"
		_, body = start(o)
		assert.True(t, strings.Contains(body, `<link rel="canonical" href="https://status.example.com/">`),
			"demo=%t: the new -base", demo)

		o.lang = "FR-ca" // the channel writes it as "fr-CA"
		v1, body := start(o)
		assert.True(t, strings.Contains(body, `<html lang="fr-CA">`), "demo=%t: the new -lang", demo)
		v2, _ := start(o)
		assert.Equal(t, v1, v2, "demo=%t: the same -lang, another spelling: nothing written", demo)

		o.lang = "ar" // written right to left: a dir follows the lang
		v1, body = start(o)
		assert.True(t, strings.Contains(body, `<html lang="ar" dir="rtl">`), "demo=%t: a -lang written right to left", demo)
		v2, _ = start(o)
		assert.Equal(t, v1, v2, "demo=%t: the same right-to-left -lang: nothing written", demo)
	}
}

// A -base that the channel writes otherwise (a host in capitals or outside
// ASCII, no final slash) is the same -base at the next start: the page is
// not rebuilt at every start.
func TestRestartWithBaseSpeltOtherwiseWritesNothing(t *testing.T) {
	for _, base := range []string{"HTTPS://Status.Example.COM/", "https://bücher.example/status", "http://[fe80::1%25eth0]:80"} {
		o := options{dir: filepath.Join(t.TempDir(), "site"), base: base, title: "Example Status"}
		start := func() string {
			t.Helper()
			page, err := newPage(o)
			require.NoError(t, err, base)
			require.NoError(t, prepare(context.Background(), page, o, time.Now()), base)
			version, err := os.Readlink(page.Root())
			require.NoError(t, err)
			return version
		}
		first := start()
		assert.Equal(t, first, start(), "%s: the same -base: nothing written", base)
	}
}

// With -listen on port 0 and a -base of the public URL, the serving line
// gives the address bound, which can be fetched, and the base the links use.
func TestServingLineGivesBoundAddress(t *testing.T) {
	o := options{dir: filepath.Join(t.TempDir(), "site"), addr: "127.0.0.1:0", base: "https://status.example.com/",
		title: "Example Status"}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, &out, o) }()
	defer func() {
		cancel()
		assert.NoError(t, <-done)
	}()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "\n") }, time.Minute, 5*time.Millisecond)
	line := out.String()
	m := regexp.MustCompile(`^statuspage: serving .+ on (http://127\.0\.0\.1:(\d+)/) \(links use https://status\.example\.com/\)\n$`).
		FindStringSubmatch(line)
	require.NotNil(t, m, "%q", line)
	assert.NotEqual(t, "0", m[2])
	resp, err := http.Get(m[1])
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// The serving line's address is a URL, its zone %-escaped as in the
// default base, which it then equals: no "links use" for the same URL.
func TestServingOnZone(t *testing.T) {
	bound := &net.TCPAddr{IP: net.ParseIP("fe80::1"), Zone: "eth0", Port: 8080}
	o, err := parseFlags([]string{"-listen", "[fe80::1%eth0]:8080"})
	require.NoError(t, err)
	assert.Equal(t, "http://[fe80::1%25eth0]:8080/", servingOn(bound, o.base))
	at, _, _ := strings.Cut(servingOn(bound, "https://status.example.com/"), " ")
	_, err = url.Parse(at)
	assert.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080/ (links use https://status.example.com/)",
		servingOn(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "https://status.example.com/"))
}

// A -title that leaves a right-to-left override open, which the channel
// closes, is the same -title at the next start: the page is not rebuilt
// at every start.
func TestRestartWithTitleLeftOpenWritesNothing(t *testing.T) {
	o := options{dir: filepath.Join(t.TempDir(), "site"), base: "http://127.0.0.1:8080/", title: "\u202Esutats elpmaxE"}
	start := func() string {
		t.Helper()
		page, err := newPage(o)
		require.NoError(t, err)
		require.NoError(t, prepare(context.Background(), page, o, time.Now()))
		version, err := os.Readlink(page.Root())
		require.NoError(t, err)
		return version
	}
	first := start()
	assert.Equal(t, first, start(), "the same -title: nothing written")
}
