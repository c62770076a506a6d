package statuspage_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// New rejects a bad Config with an error naming the field, without
// touching the directory.
func TestNewErrors(t *testing.T) {
	ok := statuspage.Config{Dir: "/nonexistent/status", BaseURL: "https://status.example.com/"}
	for _, tc := range []struct {
		name string
		edit func(*statuspage.Config)
		want string
	}{
		{"no dir", func(c *statuspage.Config) { c.Dir = "" }, "statuspage: Config.Dir: missing"},
		{"no base", func(c *statuspage.Config) { c.BaseURL = "" }, "statuspage: Config.BaseURL: missing"},
		{"relative base", func(c *statuspage.Config) { c.BaseURL = "/status/" }, `statuspage: Config.BaseURL: not an absolute http or https URL, as "https://status.example.com/"`},
		{"base with query", func(c *statuspage.Config) { c.BaseURL = "https://s.test/?a=1" }, "statuspage: Config.BaseURL: must not have a query"},
		{"base with user", func(c *statuspage.Config) { c.BaseURL = "https://u:p@s.test/" }, "statuspage: Config.BaseURL: must not hold credentials"},
		// A port alone is no host: url.Parse gives Host ":8443" and
		// Hostname "" (net/url, URL.Hostname), and the published link
		// leads nowhere.
		{"home without host name", func(c *statuspage.Config) { c.Branding.HomeURL = "https://:8443/" }, "Config.Branding.HomeURL: missing host"},
		{"link without host name", func(c *statuspage.Config) {
			c.Branding.Links = []statuspage.Link{{Text: "Help", URL: "http://:80/help"}}
		}, "Config.Branding.Links[0].URL: missing host"},
		{"link port out of range", func(c *statuspage.Config) {
			c.Branding.Links = []statuspage.Link{{Text: "Help", URL: "https://help.example.com:99999/"}}
		}, "Config.Branding.Links[0].URL: a port that is not a number from 1 to 65535"},
		{"name space", func(c *statuspage.Config) { c.Name = " status" }, "Config.Name: leading or trailing white space"},
		{"component twice", func(c *statuspage.Config) {
			c.Components = []statuspage.ComponentInfo{{Name: "API"}, {Name: "API"}}
		}, `Config.Components[1].Name: "API" listed twice`},
		{"component twice in another case", func(c *statuspage.Config) {
			c.Components = []statuspage.ComponentInfo{{Name: "Data base"}, {Name: "data  BASE"}}
		}, `Config.Components[1].Name: "data  BASE" listed twice`},
		{"component twice, folded as broadcast folds it", func(c *statuspage.Config) {
			c.Components = []statuspage.ComponentInfo{{Name: "ΟΔΟΣ"}, {Name: "Οδος\u200b"}}
		}, `Config.Components[1].Name: "Οδος\u200b" listed twice`},
		{"component unnamed", func(c *statuspage.Config) { c.Components = []statuspage.ComponentInfo{{}} }, "Config.Components[0].Name: missing"},
		{"negative days", func(c *statuspage.Config) { c.HistoryDays = -1 }, "Config.HistoryDays: negative"},
		{"negative entries", func(c *statuspage.Config) { c.FeedEntries = -1 }, "Config.FeedEntries: negative"},
		{"negative timeout", func(c *statuspage.Config) { c.LockTimeout = -1 }, "Config.LockTimeout: negative"},
		// C1 controls (U+0080–U+009F) are control characters as much
		// as C0's: U+009B is a terminal's CSI, U+0085 a line break.
		{"component description C1 control", func(c *statuspage.Config) {
			c.Components = []statuspage.ComponentInfo{{Name: "API", Description: "REST\u009b31m API"}}
		}, "Config.Components[0].Description: contains a control character"},
		{"title lines", func(c *statuspage.Config) { c.Branding.Title = "A\nB" }, "Config.Branding.Title: more than one line"},
		// A tab is a control character, not a line break: it was called
		// "more than one line", which a title of one line is not.
		{"title tab", func(c *statuspage.Config) { c.Branding.Title = "My\tStatus" }, "Config.Branding.Title: contains a control character"},
		{"component tab", func(c *statuspage.Config) {
			c.Components = []statuspage.ComponentInfo{{Name: "Data\tbase"}}
		}, "Config.Components[0].Name: contains a control character"},
		// U+2028 and U+2029 are line breaks (Unicode's UAX #14, class
		// BK), which no check refused: a title of two lines was taken.
		{"title line separator", func(c *statuspage.Config) { c.Branding.Title = "My\u2028Status" }, "Config.Branding.Title: more than one line"},
		{"component paragraph separator", func(c *statuspage.Config) {
			c.Components = []statuspage.ComponentInfo{{Name: "Data\u2029base"}}
		}, "Config.Components[0].Name: more than one line"},
		// Noncharacters, which Update.Clean removes from an update's
		// names: no HTML or XML may carry them, and a component so named
		// would never be the one an update names.
		{"title noncharacter", func(c *statuspage.Config) { c.Branding.Title = "Status \uFFFE" }, "Config.Branding.Title: contains a noncharacter (U+FFFE)"},
		{"component noncharacter", func(c *statuspage.Config) {
			c.Components = []statuspage.ComponentInfo{{Name: "API\uFFFF"}}
		}, "Config.Components[0].Name: contains a noncharacter (U+FFFF)"},
		{"description noncharacter", func(c *statuspage.Config) {
			c.Components = []statuspage.ComponentInfo{{Name: "API", Description: "REST \uFDD0"}}
		}, "Config.Components[0].Description: contains a noncharacter (U+FDD0)"},
		{"link text noncharacter", func(c *statuspage.Config) {
			c.Branding.Links = []statuspage.Link{{Text: "Help \U0010FFFF", URL: "https://example.com"}}
		}, "Config.Branding.Links[0].Text: contains a noncharacter (U+10FFFF)"},
		{"logo scheme", func(c *statuspage.Config) { c.Branding.LogoURL = "javascript:alert(1)" }, "Config.Branding.LogoURL: must be"},
		{"logo absolute path", func(c *statuspage.Config) { c.Branding.LogoURL = "/logo.svg" }, "Config.Branding.LogoURL: must be"},
		{"home relative", func(c *statuspage.Config) { c.Branding.HomeURL = "home.html" }, "Config.Branding.HomeURL: must be an absolute http or https URL"},
		{"link text", func(c *statuspage.Config) {
			c.Branding.Links = []statuspage.Link{{URL: "https://example.com"}}
		}, "Config.Branding.Links[0].Text: missing"},
		{"link url", func(c *statuspage.Config) {
			c.Branding.Links = []statuspage.Link{{Text: "Help", URL: "data:text/html,x"}}
		}, "Config.Branding.Links[0].URL: must be an absolute http or https URL, or a mailto URL"},
		{"template syntax", func(c *statuspage.Config) {
			c.Templates = fstest.MapFS{"footer.tmpl": {Data: []byte("{{define \"footer\"}}{{.Nope")}}
		}, "Config.Templates: footer.tmpl"},
		{"template field", func(c *statuspage.Config) {
			c.Templates = fstest.MapFS{"footer.tmpl": {Data: []byte(`{{define "footer"}}{{.NoSuchField}}{{end}}`)}}
		}, "Config.Templates: check on a sample page"},
		{"template name", func(c *statuspage.Config) {
			c.Templates = fstest.MapFS{"foot er.tmpl": {Data: []byte(`x`)}}
		}, "Config.Templates: foot er.tmpl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.edit(&cfg)
			_, err := statuspage.New(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := statuspage.New(ok)
	require.NoError(t, err)
	_, err = os.Stat("/nonexistent/status")
	assert.ErrorIs(t, err, os.ErrNotExist, "New made the directory")
}

// A template replaced by name changes every page that uses it; a new
// template can be called from a replaced one.
func TestTemplatesByName(t *testing.T) {
	p := newPage(t, statuspage.Config{Templates: fstest.MapFS{
		"footer.tmpl":  {Data: []byte(`{{define "footer"}}<footer>{{template "contact" .}}</footer></body></html>{{end}}`)},
		"contact.tmpl": {Data: []byte(`{{define "contact"}}<p id="contact">Call us: 555-0100 ({{.Page}})</p>{{end}}`)},
		"README.md":    {Data: []byte("not a template")},
		// Hidden files are no templates: the "._" file macOS writes
		// beside a copy, an editor's lock file.
		"._footer.tmpl":  {Data: []byte("\x00\x05\x16\x07\xff")},
		".#contact.tmpl": {Data: []byte("root@host.1234")},
	}})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
	site := p.site()
	for _, name := range []string{"index.html", "history.html", "incidents/a.html"} {
		c := statuspage.FindID(site.Pages[name], "contact")
		if assert.NotNil(t, c, "%s: the replaced footer", name) {
			assert.Contains(t, statuspage.Text(c), "Call us: 555-0100")
		}
	}
	assert.Contains(t, statuspage.Text(statuspage.FindID(site.Pages["incidents/a.html"], "contact")), "(incident)")
}

// Check passes on a writable directory, or the parent it will be made
// in, without making it; it fails for good when Dir is not a directory or
// was not made by this package.
func TestCheck(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	check := func(dir string) error {
		ch, err := statuspage.New(statuspage.Config{Dir: dir, BaseURL: "https://s.test/"})
		require.NoError(t, err)
		return ch.Check(ctx)
	}
	assert.NoError(t, check(filepath.Join(base, "new", "status")), "a directory not made yet")
	_, err := os.Stat(filepath.Join(base, "new"))
	assert.ErrorIs(t, err, os.ErrNotExist, "Check made the directory")

	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
	assert.NoError(t, p.ch.Check(ctx), "a page")

	file := filepath.Join(base, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	err = check(file)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "Dir is a file: %v", err)

	foreign := filepath.Join(base, "site")
	require.NoError(t, os.MkdirAll(filepath.Join(foreign, "current"), 0o755))
	err = check(foreign)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "a current that is a directory: %v", err)

	ctx2, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, p.ch.Check(ctx2), context.Canceled)
}

// Check's errors name the field to fix, Config.Dir, as Send's do: the path
// alone does not say where it came from.
func TestCheckNamesDir(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	foreign := filepath.Join(base, "site")
	require.NoError(t, os.MkdirAll(filepath.Join(foreign, "current"), 0o755))
	for _, dir := range []string{file, filepath.Join(file, "status"), foreign} {
		ch, err := statuspage.New(statuspage.Config{Dir: dir, BaseURL: "https://s.test/"})
		require.NoError(t, err)
		err = ch.Check(context.Background())
		require.Error(t, err, dir)
		assert.Contains(t, err.Error(), "Config.Dir", dir)
		assert.True(t, broadcast.IsPermanent(err), "%s: %v", dir, err)
	}
}

// The Branding URLs are published on every page, as Update.URL is posted
// everywhere: like Config.BaseURL, they may not carry credentials, in the
// user information or in the query, and the error does not quote them.
func TestBrandingURLsWithoutCredentials(t *testing.T) {
	const secret = "hunter2"
	for field, edit := range map[string]func(*statuspage.Branding, string){
		"Config.Branding.LogoURL":      func(b *statuspage.Branding, u string) { b.LogoURL = u },
		"Config.Branding.HomeURL":      func(b *statuspage.Branding, u string) { b.HomeURL = u },
		"Config.Branding.Links[0].URL": func(b *statuspage.Branding, u string) { b.Links = []statuspage.Link{{Text: "Help", URL: u}} },
	} {
		for _, u := range []string{"https://assets:" + secret + "@cdn.example.com/logo.svg", "https://" + secret + "@cdn.example.com/"} {
			cfg := statuspage.Config{Dir: "/nonexistent/status", BaseURL: "https://status.example.com/"}
			edit(&cfg.Branding, u)
			_, err := statuspage.New(cfg)
			if assert.Error(t, err, field) {
				assert.Equal(t, "statuspage: "+field+": must not hold credentials", err.Error())
				assert.NotContains(t, err.Error(), secret)
			}
		}
		// A "/" in the password ends the authority: no user information
		// parses, but the password is in the URL all the same.
		cfg := statuspage.Config{Dir: "/nonexistent/status", BaseURL: "https://status.example.com/"}
		edit(&cfg.Branding, "https://assets:7319/"+secret+"@cdn.example.com/logo.svg")
		_, err := statuspage.New(cfg)
		if assert.Error(t, err, field) {
			assert.Contains(t, err.Error(), "statuspage: "+field+": port: followed by a path")
			assert.NotContains(t, err.Error(), secret)
		}
		// A signed URL's query, or a token in one, is a credential too,
		// and every reader of the page would get it.
		for _, u := range []string{"https://cdn.example.com/logo.svg?X-Amz-Credential=a&X-Amz-Signature=" + secret,
			"https://example.com/?access_token=" + secret, "logo.svg?token=" + secret,
			"https://example.com/#access_token=" + secret + "&token_type=bearer", "https://example.com/?v=1;token=" + secret} {
			cfg := statuspage.Config{Dir: "/nonexistent/status", BaseURL: "https://status.example.com/"}
			edit(&cfg.Branding, u)
			_, err := statuspage.New(cfg)
			if assert.Error(t, err, u) {
				assert.Contains(t, err.Error(), "statuspage: "+field+": must not hold credentials (a query parameter named as one")
				assert.NotContains(t, err.Error(), secret)
			}
		}
		cfg = statuspage.Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/"}
		edit(&cfg.Branding, "https://example.com/logo.svg?v=2&keyword=status")
		_, err = statuspage.New(cfg)
		assert.NoError(t, err, field)
	}
}

// A BaseURL whose path escapes a character that means something there
// ("%2F", a slash within a segment) keeps it escaped when "/" is added:
// IncidentURL, the feeds and the JSON link to the address given, not to
// another path.
func TestBaseURLKeepsEscapes(t *testing.T) {
	for base, want := range map[string]string{
		"https://s.test/team%2Fstatus":  "https://s.test/team%2Fstatus/",
		"https://s.test/team%2Fstatus/": "https://s.test/team%2Fstatus/",
		"https://s.test/a%3Bb":          "https://s.test/a%3Bb/",
		"https://s.test/st%C3%A4tus":    "https://s.test/st%C3%A4tus/",
	} {
		ch, err := statuspage.New(statuspage.Config{Dir: "/nonexistent/status", BaseURL: base})
		require.NoError(t, err, base)
		u := broadcast.Update{IncidentID: "cdn", Title: "CDN errors", Status: broadcast.StatusInvestigating}
		assert.Equal(t, want+"incidents/cdn.html", ch.IncidentURL(u), base)
	}
}
