package facade

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/passerelle/passerelle/internal/testenv"

	"github.com/passerelle/passerelle/iso"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// handler is the tiny net/http adapter the OWSLib test serves the facade
// with (the real one is the Fiber proxy): one view per path.
type handler struct {
	f     *Facade
	base  string              // scheme://host of the test server
	views map[string][]*Entry // path → entries
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	entries, ok := h.views[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ep := Endpoint{URL: h.base + r.URL.Path, Title: "passerelle test " + r.URL.Path, Provider: "passerelle"}
	var req *Request
	var err error
	switch r.Method {
	case http.MethodGet:
		req, err = ParseKVP(r.URL.Query())
	case http.MethodPost:
		body, rerr := io.ReadAll(io.LimitReader(r.Body, h.f.maxBody()+1))
		if rerr != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		req, err = h.f.ParseXML(body)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var status int
	var ctype string
	var body []byte
	if err != nil {
		status, ctype, body = h.f.Error(err)
	} else {
		status, ctype, body = h.f.Serve(context.Background(), ep, req, entries)
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// owsLibScript drives OWSLib against one endpoint; parameters come as
// JSON on stdin, results go as JSON to stdout.
const owsLibScript = `
import json, sys
from lxml import etree
from owslib.catalogue.csw2 import CatalogueServiceWeb, namespaces
from owslib import fes

p = json.load(sys.stdin)
url = p["url"]
NS = {"csw": namespaces["csw"], "gmd": namespaces["gmd"], "gco": namespaces["gco"], "dc": namespaces["dc"]}
out = {}

def children_ids(resp):
    root = etree.fromstring(resp)
    sr = root.find("csw:SearchResults", NS)
    ids = []
    for child in sr:
        v = child.find("gmd:fileIdentifier/gco:CharacterString", NS)
        if v is None:
            v = child.find("dc:identifier", NS)
        ids.append(v.text if v is not None else None)
    return ids

def walk(csw, schema, typenames, size, constraints=[]):
    start, ids, keys, pages, matched, errors = 1, [], [], 0, [], []
    while True:
        try:
            csw.getrecords2(outputschema=schema, typenames=typenames, esn="full", startposition=start,
                            maxrecords=size, constraints=constraints)
        except (AttributeError, TypeError, ValueError) as e:
            # OWSLib's ISO record parser crashes on some real records served
            # verbatim (e.g. a PT_Locale without characterEncoding); results
            # and response are already set when it does.
            errors.append(repr(e)[:200])
        page = children_ids(csw.response)
        r = csw.results
        assert r["returned"] == len(page), (r, len(page))
        ids += page
        keys += list(csw.records.keys())
        matched.append(r["matches"])
        pages += 1
        if r["nextrecord"] == 0 or pages > 10000:
            break
        assert r["nextrecord"] == start + r["returned"], (r, start)
        start = r["nextrecord"]
    return {"ids": ids, "keys": keys, "pages": pages, "matched": sorted(set(matched)), "errors": errors}

csw = CatalogueServiceWeb(url, timeout=30)
gr = csw.get_operation_by_name("GetRecords")
out["caps"] = {
    "title": csw.identification.title,
    "version": csw.version,
    "operations": sorted(o.name for o in csw.operations),
    "post": [m["url"] for m in gr.methods if m["type"].lower() == "post"],
    "get": [m["url"] for m in gr.methods if m["type"].lower() == "get"],
    "constraints": {k: c.values for k, c in getattr(csw, "constraints", {}).items()},
}
ISO, DC = namespaces["gmd"], namespaces["csw"]
out["iso"] = walk(csw, ISO, "gmd:MD_Metadata", p["size"])
out["dc"] = walk(csw, DC, "csw:Record", p["size"])
out["org"] = walk(csw, ISO, "gmd:MD_Metadata", 50, [fes.PropertyIsEqualTo("apiso:OrganisationName", p["org"])])
out["like"] = walk(csw, DC, "csw:Record", 50, [fes.PropertyIsLike("csw:AnyText", p["like"])])
# Without crs, the corners as pycsw and the ISO AP read them: latitude first.
latlon = [p["bbox"][1], p["bbox"][0], p["bbox"][3], p["bbox"][2]]
out["bbox"] = walk(csw, DC, "csw:Record", 50, [fes.BBox(latlon)])
out["bbox_urn"] = walk(csw, DC, "csw:Record", 50, [fes.BBox(latlon, crs="urn:ogc:def:crs:EPSG::4326")])
out["bbox_crs84"] = walk(csw, DC, "csw:Record", 50, [fes.BBox(p["bbox"], crs="urn:ogc:def:crs:OGC:1.3:CRS84")])
csw.getrecordbyid(id=p["ids"], outputschema=ISO)
out["byid_iso"] = sorted(csw.records.keys())
csw.getrecordbyid(id=p["ids"], outputschema=DC, esn="full")
out["byid_dc"] = sorted(csw.records.keys())
csw.getrecordbyid(id=["no-such-record"], outputschema=ISO)
out["byid_none"] = sorted(csw.records.keys())
out["bbox_filter_xml"] = etree.tostring(fes.BBox(p["bbox"]).toXML()).decode()

nocaps = CatalogueServiceWeb(url, timeout=30, skip_caps=True)
out["skip_caps"] = walk(nocaps, ISO, "gmd:MD_Metadata", p["size"])
json.dump(out, sys.stdout)
`

type walk struct {
	IDs     []string `json:"ids"`
	Keys    []string `json:"keys"`
	Pages   int      `json:"pages"`
	Matched []int    `json:"matched"`
	Errors  []string `json:"errors"` // OWSLib record-parser crashes (pages still counted)
}

type owsLibResult struct {
	Caps struct {
		Title       string              `json:"title"`
		Version     string              `json:"version"`
		Operations  []string            `json:"operations"`
		Post        []string            `json:"post"`
		Get         []string            `json:"get"`
		Constraints map[string][]string `json:"constraints"`
	} `json:"caps"`
	ISO           walk     `json:"iso"`
	DC            walk     `json:"dc"`
	Org           walk     `json:"org"`
	Like          walk     `json:"like"`
	BBox          walk     `json:"bbox"`
	BBoxURN       walk     `json:"bbox_urn"`
	BBoxCRS84     walk     `json:"bbox_crs84"`
	ByIDISO       []string `json:"byid_iso"`
	ByIDDC        []string `json:"byid_dc"`
	ByIDNone      []string `json:"byid_none"`
	BBoxFilterXML string   `json:"bbox_filter_xml"`
	SkipCaps      walk     `json:"skip_caps"`
}

func requireOWSLib(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("OWSLib test skipped under -short")
	}
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		testenv.MissingTool(t, "/usr/bin/python3")
	}
	cmd := exec.Command(py, "-c", "import owslib, lxml")
	cmd.Env = pythonEnv()
	if err := cmd.Run(); err != nil {
		testenv.MissingTool(t, "python3-owslib")
	}
	return py
}

func pythonEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PYTHONPATH=") && !strings.HasPrefix(kv, "PYTHONHOME=") {
			env = append(env, kv)
		}
	}
	return env
}

