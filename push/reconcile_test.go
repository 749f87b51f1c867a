package push

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/internal/udatafake"
)

func TestPlanApply200(t *testing.T) {
	e := newEnv(t)
	items := makeItems(200)
	rehash(items)
	// A dataset of the organization that is not ours is never touched.
	other, err := e.fake.SeedDataset(map[string]any{"title": "Fait main", "description": "d", "organization": e.org.DatagouvID, "tags": []string{"manuel"}})
	require.NoError(t, err)

	planCalls := e.client.Calls()
	p := e.plan(t, items, false)
	planCalls = e.client.Calls() - planCalls
	assert.Equal(t, 200, p.Counts()["create"])
	assert.True(t, p.Pending())
	var txt bytes.Buffer
	require.NoError(t, p.WriteText(&txt))
	assert.Contains(t, txt.String(), "200 create, 0 adopt, 0 update, 0 unarchive, 0 archive, 0 unchanged")
	assert.Contains(t, txt.String(), "new record: no dataset carries this remote id")

	e.fake.ResetCounts()
	store := newMemStore()
	start := time.Now()
	rep := e.apply(t, p, ApplyOptions{Intents: store})
	elapsed := time.Since(start)
	assert.Equal(t, 0, rep.ExitCode())
	assert.Equal(t, 200, rep.Counts()["done"])
	assert.Equal(t, 200, e.fake.Calls("POST", "/api/1/datasets/"), "resources are sent inline")
	assert.Equal(t, 0, e.fake.Calls("POST", "/api/1/datasets/{id}/resources/"))
	e.assertState(t, items)
	t.Logf("first apply of 200 datasets: %d calls (%.2f per dataset) in %s without rate limit; plan: %d calls",
		rep.Calls, float64(rep.Calls)/200, elapsed.Round(time.Millisecond), planCalls)
	for k := range store.m {
		assert.True(t, strings.HasPrefix(k, "push:report:"), "intent %s left behind", k)
	}
	_, ok, _ := store.Get(context.Background(), ReportKey("ddt99"))
	assert.True(t, ok, "last report kept")

	// Second run: nothing to do, no write at all.
	e.fake.ResetCounts()
	p2 := e.plan(t, items, false)
	assert.Empty(t, p2.Actions)
	assert.Equal(t, 200, p2.Unchanged)
	assert.Equal(t, 200, p2.Managed)
	rep2 := e.apply(t, p2, ApplyOptions{Intents: store})
	assert.Equal(t, 0, rep2.ExitCode())
	assert.Equal(t, 0, e.fake.Writes(), "second apply makes no write: %v", e.fake.Counts())
	_, err = Apply(context.Background(), e.client, p, ApplyOptions{})
	require.Error(t, err, "a plan is applied once")
	assert.Equal(t, 0, e.fake.Writes())
	t.Logf("second run (plan + apply, nothing changed): %v", e.fake.Counts())

	d, ok := e.fake.Dataset(other)
	require.True(t, ok)
	assert.Equal(t, []string{"manuel"}, d.Tags)
	assert.Nil(t, d.Archived)
}

func TestUpdateOnlyWhatChanged(t *testing.T) {
	e := newEnv(t)
	items := makeItems(10)
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	before := map[string]udatafake.Dataset{}
	for _, d := range e.fake.Datasets(e.org.DatagouvID) {
		before[d.ID] = d
	}

	items[0].Title = "Nouveau titre"
	items[1].Resources = items[1].Resources[1:] // remove a shared-URL layer
	items[2].Resources = append(items[2].Resources, items[2].Resources[0])
	items[2].Resources[3].Title = "Zonage bis (WMS)" // same URL, new title: added
	items[3].Resources[2].Format = "shp"
	items[3].Resources[2].URL = "https://files.example.fr/plu-003-v2.zip" // URL changed: replaced, no zombie
	items[4].Tags = []string{"urbanisme"}
	rehash(items)

	p := e.plan(t, items, false)
	assert.Equal(t, map[string]int{"update": 5, "unchanged": 5}, p.Counts())
	e.fake.ResetCounts()
	rep := e.apply(t, p, ApplyOptions{})
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)
	assert.Equal(t, 5, e.fake.Calls("PUT", "/api/1/datasets/{id}/"))
	assert.Equal(t, 5, e.fake.Calls("PUT", "/api/2/datasets/{id}/extras/"))
	assert.Equal(t, 2, e.fake.Calls("POST", "/api/1/datasets/{id}/resources/"))
	assert.Equal(t, 2, e.fake.Calls("DELETE", "/api/1/datasets/{id}/resources/{rid}/"))
	assert.Equal(t, 0, e.fake.Calls("POST", "/api/1/datasets/"))

	// Kept resources keep their ids.
	for _, d := range e.fake.Datasets(e.org.DatagouvID) {
		old := before[d.ID]
		ids := map[string]bool{}
		for _, r := range old.Resources {
			ids[r.ID] = true
		}
		kept := 0
		for _, r := range d.Resources {
			if ids[r.ID] {
				kept++
			}
		}
		assert.GreaterOrEqual(t, kept, 2, d.Title)
	}
	e.fake.ResetCounts()
	e.sync(t, items, ApplyOptions{})
	assert.Equal(t, 0, e.fake.Writes())
}

