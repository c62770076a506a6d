package teams

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// The bodies the workflow receives.
func TestGolden(t *testing.T) {
	min := broadcast.Update{ID: "u2", IncidentID: "cdn-errors", Title: "Elevated error rates on the CDN",
		Status: broadcast.StatusResolved, Time: update(broadcast.StatusResolved).Time}
	corrected := update(broadcast.StatusIdentified)
	corrected.Corrects = "u0"
	for name, u := range map[string]broadcast.Update{
		"full": update(broadcast.StatusInvestigating), "minimal": min, "corrected": corrected,
	} {
		ch, f := newTestChannel(t)
		_, err := send(t, ch, u)
		require.NoError(t, err)
		_, bodies := f.posted()
		var b bytes.Buffer
		require.NoError(t, json.Indent(&b, bodies[0], "", "  "))
		b.WriteByte('\n')
		path := filepath.Join("testdata", name+".json")
		if *updateGolden {
			require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run go test -update to write it")
		assert.Equal(t, string(want), b.String(), "%s (go test -update rewrites it; review the diff)", name)
	}
}
