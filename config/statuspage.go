package config

import (
	"errors"
	"fmt"
	"time"

	"github.com/outagecast/outagecast/channels/statuspage"
	"github.com/outagecast/outagecast/redact"
)

// statuspageFile is statuspage.Config as a file writes it: paths for the
// directory and the templates, components as names (or name and
// description), and the branding's text and links. Colours are set from Go.
type statuspageFile struct {
	Name string `yaml:"name" json:"name"`
	// Dir is the directory the site is kept in (relative to the file).
	// Required.
	Dir string `yaml:"dir" json:"dir"`
	// BaseURL is where the site is served, such as
	// https://status.example.com/. Required.
	BaseURL string `yaml:"base_url" json:"base_url"`
	// Components are listed on the page in this order.
	Components []statuspageComponent `yaml:"components" json:"components"`
	// Title names the page: "Example Status".
	Title string `yaml:"title" json:"title" sets:"Branding.Title"`
	// LogoURL is an image shown before the title.
	LogoURL string `yaml:"logo_url" json:"logo_url" sets:"Branding.LogoURL"`
	// HomeURL is where the title and logo link to.
	HomeURL string `yaml:"home_url" json:"home_url" sets:"Branding.HomeURL"`
	// Links are shown in the page header.
	Links []statuspageLink `yaml:"links" json:"links" sets:"Branding.Links"`
	// Templates is a directory of <name>.tmpl files replacing the page's
	// HTML templates by name.
	Templates string `yaml:"templates" json:"templates"`
	// Language is the BCP 47 tag of the pages' and feeds' language
	// ("de", "pt-BR"); default "en".
	Language string `yaml:"language" json:"language"`
	// HistoryDays is how many days of past incidents the page lists.
	HistoryDays int `yaml:"history_days" json:"history_days"`
	// FeedEntries is how many updates each Atom feed holds.
	FeedEntries int `yaml:"feed_entries" json:"feed_entries"`
	// LockTimeout bounds the wait for another writer of the directory.
	LockTimeout time.Duration `yaml:"lock_timeout" json:"lock_timeout"`

	cfg statuspage.Config
}

// statuspageComponent is a component: its name, and a description.
type statuspageComponent struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description"`
}

// UnmarshalText lets a component be written as its name alone.
func (c *statuspageComponent) UnmarshalText(text []byte) error {
	c.Name = string(text)
	return nil
}

type statuspageLink struct {
	Text string `yaml:"text" json:"text"`
	URL  string `yaml:"url" json:"url"`
}

// prepareStatuspage makes the page's Config of f. A value it refuses is
// left empty in it, the rest made all the same: New runs on it beside the
// error (see prepareError).
func prepareStatuspage(f *statuspageFile, env *Env) error {
	var dirErr error
	dir := env.Path(f.Dir)
	if namesHome(f.Dir) {
		// The page's first Send would make the directory "~" beside
		// the file and publish the site there, without a word.
		dir, dirErr = "", fmt.Errorf("statuspage: Config.Dir: %s", homeProblem(f.Dir))
	}
	f.cfg = statuspage.Config{Name: f.Name, Dir: dir, BaseURL: f.BaseURL, Language: f.Language,
		HistoryDays: f.HistoryDays, FeedEntries: f.FeedEntries, LockTimeout: f.LockTimeout,
		Branding: statuspage.Branding{Title: f.Title, LogoURL: f.LogoURL, HomeURL: f.HomeURL}}
	for _, c := range f.Components {
		f.cfg.Components = append(f.cfg.Components, statuspage.ComponentInfo{Name: c.Name, Description: c.Description})
	}
	for _, l := range f.Links {
		f.cfg.Branding.Links = append(f.cfg.Branding.Links, statuspage.Link{Text: l.Text, URL: l.URL})
	}
	if f.Templates != "" {
		dir, err := env.dirFS(f.Templates)
		if err != nil {
			return errors.Join(dirErr, fmt.Errorf("statuspage: Config.Templates: %w", err))
		}
		f.cfg.Templates = dir
	}
	return dirErr
}

func statuspageURL(raw string) (statuspageFile, error) {
	c, err := statuspage.ParseURL(raw)
	f := statuspageFile{Name: c.Name, Dir: c.Dir, BaseURL: c.BaseURL, Title: c.Branding.Title, Language: c.Language,
		HistoryDays: c.HistoryDays, FeedEntries: c.FeedEntries}
	for _, comp := range c.Components {
		f.Components = append(f.Components, statuspageComponent{Name: comp.Name})
	}
	return f, err
}

// URL is the file's URL form (statuspage.Config.URL).
func (f statuspageFile) URL() redact.URL {
	c := statuspage.Config{Name: f.Name, Dir: f.Dir, BaseURL: f.BaseURL, Language: f.Language, HistoryDays: f.HistoryDays,
		FeedEntries: f.FeedEntries, Branding: statuspage.Branding{Title: f.Title}}
	for _, comp := range f.Components {
		c.Components = append(c.Components, statuspage.ComponentInfo{Name: comp.Name})
	}
	return c.URL()
}

func newStatuspage(f statuspageFile) (*statuspage.Channel, error) { return statuspage.New(f.cfg) }

func describeStatuspage(f statuspageFile) string {
	return fmt.Sprintf("site in %s served at %s, %d %s", f.Dir, f.BaseURL, len(f.Components), plural(len(f.Components), "component"))
}
