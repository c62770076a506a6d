package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/regfile"
	"github.com/outagecast/outagecast/internal/textfile"
)

//go:embed defaults/*.tmpl
var defaultFS embed.FS

// ErrUnknownTemplate is returned by Render and its relatives for a name the
// Set does not hold.
var ErrUnknownTemplate = errors.New("templates: unknown template")

// MaxFileSize is the largest template file New reads.
const MaxFileSize = 1 << 20

// MaxOutputSize is the most bytes one run of a template may write before
// tidying. A run that would write more stops there and fails with an
// error naming the template, so that a template looping over a large
// range, or writing a long body many times, costs an error rather than
// the process's memory. The defaults write at most a few MiB for the
// largest update the broadcast package accepts (1,000 components, a body
// of 25,000 characters). No function a template calls returns a longer
// string either (see the package doc's Limits): a run fails as well.
const MaxOutputSize = 16 << 20

// errOutputTooLarge stops a template run that wrote MaxOutputSize bytes.
var errOutputTooLarge = errors.New("output larger than MaxOutputSize (16 MiB)")

// cappedBuffer is a template's output buffer that refuses to grow past
// MaxOutputSize. It holds one pointer, so that making it an io.Writer
// does not allocate.
type cappedBuffer struct{ b *bytes.Buffer }

func (c cappedBuffer) Write(p []byte) (int, error) {
	if len(p) > MaxOutputSize-c.b.Len() {
		return 0, errOutputTooLarge
	}
	return c.b.Write(p)
}

// cappedDiscard counts what a template writes, up to MaxOutputSize, and
// keeps none of it.
type cappedDiscard struct{ n int }

func (c *cappedDiscard) Write(p []byte) (int, error) {
	if len(p) > MaxOutputSize-c.n {
		return 0, errOutputTooLarge
	}
	c.n += len(p)
	return len(p), nil
}

// errResultTooLarge stops a template run in which a function would
// return more than MaxOutputSize bytes.
var errResultTooLarge = errors.New("result larger than MaxOutputSize (16 MiB)")

// mustFit refuses a function's result, or arguments, of n bytes, more
// than MaxOutputSize: a template can grow a variable without writing it,
// doubling it in a loop, which the cap on its output does not stop. It
// panics, which text/template catches and returns from Execute as the
// run's error, "error calling md: …" (since Go 1.12); a second result of
// type error would cost every call an allocation.
func mustFit(n int) {
	if n > MaxOutputSize {
		panic(errResultTooLarge)
	}
}

// bounded returns f refusing a result longer than MaxOutputSize (see
// mustFit).
func bounded[A any, R ~string](f func(A) R) func(A) R {
	return func(a A) R {
		r := f(a)
		mustFit(len(r))
		return r
	}
}

// builtins replace text/template's print, println, printf, html, js and
// urlquery with the same functions refusing (see mustFit) a result longer
// than MaxOutputSize, and arguments that add up to more before they are
// joined: "{{print $x $x $x …}}" of a long $x.
func builtins() map[string]any {
	return map[string]any{
		"print":    boundedArgs(fmt.Sprint),
		"println":  boundedArgs(fmt.Sprintln),
		"html":     boundedArgs(texttemplate.HTMLEscaper),
		"js":       boundedArgs(texttemplate.JSEscaper),
		"urlquery": boundedArgs(texttemplate.URLQueryEscaper),
		"printf":   boundedPrintf,
	}
}

func boundedArgs(f func(...any) string) func(...any) string {
	return func(args ...any) string {
		n := 0
		for _, a := range args {
			n += argSize(a)
			mustFit(n)
		}
		s := f(args...)
		mustFit(len(s))
		return s
	}
}

