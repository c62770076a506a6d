//go:build unix

package statuspage_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The command the error of a removed Dir/current gives to link the page
// again, run as it is written in a shell, made a link elsewhere (or
// failed) when Dir held a space or another character the shell reads
// (a "Status Page" directory): the paths in it are quoted now.
func TestMissingCurrentCommandIsQuoted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Status Page (it's ours)")
	p := newPage(t, statuspage.Config{Dir: dir})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
	p.send(update("a", "a2", 1, broadcast.StatusIdentified))
	current := filepath.Join(dir, "current")
	target, err := os.Readlink(current)
	require.NoError(t, err)
	require.NoError(t, os.Remove(current))

	_, err = p.ch.Send(context.Background(), broadcast.NewMessage(update("b", "b1", 2, broadcast.StatusInvestigating)))
	require.Error(t, err)
	m := regexp.MustCompile(`\((ln -s .*?)\) to go on`).FindStringSubmatch(err.Error())
	require.NotNil(t, m, "the command in %v", err)
	out, err := exec.Command("sh", "-c", m[1]).CombinedOutput()
	require.NoError(t, err, "%s: %s", m[1], out)
	got, err := os.Readlink(current)
	require.NoError(t, err, "the link %s made by %s", current, m[1])
	require.Equal(t, target, got)
	p.send(update("b", "b1", 2, broadcast.StatusInvestigating))
}
