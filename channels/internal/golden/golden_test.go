package golden

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) FailNow()              { r.failed = true; panic(r) }
func (r *recorder) Helper()               {}

// run calls JSON on a recorder and reports whether it failed.
func run(t *testing.T, file string, body []byte) (failed bool) {
	r := &recorder{TB: t}
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
		failed = r.failed
	}()
	JSON(r, file, body)
	return false
}

// Bodies are compared byte for byte once indented: the same JSON with an
// escape written otherwise differs.
func TestJSON(t *testing.T) {
	dir := t.TempDir()
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	defer func() { require.NoError(t, os.Chdir(wd)) }()
	require.NoError(t, os.Mkdir("testdata", 0o755))
	require.NoError(t, os.WriteFile(filepath.Join("testdata", "post.json"), []byte("{\n  \"text\": \"<b>\"\n}\n"), 0o644))

	assert.False(t, run(t, "post.json", []byte(`{"text":"<b>"}`)))
	assert.True(t, run(t, "post.json", []byte(`{"text":"\u003cb>"}`)), "another escape")
	assert.True(t, run(t, "post.json", []byte(`{"text":"<i>"}`)), "another value")
	assert.True(t, run(t, "post.json", []byte(`not JSON`)))
	assert.True(t, run(t, "missing.json", []byte(`{}`)))

	*update = true
	defer func() { *update = false }()
	assert.False(t, run(t, "new.json", []byte(`{"a":[1,2]}`)))
	got, err := os.ReadFile(filepath.Join("testdata", "new.json"))
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n", string(got))
}
