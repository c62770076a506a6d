// Command statuspage writes a status page with the statuspage channel and
// serves it on loopback, the way a static host would:
//
//	go run ./examples/statuspage -demo -dir /tmp/outagecast-demo
//	# then open http://127.0.0.1:8080/
//
// -dir defaults to status-site in the current directory. -lang is the
// pages' and feeds' language, a BCP 47 tag (default en). The page's links
// and feeds hold its public URL, -base, by default http://ADDR/ of -listen
// (-listen localhost:http, a service name as net.Listen takes it, is
// http://localhost:80/); a -listen without a host (":8080", every
// interface) or with port 0 (any free port) needs -base.
// With -demo it first sends, through a Broadcaster, an incident of three
// updates, a scheduled maintenance and a resolved incident from two days
// ago; their update IDs are fixed, so running it again adds nothing.
// Without -demo it serves what the directory holds, after writing an
// all-operational page when it holds none. Either way, a page built with
// another -title, -base or -lang is rebuilt before it is served (-base
// compared as the channel writes it: its host lower-cased, a name outside
// ASCII as its A-labels). Other programs (the announce
// command with a statuspage channel) may write the directory while it
// serves: every request sees a complete version.
//
// The -listen address is tried before -demo writes anything. Once serving,
// it prints the address bound (the port picked, for -listen 127.0.0.1:0)
// and, when -base is another URL, the one the links use.
//
// A client that is slow or stuck cannot hold a connection: the request
// headers (64 KiB at most) must arrive within 5s and the whole request
// within 10s, the answer must be written within a minute of the headers,
// and a kept-alive connection is closed after 2 minutes idle.
//
// On Ctrl-C or SIGTERM it stops taking connections and gives the requests
// under way up to 5s to finish; a second Ctrl-C or SIGTERM stops it at
// once, and a third kills it. Ctrl-C before it serves (-demo takes a few
// seconds) stops it too, keeping what was written: running it again
// writes the rest.
//
// Exit status: 0 after a clean shutdown; 1 when the run failed (the -listen
// address taken, the shutdown's grace period cut requests off); 2 on a
// flag's value it cannot use (-lang xx_YY, -base ftp://…, a -dir it cannot
// create, a -listen that is no host:port, a flag given twice with two
// values: -dir a … -dir b, -demo … -demo=false), with a line pointing at -help;
// 130 when a signal interrupted it: a second one stopped it at once, or one
// came before it served. The exit statuses mean the same in every example
// program.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
	"github.com/outagecast/outagecast/examples/internal/listenaddr"
	"github.com/outagecast/outagecast/examples/internal/onceflag"
	"github.com/outagecast/outagecast/examples/internal/serverlimits"
	"github.com/outagecast/outagecast/examples/internal/shutdown"
	"github.com/outagecast/outagecast/templates"
	"golang.org/x/text/language"
)

func main() {
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		os.Exit(fail(os.Stderr, usageError{err}))
	}
	ctx, abort := shutdown.Signals(os.Interrupt, syscall.SIGTERM)
	if err := run(ctx, abort, os.Stderr, o); err != nil {
		os.Exit(fail(os.Stderr, err))
	}
}

// errAbandoned is run's error when a second signal ended the shutdown
// before the requests under way finished.
var errAbandoned = fmt.Errorf("%w: the requests under way got no answer", shutdown.ErrAbandoned)

// errInterrupted is run's error when a signal came before the page was
// served: while -demo wrote its updates, or the page was rebuilt.
var errInterrupted = errors.New("interrupted before serving: what was written is kept; run it again to finish the page")

// usageError is an error in a flag's value, found by parseFlags or when
// run first uses it: exit status 2, as for a flag not defined.
type usageError struct{ error }

