package broadcast

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/internal/credquery"
	"github.com/outagecast/outagecast/internal/errwalk"
	"github.com/outagecast/outagecast/internal/quotecut"
	"github.com/outagecast/outagecast/internal/urlcut"
)

// Status is the state an update announces. The values are Atlassian
// Statuspage's: four for incidents and four for scheduled maintenance.
type Status string

// Incident statuses.
const (
	StatusInvestigating Status = "investigating"
	StatusIdentified    Status = "identified"
	StatusMonitoring    Status = "monitoring"
	StatusResolved      Status = "resolved"
)

// Maintenance statuses.
const (
	StatusScheduled  Status = "scheduled"
	StatusInProgress Status = "in_progress"
	StatusVerifying  Status = "verifying"
	StatusCompleted  Status = "completed"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusInvestigating, StatusIdentified, StatusMonitoring, StatusResolved,
		StatusScheduled, StatusInProgress, StatusVerifying, StatusCompleted:
		return true
	}
	return false
}

// Maintenance reports whether s is a status of scheduled maintenance:
// StatusScheduled, StatusInProgress, StatusVerifying or StatusCompleted.
func (s Status) Maintenance() bool {
	switch s {
	case StatusScheduled, StatusInProgress, StatusVerifying, StatusCompleted:
		return true
	}
	return false
}

// Closes reports whether s ends its incident (StatusResolved) or its
// maintenance (StatusCompleted): no update follows it.
func (s Status) Closes() bool { return s == StatusResolved || s == StatusCompleted }

// Label is the status as people read it ("Investigating", "In progress").
// A value Validate does not know (a Channel used without a Broadcaster
// may be given one) keeps only its letters, marks and digits, once its
// escape sequences are gone, so that no markup it is written in can make
// it ping, link or format ("<!channel>" reads "Channel"). So do
// Impact.Label and ComponentStatus.Label.
func (s Status) Label() string { return label(string(s)) }

// label turns "under_maintenance" into "Under maintenance". The values
// Validate knows are lower-case ASCII words joined by "_"; of any other (a
// Channel used without a Broadcaster, which validates, may be given one)
// only letters (with their marks) and digits are kept, words joined by one
// space, at most maxLabel bytes, after Clean's removal of escape sequences
// and colour codes with their contents: the adapters write labels as they
// are, in markups where "<!channel>" would ping everyone or "[x](url)"
// forge a link, and now read "Channel" and "X url".
func label(v string) string {
	if needsCleaning(v, true) {
		v = cleanText(v, true)
	}
	var buf [maxLabel]byte
	b := buf[:0]
	space, first := false, true
	for _, r := range v {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
			space = true
			continue
		}
		if first {
			r = unicode.ToUpper(r)
		}
		n := utf8.RuneLen(r)
		if space && !first {
			n++
		}
		if len(b)+n > maxLabel {
			break
		}
		if space && !first {
			b = append(b, ' ')
		}
		b = utf8.AppendRune(b, r)
		space, first = false, false
	}
	return string(b)
}

// maxLabel bounds a label, in bytes: the longest known is 20.
const maxLabel = 40

// Impact is how badly the incident affects users.
type Impact string

// Impact levels, as Statuspage names them.
const (
	ImpactNone        Impact = "none"
	ImpactMinor       Impact = "minor"
	ImpactMajor       Impact = "major"
	ImpactCritical    Impact = "critical"
	ImpactMaintenance Impact = "maintenance"
)

// Valid reports whether i is one of the known impacts.
func (i Impact) Valid() bool {
	switch i {
	case ImpactNone, ImpactMinor, ImpactMajor, ImpactCritical, ImpactMaintenance:
		return true
	}
	return false
}

// Label is the impact as people read it ("Critical").
func (i Impact) Label() string { return label(string(i)) }

// ComponentStatus is the state of one affected component.
type ComponentStatus string

// Component statuses, as Statuspage names them.
const (
	ComponentOperational   ComponentStatus = "operational"
	ComponentDegraded      ComponentStatus = "degraded_performance"
	ComponentPartialOutage ComponentStatus = "partial_outage"
	ComponentMajorOutage   ComponentStatus = "major_outage"
	ComponentMaintenance   ComponentStatus = "under_maintenance"
)

