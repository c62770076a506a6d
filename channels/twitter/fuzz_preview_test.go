package twitter

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// FuzzPreview sends any title, body, component name and override through
// a Broadcaster's Preview to the X channel: an update Validate accepts
// gives a text that X would take, within MaxWeight, or a Permanent error
// saying the template cannot fit it.
func FuzzPreview(f *testing.F) {
	f.Add("CDN errors", "Some requests fail.", "CDN", "", false)
	f.Add("東京リージョンの障害", strings.Repeat("The storage cluster lost a rack. ", 20), "Tokyo", "", false)
	f.Add("@ops@x.com down", "mail @team and see https://example.com/a?b=c#d or x.co/@name", "@api", "", false)
	f.Add("t", "b", "c", "Our own text @ops https://status.example.com/1 👩🏽‍💻 🇯🇵", true)
	f.Add("t", strings.Repeat("https://a.example.com/", 50), "c", strings.Repeat("@a ", 100), true)
	f.Add("t", strings.Repeat("e\u0301", 300), "c\u200d", "\uFEFF", true)
	ch, err := New(oauth1Config())
	if err != nil {
		f.Fatal(err)
	}
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = b.Close() })
	f.Fuzz(func(t *testing.T, title, body, component, override string, useOverride bool) {
		u := broadcast.Update{
			Title:  title,
			Status: broadcast.StatusInvestigating,
			Body:   body,
			URL:    "https://status.example.com/incidents/42",
			Time:   time.Date(2025, 11, 24, 13, 45, 0, 0, time.UTC),
		}
		if component != "" {
			u.Components = []broadcast.Component{{Name: component, Status: broadcast.ComponentMajorOutage}}
		}
		if useOverride {
			u.Overrides = map[string]string{DefaultName: override}
		}
		if u.Validate() != nil {
			return
		}
		ps, err := b.Preview(u)
		if err != nil {
			if errors.Is(err, templates.ErrTooLong) && broadcast.IsPermanent(err) {
				return
			}
			t.Fatalf("Preview: %v", err)
		}
		if len(ps) != 1 {
			t.Fatalf("Preview gave %d previews, want 1", len(ps))
		}
		p := ps[0]
		if w, valid := measure(p.Text); !valid || w != p.Length {
			t.Fatalf("Preview text %q weighs %d (valid %v), Length says %d", p.Text, w, valid, p.Length)
		}
	})
}