// boundedPrintf is fmt.Sprintf refusing (see mustFit), before it formats,
// a format that may write more than MaxOutputSize (a few bytes of format
// can ask for gigabytes: "%[1]999999d" or "%[1]s" repeated), and after, a
// longer result. A width or precision of more than maxWidth, or one taken
// from an argument ("%*d"), is refused as such; each verb then writes at
// most twice maxWidth and the longest argument, a bound that is loose (a
// %q or %x of the longest argument is counted once, by a constant factor)
// but small for any format a template writes. A width or precision
// applies to each value a slice, a map or a struct holds, which are
// fewer than the bytes fmt.Sprint writes for it: a verb with one counts
// it too that many times ("%999v" of a thousand components writes 2 MB).
func boundedPrintf(format string, args ...any) string {
	longest, longestComposite := 0, 0
	for _, a := range args {
		size := argSize(a)
		longest = max(longest, size)
		if composite(a) {
			longestComposite = max(longestComposite, size)
		}
		mustFit(longest)
	}
	n, rest := len(format), format
	for i := strings.IndexByte(rest, '%'); i >= 0; i = strings.IndexByte(rest, '%') {
		spec := rest[i+1:]
		end := 0
		for end < len(spec) && strings.IndexByte("+-# 0123456789.[]*", spec[end]) >= 0 {
			end++
		}
		if wide.MatchString(spec[:end]) {
			panic(errWidth)
		}
		rest = spec[end:]
		if rest != "" && rest[0] == '%' { // "%%"
			rest = rest[1:]
			continue
		}
		n += 2*maxWidth + longest + padding(spec[:end])*longestComposite
		mustFit(n)
	}
	s := fmt.Sprintf(format, args...)
	mustFit(len(s))
	return s
}

// argSize is about as many bytes as fmt writes for a: its length for a
// string, a bound for a number or a bool, what fmt.Sprint writes else.
func argSize(a any) int {
	switch v := a.(type) {
	case string:
		return len(v)
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr,
		float32, float64, complex64, complex128:
		return 64
	}
	return len(fmt.Sprint(a))
}

// composite reports whether fmt applies a verb's width and precision to
// each of the values a holds rather than to a as a whole.
func composite(a any) bool {
	switch reflect.ValueOf(a).Kind() {
	case reflect.Array, reflect.Slice, reflect.Map, reflect.Struct, reflect.Pointer:
		return true
	}
	return false
}

// padding is the width and the precision of a printf verb, spec its
// flags, index, width and precision ("-5.2", "[2]5"), added: its numbers
// but an index's. A number is at most maxWidth (see wide).
func padding(spec string) int {
	pad := 0
	for i := 0; i < len(spec); i++ {
		j := i
		for j < len(spec) && spec[j] >= '0' && spec[j] <= '9' {
			j++
		}
		if j > i && (i == 0 || spec[i-1] != '[') {
			n, _ := strconv.Atoi(spec[i:j])
			pad += n
		}
		i = j
	}
	return pad
}

// maxWidth is the widest width or precision printf takes in a template.
const maxWidth = 999

// wide matches a printf verb's flags, index, width and precision that ask
// for more than maxWidth, or for an argument's. Leading zeros do not make a
// number larger: fmt reads those of a width as the "0" flag ("%0001d" pads
// to 1) and those of a precision as nothing ("%.0001f" has precision 1).
var wide = regexp.MustCompile(`\*|(^|[^0-9\[])0*[1-9][0-9]{3,}`)

// errWidth stops a template run whose printf asks for a width or precision
// of more than maxWidth.
var errWidth = errors.New("printf: a width or precision of more than 999, or taken from an argument (*)")

// Set is a collection of parsed templates, keyed by name. It is immutable and
// safe for concurrent use; With and New return new Sets. A nil *Set stands
// for Default(), so a Config field of type *Set needs no default.
type Set struct {
	byName map[string]*entry
	err    error // set only if the embedded defaults failed to load
	// plain is set on a Set for a channel that shows its text as
	// written (see Plain).
	plain bool
}

type executor interface {
	Execute(w io.Writer, data any) error
}

type entry struct {
	name    string
	exec    executor
	single  bool // output collapsed to one line
	plain   bool // output shown as plain text, whatever the Set (see plainText)
	builtin bool // one of the embedded defaults
}

var loadDefaults = sync.OnceValue(func() *Set {
	sub, err := fs.Sub(defaultFS, "defaults")
	if err == nil {
		var s *Set
		if s, err = load(&Set{}, sub); err == nil {
			// Marked once loaded, so that the defaults' own short
			// keeps their variants.
			for _, e := range s.byName {
				e.builtin = true
			}
			return s
		}
	}
	return &Set{err: fmt.Errorf("templates: load defaults: %w", err)}
})