// Valid reports whether c is one of the known component statuses.
func (c ComponentStatus) Valid() bool {
	switch c {
	case ComponentOperational, ComponentDegraded, ComponentPartialOutage,
		ComponentMajorOutage, ComponentMaintenance:
		return true
	}
	return false
}

// Label is the component status as people read it ("Degraded performance").
func (c ComponentStatus) Label() string { return label(string(c)) }

// Component is a part of the service and its state during the incident.
type Component struct {
	Name   string          `json:"name"`   // required; at most 255 characters; once in an Update's Components, in any case, spacing or invisible characters
	Status ComponentStatus `json:"status"` // required
}

// Limits on an Update, the same as Statuspage's. A text's characters are
// counted as Clean leaves them: escape sequences and control characters
// (an alert's terminal colours) do not count, though a text may hold at
// most 16 bytes per character of its limit before they are removed.
const (
	MaxTitleLength         = 255    // characters (Unicode code points)
	MaxBodyLength          = 25_000 // characters (Unicode code points); also each Override
	MaxComponentNameLength = 255    // characters (Unicode code points)
	MaxComponents          = 1_000  // Components of one Update
	MaxURLLength           = 2_048  // bytes
	MaxAdviceLength        = 1_000  // characters (Unicode code points)
	maxIDLength            = 255    // bytes; also each Override key
)

// Update is one incident (or maintenance) update, the unit a Broadcaster
// delivers. Its fields map one-to-one onto an Atlassian Statuspage incident
// update.
type Update struct {
	// ID is the idempotency key of this update: sending the same ID again
	// through a Broadcaster with the same Store delivers nothing twice.
	// Empty: derived from the content (see WithDefaults).
	ID string `json:"id"`
	// IncidentID groups the updates of one incident, so that channels can
	// thread them. Empty: a slug of Title.
	IncidentID string `json:"incident_id"`
	// Title names the incident. Required; at most 255 characters.
	Title string `json:"title"`
	// Status is the state this update announces. Required.
	Status Status `json:"status"`
	// Impact is optional.
	Impact Impact `json:"impact,omitempty"`
	// Body is plain text, at most 25,000 characters. Channels with a length
	// limit shorten it.
	Body string `json:"body,omitempty"`
	// Components lists the affected components.
	Components []Component `json:"components,omitempty"`
	// URL links to the status page or the incident; an absolute http(s) URL
	// without user information or a query parameter named as a credential
	// (token, access_token, sig, X-Amz-Signature…, in a fragment too), as
	// every channel posts it publicly, and without white space, invisible
	// format characters (zero width spaces, bidi marks), or <, > and "
	// unescaped, whose port, if any, is at most 65535.
	// Channels never shorten it.
	URL string `json:"url,omitempty"`
	// Time is when the update was written, in the years 0 to 9999 (RFC
	// 3339's, as NextUpdate's). Zero: the time of Send, or, for
	// an update sent before, the Time it was first sent with (see
	// Broadcaster.SentTime), so that it stays older than the updates of its
	// incident that followed it. Send, Correct, Jobs and Preview refuse a
	// Time more than 5 minutes ahead of the clock (a local time given as
	// UTC): the incident's later updates would look older and not be posted.
	Time time.Time `json:"time"`
	// NextUpdate is the promised time of the next update. Zero: none. An
	// update whose Status closes the incident (Status.Closes) promises
	// none: Clean drops it. Validate refuses one before a Time given, or
	// more than MaxNextUpdateAhead after it; Send, Correct, Jobs and
	// Preview refuse one more than MaxNextUpdateAhead ahead of the clock
	// when Time is zero.
	NextUpdate time.Time `json:"next_update,omitempty"`
	// Overrides holds per-channel text keyed by channel name, used instead
	// of the rendered template (like Statuspage's custom tweet). The
	// channels that post text mark a correction's override as one, as the
	// default templates mark theirs ("Correction: " before its first line
	// that shows something, unless that line starts with the word; see
	// templates.MarkCorrection). Send,
	// Correct, Jobs and Preview refuse (ErrInvalidUpdate) a name that is
	// none of the Broadcaster's channels: a typo would post the template.
	// Each such name is named, under its own field, with the update's
	// other faults, in one error.
	Overrides map[string]string `json:"overrides,omitempty"`
	// Advice says what affected customers can do now ("Retry with
	// backoff", "Use the EU endpoint", "No action needed"): plain text, at
	// most 1,000 characters. Every default template shows it right after
	// the status line, and keeps it when a channel must shorten the body.
	Advice string `json:"advice,omitempty"`
	// Corrects is the ID of the update this one corrects; Broadcaster.Correct
	// sets it. The default templates then render the update as a
	// correction. Send (and Jobs, for a JobSend) refuses an update that
	// sets it, naming Corrects with the update's other faults, in one
	// error: call Correct instead, which checks the original and edits its
	// posts where it can.
	Corrects string `json:"corrects,omitempty"`
}

