package statuspage_test

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

var updateGolden = flag.Bool("update-golden", false, "write testdata/site.sha256 from the site the test writes")

// The site a fixed series of Sends, Edits and Retracts writes, on a page
// of 14 components (updates naming all of them have short entries in
// their feeds; one naming two, full ones; retractions and a correction
// giving a component its status back move components' feeds), is the
// same, byte for byte, as recorded in testdata/site.sha256: a change
// that makes the writing cheaper must not change what readers get. The
// record holds a SHA-256 of every file of the site; the state's files,
// which hold a random nonce, are left out. Written again with
// -update-golden, for a change meant to change the site.
func TestSiteBytesAsRecorded(t *testing.T) {
	var infos []statuspage.ComponentInfo
	var all []broadcast.Component
	for i := range 14 {
		infos = append(infos, statuspage.ComponentInfo{Name: fmt.Sprintf("Region %02d", i)})
		all = append(all, comp(infos[i].Name, broadcast.ComponentPartialOutage))
	}
	p := newPage(t, statuspage.Config{Components: infos, FeedEntries: 12})
	at := func(minutes int) { p.now = t0.Add(time.Duration(minutes) * time.Minute) }
	var receipts []broadcast.Receipt
	for i := range 14 {
		at(i * 90)
		u := update("region", fmt.Sprintf("r%d", i), i*90+60, broadcast.StatusIdentified, all...)
		if i%3 == 1 {
			u.Components = []broadcast.Component{comp("Region 01", broadcast.ComponentMajorOutage),
				comp("Region 07", broadcast.ComponentDegraded)}
			u.Advice = "Retry in a minute."
		}
		receipts = append(receipts, p.send(u))
	}
	at(24 * 60)
	p.send(update("other", "o1", 24*60+60, broadcast.StatusInvestigating, comp("Region 03", broadcast.ComponentMajorOutage)))
	at(25 * 60)
	require.NoError(t, p.ch.Retract(context.Background(), receipts[4]))
	at(26 * 60)
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(
		update("region", "r7-fixed", 26*60+30, broadcast.StatusIdentified, comp("Region 01", broadcast.ComponentMajorOutage))),
		receipts[7])
	require.NoError(t, err)
	at(27 * 60)
	p.send(update("other", "o2", 27*60+60, broadcast.StatusResolved))
	at(48 * 60)
	p.send(update("region", "r-end", 48*60+60, broadcast.StatusResolved))
	at(49 * 60)
	require.NoError(t, p.ch.Retract(context.Background(), receipts[0]))

	site := p.site()
	var lines []string
	for path, data := range site.Files {
		if path == "state.json" || path == "files.json" || strings.HasPrefix(path, "incidents/") && strings.HasSuffix(path, ".json") {
			continue
		}
		lines = append(lines, fmt.Sprintf("%x  %s", sha256.Sum256(data), path))
	}
	slices.SortFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) })
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "site.sha256")
	if *updateGolden {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o666))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}
