package broadcast_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

func validUpdate() broadcast.Update {
	return broadcast.Update{
		Title:  "Elevated CDN error rates",
		Status: broadcast.StatusInvestigating,
		Impact: broadcast.ImpactMajor,
		Body:   "We are investigating elevated error rates on the CDN.",
		URL:    "https://status.example.com/incidents/42",
		Components: []broadcast.Component{
			{Name: "CDN", Status: broadcast.ComponentMajorOutage},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(u *broadcast.Update)
		field  string // "" means valid
	}{
		{"valid", func(*broadcast.Update) {}, ""},
		{"minimal", func(u *broadcast.Update) { *u = broadcast.Update{Title: "x", Status: broadcast.StatusResolved} }, ""},
		{"missing title", func(u *broadcast.Update) { u.Title = "" }, "Title"},
		{"blank title", func(u *broadcast.Update) { u.Title = " \t" }, "Title"},
		{"invisible title", func(u *broadcast.Update) { u.Title = "\u200b\u2060 \ufeff" }, "Title: missing"},
		{"title with a joiner", func(u *broadcast.Update) { u.Title = "CDN \u200d down" }, ""},
		{"invisible component name", func(u *broadcast.Update) { u.Components[0].Name = "\u200b\u200d" }, "Components[0].Name: missing"},
		{"title 255 chars", func(u *broadcast.Update) { u.Title = strings.Repeat("é", 255) }, ""},
		{"title 256 chars", func(u *broadcast.Update) { u.Title = strings.Repeat("é", 256) }, "Title"},
		{"missing status", func(u *broadcast.Update) { u.Status = "" }, "Status"},
		{"unknown status", func(u *broadcast.Update) { u.Status = "on_fire" }, "Status"},
		{"every maintenance status", func(u *broadcast.Update) { u.Status = broadcast.StatusInProgress }, ""},
		{"unknown impact", func(u *broadcast.Update) { u.Impact = "huge" }, "Impact"},
		{"empty impact", func(u *broadcast.Update) { u.Impact = "" }, ""},
		{"body 25000 chars", func(u *broadcast.Update) { u.Body = strings.Repeat("ü", 25000) }, ""},
		{"body 25001 chars", func(u *broadcast.Update) { u.Body = strings.Repeat("a", 25001) }, "Body"},
		{"component without name", func(u *broadcast.Update) { u.Components[0].Name = "" }, "Components[0].Name"},
		{"component bad status", func(u *broadcast.Update) { u.Components[0].Status = "meh" }, "Components[0].Status"},
		{"component without status", func(u *broadcast.Update) { u.Components[0].Status = "" }, "Components[0].Status: missing"},
		{"1000 components", func(u *broadcast.Update) { u.Components = manyComponents(broadcast.MaxComponents) }, ""},
		{"1001 components", func(u *broadcast.Update) { u.Components = manyComponents(broadcast.MaxComponents + 1) },
			"Components"},
		{"relative URL", func(u *broadcast.Update) { u.URL = "/incidents/42" }, "URL"},
		{"ftp URL", func(u *broadcast.Update) { u.URL = "ftp://status.example.com/" }, "URL"},
		{"URL without host", func(u *broadcast.Update) { u.URL = "https:///x" }, "URL"},
		// RFC 9110, section 4.2.1: "A sender MUST NOT generate an "http"
		// URI with an empty host identifier"; a port alone is none.
		{"URL with a port but no host", func(u *broadcast.Update) { u.URL = "https://:8443/incidents/42" }, "URL"},
		{"URL with space", func(u *broadcast.Update) { u.URL = "https://status.example.com/a b" }, "URL"},
		{"invalid UTF-8 body", func(u *broadcast.Update) { u.Body = "a\xffb" }, "Body"},
		{"overlong ID", func(u *broadcast.Update) { u.ID = strings.Repeat("i", 256) }, "ID"},
		{"empty override key", func(u *broadcast.Update) { u.Overrides = map[string]string{"": "x"} }, "Overrides"},
		{"advice 1000 chars", func(u *broadcast.Update) { u.Advice = strings.Repeat("a", 1000) }, ""},
		{"advice 1001 chars", func(u *broadcast.Update) { u.Advice = strings.Repeat("a", 1001) }, "Advice"},
		{"invalid UTF-8 advice", func(u *broadcast.Update) { u.Advice = "a\xff" }, "Advice"},
		{"control character in Corrects", func(u *broadcast.Update) { u.Corrects = "u\n1" }, "Corrects"},
		{"NUL in title", func(u *broadcast.Update) { u.Title = "CDN\x00" }, "Title"},
		{"NUL in body", func(u *broadcast.Update) { u.Body = "a\x00b" }, "Body"},
		{"escape codes in body are cleaned, not rejected", func(u *broadcast.Update) { u.Body = "\x1b[31mred\x1b[0m\x07" }, ""},
		{"control character in ID", func(u *broadcast.Update) { u.ID = "id\n2" }, "ID"},
		{"control character in IncidentID", func(u *broadcast.Update) { u.IncidentID = "inc\x1b" }, "IncidentID"},
		{"invalid UTF-8 component name", func(u *broadcast.Update) { u.Components[0].Name = "CD\xffN" }, "Components[0].Name"},
		{"component name 256 chars", func(u *broadcast.Update) { u.Components[0].Name = strings.Repeat("c", 256) }, "Components[0].Name"},
		{"URL 2049 bytes", func(u *broadcast.Update) { u.URL = "https://status.example.com/" + strings.Repeat("a", 2049-27) }, "URL"},
		{"URL 2048 bytes", func(u *broadcast.Update) { u.URL = "https://status.example.com/" + strings.Repeat("a", 2048-27) }, ""},
		{"URL with control character", func(u *broadcast.Update) { u.URL = "https://status.example.com/\x7f" }, "URL"},
		{"URL with credentials", func(u *broadcast.Update) { u.URL = "https://ops:pw-9c4e1a@status.example.com/x" }, "URL"},
		{"URL with a user", func(u *broadcast.Update) { u.URL = "https://tok-9c4e1a@status.example.com/x" }, "URL"},
		{"URL with a password a slash cut short", func(u *broadcast.Update) { u.URL = "https://ops:1234/x9c4e@status.example.com/" }, "URL"},
		{"URL with a password a question mark cut short", func(u *broadcast.Update) { u.URL = "https://ops:?x9c4e@status.example.com/" }, "URL"},
		{"URL with a port and an escaped at sign", func(u *broadcast.Update) { u.URL = "https://social.example.com:8443/%40status" }, ""},
		{"URL with >", func(u *broadcast.Update) { u.URL = "https://status.example.com/a>b" }, "URL"},
		{"URL with <", func(u *broadcast.Update) { u.URL = "https://status.example.com/a<b" }, "URL"},
		{"URL with a quote", func(u *broadcast.Update) { u.URL = `https://status.example.com/a"b` }, "URL"},
		{"URL with an ideographic space", func(u *broadcast.Update) { u.URL = "https://status.example.com/a\u3000b" }, "URL"},
		{"URL with a no-break space", func(u *broadcast.Update) { u.URL = "https://status.example.com/a\u00a0b" }, "URL"},
		// Invisible in the post, so a reader cannot see that the link is
		// not what it looks like (a bidi override turns its text around),
		// and where platforms' link detection ends the link: the link
		// would not be kept whole.
		{"URL with a zero width space", func(u *broadcast.Update) { u.URL = "https://status.example.com/a\u200bb" }, "URL"},
		{"URL with a bidi override", func(u *broadcast.Update) { u.URL = "https://status.example.com/\u202egnp.x" }, "URL"},
		{"URL with a soft hyphen", func(u *broadcast.Update) { u.URL = "https://status.exam\u00adple.com/x" }, "URL"},
		{"URL with a byte order mark", func(u *broadcast.Update) { u.URL = "https://status.example.com/\ufeffx" }, "URL"},
		// A joiner, as a Persian page name holds, works escaped.
		{"URL with a zero width non-joiner", func(u *broadcast.Update) {
			u.URL = "https://fa.example.org/\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
		}, "URL"},
		{"URL with an escaped zero width non-joiner", func(u *broadcast.Update) {
			u.URL = "https://fa.example.org/\u0645\u06cc%E2%80%8C\u062e\u0648\u0627\u0647\u0645"
		}, ""},
		{"URL with a port out of range", func(u *broadcast.Update) { u.URL = "https://status.example.com:99999/x" }, "URL"},
		{"URL with the largest port", func(u *broadcast.Update) { u.URL = "https://status.example.com:65535/x" }, ""},
		{"URL with escapes and non-ASCII", func(u *broadcast.Update) { u.URL = "https://status.example.com/a%3Eb/störung?q=%22x%22" }, ""},
		{"invalid UTF-8 override key", func(u *broadcast.Update) { u.Overrides = map[string]string{"x\xff": "y"} }, "Overrides"},
		{"NUL in override", func(u *broadcast.Update) { u.Overrides = map[string]string{"x": "a\x00"} }, `Overrides["x"]`},
		{"override too long", func(u *broadcast.Update) { u.Overrides = map[string]string{"x": strings.Repeat("o", 25001)} }, `Overrides["x"]`},
		// RFC 3339 (section 5.6, date-fullyear = 4DIGIT) and so JSON's time
		// format, which the webhook payload and the Stores' records use,
		// write years 0000 to 9999 only; a time outside fails every such
		// channel for good, after the others posted.
		{"time in year 10000", func(u *broadcast.Update) { u.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "Time"},
		{"time in year 9999", func(u *broadcast.Update) { u.Time = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) }, ""},
		{"time before year 0", func(u *broadcast.Update) { u.Time = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }, "Time"},
		{"time in year 10000 in UTC", func(u *broadcast.Update) {
			u.Time = time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("EST", -5*3600))
		}, "Time"},
		{"next update before the update's time", func(u *broadcast.Update) {
			u.Time = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
			u.NextUpdate = u.Time.Add(-time.Hour)
		}, "NextUpdate"},
		{"next update before the time, resolved: dropped", func(u *broadcast.Update) {
			u.Status = broadcast.StatusResolved
			u.Time = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
			u.NextUpdate = u.Time.Add(-time.Hour)
		}, ""},
		{"next update in year 10000", func(u *broadcast.Update) { u.NextUpdate = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "NextUpdate"},
		{"override key too long", func(u *broadcast.Update) { u.Overrides = map[string]string{strings.Repeat("k", 256): "o"} }, "Overrides"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := validUpdate()
			tt.change(&u)
			err := u.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, broadcast.ErrInvalidUpdate), "error must wrap ErrInvalidUpdate: %v", err)
			assert.Contains(t, err.Error(), strings.TrimSuffix(tt.field, ": missing")+":", "error must name the field")
			if strings.HasSuffix(tt.field, ": missing") {
				assert.Contains(t, err.Error(), tt.field)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "broadcast: "), err.Error())
			assert.NotContains(t, err.Error(), "9c4e1a", "a credential is never quoted")
		})
	}
}