// Override returns the text that replaces the rendered template on the
// channel of that name, if u has one. A blank text (see Blank) is none:
// the channel renders its template, as every channel does alike.
func (u Update) Override(channel string) (string, bool) {
	text := u.Overrides[channel]
	return text, !Blank(text)
}

// Validate reports every value of u that is at fault, each as a
// *FieldError, which names the field and wraps ErrInvalidUpdate, as in
// "broadcast: invalid update: Title: missing". With several at fault, the
// error joins them (its Unwrap() []error gives each, in the order of
// Update's fields) and says them all, separated by "; ", so that a caller
// mends them in one go; errors.As finds the first.
// Validate does not require the fields WithDefaults fills in, nor read
// the clock: ValidateNow also checks Time and NextUpdate against it.
//
// Text must be valid UTF-8 without NUL; other control characters are
// accepted and removed by Clean, except in ID and IncidentID, which are keys
// and take none, nor bidi controls (unicode.Bidi_Control: the embeddings,
// overrides and isolates, and the direction marks), and which may be
// empty but not blank (see Blank), as Corrects.
func (u Update) Validate() error { return u.validate(true) }

// validate is Validate; without timeGiven, u's Time is one WithDefaults
// filled in (a Job's), which a NextUpdate may precede: the update was
// given without one, and Validate checked no NextUpdate against it.
func (u Update) validate(timeGiven bool) error {
	var v validation
	u.check(&v, timeGiven)
	return v.err()
}

// check adds to v the faults of u's fields (see validate).
func (u Update) check(v *validation, timeGiven bool) {
	v.add(checkKeyField("ID", u.ID))
	v.add(checkKeyField("IncidentID", u.IncidentID))
	if v.add(checkTextField("Title", u.Title, true, MaxTitleLength)) && Blank(u.Title) {
		v.add(invalid("Title", "missing"))
	}
	switch {
	case u.Status == "":
		v.add(invalid("Status", "missing"))
	case !u.Status.Valid():
		v.add(invalid("Status", "unknown value %s", quotecut.Quote(string(u.Status))))
	}
	if u.Impact != "" && !u.Impact.Valid() {
		v.add(invalid("Impact", "unknown value %s", quotecut.Quote(string(u.Impact))))
	}
	v.add(checkTextField("Body", u.Body, false, MaxBodyLength))
	if len(u.Components) > MaxComponents {
		v.add(invalid("Components", "%d of them, more than %d", len(u.Components), MaxComponents))
	}
	var seen map[string]int // a component's name, as ComponentKey has it, → its index
	for i, c := range u.Components[:min(len(u.Components), MaxComponents)] {
		field := func(f string) string { return fmt.Sprintf("Components[%d].%s", i, f) }
		// Named only when at fault: a Sprintf per component would cost
		// every Send an allocation.
		fe := checkTextField("", c.Name, true, MaxComponentNameLength)
		if fe != nil {
			fe.Field = field("Name")
		}
		ok := v.add(fe)
		if ok && Blank(c.Name) {
			v.add(invalid(field("Name"), "missing"))
		} else if ok && len(u.Components) > 1 {
			// Listed twice, it would be posted with two statuses, and a
			// status page would take whichever came last.
			name := strings.TrimSpace(cleanText(c.Name, true))
			key := ComponentKey(name)
			if j, dup := seen[key]; dup {
				v.add(invalid(field("Name"), "%s, listed already as Components[%d] (names that differ only in case, "+
					"spacing or invisible characters are one component); list a component once, with its status", quotecut.Quote(name), j))
			} else {
				if seen == nil {
					seen = make(map[string]int, len(u.Components))
				}
				seen[key] = i
			}
		}
		switch {
		case c.Status == "":
			v.add(invalid(field("Status"), "missing"))
		case !c.Status.Valid():
			v.add(invalid(field("Status"), "unknown value %s", quotecut.Quote(string(c.Status))))
		}
	}
	v.add(checkURLField(u.URL))
	v.add(checkYear("Time", u.Time))
	if v.add(checkYear("NextUpdate", u.NextUpdate)) && timeGiven && !u.Status.Closes() && !u.Time.IsZero() &&
		!u.NextUpdate.IsZero() {
		switch {
		case u.NextUpdate.Before(u.Time):
			// A promise broken when made: a time zone mistaken, or a date.
			v.add(invalid("NextUpdate", "%s, before the update's Time (%s)",
				u.NextUpdate.UTC().Format(time.RFC3339), u.Time.UTC().Format(time.RFC3339)))
		case u.NextUpdate.Sub(u.Time) > MaxNextUpdateAhead:
			v.add(nextTooFar(u.NextUpdate, "after the update's Time ("+u.Time.UTC().Format(time.RFC3339)+")"))
		}
	}
	u.validateOverrides(v)
	v.add(checkTextField("Advice", u.Advice, false, MaxAdviceLength))
	v.add(checkKeyField("Corrects", u.Corrects))
}