// Default returns the embedded default templates: short, short.resolved,
// short.completed, subject, text, html and markdown. The Set is parsed once,
// on first use, and shared.
func Default() *Set {
	return loadDefaults()
}

// New returns the defaults overridden, or extended, by every file named
// "<name>.tmpl" at the root of fsys, such as "short.tmpl" or
// "short.resolved.tmpl". A file of a base name, "short.tmpl", also drops
// the defaults' variants of it (short.resolved, short.completed): the
// directory's own variants stay. Other files and directories are ignored,
// and so are hidden files, whose names start with "." (an editor's lock
// file, ".#short.tmpl", or the "._short.tmpl" macOS writes beside a file
// copied to a disk or an archive that cannot hold its metadata). A
// template file must be a regular file (symbolic links followed) of at most
// MaxFileSize bytes: a named pipe or a device is refused, where fsys can
// tell without opening it (os.DirFS can), rather than read. A file must be
// UTF-8, its leading byte-order mark dropped. Errors name the file: every
// file refused is named, each in an error of its own (a *FileError),
// joined with errors.Join, so one a line (a name holding a line break or another
// character that is not printable is quoted; a file whose name is no
// template's is refused unread). With that error New also returns the Set
// of the files it took, without those it refused, so that a caller
// naming every fault of a configuration can still check the templates
// others name (package config does); the Set is nil only when fsys is
// nil or its directory cannot be read.
func New(fsys fs.FS) (*Set, error) {
	if fsys == nil {
		return nil, errors.New("templates: New: nil file system")
	}
	return load(Default(), fsys)
}

// FileTemplate returns the name of the template a file named file holds
// when New reads it from a directory ("short" of "short.tmpl"), and false
// for a file New ignores: one not named "<name>.tmpl", or hidden (see
// New). It does not check the name (New does).
func FileTemplate(file string) (string, bool) {
	if strings.HasPrefix(file, ".") {
		return "", false
	}
	return strings.CutSuffix(file, ".tmpl")
}

func load(base *Set, fsys fs.FS) (*Set, error) {
	if base.err != nil {
		return nil, base.err
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("templates: read directory: %w", err)
	}
	out := &Set{byName: maps.Clone(base.byName)}
	if out.byName == nil {
		out.byName = make(map[string]*entry)
	}
	var faults []error // one per file refused, in name order
	for _, de := range entries {
		file := de.Name()
		name, ok := FileTemplate(file)
		if !ok || de.IsDir() {
			continue
		}
		if e, err := loadFile(fsys, file, name); err != nil {
			faults = append(faults, &FileError{File: file, err: err})
		} else {
			out.put(name, e)
		}
	}
	if len(faults) > 0 {
		return out, errors.Join(faults...)
	}
	return out, nil
}

// loadFile reads, decodes and parses the template name from file of
// fsys; its error names the file. A file whose name is no template's is
// refused unread, naming it as ShownFile does: every other file's name
// is printable.
func loadFile(fsys fs.FS, file, name string) (*entry, error) {
	if _, _, err := checkName(name); err != nil {
		return nil, fmt.Errorf("templates: %s: %w", ShownFile(file), err)
	}
	text, err := regfile.Read(fsys, file, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("templates: read %s: %w", file, err)
	}
	decoded, err := textfile.Decode(text)
	if err != nil {
		return nil, fmt.Errorf("templates: %s: %w", file, err)
	}
	e, err := parse(name, decoded)
	if err != nil {
		return nil, fmt.Errorf("templates: %s: %w", file, err)
	}
	return e, nil
}

// FileError is New's error about one file of the directory, which it
// refused: its text names the file, as ShownFile does, and says why
// ("templates: short.tmpl: parse: …"). New joins one for each file it
// refuses; errors.As finds which file each is about, for a caller that
// names its own faults of the same file (package config) on the line of
// New's.
type FileError struct {
	// File is the file's name in the directory, as fs.ReadDir gives it.
	File string
	err  error // the whole error, naming the file
}