func TestWithDefaults(t *testing.T) {
	now := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	u := validUpdate().WithDefaults(now)
	assert.Equal(t, "elevated-cdn-error-rates", u.IncidentID)
	assert.Equal(t, now, u.Time)
	// The derived ID is part of the contract: stable across processes and releases.
	assert.Equal(t, "u_e0a8b6d0283ebf2fbfd23a421348d937", u.ID)

	again := validUpdate().WithDefaults(now.Add(time.Hour))
	assert.Equal(t, u.ID, again.ID, "Time must not change the derived ID")

	changed := validUpdate()
	changed.Body += " More soon."
	assert.NotEqual(t, u.ID, changed.WithDefaults(now).ID)

	set := validUpdate()
	set.ID, set.IncidentID, set.Time = "mine", "inc-1", now.Add(-time.Minute)
	got := set.WithDefaults(now)
	assert.Equal(t, set, got, "set fields are kept")
}

func TestDerivedIDSeesEveryContentField(t *testing.T) {
	base := validUpdate().WithDefaults(time.Time{}).ID
	changes := map[string]func(u *broadcast.Update){
		"IncidentID": func(u *broadcast.Update) { u.IncidentID = "other" },
		"Status":     func(u *broadcast.Update) { u.Status = broadcast.StatusIdentified },
		"Impact":     func(u *broadcast.Update) { u.Impact = broadcast.ImpactMinor },
		"Title":      func(u *broadcast.Update) { u.Title += "!" },
		"Components": func(u *broadcast.Update) { u.Components[0].Status = broadcast.ComponentDegraded },
		"URL":        func(u *broadcast.Update) { u.URL += "#x" },
		"NextUpdate": func(u *broadcast.Update) { u.NextUpdate = time.Unix(1e9, 0) },
		"Overrides":  func(u *broadcast.Update) { u.Overrides = map[string]string{"x": "y"} },
	}
	for field, change := range changes {
		u := validUpdate()
		u.IncidentID = "elevated-cdn-error-rates"
		change(&u)
		assert.NotEqual(t, base, u.WithDefaults(time.Time{}).ID, field)
	}
}

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"Elevated CDN error rates":    "elevated-cdn-error-rates",
		"  API: 5xx -- in EU-West!  ": "api-5xx-in-eu-west",
		"Überlastung der API":         "berlastung-der-api",
		strings.Repeat("ab ", 40):     strings.TrimSuffix(strings.Repeat("ab-", 21), "-"),
	}
	for in, want := range tests {
		assert.Equal(t, want, broadcast.Slug(in), in)
	}
	cjk := broadcast.Slug("障害が発生しています")
	assert.True(t, strings.HasPrefix(cjk, "incident-"), cjk)
	assert.Equal(t, cjk, broadcast.Slug("障害が発生しています"), "stable")
	assert.NotEqual(t, cjk, broadcast.Slug("別の障害"))
}