// MaxNextUpdateAhead is how far after an update its NextUpdate may be: 90
// days, time for a maintenance announced a season ahead to promise its
// next word at its start. A promise further off is a date or a duration
// mistyped (2062 for 2026, +1000000h), which every channel would post.
const MaxNextUpdateAhead = 90 * 24 * time.Hour

// nextTooFar is the error of a NextUpdate next more than
// MaxNextUpdateAhead after from ("after the update's Time (…)").
func nextTooFar(next time.Time, from string) *FieldError {
	return invalid("NextUpdate", "%s, more than %d days %s, the furthest a next update may be promised: "+
		"a date or a duration mistyped?", next.UTC().Format(time.RFC3339), MaxNextUpdateAhead/(24*time.Hour), from)
}

// FieldError is an error of Update.Validate, and of the Broadcaster's
// other checks of what it is given: the value of Field is not one it
// takes. It wraps ErrInvalidUpdate.
type FieldError struct {
	// Field names the value as Go writes it: "Title",
	// "Components[1].Status", `Overrides["x"]`, or the argument of a call
	// ("original").
	Field string
	// Problem says what is wrong with it: "missing", "unknown value
	// \"investgating\"".
	Problem string
}

// Error returns "broadcast: invalid update: Field: Problem".
func (e *FieldError) Error() string {
	return ErrInvalidUpdate.Error() + ": " + e.Field + ": " + e.Problem
}

// Unwrap returns ErrInvalidUpdate.
func (e *FieldError) Unwrap() error { return ErrInvalidUpdate }

// FieldErrors returns every *FieldError in err's tree, in order: the
// values at fault that Validate (or another check of the Broadcaster's)
// named, however the error was wrapped or joined since; none for an error
// without any.
func FieldErrors(err error) []*FieldError {
	switch e := err.(type) {
	case *FieldError:
		if e == nil {
			return nil
		}
		return []*FieldError{e}
	case interface{ Unwrap() []error }:
		var out []*FieldError
		parts, _ := errwalk.Try(e.Unwrap)
		for _, x := range parts {
			out = append(out, FieldErrors(x)...)
		}
		return out
	case interface{ Unwrap() error }:
		return FieldErrors(errwalk.Unwrap(err))
	}
	return nil
}

// validation gathers the FieldErrors of one Validate, one per field.
type validation struct{ errs []error }

// add adds fe unless its field is at fault already (its text, too long,
// is also blank), and reports whether fe was nil.
func (v *validation) add(fe *FieldError) bool {
	if fe == nil {
		return true
	}
	for _, e := range v.errs {
		if e.(*FieldError).Field == fe.Field {
			return false
		}
	}
	v.errs = append(v.errs, fe)
	return false
}

