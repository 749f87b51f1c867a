package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache/cachetest"
	"github.com/passerelle/passerelle/internal/cswtest"
	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/internal/udatafake"
)

// serveRun is a `passerelle serve` running in-process for a test.
type serveRun struct {
	t       *testing.T
	addr    string
	cfgPath string
	text    string // the demo configuration as first written
	errOut  *lockedBuffer
}

// startServe writes the demo configuration into a temporary folder and
// runs serve on a free port with args added; it stops when the test ends.
func startServe(t *testing.T, args ...string) *serveRun {
	t.Helper()
	return startServeWith(t, nil, args...)
}

// startServeWith is startServe with the configuration text changed by edit.
func startServeWith(t *testing.T, edit func(string) string, args ...string) *serveRun {
	t.Helper()
	addr := freeAddr(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "catalogs.toml")
	body, err := os.ReadFile(rootConfig())
	require.NoError(t, err)
	text := strings.Replace(string(body), `dir = "testdata/demo"`, fmt.Sprintf("dir = %q", filepath.Join(testenv.ModuleRoot(), "testdata", "demo")), 1)
	text = strings.Replace(text, `public_url = "http://127.0.0.1:8080"`, fmt.Sprintf("public_url = %q", "http://"+addr), 1)
	if edit != nil {
		text = edit(text)
	}
	require.NoError(t, os.WriteFile(cfgPath, []byte(text), 0o644))
	s := &serveRun{t: t, addr: addr, cfgPath: cfgPath, text: text, errOut: &lockedBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	codes := make(chan int, 1)
	var out lockedBuffer
	go func() {
		codes <- run(ctx, append([]string{"serve", "--addr", addr, "--config", cfgPath, "--cache", filepath.Join(dir, "data")}, args...), &out, s.errOut)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-codes:
			assert.Equal(t, exitOK, code, s.errOut.String())
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop after cancellation")
		}
	})
	require.Eventually(t, func() bool {
		code, _ := s.get("/readyz")
		return code == http.StatusOK
	}, 60*time.Second, 20*time.Millisecond, "the scheduler harvests the demo catalog at start")
	return s
}

func (s *serveRun) get(path string) (int, string) { return httpGet("http://" + s.addr + path) }

type readyBody struct {
	Config struct {
		Hash string `json:"hash"`
	} `json:"config"`
	LastReloadError *struct {
		Error string `json:"error"`
	} `json:"last_reload_error"`
}

func (s *serveRun) ready() readyBody {
	_, body := s.get("/readyz")
	var r readyBody
	require.NoError(s.t, json.Unmarshal([]byte(body), &r), body)
	return r
}

// TestServeReloadsOnSIGHUP: with the file watcher off, SIGHUP loads a
// good file (its hash shows in /readyz, its title in the feed) and refuses
// a bad one (the error shows, the previous configuration stays).
func TestServeReloadsOnSIGHUP(t *testing.T) {
	s := startServe(t, "--reload", "0")
	first := s.ready().Config.Hash
	require.Len(t, first, 64)

	good := strings.Replace(s.text, `title = "Catalogue de démonstration`, `title = "Démo par SIGHUP`, 1)
	require.NotEqual(t, good, s.text)
	require.NoError(t, os.WriteFile(s.cfgPath, []byte(good), 0o644))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.Eventually(t, func() bool { return s.ready().Config.Hash != first }, 10*time.Second, 10*time.Millisecond)
	_, page := s.get("/catalogs/demo/catalog.ttl")
	assert.Contains(t, page, "Démo par SIGHUP")
	second := s.ready().Config.Hash
	assert.Nil(t, s.ready().LastReloadError)

	require.NoError(t, os.WriteFile(s.cfgPath, []byte(good+"\nbogus = 1\n"), 0o644))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.Eventually(t, func() bool { return s.ready().LastReloadError != nil }, 10*time.Second, 10*time.Millisecond)
	r := s.ready()
	assert.Contains(t, r.LastReloadError.Error, "bogus")
	assert.Equal(t, second, r.Config.Hash, "the refused file leaves the previous configuration in force")
	_, page = s.get("/catalogs/demo/catalog.ttl")
	assert.Contains(t, page, "Démo par SIGHUP")
	assert.Contains(t, s.errOut.String(), `"by":"SIGHUP"`)
}

// TestServeAutoPush: a push-mode organization with auto_push = true is
// planned and applied into the fake data.gouv.fr after the scheduler's ok
// harvest, and the push actions show in /metrics.
func TestServeAutoPush(t *testing.T) {
	const dg = "65a0de000000000000000b02" // metropole-demo in the demo configuration
	fake := udatafake.New(udatafake.Options{})
	user := fake.AddUser(udatafake.User{ID: udatafake.NewID(), Slug: "robot", Email: "robot@example.org"})
	fake.AddAPIKey(user.ID, "test-key")
	fake.AddOrg(udatafake.Org{ID: dg, Name: "Métropole", Slug: "metropole-demo", Members: []udatafake.Member{{UserID: user.ID, Role: "editor"}}})
	fsrv := fake.Start(t)
	t.Setenv("DATAGOUV_URL", fsrv.URL)
	t.Setenv("DATAGOUV_API_KEY", "test-key")

	s := startServeWith(t, func(text string) string {
		out := strings.Replace(text, "mode = \"push\"\n", "mode = \"push\"\nauto_push = true\n", 1)
		require.NotEqual(t, text, out)
		return out
	}, "--reload", "0")
	require.Eventually(t, func() bool { return len(fake.Datasets(dg)) > 0 }, 30*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool {
		_, m := s.get("/metrics")
		return strings.Contains(m, `passerelle_push_actions_total{kind="create",result="ok"}`)
	}, 30*time.Second, 20*time.Millisecond)
	_, m := s.get("/metrics")
	assert.Contains(t, m, `passerelle_harvests_total{catalog="demo",status="ok"} 1`)
}

