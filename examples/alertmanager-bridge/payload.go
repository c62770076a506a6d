package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/outagecast/outagecast/examples/internal/jsonfield"
)

// payload is an Alertmanager webhook notification, version 4.
type payload struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"` // firing or resolved
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []alert           `json:"alerts"`

	alertsSeen bool // the body holds "alerts"
}

// payloadKeys and alertKeys are the keys of a notification and of an
// alert, as Alertmanager writes them.
var (
	payloadKeys = []string{"version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels",
		"commonLabels", "commonAnnotations", "externalURL", "alerts"}
	alertKeys = []string{"status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"}
)

// caseProblem refuses key, not one of keys, when it differs from one of
// them only in case ("Status"): Alertmanager writes each in one case, and
// encoding/json, which matches keys regardless of case, would read it as
// that field in an alert but not in the notification (decoded by name).
// Other unknown keys are ignored, so that later Alertmanager versions
// still work.
func caseProblem(key string, keys []string) error {
	for _, k := range keys {
		if strings.EqualFold(key, k) {
			return &fieldError{field: key, problem: fmt.Sprintf("unknown field, want %q (keys are case-sensitive)", k)}
		}
	}
	return nil
}

// alert is one alert of a notification.
type alert struct {
	Status       string            `json:"status"` // firing or resolved
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// Statuses of a notification and of an alert.
const (
	statusFiring   = "firing"
	statusResolved = "resolved"
)

// errPayload marks a notification the bridge cannot use: HTTP 400.
var errPayload = errors.New("bad payload")

func badPayload(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errPayload, fmt.Sprintf(format, args...))
}

