package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel whose template fails on this update (one the configuration's
// load could not catch) fails its send for good while the others post.
// The dry run showed no channel at all, and exited 2, as for a bad flag;
// it now shows the others' texts, says the channel's send fails and why,
// and exits 1, as the send does.
func TestDryRunShowsAChannelThatCannotRender(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "tpl"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tpl", "short.tmpl"),
		[]byte(`{{if eq .Title "boom"}}{{(index .Components 5).Name}}{{end}}{{.Title}}`), 0o600))
	cfg := filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("templates: ./tpl\nchannels:\n"+
		"  - {type: console, name: broken, template: short}\n  - {type: console, name: plain, template: text}\n"), 0o600))
	args := []string{"-config", cfg, "-title", "boom", "-status", "investigating"}

	send := announce(t, context.Background(), "", args...)
	require.Equal(t, exitFailed, send.code, send.stderr)
	require.Regexp(t, `broken +failed`, send.stdout)
	require.Regexp(t, `plain +delivered`, send.stdout)

	r := announce(t, context.Background(), "", append(args, "-dry-run")...)
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stdout, "--- broken: not sent: a send fails here: console: render: templates: render short: template: short:1:26: "+
		`executing "short" at <index .Components 5>: error calling index: index out of range: 5`+"\n")
	assert.Regexp(t, `--- plain: \d+ characters\nInvestigating: boom\n`, r.stdout)
	assert.NotContains(t, r.stderr, "Run announce -help")

	r = announce(t, context.Background(), "", append(args, "-dry-run", "-json")...)
	assert.Equal(t, exitFailed, r.code, r.stderr)
	var out []jsonPreview
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	require.Len(t, out, 2)
	assert.Equal(t, "broken", out[0].Channel)
	assert.False(t, out[0].WouldSend)
	assert.Contains(t, out[0].NotSent, "a send fails here: console: render: templates: render short:")
	assert.Equal(t, "plain", out[1].Channel)
	assert.True(t, out[1].WouldSend)
	assert.Contains(t, out[1].Text, "Investigating: boom")
}
