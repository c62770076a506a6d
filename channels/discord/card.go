package discord

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// Receipt.Meta keys that let Retract set the first post's status card
// back when it retracts the update the card shows (see restoreCard).
const (
	// metaCardOf is the id of the message whose card shows this update
	// as current: the incident's first post (its own id on its own
	// receipt). Set only where the card was made to show it.
	metaCardOf = "card_of"
	// metaCardThread is that message's thread, if any.
	metaCardThread = "card_thread"
	// metaCardSum is a digest of the card this update gave it.
	metaCardSum = "card_sum"
	// metaCardBefore lists the ids of the earlier messages under that
	// card, the newest first: whose cards the card shows again when
	// this update is retracted (the first of them still up).
	metaCardBefore = "card_before"
	// metaFirstForm is the card of the first post's own update, as
	// current, for when no earlier message is left, in compact form (see
	// packCard): as the first post showed it, a correction edited in
	// included, when a later update took its card over.
	metaFirstForm = "first_form"
	// metaFirstCard is the same card as JSON, as receipts kept it before
	// metaFirstForm: read, no longer written.
	metaFirstCard = "first_card"
)

// currentFooter marks the card of the first post that shows the current
// status.
const currentFooter = "Current status"

// maxCardBefore bounds the earlier messages a receipt lists.
const maxCardBefore = 10

// setFirstCard records in r, the receipt of the first message of an
// incident's post, that its card shows u.
func setFirstCard(r *broadcast.Receipt, u broadcast.Update) {
	card := statusEmbed(u, true)
	r.Meta[metaCardOf], r.Meta[metaCardSum] = r.ID, cardSum(card)
	if form := packCard(card); form != "" {
		r.Meta[metaFirstForm] = form
	}
	if t := r.Meta[metaThread]; t != "" {
		r.Meta[metaCardThread] = t
	}
}

// cardFrom is the receipt whose Meta says what the card of root shows
// before an update takes it over: last's (the incident's latest post),
// when its update set that card, else root's own; zero when neither
// recorded the card.
func cardFrom(root, last broadcast.Receipt) broadcast.Receipt {
	switch {
	case last.Meta[metaCardOf] == root.ID && root.ID != "":
		return last
	case root.Meta[metaCardOf] == root.ID && root.ID != "":
		return root
	}
	return broadcast.Receipt{}
}

// firstCard returns, in compact form, the card of the first post's own
// update, for the receipt of an update about to take the card of root
// over from the one last recorded. While root's card shows its own
// update, it is read from root, where a correction may have edited it
// (the Broadcaster keeps root's receipt as it was made); else, or when
// it cannot be read, it is what the receipts recorded.
func (c *Channel) firstCard(ctx context.Context, root, last broadcast.Receipt, id string) string {
	from := cardFrom(root, last)
	if from.ID == "" || !c.mayEditRoot(root, id) {
		return ""
	}
	if from.ID == root.ID {
		if e, ok, err := c.card(ctx, root.ID, threadQuery(root.Meta[metaThread])); err == nil && ok {
			if form := packCard(asCurrent(e)); form != "" {
				return form
			}
		}
	}
	if e, ok := recordedFirst(from); ok {
		return packCard(e)
	}
	return ""
}

// recordedFirst is the card of the first post's own update that r
// recorded, in either form.
func recordedFirst(r broadcast.Receipt) (embed, bool) {
	if form := r.Meta[metaFirstForm]; form != "" {
		return unpackCard(form)
	}
	var e embed
	if raw := r.Meta[metaFirstCard]; raw == "" || json.Unmarshal([]byte(raw), &e) != nil {
		return embed{}, false
	}
	return e, true
}

// asCurrent is card e, a message's own, as the first post shows it for
// the current status: without a correction's prefix, marked current.
func asCurrent(e embed) embed {
	e.Title, _ = strings.CutPrefix(e.Title, templates.CorrectionPrefix)
	e.Footer = &embedFooter{Text: currentFooter}
	return e
}

// maxCardForm bounds what unpackCard inflates: a card within Discord's
// limits is far smaller.
const maxCardForm = 64 << 10

// packCard is the compact form of card e, a card of the first post as
// current, that receipts keep: its JSON, without the footer (the current
// one) and the escaping of HTML, deflated and base64-encoded. The Store
// keeps a receipt per update and channel: the whole card as JSON, up to
// Discord's 6,000 characters and more in JSON's escapes, was most of each.
// It is "" when e cannot be encoded.
func packCard(e embed) string {
	e.Footer = nil
	var js, z bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	if enc.Encode(e) != nil {
		return ""
	}
	w, err := flate.NewWriter(&z, flate.BestCompression)
	if err != nil {
		return ""
	}
	if _, err := w.Write(bytes.TrimSpace(js.Bytes())); err != nil || w.Close() != nil {
		return ""
	}
	return base64.RawStdEncoding.EncodeToString(z.Bytes())
}

// unpackCard reads packCard's form back, marked current; false for a
// form that is not one.
func unpackCard(form string) (embed, bool) {
	z, err := base64.RawStdEncoding.DecodeString(form)
	if err != nil {
		return embed{}, false
	}
	r := flate.NewReader(bytes.NewReader(z))
	defer r.Close()
	js, err := io.ReadAll(io.LimitReader(r, maxCardForm))
	var e embed
	if err != nil || json.Unmarshal(js, &e) != nil {
		return embed{}, false
	}
	return asCurrent(e), true
}