// An IncidentID derived from a title whose letters are not all ASCII
// keeps unrelated incidents apart: the Slug alone keeps only the ASCII
// letters, and "Сбой API" and "Задержки API" were both "api", threaded
// together everywhere. Titles in ASCII keep their Slug as IncidentID.
func TestDerivedIncidentIDKeepsUnrelatedTitlesApart(t *testing.T) {
	id := func(title string) string {
		return broadcast.Update{Title: title, Status: broadcast.StatusInvestigating}.WithDefaults(time.Time{}).IncidentID
	}
	for _, p := range [][2]string{{"Сбой API", "Задержки API"}, {"API の遅延", "API の障害"},
		{"Störung der API", "Stärung der API"}, {"障害", "別の障害"}} {
		assert.NotEqual(t, id(p[0]), id(p[1]), "unrelated incidents would thread together: %q, %q", p[0], p[1])
		assert.Equal(t, id(p[0]), id(p[0]), "stable")
	}
	assert.Equal(t, "elevated-cdn-error-rates", id("Elevated CDN error rates"))
	assert.Regexp(t, `^api-[0-9a-f]{12}$`, id("Сбой API"))
	assert.Regexp(t, `^incident-[0-9a-f]{12}$`, id("障害"))
	long := id(strings.Repeat("Störung ", 20))
	assert.LessOrEqual(t, len(long), 64)
	assert.Regexp(t, `^st-rung-[a-z-]*[a-z]-[0-9a-f]{12}$`, long)
}

