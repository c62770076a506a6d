//go:build unix

package templates_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// New reads only regular files (symbolic links followed): opening a named
// pipe blocks until a writer comes, so New would hang, and a device
// (/dev/zero) never ends. The error names the file.
func TestNewRefusesSpecialFiles(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		wantErr string
	}{
		{"named pipe", func(t *testing.T, dir string) { mkfifo(t, filepath.Join(dir, "short.tmpl")) },
			"templates: read short.tmpl: short.tmpl is not a regular file (a named pipe)"},
		{"link to a named pipe", func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "pipe"))
			require.NoError(t, os.Symlink("pipe", filepath.Join(dir, "short.tmpl")))
		}, "templates: read short.tmpl: short.tmpl is not a regular file (a named pipe)"},
		{"link to a device", func(t *testing.T, dir string) {
			require.NoError(t, os.Symlink("/dev/null", filepath.Join(dir, "text.tmpl")))
		}, "templates: read text.tmpl: text.tmpl is not a regular file (a device)"},
		{"too large", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "text.tmpl"), strings.Repeat("x", templates.MaxFileSize+1))
		}, "templates: read text.tmpl: text.tmpl is larger than 1048576 bytes"},
		{"link to a regular file", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "mine"), "S {{.Title}}")
			require.NoError(t, os.Symlink("mine", filepath.Join(dir, "short.tmpl")))
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			set, err := templates.New(os.DirFS(dir))
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			got, err := set.Render("short", broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating})
			require.NoError(t, err)
			assert.Equal(t, "S T", got)
		})
	}
}

// mkfifo makes a named pipe at path. A writer stands by for as long as the
// test runs, so that code opening the pipe to read gets "x" and returns
// (and the test fails) rather than hangs.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	done := make(chan struct{})
	go func() {
		defer close(done)
		f, err := os.OpenFile(path, os.O_WRONLY, 0) // blocks until a reader opens
		if err == nil {
			_, _ = f.WriteString("x")
			_ = f.Close()
		}
	}()
	t.Cleanup(func() {
		// Open the pipe to read without blocking, so that the writer's open
		// returns if nothing read the pipe.
		r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			defer r.Close()
		}
		<-done
	})
}

func write(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
}
