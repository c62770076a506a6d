package irc

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"

	"github.com/outagecast/outagecast/redact"
)

// ChannelList is the IRC channels a Channel posts to, each "#name" or
// "#name key". A channel's key is a password, so a ChannelList prints,
// logs and encodes (JSON, YAML, XML) with every key replaced by REDACTED, as in
// ["#ops" "#customers REDACTED"]; the names stay readable. A []string
// converts to it implicitly.
type ChannelList []string

// shown is l with every key replaced by REDACTED.
func (l ChannelList) shown() []string {
	out := make([]string, len(l))
	for i, spec := range l {
		// Split as New does, so that whatever New takes for a key is
		// hidden, however it is spaced.
		if fields := strings.Fields(spec); len(fields) > 1 {
			out[i] = fields[0] + " " + redact.Redacted
		} else {
			out[i] = strings.Join(fields, "")
		}
	}
	return out
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
