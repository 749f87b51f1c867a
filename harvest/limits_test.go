package harvest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/csw"
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
	f.h.Client = csw.NewClient(csw.Options{Retries: -1})
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
