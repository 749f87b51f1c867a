package served

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/harvest"
	"github.com/passerelle/passerelle/internal/testenv"
)

// TestCatalogDoesNotQueueBehindALoad: a request that finds another one
// checking the generation or loading a snapshot (the slot's lock taken)
// serves the loaded snapshot instead of waiting; were it to wait, the test
// would block.
func TestCatalogDoesNotQueueBehindALoad(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "catalogs.toml")
	require.NoError(t, os.WriteFile(path, []byte("[server]\npublic_url = \"http://127.0.0.1:8080\"\n\n[[catalog]]\nid = \"demo\"\ntitle = \"Démo\"\ndir = \""+
		filepath.Join(testenv.ModuleRoot(), "testdata", "demo")+"\"\n"), 0o644))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	st, err := cache.OpenBolt(filepath.Join(root, "data"))
	require.NoError(t, err)
	defer st.Close()
	_, err = (&harvest.Harvester{Store: st}).Run(context.Background(), cfg, cfg.Catalog("demo"), harvest.Options{})
	require.NoError(t, err)

	s := New(st, time.Hour)
	data, err := s.Catalog(context.Background(), "demo")
	require.NoError(t, err)
	slot := s.catalogs["demo"]
	slot.mu.Lock()
	slot.checked = time.Time{} // due for a recheck, but another request holds the slot
	got, err := s.Catalog(context.Background(), "demo")
	slot.mu.Unlock()
	require.NoError(t, err)
	assert.Same(t, data, got)
}
