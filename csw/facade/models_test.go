package facade

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/iso"
)

// modelStore stands in for the served package's store reads: the models
// of entries that hold none, by ID, with every call recorded.
type modelStore struct {
	models map[string]*iso.Record
	calls  [][]string // IDs asked, per call
	err    error
}

func (m *modelStore) read(_ context.Context, es []*Entry) ([]*iso.Record, error) {
	ids := make([]string, len(es))
	out := make([]*iso.Record, len(es))
	for i, e := range es {
		ids[i] = e.ID
		out[i] = m.models[e.ID]
	}
	m.calls = append(m.calls, ids)
	if m.err != nil {
		return nil, m.err
	}
	return out, nil
}

// entriesWithoutModels rebuilds the fixture entries the way the served
// package does: the index built from the model, the model dropped.
func entriesWithoutModels(t *testing.T) ([]*Entry, *modelStore) {
	ms := &modelStore{models: map[string]*iso.Record{}}
	var out []*Entry
	for _, e := range fixtureEntries(t) {
		m := e.Record
		n := &Entry{ID: e.ID, Identifier: e.Identifier, Raw: e.Raw, Organisations: e.Organisations, Modified: e.Modified, Type: e.Type}
		n.IndexModel(m)
		ms.models[e.ID] = m
		out = append(out, n)
	}
	return out, ms
}

// TestFacadeGoldenModelsFromAccessor serves every golden case from entries
// that hold only their index: the answers are byte-identical to those
// built from models held in memory, Facade.Models is called at most once
// per answer and only for the records written (filters, sorting, hits and
// GetDomain read the index alone).
func TestFacadeGoldenModelsFromAccessor(t *testing.T) {
	entries, ms := entriesWithoutModels(t)
	for _, e := range entries {
		require.Nil(t, e.Record)
	}
	f := testFacade()
	f.Models = ms.read
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			ms.calls = nil
			status, _, body := serveCase(t, f, testEndpoint, c, entries)
			assert.Equal(t, c.status, status)
			golden(t, c.name+".golden.xml", body)
			assert.LessOrEqual(t, len(ms.calls), 1, "one batched read per answer")
			returned := strings.Count(string(body), "<csw:BriefRecord>") + strings.Count(string(body), "<csw:SummaryRecord>") +
				strings.Count(string(body), "<csw:Record>") + strings.Count(string(body), "<gmd:MD_Metadata>")
			for _, ids := range ms.calls {
				assert.LessOrEqual(t, len(ids), returned, "models read only for the records written: %v", ids)
			}
		})
	}
	// Answers that write no model-built record never read models.
	for _, name := range []string{"getrecords_hits", "getrecords_iso_full_udata", "getrecords_dcat", "getrecords_cql_org", "getdomain_org", "getdomain_type"} {
		var c goldenCase
		for _, g := range goldenCases {
			if g.name == name {
				c = g
			}
		}
		ms.calls = nil
		status, _, _ := serveCase(t, f, testEndpoint, c, entries)
		require.Equal(t, 200, status, name)
		if name == "getrecords_cql_org" {
			// A brief page of the filtered records: only those are read.
			require.Len(t, ms.calls, 1, name)
			assert.NotEmpty(t, ms.calls[0])
			assert.Less(t, len(ms.calls[0]), len(entries), name)
			continue
		}
		assert.Empty(t, ms.calls, name)
	}
}

// TestFacadeModelsError: a model that cannot be read makes the answer an
// ows:ExceptionReport (NoApplicableCode, 503: to retry), never a record
// written empty, and the store's error text stays inside.
func TestFacadeModelsError(t *testing.T) {
	entries, ms := entriesWithoutModels(t)
	f := testFacade()
	f.Models = ms.read
	for name, setup := range map[string]func(){
		"read fails":  func() { ms.err = errors.New("bolt: secret path /var/lib/x") },
		"record gone": func() { ms.err = nil; delete(ms.models, "fr-120066022-jdd-a1") },
	} {
		t.Run(name, func(t *testing.T) {
			setup()
			q := url.Values{"service": {"CSW"}, "version": {"2.0.2"}, "request": {"GetRecords"}, "typeNames": {"csw:Record"},
				"resultType": {"results"}, "elementSetName": {"brief"}}
			req, err := ParseKVP(q)
			require.NoError(t, err)
			status, ctype, body := f.Serve(context.Background(), testEndpoint, req, entries)
			assert.Equal(t, 503, status)
			assert.Equal(t, ContentTypeXML, ctype)
			assert.Contains(t, string(body), `exceptionCode="NoApplicableCode"`)
			assert.NotContains(t, string(body), "secret")
		})
	}
}

// TestGetRecordByIdModelsBounded: a GetRecordById naming more records than
// a page holds writes them all, its models read at most HardMaxRecords at
// a time (the ids have no bound of their own).
func TestGetRecordByIdModelsBounded(t *testing.T) {
	m := fixtureEntries(t)[0].Record
	ms := &modelStore{models: map[string]*iso.Record{}}
	var entries []*Entry
	var ids []string
	n := HardMaxRecords*2 + 7
	for i := range n {
		id := fmt.Sprintf("id-%05d", i)
		e := &Entry{ID: id, Identifier: id, Type: "dataset"}
		e.IndexModel(m)
		ms.models[id] = m
		entries = append(entries, e)
		ids = append(ids, id)
	}
	f := testFacade()
	f.Models = ms.read
	req, err := ParseKVP(url.Values{"service": {"CSW"}, "version": {"2.0.2"}, "request": {"GetRecordById"},
		"id": {strings.Join(ids, ",")}, "elementSetName": {"brief"}})
	require.NoError(t, err)
	status, _, body := f.Serve(context.Background(), testEndpoint, req, entries)
	require.Equal(t, 200, status, string(body[:min(len(body), 500)]))
	assert.Equal(t, n, strings.Count(string(body), "<csw:BriefRecord>"))
	read := 0
	for _, c := range ms.calls {
		assert.LessOrEqual(t, len(c), HardMaxRecords)
		read += len(c)
	}
	assert.Equal(t, n, read)
	assert.Len(t, ms.calls, 3)
}

// TestIDTableMatchesFindEntry: the table GetRecordById builds for many ids
// answers every id (own ids, secondary identifiers, missing ones) with the
// entry findEntry finds.
func TestIDTableMatchesFindEntry(t *testing.T) {
	entries := corpusEntries(t)
	table := idTable(entries)
	ids := []string{"missing", ""}
	for _, e := range entries {
		ids = append(ids, e.index().ids...)
	}
	require.Greater(t, len(ids), 40)
	for _, id := range ids {
		assert.Same(t, findEntry(entries, id), table[id], "id %q", id)
	}
}
