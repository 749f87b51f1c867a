package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/harvest"
	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/served"
)

// privateRedis is a redis-server of the test's own on a free loopback
// port, persisting to an append-only file so that a restart finds the data
// (never the machine's Redis: this one is killed).
type privateRedis struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
}

func startPrivateRedis(t *testing.T) *privateRedis {
	t.Helper()
	if testing.Short() {
		t.Skip("Redis tests are skipped under -short")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		testenv.MissingTool(t, "redis-server")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	r := &privateRedis{t: t, bin: bin, dir: t.TempDir(), port: port}
	r.start()
	t.Cleanup(r.kill)
	return r
}

func (r *privateRedis) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// start runs the server and returns once it answers PING.
func (r *privateRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "yes", "--appendfsync", "always", "--dir", r.dir)
	require.NoError(r.t, r.cmd.Start())
	for range 500 {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
		if err == nil {
			_, _ = c.Write([]byte("PING\r\n"))
			buf := make([]byte, 16)
			n, _ := c.Read(buf)
			_ = c.Close()
			if strings.HasPrefix(string(buf[:n]), "+PONG") {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("redis-server on port %d does not answer", r.port)
}

// kill stops the server with SIGKILL (no shutdown save).
func (r *privateRedis) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// TestRedisKilledAndRestarted: serve over a Redis store, kill the Redis
// server with SIGKILL, then restart it. Meanwhile the routes answer the
// snapshot already loaded (never less) or 503, never 500; a harvest run
// during the outage ends failed; after the restart the same server, not
// restarted, answers again and the next harvest succeeds and is served.
func TestRedisKilledAndRestarted(t *testing.T) {
	rs := startPrivateRedis(t)
	ctx := context.Background()
	st, err := cache.OpenRedis(ctx, rs.url(), "")
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	root := t.TempDir()
	path := filepath.Join(root, "catalogs.toml")
	require.NoError(t, os.WriteFile(path, fmt.Appendf(nil, "[server]\npublic_url = \"http://127.0.0.1:8080\"\n\n[[catalog]]\nid = \"demo\"\ntitle = \"Démo\"\ndir = %q\n", demoDir()), 0o644))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	e := &env{t: t, cfg: cfg, store: st, srv: New(Options{Store: st, Config: cfg, Recheck: 1})}
	h := &harvest.Harvester{Store: st}
	rep, err := h.Run(ctx, cfg, cfg.Catalog("demo"), harvest.Options{})
	require.NoError(t, err)
	require.Equal(t, harvest.StatusOK, rep.Status)

	paths := []string{
		"/catalogs/demo/datasets.json?page_size=5",
		"/catalogs/demo/catalog.ttl?page_size=5",
		"/catalogs/demo/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&resultType=results&maxRecords=5",
	}
	good := map[string][]byte{}
	for _, p := range paths {
		resp, body := e.get(p)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", p, body)
		good[p] = body
	}

	rs.kill()
	for _, p := range paths {
		resp, body := e.get(p)
		switch resp.StatusCode {
		case http.StatusOK:
			assert.Equal(t, string(good[p]), string(body), "%s: during the outage, the last good snapshot or nothing", p)
		case http.StatusServiceUnavailable:
		default:
			t.Errorf("%s during the outage: %d %s", p, resp.StatusCode, body)
		}
	}
	resp, body := e.get("/catalogs/demo/reports.json")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "reports need the store: %s", body)
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	assert.NotContains(t, string(body), strconv.Itoa(rs.port), "no internals in the answer")

	during, err := h.Run(ctx, cfg, cfg.Catalog("demo"), harvest.Options{})
	require.ErrorIs(t, err, cache.ErrUnavailable, "a harvest during the outage reports the store trouble")
	require.NotNil(t, during)
	assert.Equal(t, harvest.StatusFailed, during.Status, "a harvest during the outage: %+v", during.Errors)

	rs.start()
	// After a run of failed dials the client's pool redials in the
	// background (once a second): wait for it, then the same server must
	// answer again. The bound is generous, not a speed target.
	require.Eventually(t, func() bool {
		_, err := st.Generation(ctx, "demo")
		return err == nil
	}, 30*time.Second, 20*time.Millisecond, "the store never came back")
	for _, p := range paths {
		resp, body := e.get(p)
		assert.Equal(t, http.StatusOK, resp.StatusCode, "%s after the restart: %s", p, body)
	}
	resp, body = e.get("/catalogs/demo/reports.json")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "reports after the restart: %s", body)
	genBefore, err := st.Generation(ctx, "demo")
	require.NoError(t, err)
	next, err := h.Run(ctx, cfg, cfg.Catalog("demo"), harvest.Options{})
	require.NoError(t, err)
	assert.Equal(t, harvest.StatusOK, next.Status, "%+v", next.Errors)
	resp, body = e.get("/catalogs.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var cats []struct {
		Generation int64 `json:"generation"`
	}
	require.NoError(t, json.Unmarshal(body, &cats))
	require.Len(t, cats, 1)
	assert.Equal(t, genBefore+1, cats[0].Generation, "the next harvest is served")
}

// failingStore fails Generation (counting calls) while down is set.
type failingStore struct {
	cache.Store
	down  atomic.Bool
	calls atomic.Int32 // Generation
	reads atomic.Int32 // Get, Records
}

// TestStoreDownNoPerRecordReads: with the store down, what the server
// holds is served at once after a single failed store read, not one per
// record: a feed page in another format (its fragments in the bounded
// cache, its order from the heads) and a CSW filter over every record (the
// facade's index). The facade holds no model: a CSW page of records, whose
// models are read from the store, answers 503 with Retry-After at once.
// What was never used answers 503 quickly too (see
// TestStoreDownUnusedAnswers503).
func TestStoreDownNoPerRecordReads(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", "", map[string]string{"demo": demoDir()})
	e.harvest("demo")
	fs := &failingStore{Store: e.store}
	e.srv = New(Options{Store: fs, Config: e.cfg, Recheck: time.Hour})
	ctx := context.Background()
	data, err := e.srv.state.Catalog(ctx, "demo")
	require.NoError(t, err)
	require.Greater(t, len(data.Records), 5)
	const cswFull = "/catalogs/demo/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&resultType=results&maxRecords=50"
	resp, body := e.get("/catalogs/demo/catalog.ttl?page_size=50")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	resp, body = e.get(cswFull)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	fs.down.Store(true)
	reads := fs.reads.Load()
	resp, body = e.get("/catalogs/demo/catalog.nt?page_size=50")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	for _, r := range data.Records {
		if r.Entry.Type != "service" && r.Entry.Conflict == "" {
			assert.Contains(t, string(body), url.PathEscape(r.Entry.ID))
		}
	}
	hits := "/catalogs/demo/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=hits&constraintLanguage=CQL_TEXT&constraint=" +
		url.QueryEscape("AnyText LIKE '%a%'")
	resp, body = e.get(hits)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Contains(t, string(body), `numberOfRecordsMatched="`)
	resp, body = e.get(cswFull + "&sortBy=dc:title")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, string(body))
	assert.Contains(t, string(body), "ExceptionReport")
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	assert.LessOrEqual(t, fs.reads.Load()-reads, int32(1), "store reads while it is down")
}

