package irc_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
)

// A Send whose lines the flood pacing would hold back past the deadline,
// even for one channel, fails before it connects, with a *PacingError a
// program can put in its own terms. (With time for some of the channels,
// it posts to those and leaves the others for the next attempt.)
func ExamplePacingError() {
	ch, err := irc.New(irc.Config{
		Server:   "irc.example.net:6697",
		Nick:     "statusbot",
		Channels: []string{"#ops", "#customers", "#status"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	u := broadcast.Update{
		Title:  "Elevated CDN errors",
		Status: broadcast.StatusInvestigating,
		Body:   strings.Repeat("Traffic is being drained from the affected region. ", 40),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	_, err = ch.Send(ctx, broadcast.NewMessage(u))
	var pe *irc.PacingError
	if errors.As(err, &pe) {
		fmt.Printf("%d lines to %d IRC channels take about %v: set --timeout to at least that\n",
			pe.Lines, pe.Channels, pe.Need)
	}
	// Output:
	// 5 lines to 3 IRC channels take about 40s: set --timeout to at least that
}
