package statuspage

// Test helpers shared by the tests of this package and of statuspage_test
// (exported here, so only in tests).

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
)

// SetHook makes c call f at each step of a write: "staged", "renamed",
// "swapped".
func SetHook(c *Channel, f func(step string)) { c.hook = f }

// SetClock makes c take the time from now.
func SetClock(c *Channel, now func() time.Time) { c.now = now }

// Site is a published version of the site, every file parsed.
type Site struct {
	Root  string                   // the version's directory
	Pages map[string]*html.Node    // by path from the root
	Feeds map[string]*gofeed.Feed  // by path from the root
	JSON  map[string]any           // by path from the root
	Files map[string][]byte        // every file, by path from the root
	Links map[string][]string      // the local links of each page
	Raw   map[string]atomStrictDoc // the feeds, read strictly
}

// atomStrictDoc is a feed as encoding/xml reads it, to check what the
// Atom RFC requires.
type atomStrictDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

// ParseSite reads the version dir/current points at and checks that it
// is complete: every HTML page ends with </html> and parses, every JSON
// file decodes, every feed is well-formed Atom with the elements RFC 4287
// requires and parses with gofeed, and every local link of every page
// names a file of the version.
func ParseSite(dir string) (*Site, error) {
	root, err := filepath.EvalSymlinks(filepath.Join(dir, currentName))
	if err != nil {
		return nil, err
	}
	s := &Site{Root: root, Pages: map[string]*html.Node{}, Feeds: map[string]*gofeed.Feed{},
		JSON: map[string]any{}, Files: map[string][]byte{}, Links: map[string][]string{}, Raw: map[string]atomStrictDoc{}}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s.Files[rel] = data
		if err := s.parse(rel, data); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, s.checkLinks()
}

func (s *Site) parse(rel string, data []byte) error {
	switch path.Ext(rel) {
	case ".html":
		if !bytes.HasSuffix(bytes.TrimSpace(data), []byte("</html>")) {
			return fmt.Errorf("does not end with </html>: cut short")
		}
		doc, err := html.Parse(bytes.NewReader(data))
		if err != nil {
			return err
		}
		s.Pages[rel] = doc
		s.Links[rel] = localLinks(doc)
	case ".json":
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		s.JSON[rel] = v
	case ".atom":
		var doc atomStrictDoc
		if err := xml.Unmarshal(data, &doc); err != nil {
			return err
		}
		if err := doc.check(); err != nil {
			return err
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
		if err != nil {
			return err
		}
		if f.FeedType != "atom" {
			return fmt.Errorf("gofeed reads a %s feed", f.FeedType)
		}
		s.Feeds[rel], s.Raw[rel] = f, doc
	case ".js":
		if rel != "overdue.js" {
			return fmt.Errorf("unexpected script")
		}
	case ".svg":
		var v struct{}
		return xml.Unmarshal(data, &v)
	default:
		return fmt.Errorf("unexpected file")
	}
	return nil
}

// check checks the elements RFC 4287 requires of a feed and its entries.
func (d atomStrictDoc) check() error {
	if d.ID == "" || d.Title == "" || d.Updated == "" || d.Author.Name == "" {
		return fmt.Errorf("feed without id, title, updated or author")
	}
	if err := atomIDAndDate(d.ID, d.Updated); err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	for i, e := range d.Entries {
		if e.ID == "" || e.Title == "" || e.Updated == "" || e.Link.Href == "" {
			return fmt.Errorf("entry %d without id, title, updated or link", i)
		}
		// Readers show the content; a feed's entries all have one, in HTML.
		if e.Content.Type != "html" || strings.TrimSpace(e.Content.Body) == "" {
			return fmt.Errorf("entry %d without content in HTML", i)
		}
		if err := atomIDAndDate(e.ID, e.Updated); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return nil
}

// atomIDAndDate checks an atom:id, which is an absolute IRI (RFC 4287,
// section 4.2.6), and an atom:updated, a date of RFC 3339 (section 3.3).
func atomIDAndDate(id, updated string) error {
	if u, err := url.Parse(id); err != nil || u.Scheme == "" {
		return fmt.Errorf("id %q is no absolute IRI", id)
	}
	if _, err := time.Parse(time.RFC3339, updated); err != nil {
		return fmt.Errorf("updated %q: %w", updated, err)
	}
	return nil
}

// localLinks returns the href and src of doc's elements that stay on the
// site, as paths from the page, without fragments.
func localLinks(doc *html.Node) []string {
	var out []string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			if a.Key != "href" && a.Key != "src" {
				continue
			}
			u, err := url.Parse(a.Val)
			if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" {
				continue
			}
			out = append(out, u.Path)
		}
	}
	return out
}