func TestLabels(t *testing.T) {
	assert.Equal(t, "In progress", broadcast.StatusInProgress.Label())
	assert.Equal(t, "Investigating", broadcast.StatusInvestigating.Label())
	assert.Equal(t, "Degraded performance", broadcast.ComponentDegraded.Label())
	assert.Equal(t, "", broadcast.Status("").Label())
}

func TestLabelOfUnvalidatedValueIsValidUTF8(t *testing.T) {
	assert.Equal(t, "Überlastet", broadcast.Status("überlastet").Label())
}

// A text's length is counted as Clean leaves it: an alert's terminal
// colours do not make a title that fits too long, while a text of more
// raw bytes than 16 per character of its limit is refused before anything
// is counted.
func TestLengthsCountCleanedText(t *testing.T) {
	red, reset := "\x1b[31m", "\x1b[0m"
	u := validUpdate()
	u.Title = red + strings.Repeat("a", broadcast.MaxTitleLength) + reset
	require.NoError(t, u.Validate())
	assert.Equal(t, strings.Repeat("a", broadcast.MaxTitleLength), u.Clean().Title)

	u.Title = red + strings.Repeat("a", broadcast.MaxTitleLength+1) + reset
	assert.ErrorContains(t, u.Validate(), "Title: 256 characters, more than 255")

	u = validUpdate()
	u.Advice = strings.Repeat(red+"x"+reset, broadcast.MaxAdviceLength)
	require.NoError(t, u.Validate(), "1,000 characters once cleaned")
	u.Advice = strings.Repeat(red, 16*broadcast.MaxAdviceLength)
	assert.ErrorContains(t, u.Validate(), "Advice: 80000 bytes, more than 16000 even before escape sequences are removed")

	u = validUpdate()
	u.Components[0].Name = red + "CDN" + reset
	require.NoError(t, u.Validate())
	u.Overrides = map[string]string{"x": red + strings.Repeat("b", broadcast.MaxBodyLength) + reset}
	require.NoError(t, u.Validate())
}