// Error returns the error's text: the file's name and why New refused it.
func (e *FileError) Error() string { return e.err.Error() }

// Unwrap returns the error naming the file, which wraps that of reading,
// decoding or parsing it.
func (e *FileError) Unwrap() error { return e.err }

// ShownFile returns file, the name of a file of a templates directory, as
// New's errors name it: as it is, or quoted when it holds a character
// that is not printable (a line break would put the rest of its error on
// a line naming no file) or is not UTF-8. A caller naming such files in
// errors of its own (package config) names them alike.
func ShownFile(file string) string {
	if !utf8.ValidString(file) || strings.IndexFunc(file, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(file)
	}
	return file
}

// put adds e to s, which must be s's own copy, as name. A base name drops
// the defaults' variants of it, so that a user's own "short" is not
// replaced by the default "short.resolved" on the update that says the
// outage is over. Variants the user gave stay, whichever came first.
func (s *Set) put(name string, e *entry) {
	if !strings.Contains(name, ".") {
		for n, old := range s.byName {
			if old.builtin && strings.HasPrefix(n, name+".") {
				delete(s.byName, n)
			}
		}
	}
	s.byName[name] = e
}

// With returns a copy of s with the template name replaced, or added, parsed
// from text. A name is a base name of ASCII letters, digits, '-' and '_',
// optionally followed by "." and a status ("short.resolved"). Replacing a
// base name also drops the defaults' variants of it: With("short", …)
// leaves no default short.resolved or short.completed, so the text is used
// for every status unless variants of your own are added too, before or
// after. Templates whose base name is "html" use html/template; all others
// use text/template. Text that is not valid UTF-8 is an error naming its
// line.
func (s *Set) With(name, text string) (*Set, error) {
	s = orDefault(s)
	if s.err != nil {
		return nil, s.err
	}
	e, err := parse(name, text)
	if err != nil {
		return nil, fmt.Errorf("templates: %s: %w", name, err)
	}
	out := &Set{byName: maps.Clone(s.byName), plain: s.plain}
	if out.byName == nil {
		out.byName = make(map[string]*entry)
	}
	out.put(name, e)
	return out, nil
}

// Names returns the names of the templates in s, sorted.
func (s *Set) Names() []string {
	s = orDefault(s)
	return slices.Sorted(maps.Keys(s.byName))
}

// Plain returns s (nil: Default()) for a channel whose platform shows
// the text as written, not as Markdown: X, Mastodon, Bluesky, IRC,
// Matrix and Telegram, which make their HTML from the text, escaped, and
// Teams, whose card shows each line as a text run, as written. Its
// Text and RenderFit write a link destination that a cut moves after the
// ellipsis within "<" and ">" (see Shorten) as the URL the link points
// to, "&" as "&", as ShortenPlain does, whichever template renders the
// text, markdown and templates of your own too: there "<" and ">" are
// the delimiters of a URL in text (RFC 3986, Appendix C), and no
// character reference is read; so are the destinations of the links it
// keeps, and of every link when the text fits, so that a link shows the
// same URL whether the text is cut or not. A Set that is not Plain, as the channels
// that send Markdown or a markup of their platform's hold, writes it so
// for the plain-text templates only (short, subject, text, and their
// variants), and as a CommonMark autolink, "&amp;" for an "&" that would
// start a character reference, as Shorten does, for every other
// template. The templates are the same, shared with s, which Plain
// leaves as it is; With on the result returns a Plain Set too.
func (s *Set) Plain() *Set {
	s = orDefault(s)
	if s.plain {
		return s
	}
	return &Set{byName: s.byName, err: s.err, plain: true}
}

// shownPlain reports whether the text of e, one of s's templates, is
// shown as written: s is Plain, or e is a plain-text template.
func (s *Set) shownPlain(e *entry) bool { return s != nil && s.plain || e.plain }

func orDefault(s *Set) *Set {
	if s == nil {
		return Default()
	}
	return s
}

// Render executes the template name for u. When u.Status is, say,
// "resolved" and s holds "<name>.resolved", that variant is used instead.
// Render does not modify u.
func (s *Set) Render(name string, u broadcast.Update) (string, error) {
	e, err := s.lookup(name, u.Status)
	if err != nil {
		return "", err
	}
	return e.render(u)
}

