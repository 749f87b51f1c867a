package harvest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/internal/cswtest"
)

// endless is an upstream announcing numberOfRecordsMatched = 2^31 and
// answering one record per page for ever (startPosition ignored).
func endless(t *testing.T) *httptest.Server {
	return cswtest.NewServer(t, cswtest.Generate(3), cswtest.Options{
		MatchedOffset: 1<<31 - 3, MaxRecordsCap: 1, IgnoreStart: true,
	})
}

func limitFixture(t *testing.T, url, extra string) *fixture {
	f := open(t, t.TempDir(), fmt.Sprintf(`[server]
public_url = "http://127.0.0.1:8080"

[[catalog]]
id = "up"
title = "Upstream"
url = %q
page_size = 10
%s
`, url, extra), "up")
	f.h.Client = client.New(client.Options{Retries: -1})
	return f
}

// TestHarvestLimits: an upstream that would be followed for ever ends,
// partial with a clear reason, at max_records or at max_duration; what was
// fetched is served.
func TestHarvestLimits(t *testing.T) {
	srv := endless(t)
	for _, tc := range []struct {
		name, extra, reason string
		fetched             int
	}{
		{"max_records", "max_records = 40", "harvest stopped at max_records 40", 40},
		{"max_duration", `max_duration = "300ms"`, "harvest stopped after max_duration 300ms", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := limitFixture(t, srv.URL+"/csw", tc.extra)
			rep, err := f.h.Run(context.Background(), f.cfg, f.cfg.Catalog("up"), Options{})
			require.NoError(t, err)
			assert.Equal(t, StatusPartial, rep.Status)
			assert.Equal(t, 2147483648, rep.Matched)
			if tc.fetched >= 0 {
				assert.Equal(t, tc.fetched, rep.Fetched)
			} else {
				assert.Positive(t, rep.Fetched)
			}
			require.NotEmpty(t, rep.Errors)
			last := rep.Errors[len(rep.Errors)-1].Reason
			assert.True(t, strings.HasPrefix(last, tc.reason), "the run's last problem says why it ended: %q", last)
			snap, err := f.store.Snapshot(context.Background(), "up")
			require.NoError(t, err, "what was fetched is served")
			assert.NotEmpty(t, snap.Entries)
		})
	}
}

// TestHarvestDeadlineDoesNotCutStore: the walk's deadline does not cancel
// the commit that follows it (the store works with the run's context).
func TestHarvestDeadlineDoesNotCutStore(t *testing.T) {
	srv := endless(t)
	f := limitFixture(t, srv.URL+"/csw", `max_duration = "200ms"`)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := f.h.Run(ctx, f.cfg, f.cfg.Catalog("up"), Options{})
	require.NoError(t, err)
	assert.Equal(t, StatusPartial, rep.Status)
	assert.Positive(t, rep.Generation)
}

// TestRecordSizeLimits: a record past max_record_bytes or with a text node
// past max_text_bytes fails with a reason, the records around it are
// harvested (CSW pages and folder catalogs alike).
func TestRecordSizeLimits(t *testing.T) {
	recs := cswtest.Generate(12)
	bigText := []byte(isoRecord("big-text", strings.Repeat("titre ", 400_000), "2024-01-01T00:00:00", "Org"))
	withBig := append(append(append([][]byte{}, recs[:3]...), bigText), recs[3:]...)

	const limits = "[harvest]\nmax_record_bytes = 100000\nmax_text_bytes = 50000\n"
	const textOnly = "[harvest]\nmax_text_bytes = 50000\n"
	check := func(t *testing.T, f *fixture, want string) {
		rep, err := f.h.Run(context.Background(), f.cfg, f.cfg.Catalog(f.catalog), Options{})
		require.NoError(t, err)
		assert.Equal(t, StatusPartial, rep.Status)
		assert.Equal(t, 12, rep.Records, "every other record is served")
		var found bool
		for _, p := range rep.Errors {
			found = found || strings.Contains(p.Reason, want)
		}
		if !assert.True(t, found, "a problem says %q", want) {
			for _, p := range rep.Errors {
				t.Log(p.Reason)
			}
		}
	}
	t.Run("csw text node", func(t *testing.T) {
		srv := cswtest.NewServer(t, withBig, cswtest.Options{})
		f := open(t, t.TempDir(), fmt.Sprintf("[server]\npublic_url = \"http://127.0.0.1:8080\"\n%s[[catalog]]\nid = \"up\"\ntitle = \"Up\"\nurl = %q\npage_size = 5\n", textOnly, srv.URL+"/csw"), "up")
		f.h.Client = client.New(client.Options{Retries: -1})
		check(t, f, "skipped: text node longer than 50000 bytes (max_text_bytes)")
	})
	t.Run("csw record size", func(t *testing.T) {
		srv := cswtest.NewServer(t, recs, cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultOversize, Position: 7, Pad: 300_000}}})
		f := open(t, t.TempDir(), fmt.Sprintf("[server]\npublic_url = \"http://127.0.0.1:8080\"\n%s[[catalog]]\nid = \"up\"\ntitle = \"Up\"\nurl = %q\npage_size = 5\n", limits, srv.URL+"/csw"), "up")
		f.h.Client = client.New(client.Options{Retries: -1})
		rep, err := f.h.Run(context.Background(), f.cfg, f.cfg.Catalog("up"), Options{})
		require.NoError(t, err)
		assert.Equal(t, StatusPartial, rep.Status)
		assert.Equal(t, 11, rep.Records)
		var found bool
		for _, p := range rep.Errors {
			found = found || strings.Contains(p.Reason, "record at position 7 skipped: record larger than 100000 bytes (max_record_bytes)")
		}
		assert.True(t, found)
	})
	for _, tc := range []struct{ name, limits, want string }{
		{"folder record size", limits, "r03.xml: record larger than 100000 bytes (max_record_bytes): skipped"},
		{"folder text node", textOnly, "r03.xml: text node longer than 50000 bytes (max_text_bytes): record skipped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "records")
			require.NoError(t, os.Mkdir(dir, 0o755))
			for i, r := range withBig {
				require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%02d.xml", i)), r, 0o644))
			}
			f := open(t, root, "[server]\npublic_url = \"http://127.0.0.1:8080\"\n"+tc.limits+"[[catalog]]\nid = \"d\"\ntitle = \"D\"\ndir = \"records\"\n", "d")
			check(t, f, tc.want)
		})
	}
}