// also adds fe, or, when its field is at fault already, fe's problem to
// that fault's: an override's key for no channel, whose text is at fault
// too, is named for both.
func (v *validation) also(fe *FieldError) {
	if fe == nil {
		return
	}
	for _, e := range v.errs {
		if prev := e.(*FieldError); prev.Field == fe.Field {
			prev.Problem += "; " + fe.Problem
			return
		}
	}
	v.errs = append(v.errs, fe)
}

// err returns the error of the fields at fault, nil when none is.
func (v *validation) err() error {
	switch len(v.errs) {
	case 0:
		return nil
	case 1:
		return v.errs[0]
	}
	return fieldErrors(v.errs)
}

// fieldErrors are the FieldErrors of the several fields at fault.
type fieldErrors []error

func (es fieldErrors) Error() string { return faults(ErrInvalidUpdate.Error(), es) }

func (es fieldErrors) Unwrap() []error { return es }

// optionErrors are the FieldErrors New finds in its Options (the Routes),
// named as Validate names an update's, in one error: "broadcast:
// Options.Routes[\"x\"].First: needs Statuses; …". They are no update's,
// and so are not ErrInvalidUpdate.
type optionErrors []error

func (es optionErrors) Error() string { return faults("broadcast", es) }

// faults says es, FieldErrors, after prefix: "prefix: Field: Problem; Field: Problem".
func faults(prefix string, es []error) string {
	var b strings.Builder
	b.WriteString(prefix)
	sep := ": "
	for _, e := range es {
		fe := e.(*FieldError)
		b.WriteString(sep + fe.Field + ": " + fe.Problem)
		sep = "; "
	}
	return b.String()
}

// checkYear checks that time t of field has a year RFC 3339 can write,
// 0 to 9999, in its own zone and in UTC: JSON's time format (a webhook's
// payload, a Store's record) writes no other.
func checkYear(field string, t time.Time) *FieldError {
	for _, y := range [2]int{t.Year(), t.UTC().Year()} {
		if y < 0 || y > 9999 {
			return invalid(field, "year %d, outside 0 to 9999", y)
		}
	}
	return nil
}

// checkLength checks that text s of field has at most limit characters
// once cleaned (see Clean), and at most 16 bytes per character of limit
// before.
func checkLength(field, s string, oneLine bool, limit int) *FieldError {
	if len(s) > 16*limit {
		return invalid(field, "%d bytes, more than %d even before escape sequences are removed", len(s), 16*limit)
	}
	if n := utf8.RuneCountInString(cleanText(s, oneLine)); n > limit {
		return invalid(field, "%d characters, more than %d", n, limit)
	}
	return nil
}

// Blank reports whether text s shows nothing once Clean has removed its
// escape sequences and control characters (what channels would be given):
// it has only white space and format characters (zero width spaces and
// joiners, bidi marks, U+FEFF), which no reader sees. Validate refuses a
// blank Title or component name as missing; a program that builds updates
// from other systems' labels asks Blank to skip or replace such a value.
func Blank(s string) bool {
	// What comes before the first control character Clean leaves as it
	// is: a character shown there settles it without cleaning the whole
	// text (a long Body's is cleaned in a pass of its own).
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
		case dropped(r) || r == utf8.RuneError:
			return !strings.ContainsFunc(cleanText(s, true), shown)
		case shown(r):
			return false
		}
	}
	return true
}

// shown reports whether r is a character a reader sees: not white space
// nor a format character (see Blank).
func shown(r rune) bool { return !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) }