func (s *serveRun) do(method, path, token string) (int, string) {
	req, err := http.NewRequest(method, "http://"+s.addr+path, nil)
	require.NoError(s.t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeAdminPlanAndPush: with PASSERELLE_ADMIN_TOKEN, a script reads a
// push-mode organization's plan and starts its push (202); the datasets
// reach the fake data.gouv.fr; a harvest-mode organization is refused; a
// harvest is queued through the scheduler.
func TestServeAdminPlanAndPush(t *testing.T) {
	const dg = "65a0de000000000000000b02"
	fake := udatafake.New(udatafake.Options{})
	user := fake.AddUser(udatafake.User{ID: udatafake.NewID(), Slug: "robot", Email: "robot@example.org"})
	fake.AddAPIKey(user.ID, "test-key")
	fake.AddOrg(udatafake.Org{ID: dg, Name: "Métropole", Slug: "metropole-demo", Members: []udatafake.Member{{UserID: user.ID, Role: "editor"}}})
	fsrv := fake.Start(t)
	t.Setenv("DATAGOUV_URL", fsrv.URL)
	t.Setenv("DATAGOUV_API_KEY", "test-key")
	t.Setenv("PASSERELLE_ADMIN_TOKEN", "script-token")
	s := startServe(t, "--reload", "0")

	code, body := s.do("GET", "/admin/organizations/metropole-demo/plan", "wrong")
	assert.Equal(t, http.StatusUnauthorized, code, body)
	code, body = s.do("GET", "/admin/organizations/metropole-demo/plan", "script-token")
	require.Equal(t, http.StatusOK, code, body)
	var plan struct {
		Counts map[string]int `json:"counts"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &plan), body)
	creates := plan.Counts["create"]
	require.Positive(t, creates)
	assert.Zero(t, fake.Writes(), "a plan writes nothing")

	code, body = s.do("POST", "/admin/organizations/bretagne-demo/push", "script-token")
	assert.Equal(t, http.StatusBadRequest, code, "harvest mode: "+body)
	code, body = s.do("POST", "/admin/organizations/metropole-demo/push", "script-token")
	require.Equal(t, http.StatusAccepted, code, body)
	require.Eventually(t, func() bool { return len(fake.Datasets(dg)) == creates }, 30*time.Second, 20*time.Millisecond)

	code, body = s.do("POST", "/admin/catalogs/demo/harvest", "script-token")
	require.Equal(t, http.StatusAccepted, code, body)
	assert.JSONEq(t, `{"catalog":"demo","queued":true}`, body)
	require.Eventually(t, func() bool {
		_, reports := s.get("/catalogs/demo/reports.json")
		var list []json.RawMessage
		return json.Unmarshal([]byte(reports), &list) == nil && len(list) == 2
	}, 30*time.Second, 20*time.Millisecond, "the triggered harvest ran although the snapshot is fresh")
}

// TestTwoServersOneRedis starts two `passerelle serve` on one empty real
// Redis with a CSW catalog slow enough for both to want it at once: one
// harvests, the other records nothing, and both serve the snapshot — one
// report, not a second "failed" one.
func TestTwoServersOneRedis(t *testing.T) {
	rawURL := testenv.RedisURL(t)
	prefix := cachetest.RedisPrefix(t, rawURL)
	h := cswtest.NewHandler(cswtest.Generate(30), cswtest.Options{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond)
		h.ServeHTTP(w, r)
	}))
	defer up.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "catalogs.toml")
	require.NoError(t, os.WriteFile(cfgPath, fmt.Appendf(nil, `[server]
public_url = "http://127.0.0.1:8080"

[[catalog]]
id = "up"
title = "Upstream"
url = %q
page_size = 5
every = "1h"
`, up.URL+"/csw"), 0o644))

	ctx, cancel := context.WithCancel(context.Background())
	codes := make(chan int, 2)
	var addrs []string
	var logs []*lockedBuffer
	for range 2 {
		addr := freeAddr(t)
		addrs = append(addrs, addr)
		var out, errOut lockedBuffer
		logs = append(logs, &errOut)
		go func() {
			codes <- run(ctx, []string{"serve", "--addr", addr, "--config", cfgPath, "--cache", rawURL + "?prefix=" + url.QueryEscape(prefix), "--reload", "0"}, &out, &errOut)
		}()
	}
	get := func(addr, path string) (int, string) { return httpGet("http://" + addr + path) }
	for _, addr := range addrs {
		require.Eventually(t, func() bool { code, _ := get(addr, "/readyz"); return code == http.StatusOK },
			60*time.Second, 20*time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // both schedulers look again, many times (tick: 30 s… and at start)
	_, body := get(addrs[1], "/catalogs/up/reports.json")
	var reports []struct {
		Status string `json:"status"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &reports), body)
	assert.Len(t, reports, 1, body)
	assert.Equal(t, "ok", reports[0].Status)
	cancel()
	for range 2 {
		assert.Equal(t, exitOK, <-codes)
	}
	all := logs[0].String() + logs[1].String()
	assert.Equal(t, 1, strings.Count(all, `"msg":"harvest done"`), all)
}
