package harvest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/internal/cswtest"
)

// killChildEnv names the folder a child process harvests into.
const killChildEnv = "PASSERELLE_TEST_KILL_HARVEST"

// TestSIGKILLMidHarvestKeepsLastSnapshot: a process harvesting into the
// embedded store is killed with SIGKILL in the middle of a harvest (the
// upstream holds its fourth answer until then: at most three of the six
// pages were read, so the run cannot have committed). The next opening of
// the store finds the last complete snapshot, every record it names
// readable and unchanged, and the next harvest commits the new content.
func TestSIGKILLMidHarvestKeepsLastSnapshot(t *testing.T) {
	if root := os.Getenv(killChildEnv); root != "" {
		killChild(root)
		return
	}
	const n, pageSize = 60, 10
	old := cswtest.Generate(n)
	changed := make([][]byte, n)
	for i := range changed {
		changed[i] = cswtest.GenerateOne(fmt.Sprintf("passerelle-test-%06d", i+1), i+1)
	}
	up := &swappable{}
	srv := httptest.NewServer(up)
	t.Cleanup(srv.Close)
	root := t.TempDir()
	f := open(t, root, fmt.Sprintf("[server]\npublic_url = \"http://127.0.0.1:8080\"\n\n[[catalog]]\nid = \"up\"\ntitle = \"Upstream\"\nurl = %q\npage_size = %d\n", srv.URL+"/csw", pageSize), "up")
	f.h.Client = client.New(client.Options{})
	up.set(cswtest.NewHandler(old, cswtest.Options{}))
	first := f.run(Options{})
	require.Equal(t, StatusOK, first.Status, "%+v", first.Errors)
	before := f.snapshot()
	require.Len(t, before.Entries, n)
	beforeRecs, err := f.store.Records(context.Background(), "up", entryHashes(before))
	require.NoError(t, err)
	require.NoError(t, f.store.Close()) // one process at a time opens the embedded store

	// The changed upstream answers three requests, then holds the fourth
	// until its client goes away.
	held, release := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) }) // before srv.Close, which waits for handlers
	var calls atomic.Int32
	var once sync.Once
	changedHandler := cswtest.NewHandler(changed, cswtest.Options{})
	up.set(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) > 3 {
			once.Do(func() { close(held) })
			_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client leaving
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		changedHandler.ServeHTTP(w, r)
	}))
	cmd := exec.Command(os.Args[0], "-test.run=^TestSIGKILLMidHarvestKeepsLastSnapshot$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+root)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case <-held:
	case line, ok := <-lines:
		for ok && !strings.HasPrefix(line, "finished") && !strings.HasPrefix(line, "error") {
			line, ok = <-lines
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the child ended before the upstream held an answer: %q", line)
	}
	require.NoError(t, cmd.Process.Kill()) // SIGKILL
	err = cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the child must die of the signal")
	assert.False(t, exit.Success())
	for line := range lines {
		assert.NotContains(t, line, "finished", "the child finished its harvest")
	}

	st, err := cache.OpenBolt(filepath.Join(root, "data"))
	require.NoError(t, err, "the store opens after its holder was killed")
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	after, err := st.Snapshot(ctx, "up")
	require.NoError(t, err)
	assert.Equal(t, before.Generation, after.Generation, "the killed run committed nothing")
	assert.Equal(t, before.Entries, after.Entries, "the last complete snapshot is served")
	recs, err := st.Records(ctx, "up", entryHashes(after))
	require.NoError(t, err, "every record of the snapshot is readable")
	require.Len(t, recs, len(beforeRecs))
	for i := range recs {
		assert.Equal(t, beforeRecs[i].Raw, recs[i].Raw, "record %.12s changed", recs[i].Hash)
	}

	// The next harvest commits the changed content.
	up.set(changedHandler)
	f.store = st
	f.h = &Harvester{Store: st, Client: client.New(client.Options{})}
	next := f.run(Options{})
	require.Equal(t, StatusOK, next.Status, "%+v", next.Errors)
	assert.Equal(t, n, next.Updated)
	assert.Equal(t, before.Generation+1, f.snapshot().Generation)
}

func entryHashes(s *cache.Snapshot) []string {
	hashes := make([]string, len(s.Entries))
	for i, e := range s.Entries {
		hashes[i] = e.Hash
	}
	return hashes
}

// killChild is the child process of TestSIGKILLMidHarvestKeepsLastSnapshot:
// it harvests catalog "up" of root/catalogs.toml into root/data.
func killChild(root string) {
	cfg, err := config.Load(filepath.Join(root, "catalogs.toml"))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	st, err := cache.OpenBolt(filepath.Join(root, "data"))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	h := &Harvester{Store: st, Client: client.New(client.Options{})}
	rep, err := h.Run(context.Background(), cfg, cfg.Catalog("up"), Options{})
	status := ""
	if rep != nil {
		status = rep.Status
	}
	fmt.Println("finished", status, err)
	_ = st.Close()
	os.Exit(0)
}
