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
	if err := u.ValidateNow(); err != nil { // the clock's faults too, with the others
		errs = invalidUpdate(err)
	}
	if slices.Contains(unroutableIDs, u.ID) {
		errs = append(errs, &inputError{field: "id", msg: `".", ".." and "/" cannot be part of the update's URL`})
	}
	for _, k := range slices.Sorted(maps.Keys(u.Overrides)) {
		if !slices.Contains(channels, k) {
			errs = append(errs, &inputError{field: "overrides[" + quote(k) + "]",
				msg: "no channel of that name; the channels are " + strings.Join(channels, ", "), ofKey: true})
		}
	}
	return joinErrors(errs)
}

// unroutableIDs are the IDs whose URL does not lead to the update: a
// path of "." or ".." is cleaned away, and the router reads
// /v1/updates/%2F as /v1/updates/ with its trailing slash. Taken, such an
// update would be queued, and neither readable, correctable nor
// retractable.
var unroutableIDs = []string{".", "..", "/"}

// validID reports whether an update can have id as its ID: the rules
// Validate applies to keys, and not one of unroutableIDs.
func validID(id string) bool {
	probe := broadcast.Update{ID: id, Title: "-", Status: broadcast.StatusInvestigating}
	return id != "" && !slices.Contains(unroutableIDs, id) && probe.Validate() == nil
}

// invalidUpdate turns an error of Update.Validate (or of the
// Broadcaster's other checks), whose broadcast.FieldErrors name Go fields
// ("Components[0].Status"), into the values at fault as the client wrote
// them ("components[0].status"), every one. The unknown value it quotes
// whole is quoted cut, as a key is (see quote).
func invalidUpdate(err error) []*inputError {
	var errs []*inputError
	for _, fe := range broadcast.FieldErrors(err) {
		errs = append(errs, fieldError(fe))
	}
	if len(errs) == 0 {
		errs = append(errs, &inputError{msg: strings.TrimPrefix(err.Error(), broadcast.ErrInvalidUpdate.Error()+": ")})
	}
	return errs
}

// fieldError is fe naming the value as the client wrote it.
func fieldError(fe *broadcast.FieldError) *inputError {
	path, ok := jsonPath(fe.Field, reflect.TypeFor[broadcast.Update]())
	if !ok {
		return &inputError{msg: fe.Field + ": " + fe.Problem}
	}
	rest := fe.Problem
	if q, ok := strings.CutPrefix(rest, "unknown value "); ok {
		if v, err := strconv.Unquote(q); err == nil {
			rest = "unknown value " + quote(v)
		}
	}
	// A component listed twice names the first listing by its Go path
	// too ("listed already as Components[0] (…"); the name before it is
	// the client's, so the last such phrase is the Broadcaster's.
	const listed = ", listed already as "
	if i := strings.LastIndex(rest, listed); i >= 0 {
		head, tail := rest[:i+len(listed)], rest[i+len(listed):]
		other, _, _ := strings.Cut(tail, " ")
		if p, ok := jsonPath(other, reflect.TypeFor[broadcast.Update]()); ok {
			rest = head + p + tail[len(other):]
		}
	}
	return &inputError{field: path, msg: rest}
}

// jsonPath returns field, a path of Go names with their indexes ([0],
// ["key"]) into t, in the JSON names of t's fields; ok is false when
// field is not such a path.
func jsonPath(field string, t reflect.Type) (path string, ok bool) {
	var b strings.Builder
	s := field
	for {
		i := strings.IndexFunc(s, func(r rune) bool { return r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if i < 0 {
			i = len(s)
		}
		if i == 0 || t.Kind() != reflect.Struct {
			return "", false
		}
		f, found := t.FieldByName(s[:i])
		if !found {
			return "", false
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		b.WriteString(cmp.Or(name, f.Name))
		s, t = s[i:], f.Type
		for strings.HasPrefix(s, "[") {
			n := indexLen(s)
			if n == 0 || (t.Kind() != reflect.Slice && t.Kind() != reflect.Map) {
				return "", false
			}
			b.WriteString(s[:n])
			s, t = s[n:], t.Elem()
		}
		if s == "" {
			return b.String(), true
		}
		if s, ok = strings.CutPrefix(s, "."); !ok {
			return "", false
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