// chainCard records in r, whose update the card of root now shows, what
// the card showed before: last's update (the incident's latest post
// before r), and the earlier ones last lists, and, in first (see
// firstCard), the first post's own.
func chainCard(r *broadcast.Receipt, root, last broadcast.Receipt, first string) {
	from := cardFrom(root, last)
	if from.ID == "" {
		return
	}
	if first != "" {
		r.Meta[metaFirstForm] = first
	}
	var before []string
	if from.ID != root.ID && snowflake(from.ID) {
		before = append(before, from.ID)
	}
	for _, id := range strings.Split(from.Meta[metaCardBefore], ",") {
		if snowflake(id) && id != root.ID && len(before) < maxCardBefore {
			before = append(before, id)
		}
	}
	if len(before) > 0 {
		r.Meta[metaCardBefore] = strings.Join(before, ",")
	}
}

// ownCard returns the digest of the card prev's update gave the first
// post, as prev's message shows it now (a correction edited in changes
// both), or as its receipt recorded it when the message cannot be read;
// "" when prev's update set no card.
func (c *Channel) ownCard(ctx context.Context, prev broadcast.Receipt) string {
	first := prev.Meta[metaCardOf]
	if c.s.cfg.NoRootUpdate || !snowflake(first) || first == prev.ID || prev.Meta[metaCardSum] == "" {
		return ""
	}
	if e, ok, err := c.card(ctx, prev.ID, threadQuery(prev.Meta[metaThread])); err == nil && ok {
		return cardSum(e)
	}
	return prev.Meta[metaCardSum]
}

// restoreCard sets the first post's card back after the retraction of
// prev, when the card shows prev's update (own, see ownCard): to the card
// of the latest earlier message still up, or else the first post's own.
// It is best effort, as the card's updates are: the deletion is done.
func (c *Channel) restoreCard(ctx context.Context, prev broadcast.Receipt, own string) {
	if own == "" {
		return
	}
	first := prev.Meta[metaCardOf]
	q := threadQuery(prev.Meta[metaCardThread])
	shown, ok, err := c.card(ctx, first, q)
	if err != nil || !ok || cardSum(shown) != own {
		return // gone, or showing a later update, or unknown
	}
	var next *embed
	for _, id := range strings.Split(prev.Meta[metaCardBefore], ",") {
		if !snowflake(id) {
			continue
		}
		e, ok, err := c.card(ctx, id, q)
		if err != nil {
			return
		}
		if ok {
			e = asCurrent(e)
			next = &e
			break
		}
	}
	if next == nil {
		e, ok := recordedFirst(prev)
		if !ok {
			return
		}
		next = &e
	}
	body := message{Embeds: []embed{fitEmbed(*next)}, AllowedMentions: noMentions}
	_, _ = c.do(ctx, http.MethodPatch, "/messages/"+first, q, body)
}

// card gets the status card of message id: ok false when the message is
// gone or has none; an error when Discord cannot say. An answer that
// quotes the webhook's token is not Discord's (an echo of the request):
// its card would carry the token into a receipt, packed where no
// redaction sees it, and onto the first post.
func (c *Channel) card(ctx context.Context, id string, q url.Values) (embed, bool, error) {
	resp, err := c.do(ctx, http.MethodGet, "/messages/"+id, q, nil)
	if hasCode(err, codeUnknownMessage, codeUnknownChannel) {
		return embed{}, false, nil
	}
	if err != nil {
		return embed{}, false, err
	}
	if c.s.token.Holds(string(resp.Body)) {
		return embed{}, false, broadcast.Permanent(&apiError{Status: resp.Status,
			detail: "an answer that quotes the webhook's token", foreign: true})
	}
	var m struct {
		ID     string  `json:"id"`
		Embeds []embed `json:"embeds"`
	}
	if json.Unmarshal(resp.Body, &m) != nil || m.ID != id {
		return embed{}, false, c.notDiscord(resp)
	}
	if len(m.Embeds) == 0 {
		return embed{}, false, nil
	}
	return m.Embeds[0], true, nil
}

// sumTitle is how many characters of a card's title cardSum reads: a
// title too long for the card is cut, that of a correction's message,
// after templates.CorrectionPrefix, at another place than the first post's, but
// never before half the card's limit.
const sumTitle = MaxEmbedTitle/2 - len(templates.CorrectionPrefix)

// cardSum is a digest of what card e shows, as sent and as Discord gives
// it back (which writes the timestamp its own way), the same for a
// message's card and the first post's showing the same update: without
// the footer and the templates.CorrectionPrefix of a correction's message, and of
// the title its first sumTitle characters only.
func cardSum(e embed) string {
	h := sha256.New()
	ts := e.Timestamp
	if t, err := time.Parse(time.RFC3339, ts); err == nil {
		ts = strconv.FormatInt(t.Unix(), 10)
	}
	title, _ := strings.CutPrefix(strings.TrimSpace(e.Title), templates.CorrectionPrefix)
	if r := []rune(title); len(r) > sumTitle {
		title = string(r[:sumTitle])
	}
	parts := []string{title, ts, strconv.Itoa(e.Color)}
	for _, f := range e.Fields {
		parts = append(parts, strings.TrimSpace(f.Name), strings.TrimSpace(f.Value))
	}
	b, _ := json.Marshal(parts)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:16])
}