// decodePayload reads and checks one notification. Unknown fields are
// ignored, so that later Alertmanager versions still work, but for one
// whose key differs from a known one only in case (caseProblem). Invalid UTF-8
// in the body's strings is dropped as the body is read (see validUTF8).
func decodePayload(r io.Reader) (*payload, error) {
	dec := json.NewDecoder(&validUTF8{r: r})
	var p payload
	if err := p.decode(dec); err != nil {
		if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
			return nil, err
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			// encoding/json would say only "EOF".
			return nil, badPayload("decode JSON: the body ends before the notification does")
		}
		return nil, badPayload("decode JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badPayload("decode JSON: data after the object")
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

// validUTF8 reads r without the invalid UTF-8 of its JSON strings, so
// that the notification's text is made fit for an update as text says:
// encoding/json would read each invalid byte as U+FFFD, posted in place of
// the letters the sender meant. Elsewhere invalid UTF-8 is not JSON and is
// left for the decoder to refuse: dropped, it would join what it stood
// between ("1\xff0" read as 10) or hide what follows the object. A
// character split between two reads of r is kept whole. Each read fills
// the caller's buffer from r, as r would: encoding/json scans again what
// it has not used each time it reads. A read needs room for utf8.UTFMax
// bytes at least (encoding/json's have 512).
type validUTF8 struct {
	r        io.Reader
	held     [utf8.UTFMax - 1]byte // the start of a character whose rest r has not given yet
	n        int                   // bytes in held
	err      error                 // r's, once it returned one
	inString bool                  // the bytes given so far end in a string
	escaped  bool                  // ... right after its backslash
}

func (v *validUTF8) Read(p []byte) (int, error) {
	if len(p) < utf8.UTFMax {
		return 0, io.ErrShortBuffer // room for a held start and a byte more
	}
	for {
		if v.err != nil && v.n == 0 {
			return 0, v.err
		}
		k := copy(p, v.held[:v.n])
		v.n = 0
		m := 0
		if v.err == nil {
			m, v.err = v.r.Read(p[k:])
		}
		if w := v.filter(p[:k+m]); w > 0 {
			return w, nil
		}
	}
}

// filter drops the invalid UTF-8 of data's strings in place, holds back
// the start of a character whose rest r has not given yet, and returns
// how many bytes are left.
func (v *validUTF8) filter(data []byte) int {
	w := 0
	for i := 0; i < len(data); {
		c, size := data[i], 1
		switch {
		case !v.inString:
			v.inString = c == '"'
		case v.escaped:
			v.escaped = false // what follows a backslash is the decoder's to judge
		case c == '\\':
			v.escaped = true
		case c == '"':
			v.inString = false
		case c >= utf8.RuneSelf:
			if v.err == nil && !utf8.FullRune(data[i:]) {
				v.n = copy(v.held[:], data[i:]) // until its rest comes, or r's end
				return w
			}
			var r rune
			if r, size = utf8.DecodeRune(data[i:]); r == utf8.RuneError && size == 1 {
				i++
				continue
			}
		}
		w += copy(data[w:], data[i:i+size])
		i += size
	}
	return w
}

// decode reads the notification object field by field and its alerts one
// at a time, keeping of each only what the mapping reads (alert.trim), so
// that a large group is held neither whole as JSON nor with every label.
func (p *payload) decode(dec *json.Decoder) error {
	if err := delim(dec, '{', "not an object"); err != nil {
		if err == io.EOF {
			return errors.New("empty body")
		}
		return err
	}
	fields := map[string]any{
		"version": &p.Version, "groupKey": &p.GroupKey, "truncatedAlerts": &p.TruncatedAlerts,
		"status": &p.Status, "receiver": &p.Receiver, "groupLabels": &p.GroupLabels,
		"commonLabels": &p.CommonLabels, "commonAnnotations": &p.CommonAnnotations, "externalURL": &p.ExternalURL,
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		switch dst, ok := fields[key]; {
		case key == "alerts":
			err = p.decodeAlerts(dec)
			p.alertsSeen = true
		case !ok:
			if err = caseProblem(key, payloadKeys); err == nil {
				err = dec.Decode(new(json.RawMessage))
			}
		default:
			err = decodeField(dec, key, dst)
		}
		if err != nil {
			return err
		}
	}
	return delim(dec, '}', "not an object")
}

// decodeField decodes the notification's field key into dst. A null in a
// field check requires is refused as null: encoding/json would leave dst
// as it was, and check would refuse an empty value the body does not hold.
func decodeField(dec *json.Decoder, key string, dst any) error {
	var raw json.RawMessage
	err := dec.Decode(&raw)
	if err == nil && string(raw) == "null" && (key == "version" || key == "groupKey" || key == "status") {
		return fmt.Errorf("%s: want a string, got null", key)
	}
	if err == nil {
		err = json.Unmarshal(raw, dst)
	}
	if err != nil {
		return fieldProblem(key, dst, err)
	}
	return nil
}

// fieldProblem is err, of decoding the notification's field key into
// dst, naming the field and, for a value of the wrong type, saying what is
// wrong in the payload's words, as for an alert's fields: encoding/json
// names Go types ("Go value of type map[string]string").
func fieldProblem(key string, dst any, err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("%s: %w", key, err)
	}
	got := jsonfield.Got(te.Value)
	kind := reflect.TypeOf(dst).Elem().Kind()
	switch {
	case kind == reflect.Map && te.Type.Kind() == reflect.String:
		return fmt.Errorf("%s: want string values, got %s", key, got)
	case kind == reflect.Int && got == "a number":
		if _, n, ok := strings.Cut(te.Value, " "); ok {
			got = n
		}
		return fmt.Errorf("%s: want a whole number, got %s", key, got)
	}
	return fmt.Errorf("%s: want %s, got %s", key, jsonfield.Kind(kind), got)
}

func (p *payload) decodeAlerts(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('[') {
		// Alertmanager sends a list of one alert or more, never null.
		return fmt.Errorf("alerts: want a list of alerts, got %s", tokenKind(tok))
	}
	p.Alerts = p.Alerts[:0]
	for dec.More() {
		var a alert
		if err := dec.Decode(&a); err != nil {
			if fe := new(fieldError); errors.As(err, &fe) && fe.field != "" {
				return fmt.Errorf("alerts[%d].%v", len(p.Alerts), fe)
			}
			return fmt.Errorf("alerts[%d]: %w", len(p.Alerts), err)
		}
		a.trim()
		p.Alerts = append(p.Alerts, a)
	}
	return delim(dec, ']', "alerts: not a list")
}

// tokenKind names the JSON value that starts with tok, as jsonfield.Kind.
func tokenKind(tok json.Token) string {
	switch tok.(type) {
	case nil:
		return "null"
	case string:
		return jsonfield.Kind(reflect.String)
	case bool:
		return jsonfield.Kind(reflect.Bool)
	case json.Delim:
		if tok == json.Delim('[') {
			return jsonfield.Kind(reflect.Slice)
		}
		return jsonfield.Kind(reflect.Map)
	}
	return jsonfield.Kind(reflect.Float64)
}

// UnmarshalJSON decodes an alert as encoding/json does, but its errors
// about a value are *fieldError values naming the field as the payload
// does: encoding/json's name Go types, and a bad time not at all. A null
// alert, or a null status, is refused as null: encoding/json would leave
// the alert as it was, and check would refuse an empty status the body
// does not hold.
func (a *alert) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return &fieldError{problem: "want an object, got null"}
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(b, &keys) == nil {
		for key := range keys {
			if !slices.Contains(alertKeys, key) {
				if err := caseProblem(key, alertKeys); err != nil {
					return err
				}
			}
		}
	}
	type fields alert // without this method
	err := json.Unmarshal(b, (*fields)(a))
	if err == nil {
		if a.Status == "" && isNull(b, "status") {
			return &fieldError{field: "status", problem: "want a string, got null"}
		}
		return nil
	}
	if field, problem := timeProblem(b, "startsAt", "endsAt"); problem != "" {
		return &fieldError{field: field, problem: problem}
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	got := jsonfield.Got(te.Value)
	want := "an object"
	switch te.Type.Kind() {
	case reflect.String:
		want = "a string"
		if te.Field == "labels" || te.Field == "annotations" {
			want = "string values" // Field is the map's, not its key's
		}
	case reflect.Slice:
		want = "a list"
	}
	if te.Field != "" {
		return &fieldError{field: te.Field, problem: "want " + want + ", got " + got}
	}
	return &fieldError{problem: "want an object, got " + got}
}

// fieldError is what is wrong with an alert, or with its field (a path
// such as "labels.severity"; "" for the alert itself).
type fieldError struct{ field, problem string }

func (e *fieldError) Error() string {
	if e.field == "" {
		return e.problem
	}
	return e.field + ": " + e.problem
}

// timeProblem names the first of fields of the JSON object raw that is
// not an RFC 3339 date-time in a JSON string, and says what it is; or
// returns "", "".
func timeProblem(raw []byte, fields ...string) (field, problem string) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return "", ""
	}
	for _, f := range fields {
		if problem := jsonfield.Time(obj[f]); problem != "" {
			return f, problem
		}
	}
	return "", ""
}

