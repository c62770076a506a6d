package irc

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"
	"unicode"

	"github.com/outagecast/outagecast/redact"
)

// ChannelList is the IRC channels a Channel posts to, each "#name" or
// "#name key". A channel's key is a password, so a ChannelList prints,
// logs and encodes (JSON, YAML, XML) with every key replaced by REDACTED, as in
// ["#ops" "#customers REDACTED"]; the names stay readable. What follows a
// name after a separator New refuses ("#ops:key", "#ops,key") is hidden
// too, and so is an entry with no channel prefix (see SplitChannel). A []string
// converts to it implicitly.
type ChannelList []string

// shown is l with every key replaced by REDACTED.
func (l ChannelList) shown() []string {
	out := make([]string, len(l))
	for i, spec := range l {
		switch name, key := SplitChannel(spec); {
		case key == "":
			out[i] = name
		case name == "":
			out[i] = redact.Redacted
		default:
			out[i] = name + " " + redact.Redacted
		}
	}
	return out
}

// SplitChannel splits spec, an entry of Config.Channels, into the
// channel's name and what a ChannelList hides as its key. The name ends
// at the first white space, ',', ':' or control character, none of which
// New takes in a name. RFC 2812 forbids space, BEL and ',' (section
// 1.3), keeps ':' for the channel mask and leaves NUL, CR and LF out of
// chanstring (section 2.3.1); New refuses the other control characters
// and ':' too, though a server may allow them (modern.ircdocs.horse,
// Channels, forbids only space, BEL and ','; so does InspIRCd, its
// channames module), which only a channel so named would miss. The key
// is all that follows, less the separators and white space that start
// it: "#ops key", and also the "#ops:key" and "#ops,key" New refuses,
// give "#ops" and "key". An entry that does not start with a channel
// prefix (# & + !) may be a key given as an entry of its own: all of it
// is the key, and the name is "".
func SplitChannel(spec string) (name, key string) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return "", ""
	}
	if !strings.ContainsRune("#&+!", rune(spec[0])) {
		return "", spec
	}
	end := strings.IndexFunc(spec, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == ',' || r == ':'
	})
	if end < 0 {
		return spec, ""
	}
	return spec[:end], strings.TrimLeftFunc(spec[end:], func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == ',' || r == ':'
	})
}

// String returns the list as fmt prints a []string, keys REDACTED.
func (l ChannelList) String() string { return fmt.Sprint(l.shown()) }

// Format prints the list as fmt prints a []string under every verb, keys
// REDACTED.
func (l ChannelList) Format(f fmt.State, verb rune) {
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), l.shown())
}

// LogValue logs the list, keys REDACTED.
func (l ChannelList) LogValue() slog.Value { return slog.AnyValue(l.shown()) }

// MarshalJSON encodes the list as a JSON array, keys REDACTED.
func (l ChannelList) MarshalJSON() ([]byte, error) { return json.Marshal(l.shown()) }

// MarshalYAML encodes the list as a YAML sequence, keys REDACTED, for YAML
// encoders that look for this method.
func (l ChannelList) MarshalYAML() (any, error) { return l.shown(), nil }

// MarshalXML encodes the list as encoding/xml encodes a []string, an
// element for each channel, keys REDACTED.
func (l ChannelList) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(l.shown(), start)
}