// checkLinks checks that every local link names a file of the version.
func (s *Site) checkLinks() error {
	for page, links := range s.Links {
		for _, l := range links {
			target := path.Join(path.Dir(page), l)
			if _, ok := s.Files[target]; !ok {
				return fmt.Errorf("%s links to %s, which is not there", page, l)
			}
		}
	}
	return nil
}

// Updates returns the updates on the site's incident pages, by update ID,
// as the text a reader sees (see UpdateText).
func (s *Site) Updates() map[string]string {
	out := map[string]string{}
	for rel, doc := range s.Pages {
		if !strings.HasPrefix(rel, "incidents/") {
			continue
		}
		title := Text(Find(doc, "h1")[0])
		for _, a := range FindClass(doc, "update") {
			out[Attr(a, "data-update-id")] = UpdateText(title, a)
		}
	}
	return out
}

// UpdateText is an update's article as a reader sees it: its text, after
// the incident's title unless the update shows a title of its own.
func UpdateText(incidentTitle string, article *html.Node) string {
	text := Text(article)
	if len(FindClass(article, "update-title")) == 0 {
		text = incidentTitle + "\n" + text
	}
	return text
}

// Find returns doc's elements with the tag name, in document order.
func Find(doc *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
	}
	return out
}

// FindClass returns doc's elements with the class, in document order.
func FindClass(doc *html.Node, class string) []*html.Node {
	var out []*html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && slices.Contains(strings.Fields(Attr(n, "class")), class) {
			out = append(out, n)
		}
	}
	return out
}

// FindID returns the element with the id, or nil.
func FindID(doc *html.Node, id string) *html.Node {
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && Attr(n, "id") == id {
			return n
		}
	}
	return nil
}

// Attr returns n's attribute key, "" if it has none.
func Attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// blocks are the elements whose text starts a line.
var blocks = map[string]bool{"p": true, "div": true, "li": true, "h1": true, "h2": true, "h3": true,
	"article": true, "section": true, "ul": true}

// Text returns n's text: text nodes as they are, a line break after each
// block element, runs of white space between blocks trimmed.
func Text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		for c := range n.ChildNodes() {
			walk(c)
		}
		if n.Type == html.ElementNode && blocks[n.Data] {
			b.WriteString("\n")
		}
	}
	walk(n)
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// RetractionKept is how long a retracted update stays in the feeds.
const RetractionKept = retractionKept

// FakeClock is a clock of the files' times that moves only when slept
// on, by what was slept: a test's writes take no time, and their waits
// none either.
type FakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
	// OnSleep, if set, is called at each sleep instead of moving the
	// clock; it returns the sleep's result.
	OnSleep func(ctx context.Context, d time.Duration) error
}

// NewFakeClock returns a FakeClock at t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{t: t} }

func (f *FakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.slept = append(f.slept, d)
	on := f.OnSleep
	if on == nil {
		f.t = f.t.Add(d)
	}
	f.mu.Unlock()
	if on != nil {
		return on(ctx, d)
	}
	return ctx.Err()
}

// Slept returns how long each sleep was.
func (f *FakeClock) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.slept)
}

// SetFileClock makes c take the files' times from f.
func SetFileClock(c *Channel, f *FakeClock) { c.clock = f }
