package facade

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/beevik/etree"
	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/iso"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// page is what a harvester reads from one GetRecords answer.
type page struct {
	matched, returned, next int
	ids                     []string // identifiers of the SearchResults children, in order
	children                int
}

func readPage(t *testing.T, body []byte) page {
	t.Helper()
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(body), string(head(body)))
	sr := doc.FindElement("//csw:SearchResults")
	require.NotNil(t, sr, "no SearchResults in %s", head(body))
	atoi := func(name string) int {
		n, err := strconv.Atoi(sr.SelectAttrValue(name, ""))
		require.NoError(t, err, name)
		return n
	}
	p := page{matched: atoi("numberOfRecordsMatched"), returned: atoi("numberOfRecordsReturned"), next: atoi("nextRecord")}
	for _, rec := range sr.ChildElements() {
		p.children++
		id := rec.FindElement(".//dc:identifier")
		if id == nil {
			id = rec.FindElement("./gmd:fileIdentifier/gco:CharacterString")
		}
		if id != nil {
			p.ids = append(p.ids, id.Text())
		}
	}
	return p
}

func get(t *testing.T, f *Facade, entries []*Entry, query string) (int, []byte) {
	t.Helper()
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	req, err := ParseKVP(q)
	if err != nil {
		status, _, body := f.Error(err)
		return status, body
	}
	status, _, body := f.Serve(context.Background(), testEndpoint, req, entries)
	return status, body
}

func iDs(entries []*Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}

// TestFacadePagingWalk follows nextRecord like udata does, over the corpus,
// in both schemas and several page sizes: every record exactly once, in
// identifier order, honest counts, and a walk that ends.
func TestFacadePagingWalk(t *testing.T) {
	entries := corpusEntries(t)
	require.Greater(t, len(entries), 40)
	f := testFacade()
	for _, schema := range []string{"http://www.isotc211.org/2005/gmd&typeNames=gmd:MD_Metadata", "http://www.opengis.net/cat/csw/2.0.2&typeNames=csw:Record"} {
		for _, size := range []int{1, 7, 25, len(entries), 1000} {
			t.Run(strconv.Itoa(size)+" "+schema[:30], func(t *testing.T) {
				var got []string
				start := 1
				for pages := 0; ; pages++ {
					require.Less(t, pages, len(entries)+2, "the walk does not end")
					status, body := get(t, f, entries, "service=CSW&version=2.0.2&request=GetRecords&resultType=results&elementSetName=full&outputSchema="+schema+"&startPosition="+strconv.Itoa(start)+"&maxRecords="+strconv.Itoa(size))
					require.Equal(t, 200, status)
					p := readPage(t, body)
					assert.Equal(t, len(entries), p.matched)
					assert.Equal(t, p.children, p.returned)
					assert.Len(t, p.ids, p.children)
					assert.LessOrEqual(t, p.returned, min(size, HardMaxRecords))
					got = append(got, p.ids...)
					if p.next == 0 {
						break
					}
					assert.Equal(t, start+p.returned, p.next)
					start = p.next
				}
				assert.Equal(t, iDs(entries), got)
			})
		}
	}
}

func TestFacadePagingEdges(t *testing.T) {
	entries := fixtureEntries(t)
	tests := []struct {
		name, query                string
		facade                     *Facade
		matched, returned, nextRec int
	}{
		{"default page size", "", &Facade{DefaultMaxRecords: 2}, 3, 2, 3},
		{"start past the end", "&startPosition=4", &Facade{}, 3, 0, 0},
		{"start far past the end", "&startPosition=1000000", &Facade{}, 3, 0, 0},
		{"maxRecords 0", "&maxRecords=0", &Facade{}, 3, 0, 0},
		{"last record", "&startPosition=3&maxRecords=1", &Facade{}, 3, 1, 0},
		{"cap applies and nextRecord reflects it", "&maxRecords=100", &Facade{MaxRecords: 2}, 3, 2, 3},
		{"cap above 500 is 500", "&maxRecords=100000", &Facade{MaxRecords: 100000}, 3, 3, 0},
		{"hits returns no record", "&resultType=hits&maxRecords=2", &Facade{}, 3, 0, 0},
		{"resultType absent is hits", "&resultType=&maxRecords=2", &Facade{}, 3, 0, 0},
		{"filtered", "&constraintLanguage=CQL_TEXT&constraint=" + url.QueryEscape("apiso:Type = 'service'"), &Facade{}, 1, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.query
			if !strings.Contains(q, "resultType") {
				q += "&resultType=results"
			}
			status, body := get(t, tc.facade, entries, "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&elementSetName=brief"+q)
			require.Equal(t, 200, status, string(body))
			p := readPage(t, body)
			assert.Equal(t, tc.matched, p.matched)
			assert.Equal(t, tc.returned, p.returned)
			assert.Equal(t, tc.returned, p.children)
			assert.Equal(t, tc.nextRec, p.next)
		})
	}
}