// invalid is the error of a value of field at fault.
func invalid(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// checkKeyField checks key s of field, which may be empty: valid UTF-8
// without NUL, control characters or bidi controls (unicode.Bidi_Control), at most maxIDLength
// bytes, and not blank (see Blank): a blank key is a mistake for an
// empty one, and would be one key shared by every update given it.
func checkKeyField(field, s string) *FieldError {
	if err := checkText(s, true); err != "" {
		return invalid(field, "%s", err)
	}
	if len(s) > maxIDLength {
		return invalid(field, "longer than %d bytes", maxIDLength)
	}
	if s != "" && Blank(s) {
		msg := "blank (white space or invisible characters only)"
		if field == "ID" || field == "IncidentID" {
			msg += "; leave it empty for one derived from the content"
		}
		return invalid(field, "%s", msg)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return invalid(field, "contains the bidi control U+%04X, which changes the direction of the text shown after it", r)
	}
	return nil
}

// ComponentKey is what two names of one component share, name cleaned:
// it case-folded, as strings.EqualFold compares (the final sigma "ς" and
// "Σ" are one letter, as "k" and the Kelvin sign are), without the
// invisible format characters a reader does not see (zero width spaces,
// bidi marks, soft hyphens; the joiners, which change how letters and
// emoji are drawn, are kept), and with each run of white space one space.
// Channels show such names alike, and Statuspage.io finds a component by
// its name in any case, so names that differ only so are one component.
// strings.ToLower alone kept "ΟΔΟΣ" ("οδοσ") and "Οδος" apart.
// Validate refuses two components of one key, Route.Components matches
// by it, and channels that look a component up by its name (a status
// page's configured components) use it too.
func ComponentKey(name string) string {
	if strings.ContainsFunc(name, invisibleInName) {
		name = strings.Map(func(r rune) rune {
			if invisibleInName(r) {
				return -1
			}
			return r
		}, name)
	}
	return strings.Map(foldRune, strings.Join(strings.Fields(name), " "))
}

// invisibleInName reports whether r is a format character that shows
// nothing in a component's name: every one but the zero width joiner and
// non-joiner.
func invisibleInName(r rune) bool {
	return r != '\u200c' && r != '\u200d' && unicode.Is(unicode.Cf, r)
}

// foldRune is the rune that stands for r's case-folding orbit (see
// unicode.SimpleFold): the least rune of it, so that the runes
// strings.EqualFold takes for one fold to the same.
func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}

// checkTextField checks text s of field: valid UTF-8 without NUL, and,
// with a limit, at most limit characters (see checkLength).
func checkTextField(field, s string, oneLine bool, limit int) *FieldError {
	if err := checkText(s, false); err != "" {
		return invalid(field, "%s", err)
	}
	if limit > 0 {
		return checkLength(field, s, oneLine, limit)
	}
	return nil
}

// CheckID reports what is wrong with id as the ID of an update given on
// its own (the original of Correct, the update of Retract, SentTime,
// ReachedOn and RetractedOn, of a Report or of a Wait), or of an incident
// (Thread's incidentID): empty, not valid
// UTF-8, a NUL or control character, longer than 255 bytes, blank (see
// Blank) or holding a bidi control, as Validate checks Update.ID: no
// update has such an ID. Its error wraps ErrInvalidUpdate and names
// field; nil when id is fine.
func CheckID(field, id string) error {
	if fe := checkIDField(field, id); fe != nil {
		return fe
	}
	return nil
}

// checkIDField is CheckID's check, as a validation adds it.
func checkIDField(field, id string) *FieldError {
	if id == "" {
		return invalid(field, "missing")
	}
	return checkKeyField(field, id)
}

// checkText says what is wrong with the text of a field, or "".
func checkText(s string, key bool) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	for _, r := range s {
		switch {
		case r == 0:
			return "contains NUL"
		case key && isControl(r):
			return fmt.Sprintf("contains the control character %U", r)
		}
	}
	return ""
}

func (u Update) validateOverrides(v *validation) {
	if len(u.Overrides) == 0 {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(u.Overrides)) {
		text := u.Overrides[k]
		if err := CheckName(k); err != nil {
			v.add(invalid("Overrides", "%s", nameProblem(k, err)))
			continue
		}
		field := fmt.Sprintf("Overrides[%q]", k)
		if err := checkText(text, false); err != "" {
			v.add(invalid(field, "%s", err))
			continue
		}
		v.add(checkLength(field, text, false, MaxBodyLength))
	}
}

// CheckURL reports what is wrong with raw as an Update.URL, as Validate
// checks it: not an absolute http or https URL with a host, credentials
// (user information, or a query parameter named as one: token,
// access_token, sig, X-Amz-Signature…, also in a fragment) in it, which
// every channel would post for all to see, white space, control or invisible format characters, a bad port.
// Its error is a *FieldError naming URL, wraps ErrInvalidUpdate and does
// not quote raw; nil when raw is fine, or "" (no URL). A channel given a
// Message built without the Broadcaster (NewMessage does not validate)
// calls it before it shows or links the URL; templates.Set.Text does.
func CheckURL(raw string) error {
	if fe := checkURLField(raw); fe != nil {
		return fe
	}
	return nil
}