func (s *Set) lookup(name string, status broadcast.Status) (*entry, error) {
	s = orDefault(s)
	if s.err != nil {
		return nil, s.err
	}
	if e, ok := s.byName[name+"."+string(status)]; ok && status != "" {
		return e, nil
	}
	if e, ok := s.byName[name]; ok {
		return e, nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownTemplate, name)
}

func (e *entry) render(u broadcast.Update) (string, error) {
	return e.execute(newData(u))
}

// execute runs the template on d and tidies the output.
func (e *entry) execute(d Data) (string, error) {
	b := getBuffer()
	defer putBuffer(b)
	if err := e.run(cappedBuffer{b}, d); err != nil {
		return "", err
	}
	return normalize(b.Bytes(), e.single), nil
}

// run runs the template on d into w, untidied.
func (e *entry) run(w io.Writer, d Data) error {
	if err := e.exec.Execute(w, d); err != nil {
		return fmt.Errorf("templates: render %s: %w", e.name, err)
	}
	return nil
}

// parse parses one template and executes it on a sample update of each
// status it can render (a variant's own, every one for a base name), so
// that a reference to a missing field fails here rather than at send time,
// also in a branch for one status.
func parse(name, text string) (*entry, error) {
	base, status, err := checkName(name)
	if err != nil {
		return nil, err
	}
	if err := textfile.Check(text); err != nil {
		return nil, err
	}
	e := &entry{name: name, single: base == "short" || base == "subject", plain: plainText[base]}
	// missingkey=zero: a key Overrides lacks is empty text, not
	// "<no value>" in a post.
	if base == "html" {
		e.exec, err = htmltemplate.New(name).Option("missingkey=zero").Funcs(funcs()).Parse(text)
	} else {
		e.exec, err = texttemplate.New(name).Option("missingkey=zero").Funcs(funcs()).Parse(text)
	}
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	check := statuses
	if status != "" {
		check = []broadcast.Status{status}
	}
	for _, st := range check {
		u := sample
		u.Status = st
		// As if RenderFit had left two more components out, so that a
		// template's branch for the count runs too.
		if err := e.exec.Execute(&cappedDiscard{}, newData(u).leftOut(len(u.Components)+2)); err != nil {
			return nil, fmt.Errorf("check on a sample update, status %s: %w", st, err)
		}
	}
	return e, nil
}

// plainText holds the base names of the templates whose output is plain
// text, whichever channel shows it (one line for X, IRC, Mastodon and
// Bluesky, an e-mail's subject and text part): a link destination a cut
// moves after the ellipsis is written there as the URL the link points
// to, "&" as "&" (see cutter.plain), by any Set, Plain or not. Every
// other template's output may be markup that reads character references
// ("markdown", "html", a template of your own), which only a Plain Set
// shows as written.
var plainText = map[string]bool{"short": true, "subject": true, "text": true}

// checkName splits name into its base name and status ("" for none).
func checkName(name string) (base string, status broadcast.Status, err error) {
	base, st, variant := strings.Cut(name, ".")
	if base == "" || strings.Trim(base, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		return "", "", fmt.Errorf("bad template name %q: want letters, digits, '-' or '_', then optionally .<status>", name)
	}
	if variant && !broadcast.Status(st).Valid() {
		return "", "", fmt.Errorf("bad template name %q: %q is not a status", name, st)
	}
	return base, broadcast.Status(st), nil
}

// sample exercises every field a template may reasonably use. Corrects
// stays empty: a correction is rendered only where a channel cannot edit,
// and the channels try their templates on corrections when they are made.
var sample = broadcast.Update{
	ID: "u_sample", IncidentID: "sample", Title: "Sample", Status: broadcast.StatusInvestigating,
	Impact: broadcast.ImpactMinor, Body: "Sample body.\n\nSecond paragraph.", Advice: "No action needed.",
	Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded}},
	URL:        "https://status.example.com/incidents/1",
	Time:       time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	NextUpdate: time.Date(2025, 1, 2, 4, 4, 5, 0, time.UTC),
	Overrides:  map[string]string{"sample": "Sample override"},
}