func TestFacadeDuplicatesAndOrder(t *testing.T) {
	mk := func(id, title string) *Entry {
		return &Entry{ID: id, Record: &iso.Record{Title: iso.Text{Value: title}}}
	}
	// Unsorted, with a repeated identifier: served once, in identifier order.
	entries := []*Entry{mk("c", "Zeta"), mk("a", "Beta"), mk("b", "Alpha"), mk("a", "Beta again"), nil}
	f := &Facade{}
	_, body := get(t, f, entries, "service=CSW&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief")
	p := readPage(t, body)
	assert.Equal(t, []string{"a", "b", "c"}, p.ids)
	assert.Equal(t, 3, p.matched)

	_, body = get(t, f, entries, "service=CSW&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief&sortBy=dc:title:A")
	assert.Equal(t, []string{"b", "a", "c"}, readPage(t, body).ids)

	_, body = get(t, f, entries, "service=CSW&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief&sortBy=dc:title:D")
	assert.Equal(t, []string{"c", "a", "b"}, readPage(t, body).ids)

	sorted := []*Entry{mk("a", "x"), mk("a", "y"), mk("b", "z")}
	_, body = get(t, f, sorted, "service=CSW&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief")
	assert.Equal(t, []string{"a", "b"}, readPage(t, body).ids)
}

func TestFacadeSortModified(t *testing.T) {
	entries := []*Entry{
		{ID: "a", Modified: "2024-01-01"},
		{ID: "b"},
		{ID: "c", Modified: "2023-05-05T10:00:00Z"},
		{ID: "d", Modified: "2024-01-01T00:00:00"},
	}
	_, body := get(t, &Facade{}, entries, "service=CSW&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief&sortBy=apiso:Modified:D")
	// Ties (a and d fall on the same day) keep identifier order; no date sorts first ascending, last descending.
	assert.Equal(t, []string{"a", "d", "c", "b"}, readPage(t, body).ids)
}

func TestFacadeISOFullIsVerbatim(t *testing.T) {
	entries := fixtureEntries(t)
	_, body := get(t, testFacade(), entries, "service=CSW&request=GetRecords&resultType=results&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full")
	for _, e := range entries {
		raw := stripDecl(e.Raw)
		assert.True(t, bytes.Contains(body, raw), "record %s not served verbatim", e.ID)
		assert.False(t, bytes.Contains(raw, []byte("<?xml")))
	}
	// The gmi:MI_Metadata root is kept.
	assert.Contains(t, string(body), "<gmi:MI_Metadata")
}

func TestFacadeDCAT(t *testing.T) {
	entries := fixtureEntries(t)
	t.Run("disabled", func(t *testing.T) {
		f := &Facade{}
		status, body := get(t, f, entries, "service=CSW&request=GetRecords&resultType=results&typeNames=gmd:MD_Metadata&outputSchema=http://www.w3.org/ns/dcat%23&elementSetName=full")
		assert.Equal(t, 400, status)
		assert.Contains(t, string(body), `locator="outputSchema"`)
		_, caps := get(t, f, entries, "service=CSW&request=GetCapabilities")
		assert.NotContains(t, string(caps), "dcat")
	})
	t.Run("callback failure keeps one child per record", func(t *testing.T) {
		f := &Facade{DCAT: func(ctx context.Context, e *Entry) ([]byte, error) {
			if e.ID == "svc:wms/somme" {
				return nil, errors.New("no mapping")
			}
			return testDCAT(ctx, e)
		}}
		status, body := get(t, f, entries, "service=CSW&request=GetRecords&resultType=results&typeNames=gmd:MD_Metadata&outputSchema=http://data.europa.eu/930/&elementSetName=full")
		require.Equal(t, 200, status)
		p := readPage(t, body)
		assert.Equal(t, 3, p.children)
		assert.Equal(t, 3, p.returned)
		assert.Equal(t, 1, strings.Count(string(body), `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>`))
	})
	t.Run("GetRecordById", func(t *testing.T) {
		status, body := get(t, testFacade(), entries, "service=CSW&request=GetRecordById&id=IGNF_BDTOPO_serie&outputSchema=http://www.w3.org/ns/dcat%23")
		require.Equal(t, 200, status)
		assert.Contains(t, string(body), `<dct:identifier>IGNF_BDTOPO_serie</dct:identifier>`)
	})
}