// TestStoreDownUnusedAnswers503: with the store down, a route needing what
// was never read from it (the facade's models) answers 503 with a short
// Retry-After at once — never a 500, never one failed read per record.
func TestStoreDownUnusedAnswers503(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", "", map[string]string{"demo": demoDir()})
	e.harvest("demo")
	fs := &failingStore{Store: e.store}
	e.srv = New(Options{Store: fs, Config: e.cfg, Recheck: time.Hour})
	_, err := e.srv.state.Catalog(context.Background(), "demo")
	require.NoError(t, err)
	fs.down.Store(true)
	reads := fs.reads.Load()
	resp, body := e.get("/catalogs/demo/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results&maxRecords=5")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, string(body))
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	assert.LessOrEqual(t, fs.reads.Load()-reads, int32(1), "store reads while it is down")
}

// Get and Records fail too while down, counting calls.
func (f *failingStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	f.reads.Add(1)
	if f.down.Load() {
		return nil, false, fmt.Errorf("get: %w", cache.ErrUnavailable)
	}
	return f.Store.Get(ctx, key)
}

func (f *failingStore) Records(ctx context.Context, catalog string, hashes []string) ([]cache.StoredRecord, error) {
	f.reads.Add(1)
	if f.down.Load() {
		return nil, fmt.Errorf("records: %w", cache.ErrUnavailable)
	}
	return f.Store.Records(ctx, catalog, hashes)
}

func (f *failingStore) ParsedRecords(ctx context.Context, catalog string, hashes []string) ([][]byte, error) {
	f.reads.Add(1)
	if f.down.Load() {
		return nil, fmt.Errorf("parsed records: %w", cache.ErrUnavailable)
	}
	return f.Store.ParsedRecords(ctx, catalog, hashes)
}