func TestArchiveAndReturn(t *testing.T) {
	e := newEnv(t)
	items := makeItems(10)
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	gone := items[9]
	rest := items[:9]

	// Partial harvest: no archive.
	p := e.plan(t, rest, true)
	assert.Empty(t, p.Actions)
	assert.Equal(t, 1, p.KeptByPartial)

	p = e.plan(t, rest, false)
	require.Len(t, p.Actions, 1)
	a := p.Actions[0]
	assert.Equal(t, KindArchive, a.Kind)
	assert.Equal(t, "record left the harvest of catalog geoide", a.Reason)
	assert.False(t, p.DropGuard, "1 of 10 is under 20 %%")
	rep := e.apply(t, p, ApplyOptions{})
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	d, _ := e.fake.Dataset(a.DatasetID)
	require.NotNil(t, d.Archived)
	assert.Equal(t, gone.Tags, d.Tags, "archiving resends the tags")
	e.assertState(t, rest)

	// Archived stays archived while absent.
	assert.Empty(t, e.plan(t, rest, false).Actions)

	// The record returns, changed: unarchived and updated.
	items[9].Description = "Revenu."
	rehash(items)
	p = e.plan(t, items, false)
	require.Len(t, p.Actions, 1)
	assert.Equal(t, KindUnarchive, p.Actions[0].Kind)
	assert.Contains(t, p.Actions[0].Reason, "content changed")
	rep = e.apply(t, p, ApplyOptions{})
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)

	// Archive again, return unchanged: a single PUT.
	e.sync(t, rest, ApplyOptions{})
	e.fake.ResetCounts()
	rep = e.sync(t, items, ApplyOptions{})
	require.Equal(t, 0, rep.ExitCode())
	assert.Equal(t, 1, e.fake.Writes())
	e.assertState(t, items)
}

func TestDropGuard(t *testing.T) {
	e := newEnv(t)
	items := makeItems(10)
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	items[0].Title = "changed"
	rehash(items)
	keep := items[:7] // 3 of 10 leave: 30 %

	p := e.plan(t, keep, false)
	assert.True(t, p.DropGuard)
	var out bytes.Buffer
	require.NoError(t, p.WriteText(&out))
	assert.Contains(t, out.String(), "3 of 10 datasets to archive (more than 20 %): needs --accept-drop")
	rep := e.apply(t, p, ApplyOptions{})
	assert.Equal(t, 1, rep.ExitCode())
	c := rep.Counts()
	assert.Equal(t, 1, c["done"], "the update still goes through")
	assert.Equal(t, 3, c["failed"])
	for _, d := range e.fake.Datasets(e.org.DatagouvID) {
		assert.Nil(t, d.Archived)
	}

	rep = e.apply(t, e.plan(t, keep, false), ApplyOptions{AcceptDrop: true})
	assert.Equal(t, 0, rep.ExitCode())
	e.assertState(t, keep)
}

func TestDeletedOnDatagouvLeftAlone(t *testing.T) {
	e := newEnv(t)
	items := makeItems(3)
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	id := e.fake.Datasets(e.org.DatagouvID)[1].ID
	e.fake.Mutate(id, func(d *udatafake.Dataset) { now := time.Now(); d.Deleted = &now })

	items[1].Title = "changed upstream"
	rehash(items)
	p := e.plan(t, items, false)
	require.Len(t, p.Actions, 1)
	assert.Equal(t, KindDeleted, p.Actions[0].Kind)
	assert.Contains(t, p.Actions[0].Reason, "left alone")
	e.fake.ResetCounts()
	rep := e.apply(t, p, ApplyOptions{})
	assert.Equal(t, 0, rep.ExitCode(), "reported, not a failure")
	assert.Equal(t, StatusSkipped, rep.Results[0].Status)
	assert.Equal(t, 0, e.fake.Writes())
	d, _ := e.fake.Dataset(id)
	assert.NotNil(t, d.Deleted)
	assert.Len(t, e.fake.Datasets(e.org.DatagouvID), 3, "no re-creation")

	// Gone from the harvest too: still left alone, never archived.
	p = e.plan(t, []dcat.Item{items[0], items[2]}, false)
	assert.Empty(t, p.Actions)
}

