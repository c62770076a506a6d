package main

import (
	"cmp"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/outagecast/outagecast/broadcast"
)

// checkUpdate validates u as the Broadcaster will, naming fields as the
// client wrote them, and refuses what the Broadcaster would accept but the
// API cannot serve or the client cannot have meant: an ID a URL path
// cannot hold, and an override for a channel this server does not have.
// It names every value at fault (see inputError.more), not the first
// alone, so that a client mends them in one go.
func checkUpdate(u broadcast.Update, channels []string) *inputError {
	var errs []*inputError
	if u.Validate() != nil {
		errs = fieldErrors(u)
	}
	if u.ID == "." || u.ID == ".." {
		errs = append(errs, &inputError{field: "id", msg: `"." and ".." cannot be part of the update's URL`})
	}
	for _, k := range slices.Sorted(maps.Keys(u.Overrides)) {
		if !slices.Contains(channels, k) {
			errs = append(errs, &inputError{field: "overrides[" + quote(k) + "]",
				msg: "no channel of that name; the channels are " + strings.Join(channels, ", ")})
		}
	}
	return joinErrors(errs)
}

// fieldErrors returns the errors of u, which Validate refuses, one per
// value at fault, in the order of Update's fields: Validate stops at the
// first, so each field (each component's name and status, each
// override) is validated alone, in an update valid but for it. Should
// that find nothing, Validate's own error is the answer.
func fieldErrors(u broadcast.Update) []*inputError {
	var errs []*inputError
	probe := func(edit func(p *broadcast.Update), rename func(string) string) {
		p := broadcast.Update{Title: "-", Status: broadcast.StatusInvestigating}
		edit(&p)
		if err := p.Validate(); err != nil {
			bad := invalidUpdate(err)
			if rename != nil {
				bad.field = rename(bad.field)
			}
			if !hasField(errs, bad.field) {
				errs = append(errs, bad)
			}
		}
	}
	v := reflect.ValueOf(u)
	for i := range v.NumField() {
		switch name := v.Type().Field(i).Name; name {
		case "Components":
			for j, c := range u.Components {
				at := func(f string) string {
					return strings.Replace(f, "components[0]", "components["+strconv.Itoa(j)+"]", 1)
				}
				probe(func(p *broadcast.Update) {
					p.Components = []broadcast.Component{{Name: c.Name, Status: broadcast.ComponentOperational}}
				}, at)
				probe(func(p *broadcast.Update) { p.Components = []broadcast.Component{{Name: "-", Status: c.Status}} }, at)
			}
		case "Overrides":
			for _, k := range slices.Sorted(maps.Keys(u.Overrides)) {
				probe(func(p *broadcast.Update) { p.Overrides = map[string]string{k: u.Overrides[k]} }, nil)
			}
		default:
			probe(func(p *broadcast.Update) { reflect.ValueOf(p).Elem().Field(i).Set(v.Field(i)) }, nil)
		}
	}
	if len(errs) == 0 {
		errs = append(errs, invalidUpdate(u.Validate()))
	}
	return errs
}

// validID reports whether an update can have id as its ID: the rules
// Validate applies to keys, and not "." or "..".
func validID(id string) bool {
	probe := broadcast.Update{ID: id, Title: "-", Status: broadcast.StatusInvestigating}
	return id != "" && id != "." && id != ".." && probe.Validate() == nil
}

// invalidUpdate turns an error of Update.Validate, which names Go fields
// ("broadcast: invalid update: Components[0].Status: unknown value"), into
// one naming the value as the client wrote it ("components[0].status").
// The unknown value it quotes whole is quoted cut, as a key is (see quote).
func invalidUpdate(err error) *inputError {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, broadcast.ErrInvalidUpdate.Error()+": "); ok {
		msg = after
	}
	path, rest, ok := jsonPath(msg, reflect.TypeFor[broadcast.Update]())
	if !ok {
		return &inputError{msg: msg}
	}
	if q, ok := strings.CutPrefix(rest, "unknown value "); ok {
		if v, err := strconv.Unquote(q); err == nil {
			rest = "unknown value " + quote(v)
		}
	}
	return &inputError{field: path, msg: rest}
}

// jsonPath reads the path of Go names at the start of msg, up to ": ",
// with their indexes ([0], ["key"]), and returns it in the JSON names of
// the fields of t, with the rest of msg.
func jsonPath(msg string, t reflect.Type) (path, rest string, ok bool) {
	var b strings.Builder
	s := msg
	for {
		i := strings.IndexFunc(s, func(r rune) bool { return r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if i <= 0 || t.Kind() != reflect.Struct {
			return "", "", false
		}
		f, found := t.FieldByName(s[:i])
		if !found {
			return "", "", false
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		b.WriteString(cmp.Or(name, f.Name))
		s, t = s[i:], f.Type
		for strings.HasPrefix(s, "[") {
			n := indexLen(s)
			if n == 0 || (t.Kind() != reflect.Slice && t.Kind() != reflect.Map) {
				return "", "", false
			}
			b.WriteString(s[:n])
			s, t = s[n:], t.Elem()
		}
		if rest, ok := strings.CutPrefix(s, ": "); ok {
			return b.String(), rest, true
		}
		if s, ok = strings.CutPrefix(s, "."); !ok {
			return "", "", false
		}
		b.WriteByte('.')
	}
}

// indexLen returns the length of the index that starts s: [12] or a
// quoted key ["a]b"]; 0 if s starts none.
func indexLen(s string) int {
	if strings.HasPrefix(s, `["`) {
		q, err := strconv.QuotedPrefix(s[1:])
		if err != nil || !strings.HasPrefix(s[1+len(q):], "]") {
			return 0
		}
		return len(q) + 2
	}
	j := strings.IndexByte(s, ']')
	if j < 2 {
		return 0
	}
	if _, err := strconv.Atoi(s[1:j]); err != nil {
		return 0
	}
	return j + 1
}
