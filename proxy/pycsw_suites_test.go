package proxy

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/testenv"
)

// pycswCase is one request of pycsw 2.6.2's functional suites.
type pycswCase struct {
	suite, name string
	method      string
	query       string // GET: the KVP query string
	body        []byte // POST
	expected    string // path of pycsw's own answer
}

// pycswLegacy are the suites of the legacy output schemas, which a facade
// may refuse.
var pycswLegacy = map[string]bool{"dif": true, "fgdc": true, "gm03": true, "ebrim": true}

// pycswOperation is the operation a request asks: the root element of a
// POST body, the request parameter of a GET.
func pycswOperation(c pycswCase) string {
	if c.method == http.MethodPost {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(c.body); err != nil || doc.Root() == nil {
			return ""
		}
		return doc.Root().Tag
	}
	q, err := url.ParseQuery(c.query)
	if err != nil {
		return ""
	}
	for k, v := range q {
		if strings.EqualFold(k, "request") && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// pycswSkip tells why a request may be refused, "" when it must be answered
// as pycsw answers it.
func pycswSkip(c pycswCase) string {
	if pycswLegacy[c.suite] {
		return "legacy schema"
	}
	switch op := strings.ToLower(pycswOperation(c)); op {
	case "transaction", "harvest", "getrepositoryitem", "envelope":
		return op
	}
	if strings.Contains(strings.ToLower(c.query), "mode=opensearch") {
		return "OpenSearch, not CSW"
	}
	text := c.query + string(c.body)
	for _, legacy := range []string{"http://www.opengis.net/cat/csw/csdgm", "http://gcmd.gsfc.nasa.gov/Aboutus/xml/dif/", "http://www.interlis.ch/INTERLIS2.3", "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"} {
		if strings.Contains(text, legacy) || strings.Contains(text, url.QueryEscape(legacy)) {
			return "legacy schema"
		}
	}
	return ""
}

// pycswCases lists every request of every suite, sorted.
func pycswCases(t *testing.T, root string) []pycswCase {
	t.Helper()
	suites, err := os.ReadDir(root)
	require.NoError(t, err)
	var out []pycswCase
	for _, s := range suites {
		if !s.IsDir() {
			continue
		}
		dir := filepath.Join(root, s.Name())
		posts, _ := filepath.Glob(filepath.Join(dir, "post", "*.xml"))
		for _, p := range posts {
			body, err := os.ReadFile(p)
			require.NoError(t, err)
			name := strings.TrimSuffix(filepath.Base(p), ".xml")
			out = append(out, pycswCase{suite: s.Name(), name: name, method: http.MethodPost, body: body,
				expected: filepath.Join(dir, "expected", "post_"+name+".xml")})
		}
		f, err := os.Open(filepath.Join(dir, "get", "requests.txt"))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			name, q, ok := strings.Cut(strings.TrimSpace(sc.Text()), ",")
			if !ok {
				continue
			}
			// Drop pycsw's own "PYCSW_SERVER?config=…&" prefix.
			if i := strings.Index(q, "?"); strings.HasPrefix(q, "PYCSW_SERVER") && i >= 0 {
				q = q[i+1:]
				if _, rest, ok := strings.Cut(q, "&"); ok && strings.HasPrefix(q, "config=") {
					q = rest
				}
			}
			out = append(out, pycswCase{suite: s.Name(), name: name, method: http.MethodGet, query: q,
				expected: filepath.Join(dir, "expected", "get_"+name+".xml")})
		}
		require.NoError(t, sc.Err())
		f.Close()
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].suite != out[j].suite {
			return out[i].suite < out[j].suite
		}
		if out[i].method != out[j].method {
			return out[i].method < out[j].method
		}
		return out[i].name < out[j].name
	})
	return out
}

// pycswAnswer classifies an answer: "exception", "xml" (any other XML root)
// or "other" (not XML).
func pycswAnswer(body []byte) (kind, root string) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(body); err != nil || doc.Root() == nil {
		if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
			return "json", "json"
		}
		return "other", ""
	}
	r := doc.Root()
	if r.Tag == "ExceptionReport" {
		return "exception", r.Tag
	}
	return "xml", r.Tag
}

// pycswCatalog is a folder holding the corpus records and the records of
// pycsw's apiso suite.
func pycswCatalog(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	recs, err := filepath.Glob(testenv.Corpus(t, "records", "*.xml"))
	require.NoError(t, err)
	files = append(files, recs...)
	apiso, err := filepath.Glob(filepath.Join(testenv.Shared(t), "pycsw-suites", "apiso", "data", "*.xml"))
	require.NoError(t, err)
	files = append(files, apiso...)
	for _, f := range files {
		link := filepath.Join(dir, filepath.Base(f))
		if _, err := os.Lstat(link); err == nil {
			link = filepath.Join(dir, "apiso__"+filepath.Base(f))
		}
		require.NoError(t, os.Symlink(f, link))
	}
	return dir
}

// TestPycswSuites sends every request of pycsw 2.6.2's own functional
// suites to the facade of a catalog holding the corpus and pycsw's apiso
// records: wherever pycsw answers normally, so must we (apart from the
// writing operations, the legacy output schemas, SOAP and OpenSearch).
func TestPycswSuites(t *testing.T) {
	root := filepath.Join(testenv.Shared(t), "pycsw-suites")
	e := newEnv(t, "http://127.0.0.1:8080", "", map[string]string{"pycsw": pycswCatalog(t)})
	e.harvestAny("pycsw")
	const path = "/catalogs/pycsw/csw"
	var asked, normal, refused, skipped int
	for _, c := range pycswCases(t, root) {
		t.Run(c.suite+"/"+strings.ToLower(c.method)+"_"+c.name, func(t *testing.T) {
			exp, err := os.ReadFile(c.expected)
			if err != nil {
				t.Skipf("no expected answer: %v", err)
			}
			if why := pycswSkip(c); why != "" {
				skipped++
				t.Skip(why)
			}
			asked++
			want, wantRoot := pycswAnswer(exp)
			var req *http.Request
			if c.method == http.MethodPost {
				req = httptest.NewRequest(http.MethodPost, path, bytes.NewReader(c.body))
				req.Header.Set("Content-Type", "application/xml")
			} else {
				req = httptest.NewRequest(http.MethodGet, path+"?"+c.query, nil)
			}
			resp, err := e.srv.App().Test(req, -1)
			require.NoError(t, err)
			var got bytes.Buffer
			_, err = got.ReadFrom(resp.Body)
			require.NoError(t, err)
			resp.Body.Close()
			kind, gotRoot := pycswAnswer(got.Bytes())
			if want == "exception" {
				// Where pycsw refuses, the facade may be more lenient
				// (acceptFormats it ignores, unknown elements it skips).
				refused++
				if kind != "exception" {
					t.Logf("pycsw refuses this request, we answer %s", gotRoot)
				}
				return
			}
			normal++
			if !assert.NotEqual(t, "exception", kind, "pycsw answers %s here; we said: %s", wantRoot, got.String()) {
				return
			}
			assert.Equal(t, want, kind, "answer format (XML or JSON)")
			if want == "xml" && kind == "xml" {
				assert.Equal(t, wantRoot, gotRoot, "answer root element")
			}
		})
	}
	t.Logf("pycsw suites: %d requests asked (%d answered normally by pycsw, %d refused by pycsw), %d skipped", asked, normal, refused, skipped)
}