func TestFaultsThenRerun(t *testing.T) {
	e := newEnv(t)
	items := makeItems(40)
	rehash(items)
	e.sync(t, items[:20], ApplyOptions{})
	for i := 0; i < 20; i += 2 {
		items[i].Resources[2].URL = fmt.Sprintf("https://files.example.fr/v2/plu-%03d.zip", i)
		items[i].Tags = append(items[i].Tags, "version-2")
	}
	rehash(items)

	f := e.fake
	f.Inject(udatafake.Fault{Method: "POST", Route: "/api/1/datasets/", Kind: udatafake.Fault429, RetryAfter: "0", Times: 3})
	f.Inject(udatafake.Fault{Method: "POST", Route: "/api/1/datasets/", Kind: udatafake.FaultDrop, Skip: 2, Times: 3})
	f.Inject(udatafake.Fault{Method: "POST", Route: "/api/1/datasets/", Kind: udatafake.Fault500, Skip: 8, Times: 2})
	f.Inject(udatafake.Fault{Method: "PUT", Route: "/api/1/datasets/{id}/", Kind: udatafake.Fault500, Times: 2})
	f.Inject(udatafake.Fault{Method: "PUT", Route: "/api/2/datasets/{id}/extras/", Kind: udatafake.FaultDrop, Skip: 1, Times: 2})
	f.Inject(udatafake.Fault{Method: "POST", Route: "/api/1/datasets/{id}/resources/", Kind: udatafake.Fault500, Skip: 3, Times: 2})
	f.Inject(udatafake.Fault{Method: "DELETE", Route: "/api/1/datasets/{id}/resources/{rid}/", Kind: udatafake.FaultDrop, Skip: 5, Times: 1})
	f.Inject(udatafake.Fault{Method: "GET", Route: "/api/1/datasets/", Kind: udatafake.FaultSlow, Delay: 20 * time.Millisecond, Times: 2})

	store := newMemStore()
	p := e.plan(t, items, false)
	assert.Equal(t, map[string]int{"create": 20, "update": 10, "unchanged": 10}, p.Counts())
	rep := e.apply(t, p, ApplyOptions{Intents: store})
	var failed []string
	for _, r := range rep.Results {
		if r.Status == StatusFailed {
			failed = append(failed, string(r.Kind)+" "+r.RemoteID+": "+r.Error)
		}
	}
	t.Logf("first apply under faults: %v, failed: %q", rep.Counts(), failed)
	assert.NotEmpty(t, failed, "some faults are not retryable")
	assert.Equal(t, 1, rep.ExitCode())

	f.ClearFaults()
	rep = e.sync(t, items, ApplyOptions{Intents: store})
	assert.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)
	assert.Len(t, f.Datasets(e.org.DatagouvID), 40, "no duplicate")
	f.ResetCounts()
	e.sync(t, items, ApplyOptions{Intents: store})
	assert.Equal(t, 0, f.Writes())
	for k := range store.m {
		assert.False(t, strings.HasPrefix(k, "push:intent:"), "intent %s left behind", k)
	}
}

// A run crashed after its create reached data.gouv.fr: the next run's plan
// was made before the dataset appeared; the intent makes Apply look for it
// (sorted by -created) instead of creating a duplicate.
func TestIntentPreventsDuplicate(t *testing.T) {
	e := newEnv(t)
	items := makeItems(3)
	rehash(items)
	store := newMemStore()
	p := e.plan(t, items, false) // 3 creates, computed before the "crash"

	it := items[1]
	raw, err := json.Marshal(intent{At: time.Now().UTC(), Title: it.Title, Hash: dcat.ItemHash(&it)})
	require.NoError(t, err)
	require.NoError(t, store.Set(context.Background(), intentKey(e.org, remoteID(&it)), raw, IntentTTL))
	body := fieldsBody(&it, nil)
	body["organization"] = e.org.DatagouvID
	body["extras"] = desiredExtras(&it, dcat.ItemHash(&it))
	res := []map[string]any{}
	for _, r := range it.Resources {
		res = append(res, resourceBody(remoteID(&it), r))
	}
	body["resources"] = res
	_, err = e.fake.SeedDataset(body)
	require.NoError(t, err)

	e.fake.ResetCounts()
	rep := e.apply(t, p, ApplyOptions{Intents: store})
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	assert.Equal(t, 2, e.fake.Calls("POST", "/api/1/datasets/"))
	assert.Equal(t, "found the dataset an interrupted run created", rep.Results[1].Detail)
	e.assertState(t, items)
	assert.Len(t, e.fake.Datasets(e.org.DatagouvID), 3)
}

