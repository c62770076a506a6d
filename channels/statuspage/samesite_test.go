package statuspage_test

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"maps"
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

var updateGolden = flag.Bool("update", false, "write testdata/site.sha256 from the site the test writes")

// The site a fixed series of Sends, Edits and Retracts writes, on a page
// of 14 components (updates naming all of them have short entries in
// their feeds; one naming two, full ones; retractions and a correction
// giving a component its status back move components' feeds), is the
// same, byte for byte, as recorded in testdata/site.sha256: a change
// that makes the writing cheaper must not change what readers get. The
// record holds a SHA-256 of every file of the site; the state's files,
// which hold a random nonce, are left out. Written again with
// -update, for a change meant to change the site.
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
	got := map[string]string{}
	for path, data := range site.Files {
		if path == "state.json" || path == "files.json" || strings.HasPrefix(path, "incidents/") && strings.HasSuffix(path, ".json") {
			continue
		}
		got[path] = fmt.Sprintf("%x", sha256.Sum256(data))
	}
	golden := filepath.Join("testdata", "site.sha256")
	if *updateGolden {
		var record strings.Builder
		for _, path := range slices.Sorted(maps.Keys(got)) {
			fmt.Fprintf(&record, "%s  %s\n", got[path], path)
		}
		require.NoError(t, os.WriteFile(golden, []byte(record.String()), 0o666))
	}
	record, err := os.ReadFile(golden)
	require.NoError(t, err)
	diff, err := siteDiff(string(record), got)
	require.NoError(t, err, golden)
	if len(diff) == 0 {
		return
	}
	// The site's files, to compare with those of the commit before.
	dir := t.ArtifactDir()
	for path, data := range site.Files {
		file := filepath.Join(dir, filepath.FromSlash(path))
		require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o777))
		require.NoError(t, os.WriteFile(file, data, 0o666))
	}
	t.Errorf("the site differs from %s in %d files:\n\t%s\n"+
		"The site written is in %s (kept when the test runs with -artifacts).\n"+
		"If the change is meant to change the site (or the files differ on the commit before it too, as when\n"+
		"a new Go version escapes JSON or HTML otherwise), record it again, from the module's root:\n"+
		"\tgo test ./channels/statuspage/ -run '^TestSiteBytesAsRecorded$' -update",
		golden, len(diff), strings.Join(diff, "\n\t"), dir)
}

// siteDiff compares record, lines "<SHA-256 in hex>  <path>" as
// sha256sum writes them, with got, the hashes of the files written by
// path, and returns a line for each file that differs, in the order of
// the paths; none when they are the same. Blank lines and CRs at the
// lines' ends (a record checked out with CRLF line ends) are passed over.
func siteDiff(record string, got map[string]string) ([]string, error) {
	want := map[string]string{}
	for i, line := range strings.Split(record, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		hash, path, ok := strings.Cut(line, "  ")
		if !ok || len(hash) != sha256.Size*2 || path == "" {
			return nil, fmt.Errorf("line %d: not \"<SHA-256>  <path>\": %q", i+1, line)
		}
		want[path] = hash
	}
	var diff []string
	paths := slices.Sorted(maps.Keys(want))
	for path := range got {
		if _, ok := want[path]; !ok {
			paths = append(paths, path)
		}
	}
	slices.Sort(paths)
	for _, path := range paths {
		w, recorded := want[path]
		g, written := got[path]
		switch {
		case !written:
			diff = append(diff, path+": recorded, not written")
		case !recorded:
			diff = append(diff, path+": written, not recorded")
		case w != g:
			diff = append(diff, path+": other bytes")
		}
	}
	return diff, nil
}

// siteDiff names each file whose hash differs from the record's, as its
// failure says: a record checked out with CRLF line ends, or with blank
// lines, reads as written, and a file changed, one the record lacks and
// one it has that the site lacks are each named with what differs.
func TestSiteDiffNamesTheFiles(t *testing.T) {
	h := func(s string) string { return fmt.Sprintf("%x", sha256.Sum256([]byte(s))) }
	record := h("a") + "  index.html\r\n" + h("b") + "  history.atom\r\n\r\n" + h("c") + "  gone.html\r\n"
	diff, err := siteDiff(record, map[string]string{"index.html": h("a"), "history.atom": h("b"), "gone.html": h("c")})
	require.NoError(t, err)
	assert.Empty(t, diff, "the same files")

	diff, err = siteDiff(record, map[string]string{"index.html": h("a"), "history.atom": h("B"), "new.html": h("d")})
	require.NoError(t, err)
	assert.Equal(t, []string{"gone.html: recorded, not written", "history.atom: other bytes", "new.html: written, not recorded"}, diff)

	_, err = siteDiff("not a line of sha256sum\n", nil)
	assert.ErrorContains(t, err, "line 1")
}