// fail prints err on w, with the usage hint for a usageError, and returns
// the exit status: 2 for a usageError, 130 when the shutdown was
// abandoned or a signal came before serving, else 1.
func fail(w io.Writer, err error) int {
	// The channel's errors start with its package name, the command's too.
	fmt.Fprintln(w, "statuspage:", strings.TrimPrefix(err.Error(), "statuspage: "))
	switch {
	case errors.As(err, new(usageError)):
		fmt.Fprintln(w, "Run statuspage -help for usage.")
		return 2
	case errors.Is(err, shutdown.ErrAbandoned), errors.Is(err, errInterrupted):
		return shutdown.ExitAbandoned
	}
	return 1
}

// shutdownGrace is how long the requests under way get to finish once the
// first signal came.
const shutdownGrace = 5 * time.Second

// serve is shutdown.Serve with shutdownGrace, and errAbandoned's words.
func serve(ctx context.Context, abort <-chan struct{}, srv *http.Server, ln net.Listener) error {
	if err := shutdown.Serve(ctx, abort, srv, ln, shutdownGrace); err != nil {
		if errors.Is(err, shutdown.ErrAbandoned) {
			return errAbandoned
		}
		return err
	}
	return nil
}

// parseFlags reads the command line; -help prints the flags on standard
// output and returns flag.ErrHelp.
func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("statuspage", flag.ContinueOnError)
	fs.StringVar(&o.dir, "dir", "status-site", "`directory` of the status page")
	fs.StringVar(&o.addr, "listen", "127.0.0.1:8080", "`address` to serve on (host:port)")
	fs.StringVar(&o.base, "base", "", "public `URL` of the page (default: http://ADDR/)")
	fs.StringVar(&o.title, "title", "Example Status", "`title` of the page")
	fs.StringVar(&o.lang, "lang", "", "BCP 47 language `tag` of the pages and feeds, as fr or pt-BR (default en)")
	fs.BoolVar(&o.demo, "demo", false, "send a demo incident and maintenance first")
	fs.SetOutput(io.Discard)
	if err := onceflag.Parse(fs, args); err != nil { // a flag given twice with two values is an error
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stdout, "Usage: statuspage [-dir DIR] [-listen ADDR] [-base URL] [-title TITLE] [-lang TAG] [-demo]")
			fmt.Fprintln(os.Stdout, "A flag given twice with two values is an error (-demo … -demo=false too).")
			fs.SetOutput(os.Stdout)
			fs.PrintDefaults()
		}
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// The channel would title an empty page "Service status", not the
	// -title given, so the start-up check would rebuild it every time.
	if strings.TrimSpace(o.title) == "" {
		return o, errors.New("-title: missing")
	}
	if !listenaddr.Valid(o.addr) {
		return o, fmt.Errorf("-listen: %q: want host:port, as 127.0.0.1:8080 (a port from 0 to 65535, or a service name as http)", o.addr)
	}
	if o.base == "" {
		var err error
		if o.base, err = defaultBase(o.addr); err != nil {
			return o, err
		}
	}
	return o, nil
}

// defaultBase is the page's URL when -base is not given: http://ADDR/,
// which the page's links and feeds hold, so it needs a host and a port
// other than 0. A service name for the port is the port's number, as
// net.Listen takes it (localhost:http is http://localhost:80/), since a
// URL's port is a number. addr is one listenaddr.Valid takes.
func defaultBase(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-listen: %q: want host:port, as 127.0.0.1:8080", addr)
	}
	n, err := net.LookupPort("tcp", port)
	if err != nil || n < 1 {
		return "", fmt.Errorf("-listen: %q: want a port from 1 to 65535 for the page's links, or give -base, "+
			"the page's public URL", addr)
	}
	// Every interface: no host, or the unspecified address, with a zone
	// or mapped from IPv4 too ("[::%eth0]", "[::ffff:0.0.0.0]").
	if ip, err := netip.ParseAddr(host); host == "" || err == nil && ip.WithZone("").Unmap().IsUnspecified() {
		return "", fmt.Errorf("-listen: %q names no host for the page's links: give -base, "+
			"the page's public URL (as https://status.example.com/)", addr)
	}
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(host, strconv.Itoa(n)), Path: "/"}
	return u.String(), nil
}

