package pgstore_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// Migration 2 only adds an index, 3 a column and an index the versions
// before neither read nor write, 4 replaces that index, and 5 only adds
// indexes, so the versions whose schema was 1 keep running on a database
// migrated to 5 (see TestOlderReleaseUsesACompatibleNewerSchema).
func TestShippedMigrationsSayWhichVersionsTheyKeep(t *testing.T) {
	from, err := pgstore.CompatibleFrom(nil)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 1, 1, 1, 1}, from)
	assert.Len(t, from, pgstore.SchemaVersion)
}

func TestCompatibleFromIsChecked(t *testing.T) {
	file := func(text string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(text)} }
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  []int
		err   string
	}{
		{"without the line, from its own version", fstest.MapFS{
			"migrations/0001_a.sql": file("CREATE TABLE a ();\n"),
			"migrations/0002_b.sql": file("-- b\nCREATE TABLE b ();\n"),
		}, []int{1, 2}, ""},
		{"kept over several migrations", fstest.MapFS{
			"migrations/0001_a.sql": file("CREATE TABLE a ();\n"),
			"migrations/0002_b.sql": file("-- compatible-from: 1\nCREATE TABLE b ();\n"),
			"migrations/0003_c.sql": file("-- compatible-from: 1\r\nCREATE TABLE c ();\n"),
			"migrations/0004_d.sql": file("ALTER TABLE a ADD x int NOT NULL;\n"),
			"migrations/0005_e.sql": file("-- compatible-from: 4\nCREATE TABLE e ();\n"),
		}, []int{1, 1, 1, 4, 4}, ""},
		{"newer than the migration", fstest.MapFS{
			"migrations/0001_a.sql": file("-- compatible-from: 2\n"),
		}, nil, "pgstore: migration 0001_a.sql: -- compatible-from: 2: not from 1 to 1"},
		{"older than the migration before", fstest.MapFS{
			"migrations/0001_a.sql": file(""),
			"migrations/0002_b.sql": file(""),
			"migrations/0003_c.sql": file("-- compatible-from: 1\n"),
		}, nil, "pgstore: migration 0003_c.sql: -- compatible-from: 1: not from 2 to 3"},
		{"zero", fstest.MapFS{
			"migrations/0001_a.sql": file("-- compatible-from: 0\n"),
		}, nil, "pgstore: migration 0001_a.sql: -- compatible-from: 0: not from 1 to 1"},
		{"not a number", fstest.MapFS{
			"migrations/0001_a.sql": file("-- compatible-from: one\n"),
		}, nil, `pgstore: migration 0001_a.sql: -- compatible-from: "one": not a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, err := pgstore.CompatibleFrom(tc.files)
			if tc.err != "" {
				assert.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, from)
		})
	}
}
