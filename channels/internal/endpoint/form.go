package endpoint

import (
	"errors"
	"strings"
)

// Schemes is the pair of schemes of a channel's URL form: the channel's
// name ("slack") stands for https, and the name with "+http"
// ("slack+http") for plain http, which Check allows to loopback hosts
// only.
type Schemes string

// Web returns the web scheme, "https" or "http", that scheme (as
// url.Parse returns it, in lower case) stands for, and false for any
// other scheme.
func (s Schemes) Web(scheme string) (string, bool) {
	switch scheme {
	case string(s):
		return "https", true
	case string(s) + "+http":
		return "http", true
	}
	return "", false
}

// Form returns the scheme of the URL form for web, a URL's scheme:
// s+"+http" for "http", s for any other.
func (s Schemes) Form(web string) string {
	if web == "http" {
		return string(s) + "+http"
	}
	return string(s)
}

// ParseBool reads a yes-or-no parameter of a URL form: yes, on, true or 1,
// and no, off, false or 0, in any case.
func ParseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "on", "true", "1":
		return true, nil
	case "no", "off", "false", "0":
		return false, nil
	}
	return false, errors.New("want yes or no")
}
