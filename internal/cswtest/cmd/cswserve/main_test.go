package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/internal/cswtest"
	"github.com/passerelle/passerelle/internal/testenv"
)

// TestReplayGeoNetworkPages serves the recorded GeoNetwork pages by glob
// and by folder and walks them with the CSW client: all 6 records.
func TestReplayGeoNetworkPages(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	corpus := filepath.Join(testenv.Shared(t), "corpus", "csw")
	dir := t.TempDir()
	for _, n := range []int{1, 3, 5} {
		name := fmt.Sprintf("udata__geonetwork-iso19139-page-%d.xml", n)
		require.NoError(t, os.Symlink(filepath.Join(corpus, name), filepath.Join(dir, name)))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.xml"), []byte("<notes/>"), 0o644))
	for name, arg := range map[string]string{
		"glob":   filepath.Join(corpus, "udata__geonetwork-iso19139-page-*.xml"),
		"folder": dir,
	} {
		t.Run(name, func(t *testing.T) {
			pages, err := loadReplay(arg, log)
			require.NoError(t, err)
			assert.Len(t, pages, 3)
			srv := httptest.NewServer(cswtest.NewHandler(nil, cswtest.Options{Replay: pages}))
			defer srv.Close()
			n := 0
			rep, err := client.New(client.Options{Logger: log}).Walk(context.Background(), client.Endpoint{URL: srv.URL + "/csw", PageSize: 2}, func(client.Record) error {
				n++
				return nil
			})
			require.NoError(t, err)
			assert.True(t, rep.Complete, "%+v", rep)
			assert.Equal(t, 6, rep.Matched)
			assert.Equal(t, 6, n)
		})
	}
	// the whole csw folder mixes result sets
	_, err := loadReplay(corpus, log)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not one result set")
	// a glob must name pages only
	_, err = loadReplay(filepath.Join(corpus, "pycsw__apiso_GetCapabilities.xml"), log)
	assert.ErrorIs(t, err, cswtest.ErrNotPage)
	_, err = loadReplay(filepath.Join(dir, "nothing-*.xml"), log)
	assert.Error(t, err)
}

func TestParseFault(t *testing.T) {
	f, err := parseFault("exception")
	require.NoError(t, err)
	assert.Equal(t, cswtest.Fault{Kind: cswtest.FaultException, RetryAfter: "1"}, f)
	f, err = parseFault("invalid-char@7")
	require.NoError(t, err)
	assert.Equal(t, cswtest.FaultInvalidChar, f.Kind)
	assert.Equal(t, 7, f.Position)
	for _, bad := range []string{"", "nope", "html@", "html@0", "html@x"} {
		_, err := parseFault(bad)
		assert.Error(t, err, bad)
	}
}
