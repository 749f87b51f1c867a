package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/harvest"
	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/internal/udatafake"
	"github.com/passerelle/passerelle/iso"
)

// cli runs the command in-process and returns its exit code and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func rootConfig() string { return filepath.Join(testenv.ModuleRoot(), "catalogs.toml") }

func TestCheckConfig(t *testing.T) {
	code, out, _ := cli(t, "check-config", "--config", rootConfig())
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "ok")

	bad := filepath.Join(t.TempDir(), "catalogs.toml")
	require.NoError(t, os.WriteFile(bad, []byte("[server]\npublic_url = \"ftp://x\"\nbogus = 1\n"), 0o644))
	code, _, errOut := cli(t, "check-config", "--config", bad)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "catalogs.toml:3")
	assert.Contains(t, errOut, "public_url")

	code, _, _ = cli(t, "nope")
	assert.Equal(t, exitUsage, code)
	code, _, _ = cli(t, "harvest", "--catalog", "unknown", "--config", rootConfig(), "--cache", t.TempDir())
	assert.Equal(t, exitUsage, code)
}

func TestHarvestJSONAndProducers(t *testing.T) {
	store := t.TempDir()
	code, out, errOut := cli(t, "harvest", "--json", "--config", rootConfig(), "--cache", store)
	require.Equal(t, exitOK, code, errOut)
	var rep harvest.Report
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &rep), out)
	assert.Equal(t, "demo", rep.Catalog)
	assert.Equal(t, harvest.StatusOK, rep.Status)
	assert.Equal(t, 20, rep.Matched)
	assert.Equal(t, 20, rep.Added)

	code, out, _ = cli(t, "harvest", "--json", "--config", rootConfig(), "--cache", store)
	require.Equal(t, exitOK, code)
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &rep))
	assert.Equal(t, 20, rep.Unchanged)

	code, out, _ = cli(t, "producers", "--catalog", "demo", "--json", "--config", rootConfig(), "--cache", store)
	require.Equal(t, exitOK, code)
	var producers []struct {
		Slug  string `json:"slug"`
		Count int    `json:"count"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &producers))
	assert.NotEmpty(t, producers)
	assert.Equal(t, "ddtm-d-ille-et-vilaine", producers[0].Slug, "aliases merge DDTM 35 into its target")
}

// TestPushAgainstFake pushes the demo's push-mode organization into the fake
// data.gouv.fr through the CLI: plan, apply, then a second apply that
// writes nothing.
func TestPushAgainstFake(t *testing.T) {
	cfg, err := config.Load(rootConfig())
	require.NoError(t, err)
	var org *config.Organization
	for i := range cfg.Organizations {
		if cfg.Organizations[i].Mode == config.ModePush {
			org = &cfg.Organizations[i]
		}
	}
	require.NotNil(t, org, "the demo configuration has a push-mode organization")

	fake := udatafake.New(udatafake.Options{})
	user := fake.AddUser(udatafake.User{ID: udatafake.NewID(), Slug: "robot", Email: "robot@example.org"})
	fake.AddAPIKey(user.ID, "test-key")
	fake.AddOrg(udatafake.Org{ID: org.DatagouvID, Name: org.Title, Slug: org.ID, Members: []udatafake.Member{{UserID: user.ID, Role: "editor"}}})
	srv := fake.Start(t)
	t.Setenv("DATAGOUV_URL", srv.URL)
	t.Setenv("DATAGOUV_API_KEY", "test-key")

	store := t.TempDir()
	code, _, errOut := cli(t, "harvest", "--config", rootConfig(), "--cache", store)
	require.Equal(t, exitOK, code, errOut)

	code, out, errOut := cli(t, "push", "plan", "--json", "--config", rootConfig(), "--cache", store)
	require.Equal(t, exitOK, code, errOut)
	var plan struct {
		Counts map[string]int `json:"counts"`
	}
	line, _ := bufio.NewReader(strings.NewReader(out)).ReadString('\n')
	require.NoError(t, json.Unmarshal([]byte(line), &plan), out)
	assert.Positive(t, plan.Counts["create"], out)
	assert.Zero(t, fake.Writes(), "plan writes nothing")

	code, out, errOut = cli(t, "push", "apply", "--config", rootConfig(), "--cache", store)
	require.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	created := len(fake.Datasets(org.DatagouvID))
	assert.Equal(t, plan.Counts["create"], created)

	fake.ResetCounts()
	code, _, errOut = cli(t, "push", "apply", "--config", rootConfig(), "--cache", store)
	require.Equal(t, exitOK, code, errOut)
	assert.Zero(t, fake.Writes(), "a second apply makes no write call")

	code, _, errOut = cli(t, "push", "apply", "--org", "bretagne-demo", "--config", rootConfig(), "--cache", store)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "harvest")
}

// TestServeEndToEnd runs `passerelle serve` on a fresh store: its scheduler
// harvests the demo catalog at start, the feeds answer, a configuration
// change is picked up, and cancelling stops it cleanly with exit 0.
func TestServeEndToEnd(t *testing.T) {
	addr := freeAddr(t)

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "catalogs.toml")
	body, err := os.ReadFile(rootConfig())
	require.NoError(t, err)
	text := strings.Replace(string(body), `dir = "testdata/demo"`, fmt.Sprintf("dir = %q", filepath.Join(testenv.ModuleRoot(), "testdata", "demo")), 1)
	require.NoError(t, os.WriteFile(cfgPath, []byte(text), 0o644))

	ctx, cancel := context.WithCancel(context.Background())
	codes := make(chan int, 1)
	// The server logs from many goroutines: like stderr, the buffer must
	// take concurrent writes.
	var out, errOut lockedBuffer
	go func() {
		codes <- run(ctx, []string{"serve", "--addr", addr, "--config", cfgPath, "--cache", filepath.Join(dir, "data"), "--reload", "20ms"}, &out, &errOut)
	}()
	get := func(path string) (int, string) { return httpGet("http://" + addr + path) }
	require.Eventually(t, func() bool {
		code, _ := get("/catalogs/demo/catalog.ttl")
		return code == http.StatusOK
	}, 60*time.Second, 50*time.Millisecond, "the scheduler harvests the never-harvested catalog at start")
	code, _ := get("/organizations/bretagne-demo/datasets.json")
	assert.Equal(t, http.StatusOK, code)

	// Hot reload: a new title reaches the feed.
	later := time.Now().Add(time.Minute)
	require.NoError(t, os.WriteFile(cfgPath, []byte(strings.Replace(text, `title = "Catalogue de démonstration`, `title = "Démo rechargée`, 1)), 0o644))
	require.NoError(t, os.Chtimes(cfgPath, later, later))
	require.Eventually(t, func() bool {
		_, page := get("/catalogs/demo/catalog.ttl")
		return strings.Contains(page, "Démo rechargée")
	}, 10*time.Second, 20*time.Millisecond)

	cancel()
	select {
	case code := <-codes:
		assert.Equal(t, exitOK, code, errOut.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after cancellation")
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// httpGet returns the status and body of a GET, or 0 and the error's text.
func httpGet(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestOrganizationsCommand: `passerelle organizations` lists the account's
// organizations with their roles; `push plan` refuses an organization of
// catalogs.toml where the account cannot edit, with that list; --help
// says unattended pushes use an API key (issue 9 items 12 and 13).
func TestOrganizationsCommand(t *testing.T) {
	cfg, err := config.Load(rootConfig())
	require.NoError(t, err)
	var org *config.Organization
	for i := range cfg.Organizations {
		if cfg.Organizations[i].Mode == config.ModePush {
			org = &cfg.Organizations[i]
		}
	}
	require.NotNil(t, org)
	fake := udatafake.New(udatafake.Options{})
	user := fake.AddUser(udatafake.User{Slug: "robot", Email: "robot@example.org"})
	fake.AddAPIKey(user.ID, "test-key")
	fake.AddOrg(udatafake.Org{ID: org.DatagouvID, Name: org.Title, Members: []udatafake.Member{{UserID: user.ID, Role: "partial_editor"}}})
	other := fake.AddOrg(udatafake.Org{Name: "Région Test", Members: []udatafake.Member{{UserID: user.ID, Role: "admin"}}})
	srv := fake.Start(t)
	t.Setenv("DATAGOUV_URL", srv.URL)
	t.Setenv("DATAGOUV_API_KEY", "test-key")

	code, out, errOut := cli(t, "organizations")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "organizations of account robot@example.org")
	assert.Regexp(t, other.ID+` +admin +yes +Région Test`, out)
	assert.Regexp(t, org.DatagouvID+` +partial_editor +no +`, out)

	code, out, errOut = cli(t, "organizations", "--json")
	require.Equal(t, exitOK, code, errOut)
	var ms []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &ms))
	assert.Len(t, ms, 2)

	store := t.TempDir()
	code, _, errOut = cli(t, "harvest", "--config", rootConfig(), "--cache", store)
	require.Equal(t, exitOK, code, errOut)
	code, _, errOut = cli(t, "push", "plan", "--config", rootConfig(), "--cache", store)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, `has role "partial_editor"`)
	assert.Contains(t, errOut, other.ID+` "Région Test" (admin)`)
	assert.Zero(t, fake.Writes())

	code, _, errOut = cli(t, "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, errOut, "DATAGOUV_API_KEY (an API key: use it for unattended pushes")
	code, _, errOut = cli(t, "login", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, errOut, "unattended pushes (cron, auto_push) should use an API key")
}

// TestPushSkipsMaps: map records (staticMap, interactiveMap, map) are
// dcat:Resource in the feed, which udata ignores: push must not create
// them as datasets either, so that both modes of an organization publish
// the same datasets (issue 9 item 7). The filter is dcat's (h9b's item 7
// change); this test checks it end to end through push.
func TestPushSkipsMaps(t *testing.T) {
	dir := t.TempDir()
	var maps, datasets []string
	for _, name := range []string{
		"gnui__georhena.iso19139.reuse+solaire.xml", "gnui__geo2france.iso19139.reuse+ongules.xml",
		"gnui__geo2france.iso19139.reuse+roilaye.xml", "gnui__geo2france.iso19139.plu.xml", "gnui__geo2france.iso19139.scot.xml",
	} {
		raw, err := os.ReadFile(testenv.Corpus(t, "records", name))
		require.NoError(t, err)
		rec, err := iso.Parse(raw)
		require.NoError(t, err)
		switch rec.HierarchyLevel {
		case "staticMap", "interactiveMap", "map":
			maps = append(maps, rec.Title.Value)
		default:
			datasets = append(datasets, rec.Title.Value)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), raw, 0o644))
	}
	require.Len(t, maps, 3)
	cfgPath := filepath.Join(t.TempDir(), "catalogs.toml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(fmt.Sprintf(`[server]
public_url = "http://127.0.0.1:8080"
[[catalog]]
id = "corpus"
title = "Corpus"
dir = %q
[[organization]]
id = "tout"
title = "Tout"
datagouv_id = "65a0de000000000000000c01"
mode = "push"
  [[organization.source]]
  catalog = "corpus"
  producers = ["*"]
`, dir)), 0o644))

	fake := udatafake.New(udatafake.Options{})
	user := fake.AddUser(udatafake.User{Slug: "robot", Email: "robot@example.org"})
	fake.AddAPIKey(user.ID, "test-key")
	fake.AddOrg(udatafake.Org{ID: "65a0de000000000000000c01", Name: "Tout", Members: []udatafake.Member{{UserID: user.ID, Role: "editor"}}})
	srv := fake.Start(t)
	t.Setenv("DATAGOUV_URL", srv.URL)
	t.Setenv("DATAGOUV_API_KEY", "test-key")
	store := t.TempDir()
	code, _, errOut := cli(t, "harvest", "--config", cfgPath, "--cache", store)
	require.Equal(t, exitOK, code, errOut)
	code, out, errOut := cli(t, "push", "apply", "--config", cfgPath, "--cache", store)
	require.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	var titles []string
	for _, d := range fake.Datasets("65a0de000000000000000c01") {
		titles = append(titles, d.Title)
	}
	for _, m := range maps {
		assert.NotContains(t, titles, m, "map record pushed as a dataset")
	}
	assert.ElementsMatch(t, datasets, titles)
}

// TestLoginPrintsExpiryAndOrganizations runs `passerelle login` against the
// fake (which consents for its browser user): it prints when the sign-in
// expires and the account's organizations with their roles.
func TestLoginPrintsExpiryAndOrganizations(t *testing.T) {
	fake := udatafake.New(udatafake.Options{})
	user := fake.AddUser(udatafake.User{Slug: "ada", Email: "ada@example.org"})
	fake.SetBrowserUser(user.ID)
	org := fake.AddOrg(udatafake.Org{Name: "DDT Test", Members: []udatafake.Member{{UserID: user.ID, Role: "editor"}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	fake.AddClient(udatafake.OAuthClient{ID: "passerelle", Secret: "s3cret", RedirectURIs: []string{fmt.Sprintf("http://127.0.0.1:%d/callback", port)}})
	srv := fake.Start(t)
	t.Setenv("DATAGOUV_URL", srv.URL)
	t.Setenv("DATAGOUV_API_KEY", "")
	t.Setenv("DATAGOUV_CLIENT_ID", "passerelle")
	t.Setenv("DATAGOUV_CLIENT_SECRET", "s3cret")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())

	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	codes := make(chan int, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		codes <- run(ctx, []string{"login", "--port", fmt.Sprint(port)}, pw, &errOut)
		pw.Close()
	}()
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "http") {
			resp, err := http.Get(line) // the browser: the fake consents and redirects to the callback
			require.NoError(t, err)
			resp.Body.Close()
		}
	}
	require.Equal(t, exitOK, <-codes, errOut.String())
	assert.Contains(t, out.String(), "The sign-in expires on ")
	assert.Contains(t, out.String(), "sign in again with `passerelle login`")
	assert.Regexp(t, org.ID+` +editor +yes +DDT Test`, out.String())
}