type options struct {
	dir, addr, base, title, lang string
	demo                         bool
}

// run prepares the page and serves it until ctx is done; see serve for
// abort.
func run(ctx context.Context, abort <-chan struct{}, log io.Writer, o options) error {
	page, err := newPage(o)
	if err != nil {
		return usageError{flagError(err)}
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return usageError{fmt.Errorf("-dir: %w", err)}
	}
	// Listen first: a taken address is found before -demo writes its
	// updates, which takes seconds.
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("-listen: %w", err)
	}
	if err := prepare(ctx, page, o, time.Now()); err != nil {
		ln.Close()
		if ctx.Err() != nil {
			return errInterrupted // the demo's updates are sent by ID: a new run adds the rest
		}
		return err
	}
	fmt.Fprintf(log, "statuspage: serving %s on %s\n", page.Root(), servingOn(ln.Addr(), o.base))
	return serve(ctx, abort, serverlimits.New("", newHandler(page.Root()), defaultTimeouts), ln)
}

// defaultTimeouts are those of the package comment.
var defaultTimeouts = serverlimits.Timeouts{
	ReadHeader: 5 * time.Second,
	Read:       10 * time.Second,
	Write:      time.Minute,
	Idle:       2 * time.Minute,
}

// servingOn is where the page is served: the address bound (-listen
// 127.0.0.1:0 picks a port), and the base URL its links use when that is
// another.
func servingOn(bound net.Addr, base string) string {
	// A URL, as the base is: the zone of an IPv6 address %-escaped.
	at := listenaddr.URL(bound, "/")
	if strings.TrimSuffix(base, "/") == strings.TrimSuffix(at, "/") {
		return at
	}
	return at + " (links use " + base + ")"
}

func newPage(o options) (*statuspage.Channel, error) {
	return statuspage.New(pageConfig(o))
}

// pageConfig is the page's configuration; the README's walkthrough
// (examples/announce/local.yaml) writes the same components, descriptions
// and links, so that its first update does not change how the page looks.
func pageConfig(o options) statuspage.Config {
	return statuspage.Config{
		Dir:      o.dir,
		BaseURL:  o.base,
		Language: o.lang,
		Components: []statuspage.ComponentInfo{
			{Name: "Website"},
			{Name: "API", Description: "REST and GraphQL"},
			{Name: "CDN", Description: "Static files and images"},
			{Name: "Database"},
		},
		Branding: statuspage.Branding{
			Title: o.title,
			Links: []statuspage.Link{{Text: "Support", URL: "mailto:support@example.com"}},
		},
	}
}

// flagFields are the settings of statuspage.Config that flags give.
var flagFields = []struct{ field, flag string }{
	{"Config.Dir", "-dir"}, {"Config.BaseURL", "-base"}, {"Config.Branding.Title", "-title"},
	{"Config.Language", "-lang"},
}

// flagError names the flag whose value newPage refused:
// "statuspage: Config.BaseURL: not a URL" becomes "-base: not a URL".
func flagError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "statuspage: ")
	for _, f := range flagFields {
		if rest, ok := strings.CutPrefix(msg, f.field+": "); ok {
			return errors.New(f.flag + ": " + rest)
		}
	}
	return err
}

// prepare writes the demo incidents with -demo, then rebuilds the page
// unless it was built with o's -title, -base and -lang: when the directory holds
// no page yet (an all-operational page), and after a restart with other
// settings, which would otherwise show only from the next update on.
func prepare(ctx context.Context, page *statuspage.Channel, o options, now time.Time) error {
	if o.demo {
		if err := sendDemo(ctx, page, now); err != nil {
			return err
		}
	}
	// The page holds -base as the channel writes it: "HTTP://Status.Example.COM"
	// is http://status.example.com/, a name outside ASCII its A-labels.
	o.base = pageBase(page)
	if builtWith(page.Root(), o) {
		return nil
	}
	return page.Rebuild(ctx)
}

