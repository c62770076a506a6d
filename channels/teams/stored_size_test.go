package teams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// storedSize is the size of body with its card's JSON written as a JSON
// string, as Teams keeps it among a message's properties and counts it
// against its limit.
func storedSize(t *testing.T, body []byte) int {
	t.Helper()
	var p struct {
		Attachments []struct {
			Content json.RawMessage `json:"content"`
		} `json:"attachments"`
	}
	require.NoError(t, json.Unmarshal(body, &p))
	require.Len(t, p.Attachments, 1)
	var card bytes.Buffer
	require.NoError(t, json.Compact(&card, p.Attachments[0].Content))
	var quoted bytes.Buffer
	enc := json.NewEncoder(&quoted)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(card.String()))
	return len(body) - card.Len() + len(bytes.TrimSuffix(quoted.Bytes(), []byte("\n")))
}

// A card of many lines, or of text full of quotes and backslashes, fits
// the limit as Teams counts it, with the card's JSON escaped as a string,
// not only as the body is sent: Teams refuses a larger one after the
// workflow answered 202, and the update is lost.
func TestCardFitsAsTeamsCountsIt(t *testing.T) {
	ch, f := newTestChannel(t)
	var comps []broadcast.Component
	for i := range 400 {
		comps = append(comps, broadcast.Component{Name: fmt.Sprintf("Edge %d", i), Status: broadcast.ComponentMajorOutage})
	}
	for name, change := range map[string]func(*broadcast.Update){
		"lines":      func(u *broadcast.Update) { u.Body = strings.Repeat("x\n", broadcast.MaxBodyLength/2) },
		"quotes":     func(u *broadcast.Update) { u.Body = strings.Repeat(`"C:\path" `, broadcast.MaxBodyLength/10) },
		"components": func(u *broadcast.Update) { u.Components = comps },
	} {
		u := update(broadcast.StatusInvestigating)
		change(&u)
		_, err := send(t, ch, u)
		require.NoError(t, err, name)
		cards, bodies := f.posted()
		last := bodies[len(bodies)-1]
		assert.LessOrEqual(t, storedSize(t, last), MaxPayloadBytes, "%s: the card as Teams counts it", name)
		assert.Greater(t, storedSize(t, last), MaxPayloadBytes-400, "%s: the card uses the room it has", name)
		lines := cards[len(cards)-1].lines
		assert.Equal(t, u.URL, lines[len(lines)-1], "%s: the link, whole", name)

		p, err := ch.Preview(u)
		require.NoError(t, err, name)
		assert.Equal(t, string(last), p.Text, name)
		assert.GreaterOrEqual(t, p.Length, storedSize(t, last), "%s: Preview measures as Teams does", name)
		assert.LessOrEqual(t, p.Length, p.Limit, name)
	}
}
