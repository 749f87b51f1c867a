package config

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWatchReloadsValidFilesOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "catalogs.toml")
	write := func(title string, mod time.Time) {
		body := "[server]\npublic_url = \"http://127.0.0.1:8080\"\n\n[[catalog]]\nid = \"a\"\ntitle = " + title + "\nurl = \"https://example.org/csw\"\n"
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
		require.NoError(t, os.Chtimes(path, mod, mod))
	}
	base := time.Now().Add(-time.Hour)
	write(`"First"`, base)
	loaded, err := Load(path)
	require.NoError(t, err)

	var mu sync.Mutex
	var applied []string
	var rejected []error
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Watch(ctx, loaded, 5*time.Millisecond, func(c *Config) {
			mu.Lock()
			defer mu.Unlock()
			applied = append(applied, c.Catalogs[0].Title)
		}, func(err error) {
			mu.Lock()
			defer mu.Unlock()
			rejected = append(rejected, err)
		})
	}()
	// Written at once, maybe before the watcher's first look: compared with
	// the loaded content, the change is seen all the same.
	write(`"Second"`, base.Add(time.Minute))
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(applied) == 1 }, 2*time.Second, 5*time.Millisecond)
	require.NoError(t, os.Chtimes(path, base.Add(90*time.Second), base.Add(90*time.Second))) // touched only: nothing happens
	write(`bad`, base.Add(2*time.Minute))                                                    // a syntax error: rejected, nothing applied
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(rejected) == 1 }, 2*time.Second, 5*time.Millisecond)
	cancel()
	<-done
	assert.Equal(t, []string{"Second"}, applied)
	assert.ErrorIs(t, rejected[0], ErrInvalid)
}
