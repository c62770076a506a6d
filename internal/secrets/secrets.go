// Package secrets finds the secrets of a channel's Config, for the checks
// that keep them out of what is shown: a channel's name (which is shown
// everywhere, unredacted), a value quoted in an error, and the secrets a
// configuration file took from the environment. It is the one walker
// for all of them, so that the channel packages (through their New) and
// config (for every Kind, also one whose New checks nothing) find the
// same secrets in the same Config.
//
// What is secret is said by types, not by rules about field names: a
// redact.Secret is a secret and a redact.URL is a URL that may carry
// credentials. A string holding "://" is taken for a URL too: a plain URL
// field (a base URL) may carry credentials in its user information or
// query. A type whose values hold secrets of another shape (an IRC channel
// list, "#ops key") is named by the caller with Held.
package secrets

import (
	"encoding/base64"
	"reflect"
	"strconv"
	"strings"

	"github.com/outagecast/outagecast/redact"
)

// Found are the secrets of a value.
type Found struct {
	// Secrets are the values of its redact.Secret fields that are set,
	// and what Held gives for its fields of a Held type.
	Secrets []redact.Secret
	// URLs are its redact.URL fields that are set.
	URLs []redact.URL
	// Texts are its strings that hold "://": URLs written in plain string
	// fields, which may carry credentials.
	Texts []string
}

// AllURLs returns URLs and Texts, as redact.URL values: what
// redact.CheckName and redact.Redactor.WithURLs take.
func (f Found) AllURLs() []redact.URL {
	out := make([]redact.URL, 0, len(f.URLs)+len(f.Texts))
	out = append(out, f.URLs...)
	for _, t := range f.Texts {
		out = append(out, redact.NewURL(t))
	}
	return out
}

// Held names a type whose values hold secrets that are no redact.Secret,
// and says which: Secrets returns them, given a value of Type.
type Held struct {
	Type    reflect.Type
	Secrets func(reflect.Value) []redact.Secret
}

// Find returns the secrets of v, a Config: in v itself and in its
// exported struct fields, the elements of its slices and arrays, the keys
// and values of its maps, and what its pointers point to, at any depth.
// Interfaces, functions and channels are not followed: they hold
// behaviour (an HTTP client's transport, a logger), not configuration. A
// value reached twice through pointers, or a map or list reached twice
// (one that holds itself), is looked at once.
func Find(v any, held ...Held) Found {
	var f Found
	w := walker{held: held, found: func(_ []string, s redact.Secret, u redact.URL, text string) bool {
		switch {
		case !s.IsZero():
			f.Secrets = append(f.Secrets, s)
		case !u.IsZero():
			f.URLs = append(f.URLs, u)
		case text != "":
			f.Texts = append(f.Texts, text)
		}
		return false
	}}
	if v != nil {
		w.walk(reflect.ValueOf(v), nil)
	}
	return f
}

// Field returns where in v, as Find walks it, the first secret, URL or
// text for which in, given a Found of that one, reports true: a Go field
// path, as "Endpoints[2].Secret" or "Headers[…]" (a map's entries are
// not told apart: a key may be a secret pasted in the wrong place). It returns
// "" when in reports true for none, and "." for v itself.
func Field(v any, in func(Found) bool, held ...Held) string {
	var at string
	w := walker{held: held, found: func(path []string, s redact.Secret, u redact.URL, text string) bool {
		var one Found
		switch {
		case !s.IsZero():
			one.Secrets = []redact.Secret{s}
		case !u.IsZero():
			one.URLs = []redact.URL{u}
		case text != "":
			one.Texts = []string{text}
		}
		if !in(one) {
			return false
		}
		at = strings.TrimPrefix(strings.Join(path, ""), ".")
		if at == "" {
			at = "."
		}
		return true
	}}
	if v != nil {
		w.walk(reflect.ValueOf(v), nil)
	}
	return at
}

var (
	secretType = reflect.TypeFor[redact.Secret]()
	urlType    = reflect.TypeFor[redact.URL]()
)

// walker walks a value; found is called for each secret, URL (as s or u,
// the other zero) and text found, with where, and stops the walk by
// returning true.
type walker struct {
	held  []Held
	found func(path []string, s redact.Secret, u redact.URL, text string) bool
	seen  map[visit]bool // what pointers, maps and lists led to
}

// visit is a value reached by reference: a pointer's, a map's or a
// slice's (with its length: a shorter slice of the same array holds less).
type visit struct {
	ptr uintptr
	typ reflect.Type
	len int
}

// again reports whether v, a pointer, map or slice, was walked already,
// and notes it: a map or slice can hold itself without a pointer
// (type tree map[string]tree), and a value reached twice is looked at
// once.
func (w *walker) again(v reflect.Value) bool {
	k := visit{ptr: v.Pointer(), typ: v.Type()}
	if v.Kind() == reflect.Slice {
		k.len = v.Len()
	}
	if w.seen[k] {
		return true
	}
	if w.seen == nil {
		w.seen = map[visit]bool{}
	}
	w.seen[k] = true
	return false
}