// A blank override is none, on every channel alike: the channel renders
// its template (the webhook's payload carried an empty body, the status
// page an empty update, where the text channels rendered the update).
func TestBlankOverrideIsNone(t *testing.T) {
	u := broadcast.Update{Overrides: map[string]string{"x": "Short text.", "hooks": " \n\t", "page": "", "chat": "\u200b\n"}}
	text, ok := u.Override("x")
	assert.True(t, ok)
	assert.Equal(t, "Short text.", text)
	for _, ch := range []string{"hooks", "page", "chat", "irc"} {
		_, ok := u.Override(ch)
		assert.False(t, ok, ch)
	}
}

// An unknown value is quoted cut to 64 bytes in the error: a caller's
// mistake may be a whole document in the wrong field.
func TestUnknownValueQuotedCut(t *testing.T) {
	long := strings.Repeat("é", 5000)
	for name, u := range map[string]broadcast.Update{
		"Status":               {Title: "t", Status: broadcast.Status(long)},
		"Impact":               {Title: "t", Status: broadcast.StatusInvestigating, Impact: broadcast.Impact(long)},
		"Components[0].Status": {Title: "t", Status: broadcast.StatusInvestigating, Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentStatus(long)}}},
		"Overrides":            {Title: "t", Status: broadcast.StatusInvestigating, Overrides: map[string]string{long: "x"}},
	} {
		err := u.Validate()
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), name)
		assert.Less(t, len(err.Error()), 300, name)
		assert.True(t, utf8.ValidString(err.Error()), name)
	}
}