func TestFacadeGetRecordByID(t *testing.T) {
	entries := filterEntries()
	tests := []struct {
		ids  string
		want []string
	}{
		{"a", []string{"a"}},
		{"https://data.example.org/plu", []string{"a"}}, // the served identifier finds the record too
		{`C:\x,b,a,b`, []string{`C:\x`, "b", "a"}},
		{"missing", nil},
		{"A", nil},
	}
	for _, tc := range tests {
		t.Run(tc.ids, func(t *testing.T) {
			status, body := get(t, &Facade{}, entries, "service=CSW&request=GetRecordById&elementSetName=brief&id="+url.QueryEscape(tc.ids))
			require.Equal(t, 200, status)
			doc := etree.NewDocument()
			require.NoError(t, doc.ReadFromBytes(body))
			var got []string
			for _, rec := range doc.Root().ChildElements() {
				got = append(got, rec.FindElement("./dc:identifier").Text())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestFacadeGetDomain(t *testing.T) {
	entries := filterEntries()
	tests := []struct {
		query string
		want  []string
		code  string
	}{
		{"propertyName=apiso:Type", []string{"dataset", "series", "service"}, ""},
		{"parameterName=OrganisationName", []string{"IGN", "NTUA", "region-hauts-de-france", "Région Hauts-de-France", "YPAAT"}, ""},
		{"propertyName=dc:subject", []string{"Orthoimagery", "PLU", "Urbanisme"}, ""},
		{"parameterName=GetRecords.resultType", []string{"hits", "results", "validate"}, ""},
		{"parameterName=GetRecords.outputSchema", []string{SchemaCSW, SchemaISO, SchemaAtom}, ""},
		{"propertyName=dc:title", []string{"Local urban plan", "Orthophotos 1998", "Plan Local d'Urbanisme", "Réseau_100%"}, ""},
		{"propertyName=dc:nothing", nil, ExceptionInvalidParameterValue},
		{"parameterName=Nope", nil, ExceptionInvalidParameterValue},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			status, body := get(t, &Facade{}, entries, "service=CSW&version=2.0.2&request=GetDomain&"+tc.query)
			if tc.code != "" {
				assert.Equal(t, 400, status)
				assert.Contains(t, string(body), `exceptionCode="`+tc.code+`"`)
				return
			}
			require.Equal(t, 200, status)
			doc := etree.NewDocument()
			require.NoError(t, doc.ReadFromBytes(body))
			var got []string
			for _, v := range doc.FindElements("//csw:Value") {
				got = append(got, v.Text())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestFacadeCapabilitiesAdvertiseEndpointURL(t *testing.T) {
	ep := Endpoint{URL: "http://127.0.0.1:41234/organizations/ign/csw", Title: "IGN"}
	req, err := ParseKVP(url.Values{"service": {"CSW"}, "request": {"GetCapabilities"}})
	require.NoError(t, err)
	_, _, body := (&Facade{DefaultMaxRecords: 25}).Serve(context.Background(), ep, req, nil)
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(body))
	hrefs := doc.FindElements("//ows:DCP/ows:HTTP/*")
	require.NotEmpty(t, hrefs)
	for _, h := range hrefs {
		assert.Equal(t, ep.URL, h.SelectAttrValue("xlink:href", ""))
	}
	assert.Contains(t, string(body), `<ows:Constraint name="MaxRecordDefault"><ows:Value>25</ows:Value></ows:Constraint>`)
}

// TestFacadeCorpusOutputsValid renders every corpus record as ISO brief and
// summary and as Dublin Core full, and validates them with xmllint.
func TestFacadeCorpusOutputsValid(t *testing.T) {
	entries := corpusEntries(t)
	var iso [][]byte
	for _, e := range entries {
		for _, esn := range []string{"brief", "summary"} {
			var b bytes.Buffer
			b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
			var rec bytes.Buffer
			writeISO(&rec, e, e.Record, esn)
			// Declare the namespaces the envelope would.
			b.Write(bytes.Replace(rec.Bytes(), []byte("<gmd:MD_Metadata>"), []byte(`<gmd:MD_Metadata xmlns:gmd="`+csw.NSGMD+`" xmlns:gco="`+csw.NSGCO+`" xmlns:srv="`+csw.NSSRV+`">`), 1))
			iso = append(iso, b.Bytes())
		}
	}
	xmllintAll(t, xsdiso, iso)
	for _, esn := range []string{"brief", "summary", "full"} {
		_, body := get(t, &Facade{}, entries, "service=CSW&request=GetRecords&resultType=results&typeNames=csw:Record&maxRecords=500&elementSetName="+esn)
		xmllint(t, xsdcsw, body)
	}
}

// TestXmllintCatchesErrors makes sure the validation helper can fail.
func TestXmllintCatchesErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("xmllint skipped under -short")
	}
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		testenv.MissingTool(t, "xmllint")
	}
	bad := [][]byte{[]byte(`<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:Nope/></csw:GetRecordsResponse>`)}
	_, err = xmllintRun(bin, testenv.Shared(t), t.TempDir(), xsdcsw, bad)
	require.Error(t, err)
	badISO := [][]byte{[]byte(`<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"><gmd:title/></gmd:MD_Metadata>`)}
	_, err = xmllintRun(bin, testenv.Shared(t), t.TempDir(), xsdiso, badISO)
	require.Error(t, err)
}

// TestFacadeConcurrent serves one view from many goroutines: the lazy
// per-entry index must be safe (run with -race).
func TestFacadeConcurrent(t *testing.T) {
	entries := fixtureEntries(t)
	f := testFacade()
	queries := []string{
		"service=CSW&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=full&constraintLanguage=CQL_TEXT&constraint=" + url.QueryEscape("csw:AnyText LIKE '%somme%'"),
		"service=CSW&request=GetRecords&resultType=results&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=summary&sortBy=dc:title:D",
		"service=CSW&request=GetDomain&propertyName=apiso:OrganisationName",
		"service=CSW&request=GetRecordById&id=svc:wms/somme",
	}
	want := make([][]byte, len(queries))
	for i, q := range queries {
		_, want[i] = get(t, f, fixtureEntries(t), q)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				k := (g + i) % len(queries)
				q, _ := url.ParseQuery(queries[k])
				req, err := ParseKVP(q)
				if err != nil {
					errs <- err.Error()
					return
				}
				if _, _, body := f.Serve(context.Background(), testEndpoint, req, entries); !bytes.Equal(body, want[k]) {
					errs <- "different answer for " + queries[k]
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestStripDecl(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", `<a/>`, `<a/>`},
		{"declaration and BOM", "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/>\n", `<a/>`},
		{"comments, PI, doctype", "<?xml version='1.0'?><!-- c --><?pi x?><!DOCTYPE a [<!ENTITY e \"x>\">]>\n<a>&amp;</a>", `<a>&amp;</a>`},
		{"latin-1 transcoded", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>R\xe9gion</a>", `<a>Région</a>`},
		{"invalid UTF-8 replaced", "<a>\xff</a>", "<a>\uFFFD</a>"},
		{"unterminated declaration kept", "<?xml version=\"1.0\"", "<?xml version=\"1.0\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, string(stripDecl([]byte(tc.in))))
		})
	}
}

// TestServeReadsRecordsWithTheRequestContext: Raw and DCAT are called with
// the context Serve was given (the request's), and find the record by the
// entry's Catalog and Hash, not by the entry pointer.
func TestServeReadsRecordsWithTheRequestContext(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(t.Context(), key{}, "request 7")
	var seen []string
	read := func(what string) func(context.Context, *Entry) ([]byte, error) {
		return func(ctx context.Context, e *Entry) ([]byte, error) {
			v, _ := ctx.Value(key{}).(string)
			seen = append(seen, what+" "+e.Catalog+"/"+e.Hash+" "+v)
			return nil, errors.New("not stored")
		}
	}
	f := &Facade{Raw: read("raw"), DCAT: read("dcat")}
	entries := filterEntries()
	for _, e := range entries {
		e.Catalog, e.Hash = "demo", "sha-"+e.ID
	}
	for _, q := range []string{
		"service=CSW&version=2.0.2&request=GetRecordById&id=a&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full",
		"service=CSW&version=2.0.2&request=GetRecordById&id=a&outputSchema=http://www.w3.org/ns/dcat%23",
	} {
		v, err := url.ParseQuery(q)
		require.NoError(t, err)
		req, err := ParseKVP(v)
		require.NoError(t, err)
		status, _, _ := f.Serve(ctx, testEndpoint, req, entries)
		require.Equal(t, 200, status, q)
	}
	assert.Equal(t, []string{"raw demo/sha-a request 7", "dcat demo/sha-a request 7"}, seen)
}