// checkURLField is CheckURL's check, as Validate adds it.
func checkURLField(raw string) *FieldError {
	if raw == "" {
		return nil
	}
	if fe := checkTextField("URL", raw, true, 0); fe != nil {
		return fe
	}
	if err := checkURL(raw); err != nil {
		return invalid("URL", "%s", err)
	}
	return nil
}

func checkURL(s string) error {
	p, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL")
	}
	if p.Scheme != "http" && p.Scheme != "https" {
		return fmt.Errorf("must be an absolute http or https URL")
	}
	if p.Hostname() == "" { // "https://:8443/x" has a port only
		return fmt.Errorf("missing host")
	}
	if p.User != nil {
		// Every channel posts the URL for all to see.
		return fmt.Errorf("carries credentials (user information before the host), which would be posted publicly")
	}
	if cut := urlcut.Problem(p, nil); cut != "" {
		// Credentials still, a "/", "?" or "#" in the password having
		// ended the authority: "https://ops:1234/x@status.example.com".
		return fmt.Errorf("%s, which would post a password publicly", cut)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isControl(r) }) {
		return fmt.Errorf("contains white space or a control character")
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cf, r) }); i >= 0 {
		// Zero width spaces and joiners, bidi marks and overrides, soft
		// hyphens, U+FEFF: no reader sees them (an override turns the
		// text of the link around), and link detection ends the link at
		// them, so the post would not carry the link whole. Escaped, as
		// a page name in Persian writes its joiners, the link works.
		r, n := utf8.DecodeRuneInString(s[i:])
		return fmt.Errorf("contains an invisible format character (U+%04X); escape it as %s, or leave it out",
			r, url.PathEscape(s[i:i+n]))
	}
	if port := p.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n > 65535 {
			return fmt.Errorf("port out of range (at most 65535)")
		}
	}
	if strings.ContainsAny(s, `<>"`) {
		// Never valid in a URL (RFC 3986), and where texts end a link:
		// Markdown's <url>, Slack's <url|label>, HTML attributes.
		return fmt.Errorf(`contains <, > or " (escape them as %%3C, %%3E and %%22)`)
	}
	if credquery.Holds(p.RawQuery) || credquery.HoldsFragment(p.EscapedFragment()) {
		// A signed link or a token pasted with the page's address; a
		// fragment too, where OAuth's implicit flow puts the token.
		return fmt.Errorf("carries a credential in its query or fragment (a parameter named as one: token, key, sig, " +
			"secret, password, auth…), which would be posted publicly")
	}
	if len(s) > MaxURLLength {
		return fmt.Errorf("%d bytes, more than %d", len(s), MaxURLLength)
	}
	return nil
}

// WithDefaults returns u cleaned (see Clean) with its empty ID, IncidentID
// and Time filled in:
//
//   - IncidentID: a slug of Title ("CDN errors in EU" → "cdn-errors-in-eu"),
//     with a short hash of the Title added when it has letters or digits
//     outside ASCII, which the slug leaves out ("Сбой API" → "api-" and
//     the hash), so that two such titles do not name one incident.
//     A title with no letters or digits in ASCII gets "incident-" and a hash.
//   - ID: "u_" and 32 hex digits of a SHA-256 over IncidentID, Status, Impact,
//     Title, Body, Components, URL, NextUpdate, Overrides, Advice and
//     Corrects, cleaned, except NextUpdate, which is hashed as given
//     (Clean drops it from an update that closes its incident, and IDs
//     derived before it did hashed it) — the same in every
//     process and on every machine. Time is left out on purpose, so that
//     re-running the same announcement is recognised as the same update; to
//     post identical text twice, set ID yourself. With a durable Store that
//     holds for as long as the Store keeps its marks: a recurring notice with
//     identical content (a weekly maintenance) needs its own ID or IncidentID.
//   - Time: now.
//
// The Broadcaster calls it before channels see the update.
func (u Update) WithDefaults(now time.Time) Update {
	next := u.NextUpdate
	u = u.Clean()
	if u.IncidentID == "" {
		u.IncidentID = incidentID(u.Title)
	}
	if u.ID == "" {
		u.ID = u.contentID(next)
	}
	if u.Time.IsZero() {
		u.Time = now
	}
	return u
}