// Validate names every value at fault, in the order of Update's fields,
// each a *FieldError matching ErrInvalidUpdate, so that a caller mends
// them in one go; one value at fault is the one error, as it always was.
func TestValidateNamesEveryValueAtFault(t *testing.T) {
	u := broadcast.Update{
		ID:         "u1",
		Title:      " ",
		Status:     "investgating",
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentOperational}, {Name: "API"}},
		URL:        "ftp://status.example.com",
		Overrides:  map[string]string{"x": "ok", "": "lost"},
	}
	err := u.Validate()
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Equal(t, `broadcast: invalid update: Title: missing; Status: unknown value "investgating"; `+
		`Components[1].Status: missing; URL: must be an absolute http or https URL; Overrides: empty channel name`, err.Error())
	var first *broadcast.FieldError
	require.ErrorAs(t, err, &first)
	assert.Equal(t, "Title", first.Field)
	multi, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "several values at fault: the error joins them")
	var fields []string
	for _, e := range multi.Unwrap() {
		var fe *broadcast.FieldError
		require.ErrorAs(t, e, &fe)
		require.ErrorIs(t, e, broadcast.ErrInvalidUpdate)
		fields = append(fields, fe.Field)
	}
	assert.Equal(t, []string{"Title", "Status", "Components[1].Status", "URL", "Overrides"}, fields)
	// However the error was wrapped or joined since, FieldErrors finds them.
	wrapped := fmt.Errorf("enqueue: %w", errors.Join(errors.New("other"), err))
	var again []string
	for _, fe := range broadcast.FieldErrors(wrapped) {
		again = append(again, fe.Field)
	}
	assert.Equal(t, fields, again)
	assert.Empty(t, broadcast.FieldErrors(errors.New("other")))

	u = broadcast.Update{Title: "\xff", Status: broadcast.StatusInvestigating}
	err = u.Validate()
	assert.EqualError(t, err, "broadcast: invalid update: Title: not valid UTF-8", "a field at fault twice is named once")
	var fe *broadcast.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, &broadcast.FieldError{Field: "Title", Problem: "not valid UTF-8"}, fe)
}

// Validate names the values at fault in the order of Update's fields,
// whichever check finds each, so that errors.As finds the first of them.
func TestValidateNamesValuesInTheOrderOfTheFields(t *testing.T) {
	tests := []struct {
		name string
		u    broadcast.Update
		want []string
	}{
		{"title missing, body with NUL", broadcast.Update{Status: broadcast.StatusInvestigating, Body: "a\x00b"}, []string{"Title", "Body"}},
		{"title with NUL, ID too long", broadcast.Update{ID: strings.Repeat("i", 256), Title: "a\x00", Status: broadcast.StatusInvestigating},
			[]string{"ID", "Title"}},
		{"status missing, URL not UTF-8", broadcast.Update{Title: "T", URL: "https://x.example/\xff"}, []string{"Status", "URL"}},
		{"overrides, then advice, then corrects", broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating,
			Advice: "a\x00", Overrides: map[string]string{"": "x"}, Corrects: "c\n"}, []string{"Overrides", "Advice", "Corrects"}},
		{"components in order", broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating,
			Components: []broadcast.Component{{Name: "API"}, {Name: "a\x00", Status: broadcast.ComponentOperational}}},
			[]string{"Components[0].Status", "Components[1].Name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.u.Validate()
			assert.Equal(t, tt.want, fieldNames(err))
			var first *broadcast.FieldError
			require.ErrorAs(t, err, &first)
			assert.Equal(t, tt.want[0], first.Field)
		})
	}
}

// A next update promised before the update's own Time is refused, naming
// both times: a promise already broken when made (a time zone mistaken).
func TestNextUpdateBeforeTime(t *testing.T) {
	u := validUpdate()
	u.Time = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	u.NextUpdate = time.Date(2026, 11, 30, 11, 0, 0, 0, time.FixedZone("CET", 3600)) // 10:00 UTC: the same time
	require.NoError(t, u.Validate())
	u.NextUpdate = u.NextUpdate.Add(-time.Minute)
	assert.EqualError(t, u.Validate(), "broadcast: invalid update: NextUpdate: 2026-11-30T09:59:00Z, before the update's Time (2026-11-30T10:00:00Z)")
}