// walk reports whether found stopped the walk.
func (w *walker) walk(v reflect.Value, path []string) bool {
	if !v.IsValid() {
		return false
	}
	switch t := v.Type(); t {
	case secretType:
		return w.found(path, v.Interface().(redact.Secret), redact.URL{}, "")
	case urlType:
		return w.found(path, redact.Secret{}, v.Interface().(redact.URL), "")
	default:
		for _, h := range w.held {
			if t == h.Type {
				for _, s := range h.Secrets(v) {
					if w.found(path, s, redact.URL{}, "") {
						return true
					}
				}
				return false
			}
		}
	}
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); strings.Contains(s, "://") {
			return w.found(path, redact.Secret{}, redact.URL{}, s)
		}
	case reflect.Pointer:
		if v.IsNil() || w.again(v) {
			return false
		}
		return w.walk(v.Elem(), path)
	case reflect.Struct:
		t := v.Type()
		if strings.HasPrefix(t.PkgPath(), "crypto/") {
			// A TLS configuration's certificates: their public URLs
			// (CRL, OCSP, issuer) are no credentials, and the keys are
			// behind interfaces.
			return false
		}
		for i := range v.NumField() {
			if t.Field(i).IsExported() && w.walk(v.Field(i), append(path, "."+t.Field(i).Name)) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if !w.mayHold(v.Type().Elem()) {
			return false // bytes, numbers
		}
		if v.Kind() == reflect.Slice && (v.IsNil() || w.again(v)) {
			return false
		}
		for i := range v.Len() {
			if w.walk(v.Index(i), append(path, "["+strconv.Itoa(i)+"]")) {
				return true
			}
		}
	case reflect.Map:
		if v.IsNil() || w.again(v) {
			return false
		}
		path := append(path, "[…]") // the key may be a secret pasted there
		for it := v.MapRange(); it.Next(); {
			if w.walk(it.Key(), path) || w.walk(it.Value(), path) {
				return true
			}
		}
	}
	return false
}

// mayHold reports whether a value of t may hold what the walker finds:
// not one of a kind it never looks into (a number, a boolean, a
// function), unless a Held type.
func (w *walker) mayHold(t reflect.Type) bool {
	for _, h := range w.held {
		if t == h.Type {
			return true
		}
	}
	switch t.Kind() {
	case reflect.String, reflect.Struct, reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return true
	}
	return false
}

// CheckName applies redact.CheckName to name, a channel's name, with the
// secrets Find finds in v, a Config, and more. Its error wraps
// redact.ErrSecretInName and, when the secret is one of v's, says where
// it is in v without quoting it ("…; it holds the value of
// Config.Headers"), so that a user who took the value for no secret (a
// webhook's header, whose values are all secrets) sees why the name is
// refused. Nil v checks more alone.
func CheckName(name string, v any, more []redact.Secret, held ...Held) error {
	f := Find(v, held...)
	if err := redact.CheckName(name, withLogins(append(f.Secrets, more...)), f.AllURLs()); err == nil {
		return nil
	}
	field := Field(v, func(one Found) bool {
		return redact.CheckName(name, withLogins(one.Secrets), one.AllURLs()) != nil
	}, held...)
	if field == "" || field == "." {
		return redact.ErrSecretInName
	}
	return &NameError{Field: field}
}

// NameError is CheckName's error for a name that holds a secret of a
// Config's field.
type NameError struct {
	Field string // the Go path of the field in the Config, as "Headers[…]" or "Endpoints[2].Secret"
}

// Error returns redact.ErrSecretInName's text and the field.
func (e *NameError) Error() string {
	return redact.ErrSecretInName.Error() + "; it holds the value of Config." + e.Field
}

// Unwrap returns redact.ErrSecretInName.
func (e *NameError) Unwrap() error { return redact.ErrSecretInName }

// withLogins returns list and, for each of its secrets that is an HTTP
// Basic credential (see BasicLogin), redact.LoginSecrets of its login:
// a Redactor made WithLogin of it hides "user:password" and the rest,
// which CheckName cannot find from the whole value, nor from a password
// under redact.MinNameSecret bytes.
func withLogins(list []redact.Secret) []redact.Secret {
	out := list
	for _, s := range list {
		if user, pw, ok := BasicLogin(s); ok {
			out = append(out, redact.LoginSecrets(user, pw)...)
		}
	}
	return out
}

// BasicLogin returns the user and password of s when it is an HTTP Basic
// credential as an Authorization header carries it: "Basic", a space and
// the base64 of "user:password" (RFC 7617, section 2; the scheme's name
// is case-insensitive). ok is false otherwise, and for an empty password.
func BasicLogin(s redact.Secret) (user string, password redact.Secret, ok bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(s.Reveal()), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", redact.Secret{}, false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil {
		return "", redact.Secret{}, false
	}
	user, pw, ok := strings.Cut(string(raw), ":")
	if !ok || pw == "" {
		return "", redact.Secret{}, false
	}
	return user, redact.NewSecret(pw), true
}