func TestCancelledApplyThenRerun(t *testing.T) {
	e := newEnv(t)
	items := makeItems(30)
	rehash(items)
	store := newMemStore()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	e.fake.OnCall(func(method, route string) {
		if method == "POST" && route == "/api/1/datasets/" {
			if n++; n == 12 {
				cancel() // the process dies while this create is in flight
			}
		}
	})
	p := e.plan(t, items, false)
	rep, err := Apply(ctx, e.client, p, ApplyOptions{Intents: store})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.ExitCode())
	assert.Less(t, rep.Counts()["done"], 30)
	e.fake.OnCall(nil)

	rep = e.sync(t, items, ApplyOptions{Intents: store})
	assert.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)
	assert.Len(t, e.fake.Datasets(e.org.DatagouvID), 30)
}

func TestPreflight(t *testing.T) {
	tests := []struct {
		name string
		role string // "" = not a member
		want string
	}{
		{"not a member", "", "is not among the organizations of account robot@example.fr"},
		{"partial editor", "partial_editor", `has role "partial_editor"`},
		{"editor", "editor", ""},
		{"admin", "admin", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.SetRole(e.org.DatagouvID, e.user.ID, tt.role)
			_, err := Plan(context.Background(), e.client, e.org, nil, false)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrAuth)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), `organization "ddt99"`)
		})
	}
	e := newEnv(t)
	c, err := NewClient(Options{BaseURL: e.base, APIKey: "wrong", Rate: -1})
	require.NoError(t, err)
	_, err = Plan(context.Background(), c, e.org, nil, false)
	require.ErrorIs(t, err, ErrAuth)
	assert.Contains(t, err.Error(), "401 Unauthorized: Invalid API token")
}

func TestInvalidItems(t *testing.T) {
	e := newEnv(t)
	items := makeItems(2)
	delete(items[0].Extras, dcat.ExtraRemoteID)
	items = append(items, items[1])
	p := e.plan(t, items, false)
	assert.Equal(t, map[string]int{"create": 1, "invalid": 2, "unchanged": 0}, p.Counts())
	var progress bytes.Buffer
	rep := e.apply(t, p, ApplyOptions{Out: &progress})
	assert.Equal(t, 1, rep.ExitCode())
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	require.Len(t, lines, 3)
	assert.Regexp(t, `^done    create +https://id.example.fr/plu/001 "Plan local d'urbanisme 001" [0-9a-f]{24}$`, lines[0])
	assert.Contains(t, lines[1], `failed  invalid`)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteText(&buf))
	assert.Contains(t, buf.String(), "organization ddt99 (data.gouv.fr "+e.org.DatagouvID+"): 1 done, 2 failed, 0 reported, 1 calls in ")
	assert.Contains(t, buf.String(), "remote id repeated among the desired items")
	buf.Reset()
	require.NoError(t, rep.WriteJSON(&buf))
	var v map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &v))
	assert.Equal(t, "ddt99", v["organization"])
	assert.Equal(t, map[string]any{"done": 1.0, "failed": 2.0, "skipped": 0.0}, v["counts"])
	assert.Equal(t, 1, strings.Count(buf.String(), "\n"))

	buf.Reset()
	require.NoError(t, p.WriteJSON(&buf))
	require.NoError(t, json.Unmarshal(buf.Bytes(), &v))
	acts := v["actions"].([]any)
	assert.Equal(t, "create", acts[0].(map[string]any)["action"])
}

func TestReadOnlyStopsTheRun(t *testing.T) {
	e := newEnv(t)
	items := makeItems(5)
	rehash(items)
	p := e.plan(t, items, false)
	e.fake.SetReadOnly(true)
	e.fake.ResetCounts()
	rep := e.apply(t, p, ApplyOptions{})
	assert.Equal(t, 1, rep.ExitCode())
	assert.Equal(t, 1, e.fake.Calls("POST", "/api/1/datasets/"), "no hammering once data.gouv.fr is read-only")
	assert.Contains(t, rep.Results[4].Error, "not run: create dataset: POST /api/1/datasets/: 423 Locked: Due to security reasons")
	e.fake.SetReadOnly(false)
	rep = e.sync(t, items, ApplyOptions{})
	assert.Equal(t, 0, rep.ExitCode())
	e.assertState(t, items)
}

func TestDuplicatesReported(t *testing.T) {
	e := newEnv(t)
	items := makeItems(2)
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	// Someone (an old tool, a crash without intents) made a second copy.
	dup := fieldsBody(&items[0], nil)
	dup["organization"] = e.org.DatagouvID
	dup["extras"] = desiredExtras(&items[0], "stale")
	dupID, err := e.fake.SeedDataset(dup)
	require.NoError(t, err)

	p := e.plan(t, items, false)
	require.Len(t, p.Actions, 1)
	a := p.Actions[0]
	assert.Equal(t, KindDuplicate, a.Kind)
	assert.Equal(t, dupID, a.DatasetID, "the oldest dataset is kept, the newer copy reported")
	e.fake.ResetCounts()
	rep := e.apply(t, p, ApplyOptions{})
	assert.Equal(t, 0, rep.ExitCode())
	assert.Equal(t, 0, e.fake.Writes())
}