// One rule for a channel's name, wherever a name is given: New's
// channels, the adapters' Config.Name and the keys of Update.Overrides. An
// override keyed " ops" could never reach the channel named "ops".
func TestCheckName(t *testing.T) {
	for _, name := range []string{"ops", "ops team", "état", strings.Repeat("n", broadcast.MaxNameLength)} {
		assert.NoError(t, broadcast.CheckName(name), "%q", name)
	}
	for name, want := range map[string]string{
		"":                       "empty",
		"ops\xff":                "not valid UTF-8",
		strings.Repeat("n", 256): "longer than 255 bytes",
		"ops\nteam":              "holds a control character",
		"\u0085ops":              "holds a control character",
		" ops":                   "leading or trailing white space",
		"ops\u00a0":              "leading or trailing white space",
	} {
		assert.EqualError(t, broadcast.CheckName(name), want, "%q", name)
	}
	u := validUpdate()
	u.Overrides = map[string]string{" ops": "text"}
	assert.EqualError(t, u.Validate(), `broadcast: invalid update: Overrides: channel name " ops": leading or trailing white space`)
}

// A name holding a character that shows nothing looks like the name
// without it: "ops" and "ops\u200b" were two channels, in a Broadcaster and
// in the keys of Overrides and Routes, that a reader could not tell apart.
// Such a character is refused, naming it; those that take part in what is
// shown (the joiners of an emoji sequence or a Persian word, an emoji's
// variation selector, a flag's tags) are not.
func TestCheckNameRefusesInvisibleCharacters(t *testing.T) {
	for _, name := range []string{
		"ops \u26a0\ufe0f",                                 // ⚠️, emoji presentation
		"keycap 1\ufe0f\u20e3",                             // 1️⃣
		"dev \U0001f469\u200d\U0001f4bb",                   // 👩‍💻, a zero width joiner sequence
		"\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", // Persian, a zero width non-joiner
		"\u845b\U000e0100 ops",                             // an ideographic variation sequence
		"uk \U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", // England's flag
	} {
		assert.NoError(t, broadcast.CheckName(name), "%q", name)
	}
	for name, r := range map[string]string{
		"ops\u200b":        "U+200B", // zero width space
		"o\u200bps":        "U+200B",
		"\u200dops":        "U+200D", // a joiner joining nothing
		"ops\u200d":        "U+200D",
		"ops \u200c team":  "U+200C",
		"ops\u202e":        "U+202E", // bidi override
		"ops\u2066x\u2069": "U+2066", // bidi isolate
		"ops\u200e":        "U+200E", // left-to-right mark
		"\ufeffops":        "U+FEFF",
		"ops\u2060":        "U+2060", // word joiner
		"op\u00ads":        "U+00AD", // soft hyphen
		"ops\ufe0f":        "U+FE0F", // a variation selector after a letter
		"\ufe0fops":        "U+FE0F", // alone
		"ops \ufe0e":       "U+FE0E",
		"ops\U000e0100":    "U+E0100",
		"ops\u3164":        "U+3164",  // Hangul filler
		"ops\u034f":        "U+034F",  // combining grapheme joiner
		"ops\U000e0067":    "U+E0067", // a tag not in a flag
	} {
		err := broadcast.CheckName(name)
		require.Error(t, err, "%q", name)
		assert.Contains(t, err.Error(), "holds the invisible character "+r, "%q", name)
	}
	// Every place a name is given says which.
	_, err := broadcast.New([]broadcast.Channel{
		broadcast.ChannelFunc("ops", nil), broadcast.ChannelFunc("ops\u200b", nil)}, broadcast.Options{})
	require.Error(t, err)
	assert.Equal(t, `broadcast: channels[1]: channel name "ops\u200b": holds the invisible character U+200B, `+
		`which makes it look like another name: leave it out`, err.Error())
	u := validUpdate()
	u.Overrides = map[string]string{"ops\u200b": "text"}
	err = u.Validate()
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Contains(t, err.Error(), `Overrides: channel name "ops\u200b": holds the invisible character U+200B`)
}

