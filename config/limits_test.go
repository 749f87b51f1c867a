package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHarvestLimits: max_records, max_duration and the [harvest] table,
// their defaults and their checks.
func TestHarvestLimits(t *testing.T) {
	const head = "[server]\npublic_url = \"http://localhost:8080\"\n"
	const cat = "[[catalog]]\nid = \"x\"\ntitle = \"X\"\nurl = \"https://example.org/csw\"\n"
	noEnv := func(string) (string, bool) { return "", false }

	c, err := parse("catalogs.toml", []byte(head+cat), t.TempDir(), noEnv)
	require.NoError(t, err)
	assert.Equal(t, DefaultMaxRecords, c.Catalogs[0].RecordLimit())
	assert.Equal(t, DefaultMaxDuration, c.Deadline(&c.Catalogs[0]))
	assert.Equal(t, DefaultMaxConcurrent, c.Harvest.Concurrency())
	assert.Equal(t, DefaultMaxRecordBytes, c.Harvest.RecordBytes())
	assert.Equal(t, DefaultMaxTextBytes, c.Harvest.TextBytes())
	require.NoError(t, (&Config{Server: c.Server, Catalogs: c.Catalogs}).Validate(), "a hand-built config without limits takes the defaults")

	c, err = parse("catalogs.toml", []byte(head+"[harvest]\nmax_duration = \"2h\"\nmax_concurrent = 4\nmax_record_bytes = 100000\nmax_text_bytes = 2000\n"+
		cat+"max_records = 10\n"+
		"[[catalog]]\nid = \"y\"\ntitle = \"Y\"\nurl = \"https://example.org/csw\"\nmax_duration = \"30m\"\n"), t.TempDir(), noEnv)
	require.NoError(t, err)
	assert.Equal(t, 10, c.Catalogs[0].RecordLimit())
	assert.Equal(t, 2*time.Hour, c.Deadline(&c.Catalogs[0]), "[harvest] max_duration")
	assert.Equal(t, 30*time.Minute, c.Deadline(&c.Catalogs[1]), "the catalog's own max_duration")
	assert.Equal(t, 4, c.Harvest.Concurrency())
	assert.Equal(t, 100000, c.Harvest.RecordBytes())
	assert.Equal(t, 2000, c.Harvest.TextBytes())

	for _, tc := range []struct{ toml, err string }{
		{"[harvest]\nmax_concurrent = -1\n" + cat, "harvest: max_concurrent: must be at least 1, got -1"},
		{"[harvest]\nmax_record_bytes = 100\n" + cat, "harvest: max_record_bytes: must be at least 65536, got 100"},
		{"[harvest]\nmax_text_bytes = 6000000\n" + cat, "harvest: max_text_bytes: must be between 1024 and max_record_bytes (5000000), got 6000000"},
		{"[harvest]\nmax_duration = \"-1h\"\n" + cat, "harvest: max_duration: must be positive, got -1h0m0s"},
		{cat + "max_records = -5\n", `catalog "x": max_records: must be positive, got -5`},
		{cat + "max_duration = \"soon\"\n", `catalog "x": max_duration: must be a Go duration`},
	} {
		_, err := parse("catalogs.toml", []byte(head+tc.toml), t.TempDir(), noEnv)
		require.Error(t, err, tc.toml)
		assert.Contains(t, err.Error(), tc.err)
	}
}
