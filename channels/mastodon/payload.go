package mastodon

import (
	"cmp"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/outagecast/outagecast/templates"
)

// statusRequest is the JSON body of POST /api/v1/statuses and, without
// visibility and in_reply_to_id, of PUT /api/v1/statuses/:id.
type statusRequest struct {
	Status      string     `json:"status"`
	InReplyToID string     `json:"in_reply_to_id,omitempty"`
	Visibility  Visibility `json:"visibility,omitempty"`
	Language    string     `json:"language,omitempty"`
	// ContentType is always plainText: GoToSocial and glitch-soc parse a
	// status without it as the account's default, which may be Markdown
	// (or HTML), where the update's text would turn into markup. Mastodon
	// ignores it.
	ContentType string `json:"content_type"`
}

// plainText is the content_type of every status the channel posts.
const plainText = "text/plain"

// newStatus returns the body of a new status of text, replying to the
// status replyTo unless it is empty.
func newStatus(text, replyTo string, v Visibility, language string) ([]byte, error) {
	if v == "" {
		v = Public
	}
	return json.Marshal(statusRequest{Status: text, InReplyToID: replyTo, Visibility: v, Language: language, ContentType: plainText})
}

// editStatus returns the body of an edit of a status to text. Mastodon
// keeps the visibility and the reply of the status it edits.
func editStatus(text, language string) ([]byte, error) {
	return json.Marshal(statusRequest{Status: text, Language: language, ContentType: plainText})
}

// status is the part of Mastodon's Status entity the channel reads.
type status struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// parseStatus reads the Status a create or an edit returns.
func parseStatus(body []byte) (status, error) {
	var s status
	if err := json.Unmarshal(body, &s); err != nil {
		return status{}, errors.New("the instance answered with something other than a status")
	}
	if s.ID == "" {
		return status{}, errors.New("the instance answered with a status without id")
	}
	return s, nil
}

// instance is the part of GET /api/v2/instance and GET /api/v1/instance
// the channel reads.
type instance struct {
	Version   string `json:"version"`
	SourceURL string `json:"source_url"`
	// MaxTootChars is the limit in v1 answers of glitch-soc, Pleroma,
	// Akkoma and GoToSocial (not Mastodon's).
	MaxTootChars  number          `json:"max_toot_chars"`
	Pleroma       json.RawMessage `json:"pleroma"` // Pleroma's and Akkoma's metadata
	Configuration struct {
		Statuses struct {
			MaxCharacters            number `json:"max_characters"`
			CharactersReservedPerURL number `json:"characters_reserved_per_url"`
		} `json:"statuses"`
	} `json:"configuration"`
}

// number is a count in an instance's answer; anything but a whole number
// reads as 0, so that an odd field spoils no other.
type number int

// UnmarshalJSON implements json.Unmarshaler.
func (n *number) UnmarshalJSON(b []byte) error {
	var f float64
	if json.Unmarshal(b, &f) != nil || f != float64(int(f)) || f < 0 || f > 1<<30 {
		*n = 0
		return nil
	}
	*n = number(f)
	return nil
}

// parseLimits reads the instance's limits; ok is false when the answer
// does not hold them. How the server counts follows what it is:
// GoToSocial (its source_url) counts code points with URLs whole, and
// ignores Idempotency-Key;
// Pleroma and Akkoma (their version, their source_url or their "pleroma"
// metadata) count grapheme clusters with URLs whole, and Pleroma 2.x
// refuses a status of the limit itself, so one character less is used;
// a Mastodon answer (characters_reserved_per_url, without the
// max_toot_chars of the others) counts each link as that; any other
// server, as the larger of the two.
func parseLimits(body []byte) (limits, bool) {
	var in instance
	if json.Unmarshal(body, &in) != nil {
		return limits{}, false
	}
	st := in.Configuration.Statuses
	lim := limits{MaxCharacters: int(cmp.Or(st.MaxCharacters, in.MaxTootChars)), CharactersPerURL: int(st.CharactersReservedPerURL)}
	if lim.MaxCharacters <= 0 {
		return limits{}, false
	}
	software := strings.ToLower(in.SourceURL + " " + in.Version)
	pleroma := strings.Contains(software, "pleroma") || strings.Contains(software, "akkoma") ||
		len(in.Pleroma) > 0 && string(in.Pleroma) != "null"
	switch {
	case strings.Contains(software, "gotosocial"):
		lim.Count, lim.NoKeys = countWhole, true
	case pleroma:
		lim.Count = countWhole
		lim.MaxCharacters = max(1, lim.MaxCharacters-1)
		lim.TwoLetterLanguage = strings.Contains(software, "akkoma")
	case lim.CharactersPerURL > 0 && in.MaxTootChars == 0:
		lim.Count = countLinks
	default:
		lim.Count = countEither
	}
	if lim.CharactersPerURL <= 0 {
		lim.CharactersPerURL = DefaultCharactersPerURL
	}
	return lim, true
}

// apiMessage returns the message of Mastodon's error entity,
// {"error":"…","error_description":"…"}; "" when body is not one.
func apiMessage(body []byte) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return ""
	}
	if e.Description != "" && e.Description != e.Error {
		return e.Error + ": " + e.Description
	}
	return e.Error
}

// Measure returns the length of a status as an instance with the given
// characters_reserved_per_url counts it, or a little more: grapheme
// clusters, with each link counted as perURL. It is an upper bound where
// Mastodon's rules are finer than its own (see the package documentation,
// # Limits), so that a text it passes is never refused as too long.
func Measure(perURL int) templates.Measure {
	return func(s string) int {
		n, last := 0, 0
		for _, loc := range templates.URLSpans(s) {
			before := s[last:loc[0]]
			n += templates.Graphemes(before)
			prev, _ := utf8.DecodeLastRuneInString(s[:loc[0]])
			n += urlCost(prev, s[loc[0]:loc[1]], perURL)
			last = loc[1]
		}
		return n + templates.Graphemes(s[last:])
	}
}