// Labels of the known values read as words; a value Validate would refuse
// (which a Channel used without a Broadcaster may be given) keeps its
// letters, with their marks, and digits only, once its escape sequences
// and colour codes are gone with their contents, so that no markup an
// adapter writes it in can make it ping, link or format.
func TestLabelOfUnknownValueCannotFormat(t *testing.T) {
	for v, want := range map[broadcast.Status]string{
		broadcast.StatusInvestigating:                 "Investigating",
		broadcast.StatusInProgress:                    "In progress",
		"<!channel>":                                  "Channel",
		"<@U0ADMIN01>":                                "U0ADMIN01",
		"[Reset your password](https://evil.example)": "Reset your password https evil example",
		"*bold* _it_ `code`":                          "Bold it code",
		"@everyone":                                   "Everyone",
		"<>[]":                                        "",
		"":                                            "",
		"état_dégradé":                                "État dégradé",
		"re\u0301sume\u0301":                          "Re\u0301sume\u0301",
		"investigating\x1b]0;pwned\x07\x1b[2J\x1b[31m!":                    "Investigating",
		"investigating\x1b]8;;https://evil.example/x\x07click\x1b]8;;\x07": "Investigatingclick",
		"\x0304,01down": "Down",
	} {
		assert.Equal(t, want, v.Label(), "%q", v)
	}
	assert.Equal(t, "Under maintenance", broadcast.ComponentMaintenance.Label())
	assert.Equal(t, "Degraded performance", broadcast.ComponentDegraded.Label())
	assert.Equal(t, "Critical", broadcast.ImpactCritical.Label())
	assert.Len(t, broadcast.Status(strings.Repeat("a", 100)).Label(), 40)
}

// manyComponents returns n valid components of distinct names.
func manyComponents(n int) []broadcast.Component {
	cs := make([]broadcast.Component, n)
	for i := range cs {
		cs[i] = broadcast.Component{Name: fmt.Sprintf("Component %d", i), Status: broadcast.ComponentOperational}
	}
	return cs
}

// A name holding white space other than U+0020 looks like the name with a
// plain space: "ops\u00a0team" (a no-break space pasted from a document)
// and "ops team" were two channels a reader could not tell apart, and an
// Override or Route written for one never reached the other. Such a
// space is refused, naming its code point.
func TestCheckNameRefusesOtherSpaces(t *testing.T) {
	for name, r := range map[string]string{
		"ops\u00a0team": "U+00A0", // no-break space
		"ops\u2002team": "U+2002", // en space
		"ops\u2009team": "U+2009", // thin space
		"ops\u202fteam": "U+202F", // narrow no-break space
		"ops\u3000team": "U+3000", // ideographic space
		"ops\u1680team": "U+1680", // ogham space mark
		"ops\u2028team": "U+2028", // line separator
		"ops \u205fx":   "U+205F", // medium mathematical space
	} {
		err := broadcast.CheckName(name)
		require.Error(t, err, "%q", name)
		assert.Equal(t, "holds the white space "+r+", which makes it look like another name: write a plain space (U+0020)",
			err.Error(), "%q", name)
	}
	require.NoError(t, broadcast.CheckName("ops team"))
	_, err := broadcast.New([]broadcast.Channel{
		broadcast.ChannelFunc("ops team", nil), broadcast.ChannelFunc("ops\u00a0team", nil)}, broadcast.Options{})
	require.Error(t, err)
	assert.Equal(t, `broadcast: channels[1]: channel name "ops\u00a0team": holds the white space U+00A0, `+
		`which makes it look like another name: write a plain space (U+0020)`, err.Error())
	u := validUpdate()
	u.Overrides = map[string]string{"ops\u00a0team": "text"}
	err = u.Validate()
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Contains(t, err.Error(), `Overrides: channel name "ops\u00a0team": holds the white space U+00A0`)
}