// isNull reports whether field of the JSON object raw is null.
func isNull(raw []byte, field string) bool {
	var obj map[string]json.RawMessage
	return json.Unmarshal(raw, &obj) == nil && string(obj[field]) == "null"
}

// delim reads the next token, which must be d; else the error says what.
func delim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return errors.New(what)
	}
	return nil
}

// trim drops the labels and annotations the mapping does not read
// (alertLabels, alertAnnotations). An alert without a fingerprint keeps
// every label: its labels identify it in the update's id.
func (a *alert) trim() {
	if a.Fingerprint != "" {
		a.Labels = keep(a.Labels, alertLabels)
	}
	a.Annotations = keep(a.Annotations, alertAnnotations)
}

func keep(m map[string]string, keys []string) map[string]string {
	var out map[string]string
	for _, k := range keys {
		if v, ok := m[k]; ok {
			if out == nil {
				out = make(map[string]string, len(keys))
			}
			out[k] = v
		}
	}
	return out
}

func (p *payload) check() error {
	switch {
	case p.Version == "":
		return badPayload("version: missing (want \"4\")")
	case p.Version != "4":
		return badPayload("version: %s not supported (want \"4\")", jsonfield.Quote(p.Version))
	case p.GroupKey == "":
		return badPayload("groupKey: missing")
	case p.TruncatedAlerts < 0:
		return badPayload("truncatedAlerts: %d, want 0 or more", p.TruncatedAlerts)
	case p.Status == "":
		return badPayload("status: missing")
	case p.Status != statusFiring && p.Status != statusResolved:
		return badPayload("status: unknown value %s (want firing or resolved)", jsonfield.Quote(p.Status))
	case !p.alertsSeen:
		return badPayload("alerts: missing")
	case len(p.Alerts) == 0:
		return badPayload("alerts: none")
	}
	for i, a := range p.Alerts {
		if a.Status == "" {
			return badPayload("alerts[%d].status: missing", i)
		}
		if a.Status != statusFiring && a.Status != statusResolved {
			return badPayload("alerts[%d].status: unknown value %s (want firing or resolved)", i, jsonfield.Quote(a.Status))
		}
	}
	return nil
}
