package templates_test

import (
	"fmt"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// Advice tells customers what to do; every default template but the
// subject shows it right after the status line, and RenderFit keeps it
// whole while there is body left to cut.
func ExampleSet_Render_advice() {
	u := broadcast.Update{
		Title:  "Elevated API error rates",
		Status: broadcast.StatusIdentified,
		Advice: "Retry with backoff, or use the EU endpoint",
		Body:   "A faulty load balancer in us-east is being replaced. Requests routed through it fail with 503.",
		URL:    "https://status.example.com/incidents/42",
	}
	text, err := templates.Default().Render("text", u)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(text)
	fmt.Println()
	short, err := templates.Default().RenderFit("short", u, 160, templates.Runes)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(short)
	// Output:
	// Identified: Elevated API error rates
	// What you can do: Retry with backoff, or use the EU endpoint
	//
	// A faulty load balancer in us-east is being replaced. Requests routed through it fail with 503.
	//
	// Details: https://status.example.com/incidents/42
	//
	// Identified: Elevated API error rates — What you can do: Retry with backoff, or use the EU endpoint. — A faulty load… https://status.example.com/incidents/42
}

// A correction posted as a new message (see broadcast.Broadcaster.Correct)
// is marked as one; the subject does not change, so it stays in the
// incident's e-mail thread.
func ExampleSet_Render_correction() {
	u := broadcast.Update{
		Title:    "Elevated API error rates",
		Status:   broadcast.StatusIdentified,
		Body:     "The faulty load balancer is in us-west, not us-east.",
		Corrects: "u_41",
	}
	for _, name := range []string{"subject", "short"} {
		out, err := templates.Default().Render(name, u)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(out)
	}
	// Output:
	// Incident: Elevated API error rates
	// Correction: Identified: Elevated API error rates — The faulty load balancer is in us-west, not us-east.
}
