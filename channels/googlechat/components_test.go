package googlechat

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// countLine finds the line that ends a list of components cut short.
var countLine = regexp.MustCompile(`(?m)^… and (\d+) more$`)

// An incident that affects 300 components lists in the message's text as
// many of them as fit Google Chat's limit, in their order, and counts the
// others with the card's words. Before, the text listed none of them
// while the card listed some and counted the rest.
func TestTextListsTheComponentsThatFit(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	u := fullUpdate
	u.Components = make([]broadcast.Component, 300)
	for i := range u.Components {
		u.Components[i] = broadcast.Component{Name: fmt.Sprintf("Region %d edge", i+1), Status: broadcast.ComponentPartialOutage}
	}
	send(t, ch, broadcast.NewMessage(u))
	var b body
	require.NoError(t, json.Unmarshal(f.sent()[0].raw, &b))
	assert.LessOrEqual(t, UTF16(b.Text), MaxText)

	listed := strings.Count(b.Text, ": Partial outage\n")
	require.Greater(t, listed, 50, "most of what fits is listed: %q", b.Text)
	for i := 1; i <= listed; i++ {
		require.Contains(t, b.Text, fmt.Sprintf("- Region %d edge: Partial outage\n", i), "in their order")
	}
	more := countLine.FindStringSubmatch(b.Text)
	require.NotNil(t, more, "the others are counted: %q", b.Text)
	assert.Equal(t, strconv.Itoa(300-listed), more[1])
	assert.Contains(t, b.Text, u.URL)

	require.Len(t, b.CardsV2, 1)
	card := strings.Split(widgetText(t, b.CardsV2[0], "Affected components"), "<br>")
	assert.Equal(t, fmt.Sprintf("… and %d more", 300-len(card)+1), card[len(card)-1], "the card words it alike")
}