// contentID derives the ID of u, cleaned, whose NextUpdate was next
// before Clean: Clean drops the NextUpdate of an update that closes its
// incident, and IDs derived before it did hashed it. Hashing the text as
// given instead would change the IDs of every update Clean changes.
func (u Update) contentID(next time.Time) string {
	h := sha256.New()
	field := func(s string) {
		// Length-prefixed, so that no two field lists hash alike.
		hashField(h, s)
	}
	field("outagecast-update-v1")
	field(u.IncidentID)
	field(string(u.Status))
	field(string(u.Impact))
	field(u.Title)
	field(u.Body)
	for _, c := range u.Components {
		field(c.Name)
		field(string(c.Status))
	}
	field(u.URL)
	if !next.IsZero() {
		field(next.UTC().Format(time.RFC3339Nano))
	}
	if len(u.Overrides) > 0 { // the iterators cost allocations even for none
		for _, k := range slices.Sorted(maps.Keys(u.Overrides)) {
			if k == "advice" || k == "corrects" {
				// The later fields' own labels: marked with a NUL, which
				// no other field holds (a channel name has no control
				// character, Clean removes them from texts), so that the
				// override of a channel so named does not hash as
				// Advice or Corrects. Other keys hash as before.
				k = "\x00" + k
			}
			field(k)
			field(u.Overrides[strings.TrimPrefix(k, "\x00")])
		}
	}
	// Fields added later enter the hash only when set, so that the IDs of
	// updates without them stay what they were.
	if u.Advice != "" {
		field("advice")
		field(u.Advice)
	}
	if u.Corrects != "" {
		field("corrects")
		field(u.Corrects)
	}
	var sum [sha256.Size]byte
	return "u_" + hex.EncodeToString(h.Sum(sum[:0])[:16])
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// incidentID is the IncidentID derived from title: its Slug, with a short
// hash of the title added where the Slug left out letters or digits
// beyond ASCII, which it cannot spell: "Сбой API" and "Задержки API" are
// two incidents, not both "api". Titles in ASCII keep their Slug.
func incidentID(title string) string {
	s := Slug(title)
	if isASCII(title) || !strings.ContainsFunc(title, func(r rune) bool {
		return r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
	}) {
		return s
	}
	sum := sha256.Sum256([]byte(title))
	hash := hex.EncodeToString(sum[:6])
	if s == "incident-"+hash {
		return s // no letter the Slug could spell: hashed already
	}
	const maxLen = 64 - 13 // room for "-" and the hash
	if len(s) > maxLen {
		cut := strings.LastIndexByte(s[:maxLen+1], '-')
		if cut <= 0 {
			cut = maxLen
		}
		s = s[:cut]
	}
	return s + "-" + hash
}

// Slug turns a title into an identifier of lower-case ASCII letters, digits
// and dashes, at most 64 bytes, cut at a dash where possible. Titles without
// any such characters get "incident-" and a short hash of the title instead.
func Slug(title string) string {
	const maxLen = 64
	lower := title
	if !isASCII(title) {
		lower = strings.ToLower(title) // may map letters outside ASCII into it
	}
	var buf [maxLen + 2]byte
	b := buf[:0]
	dash := false
	for i := 0; i < len(lower) && len(b) <= maxLen; i++ {
		c := lower[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && len(b) > 0 {
				b = append(b, '-')
			}
			dash = false
			b = append(b, c)
			continue
		}
		dash = true
	}
	s := string(b)
	if len(s) > maxLen {
		cut := strings.LastIndexByte(s[:maxLen+1], '-')
		if cut <= 0 {
			cut = maxLen
		}
		s = s[:cut]
	}
	if s == "" {
		sum := sha256.Sum256([]byte(title))
		return "incident-" + hex.EncodeToString(sum[:6])
	}
	return s
}