// pageBase is the base URL of page as its links and summary hold it: the
// URL of an incident's page without the incident's part.
func pageBase(page *statuspage.Channel) string {
	return strings.TrimSuffix(page.IncidentURL(broadcast.Update{IncidentID: "x"}), "incidents/x.html")
}

// builtWith reports whether the page in root has o's title and base, as
// its summary in Statuspage's public API format says (page.name and
// page.url), and o's language, as index.html's lang says. When it cannot
// tell, it says no, which costs a rebuild.
func builtWith(root string, o options) bool {
	b, err := os.ReadFile(filepath.Join(root, "api", "v2", "summary.json"))
	if err != nil {
		return false
	}
	index, err := os.ReadFile(filepath.Join(root, "index.html"))
	// A language written right to left has a dir after its lang.
	html := `<html lang="` + canonicalLang(o.lang) + `"`
	if err != nil || !bytes.Contains(index, []byte(html+">")) && !bytes.Contains(index, []byte(html+" ")) {
		return false
	}
	var summary struct {
		Page struct{ Name, URL string }
	}
	if json.Unmarshal(b, &summary) != nil {
		return false
	}
	// The channel adds the slash a base URL lacks, and closes what the
	// title leaves open of a right-to-left override.
	return summary.Page.Name == templates.BalanceBidi(o.title) &&
		strings.TrimSuffix(summary.Page.URL, "/") == strings.TrimSuffix(o.base, "/")
}

// canonicalLang is lang as the channel writes it ("FR-ca" is "fr-CA"),
// "en" for none; lang as given when it is not a tag (New refuses it).
func canonicalLang(lang string) string {
	if lang == "" {
		return statuspage.DefaultLanguage
	}
	if tag, err := language.Parse(lang); err == nil {
		return tag.String()
	}
	return lang
}

// sendDemo sends the demo's updates to page.
func sendDemo(ctx context.Context, page *statuspage.Channel, now time.Time) error {
	b, err := broadcast.New([]broadcast.Channel{page}, broadcast.Options{})
	if err != nil {
		return err
	}
	defer b.Close()
	for _, u := range demoUpdates(now.UTC().Truncate(time.Minute)) {
		u.URL = page.IncidentURL(u)
		if _, err := b.Send(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// contentPolicy is the Content-Security-Policy the pages need: their one
// script and their icon from the site, their style sheet inline, nothing
// from elsewhere (a site whose Branding.LogoURL is on another host must
// add that origin to img-src). A script or a form that got into a page
// would not run or send anything.
const contentPolicy = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self'; " +
	"base-uri 'none'; form-action 'none'"

// newHandler serves the site in root like a static host, with caches told
// to check for a newer version on every request, and the pages' content
// policy. A directory without an index.html is not found, as on a static
// host, not listed. Only GET and HEAD read the site: any other method is
// refused with 405 and "Allow: GET, HEAD", as nginx refuses it, where
// http.FileServer alone would answer a POST, PUT or DELETE with the page
// and 200, telling a client that its change was made; the connection of
// a refused request that announced a body is then closed, the body left
// unread (serverlimits.CloseRefused).
func newHandler(root string) http.Handler {
	files := http.FileServer(noListing{http.Dir(root)})
	return serverlimits.CloseRefused(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", contentPolicy)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".atom") { // not in every system's MIME table
			w.Header().Set("Content-Type", "application/atom+xml")
		}
		files.ServeHTTP(w, r)
	}))
}

// noListing is a file system whose directories open only when they hold
// an index.html, which http.FileServer then serves in their place.
type noListing struct{ http.FileSystem }

func (n noListing) Open(name string) (http.File, error) {
	f, err := n.FileSystem.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || st.IsDir() {
		index, ierr := n.FileSystem.Open(path.Join(name, "index.html"))
		if err != nil || ierr != nil {
			f.Close()
			return nil, os.ErrNotExist
		}
		index.Close()
	}
	return f, nil
}