func runOWSLib(t *testing.T, py, endpoint string, params map[string]any) owsLibResult {
	t.Helper()
	params["url"] = endpoint
	in, err := json.Marshal(params)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", owsLibScript)
	cmd.Env = pythonEnv()
	cmd.Stdin = strings.NewReader(string(in))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "OWSLib script failed:\n%s", stderr.String())
	var res owsLibResult
	require.NoError(t, json.Unmarshal(out, &res), string(out))
	return res
}

func sorted(ids []string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

// TestOWSLib runs OWSLib (python3-owslib) against the facade over the corpus:
// capabilities, paging through every record in ISO and Dublin Core, filters,
// GetRecordById, skip_caps, and a per-producer endpoint.
func TestOWSLib(t *testing.T) {
	if testing.Short() {
		t.Skip("OWSLib test skipped under -short")
	}
	py := requireOWSLib(t)
	entries := corpusEntries(t)

	// A producer view: the records of the most frequent organisation.
	count := map[string]int{}
	for _, e := range entries {
		for _, n := range e.Record.ProducerNames() {
			count[n]++
		}
	}
	org, best := "", 0
	for n, c := range count {
		if c > best || (c == best && n < org) {
			org, best = n, c
		}
	}
	require.Greater(t, best, 1)
	var producer []*Entry
	for _, e := range entries {
		for _, o := range e.Organisations {
			if strings.EqualFold(o, org) {
				producer = append(producer, e)
				break
			}
		}
	}

	f := &Facade{DefaultMaxRecords: 10}
	h := &handler{f: f, views: map[string][]*Entry{
		"/catalogs/corpus/csw":                                 entries,
		"/catalogs/corpus/producers/" + iso.Slug(org) + "/csw": producer,
	}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	h.base = srv.URL

	bbox := []float64{-10, 35, 30, 60} // lon/lat, Europe
	like := "%inspire%"
	byID := []string{entries[0].ID, entries[len(entries)/2].ID}

	// Expected sets, computed from the model independently of the filter code.
	var wantOrg, wantBox, wantLike []string
	for _, e := range entries {
		for _, o := range e.Organisations {
			if strings.EqualFold(o, org) {
				wantOrg = append(wantOrg, e.ID)
				break
			}
		}
		// Boxes: the repaired boxes (Géo-IDE's west > east swapped back),
		// the same as the feeds publish.
		for _, b := range e.Record.Boxes() {
			if b.West <= bbox[2] && b.East >= bbox[0] && b.South <= bbox[3] && b.North >= bbox[1] {
				wantBox = append(wantBox, e.ID)
				break
			}
		}
		flt, err := ParseCQL("csw:AnyText LIKE '" + like + "'")
		require.NoError(t, err)
		if flt.Match(e) {
			wantLike = append(wantLike, e.ID)
		}
	}
	require.NotEmpty(t, wantBox)
	require.NotEmpty(t, wantLike)
	require.Less(t, len(wantLike), len(entries))

	for _, view := range []struct {
		path    string
		entries []*Entry
	}{{"/catalogs/corpus/csw", entries}, {"/catalogs/corpus/producers/" + iso.Slug(org) + "/csw", producer}} {
		t.Run(view.path, func(t *testing.T) {
			endpoint := srv.URL + view.path
			res := runOWSLib(t, py, endpoint, map[string]any{"size": 7, "org": org, "like": like, "bbox": bbox, "ids": byID})
			want := iDs(view.entries)

			assert.Equal(t, "2.0.2", res.Caps.Version)
			assert.Equal(t, []string{endpoint}, res.Caps.Post, "GetRecords POST URL advertised")
			assert.Equal(t, []string{endpoint}, res.Caps.Get)
			assert.Equal(t, []string{"DescribeRecord", "GetCapabilities", "GetDomain", "GetRecordById", "GetRecords"}, res.Caps.Operations)
			assert.Equal(t, []string{"10"}, res.Caps.Constraints["MaxRecordDefault"])

			for name, w := range map[string]walk{"iso": res.ISO, "dc": res.DC, "skip_caps": res.SkipCaps} {
				assert.Equal(t, want, w.IDs, "%s: identifiers in order", name)
				assert.Equal(t, []int{len(want)}, w.Matched, "%s: numberOfRecordsMatched", name)
				assert.Equal(t, (len(want)+6)/7, w.Pages, "%s: pages", name)
			}
			assert.Equal(t, want, sorted(res.DC.Keys), "OWSLib's csw.records keys (DC)")

			inView := func(ids []string) []string {
				set := map[string]bool{}
				for _, id := range want {
					set[id] = true
				}
				var out []string
				for _, id := range ids {
					if set[id] {
						out = append(out, id)
					}
				}
				return out
			}
			assert.Equal(t, inView(wantOrg), res.Org.IDs, "PropertyIsEqualTo apiso:OrganisationName %q", org)
			assert.Equal(t, inView(wantLike), res.Like.IDs, "PropertyIsLike csw:AnyText %q", like)
			assert.Equal(t, inView(wantBox), res.BBox.IDs, "fes.BBox without crs, latitude first")
			assert.Equal(t, inView(wantBox), res.BBoxCRS84.IDs, "fes.BBox in CRS84, longitude first")
			assert.Equal(t, inView(wantBox), res.BBoxURN.IDs, "fes.BBox with the EPSG URN, latitude first")
			assert.ElementsMatch(t, inView(byID), res.ByIDDC, "getrecordbyid DC")
			assert.Subset(t, inView(byID), res.ByIDISO, "getrecordbyid ISO (OWSLib drops gmi:MI_Metadata when a page also has gmd:MD_Metadata)")
			if len(res.ISO.Errors) > 0 {
				t.Logf("OWSLib's ISO parser failed on %d of %d pages (records served verbatim): %s", len(res.ISO.Errors), res.ISO.Pages, res.ISO.Errors[0])
			}
			assert.Empty(t, res.DC.Errors, "Dublin Core records we build must parse in OWSLib")
			assert.Empty(t, res.ByIDNone)
		})
	}

	// What OWSLib's fes.BBox sends by default: no srsName, corners as given.
	res := runOWSLib(t, py, srv.URL+"/catalogs/corpus/csw", map[string]any{"size": 500, "org": org, "like": like, "bbox": bbox, "ids": byID})
	assert.NotContains(t, res.BBoxFilterXML, "srsName")
	assert.Contains(t, res.BBoxFilterXML, "lowerCorner>-10 35</")
	// pycsw and the ISO AP read an envelope without srsName as EPSG:4326,
	// latitude first: so does the facade (GDAL and QGIS MetaSearch name
	// the CRS and are not concerned).
	assert.Contains(t, res.BBoxFilterXML, "ows:BoundingBox")
	flt, err := ParseFilter(`<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc">` + res.BBoxFilterXML + `</ogc:Filter>`)
	require.NoError(t, err)
	assert.Equal(t, "BBOX(BoundingBox, 35, -10, 60, 30)", flt.String(), "read latitude first")
	assert.Equal(t, 1, res.ISO.Pages)
}