func (f *failingStore) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	f.reads.Add(1)
	if f.down.Load() {
		return nil, fmt.Errorf("get many: %w", cache.ErrUnavailable)
	}
	return f.Store.GetMany(ctx, keys)
}

func (f *failingStore) Generation(ctx context.Context, catalog string) (int64, error) {
	f.calls.Add(1)
	if f.down.Load() {
		return 0, fmt.Errorf("read generation: %w", cache.ErrUnavailable)
	}
	return f.Store.Generation(ctx, catalog)
}

// TestStoreDownServesLoadedSnapshot: with the store failing, the loaded
// snapshot is served and the generation is not read again before the
// recheck interval (not once per request). (That a request finding another
// one checking or loading serves the loaded snapshot instead of waiting is
// tested in served: TestCatalogDoesNotQueueBehindALoad.)
func TestStoreDownServesLoadedSnapshot(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", "", map[string]string{"demo": demoDir()})
	e.harvest("demo")
	fs := &failingStore{Store: e.store}
	e.srv.state = served.New(fs, 50*time.Millisecond)
	ctx := context.Background()
	data, err := e.srv.state.Catalog(ctx, "demo")
	require.NoError(t, err)

	fs.down.Store(true)
	time.Sleep(60 * time.Millisecond) // due for a recheck
	calls := fs.calls.Load()
	for range 5 {
		got, err := e.srv.state.Catalog(ctx, "demo")
		require.NoError(t, err)
		assert.Same(t, data, got)
	}
	assert.Equal(t, calls+1, fs.calls.Load(), "one failed generation read, then the loaded snapshot until the next recheck")
}

// TestNewGenerationPreparedBeforeServed: when a harvest commits a new
// generation, the request that finds it loads it and maps its fragments
// before it replaces the served one (others keep serving the previous
// one meanwhile), so no request after the switch waits for lazy mapping.
func TestNewGenerationPreparedBeforeServed(t *testing.T) {
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(demoDir(), "*.xml"))
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644))
	}
	e := newEnv(t, "http://127.0.0.1:8080", "", map[string]string{"demo": dir})
	e.harvest("demo")
	ctx := context.Background()
	first, err := e.srv.state.Catalog(ctx, "demo")
	require.NoError(t, err)

	// Change one record: a new generation.
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	changed := strings.Replace(string(b), "</gmd:MD_Metadata>", "<!-- changed --></gmd:MD_Metadata>", 1)
	require.NotEqual(t, string(b), changed)
	require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(files[0])), []byte(changed), 0o644))
	e.harvest("demo")

	next, err := e.srv.state.Catalog(ctx, "demo")
	require.NoError(t, err)
	require.NotSame(t, first, next)
	assert.Greater(t, next.Gen, first.Gen)
	for _, r := range next.Records {
		assert.True(t, r.HeadReady(), "record %q of the new generation served before its fragment head was built", r.Entry.ID)
	}
}

// TestBackgroundReload: with BackgroundReload, the request that finds a
// new generation is answered with the served one at once, the new one is
// loaded and prepared in the background, then served.
func TestBackgroundReload(t *testing.T) {
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(demoDir(), "*.xml"))
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644))
	}
	e := newEnv(t, "http://127.0.0.1:8080", "", map[string]string{"demo": dir})
	e.srv = New(Options{Store: e.store, Config: e.cfg, Recheck: 1, BackgroundReload: true})
	e.harvest("demo")
	ctx := context.Background()
	first, err := e.srv.state.Catalog(ctx, "demo")
	require.NoError(t, err, "the first load is waited for")

	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(files[0])), []byte(strings.Replace(string(b), "</gmd:MD_Metadata>", "<!-- changed --></gmd:MD_Metadata>", 1)), 0o644))
	e.harvest("demo")

	got, err := e.srv.state.Catalog(ctx, "demo")
	require.NoError(t, err)
	assert.Same(t, first, got, "the request finding the new generation is served the current one")
	var next *served.Catalog
	require.Eventually(t, func() bool {
		next, err = e.srv.state.Catalog(ctx, "demo")
		return err == nil && next.Gen > first.Gen
	}, 30*time.Second, 5*time.Millisecond, "the new generation is never served")
	for _, r := range next.Records {
		assert.True(t, r.HeadReady(), "record %q served before its fragment head was built", r.Entry.ID)
	}
	resp, body := e.get("/catalogs/demo/datasets.json")
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
}
