package csw

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/passerelle/passerelle/iso"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// facFilterEntries is a small view covering multi-valued organisations,
// slugs, missing dates, formats and boxes, and odd identifiers.
func facFilterEntries() []*Entry {
	kw := func(vs ...string) []iso.KeywordGroup {
		g := iso.KeywordGroup{}
		for _, v := range vs {
			g.Keywords = append(g.Keywords, iso.Text{Value: v})
		}
		return []iso.KeywordGroup{g}
	}
	return []*Entry{
		{ID: "C:\\x", Type: "service", Organisations: []string{"IGN"}, Record: &iso.Record{
			Title:         iso.Text{Value: "Réseau_100%"},
			BoundingBoxes: []iso.BoundingBox{{West: -5, East: 10, South: 41, North: 52}},
		}},
		{ID: "a", Identifier: "https://data.example.org/plu", Type: "dataset", Modified: "2024-03-05T10:20:30",
			Organisations: []string{"Région Hauts-de-France", "region-hauts-de-france"},
			Record: &iso.Record{
				Title:               iso.Text{Value: "Plan Local d'Urbanisme", Translations: map[string]string{"eng": "Local urban plan"}},
				Abstract:            iso.Text{Value: "Zonage du PLU de Lille."},
				Keywords:            kw("Urbanisme", "PLU"),
				DistributionFormats: []iso.Format{{Name: "ESRI Shapefile"}},
				BoundingBoxes:       []iso.BoundingBox{{West: 2, East: 3, South: 49, North: 50}},
			}},
		{ID: "b", Type: "series", Modified: "2022-01-15", Organisations: []string{"YPAAT", "NTUA"}, Record: &iso.Record{
			Title:    iso.Text{Value: "Orthophotos 1998"},
			Keywords: kw("Orthoimagery"),
		}},
	}
}

func facMatchIDs(f *Filter, entries []*Entry) []string {
	var out []string
	for _, e := range entries {
		if f.Match(e) {
			out = append(out, e.ID)
		}
	}
	sort.Strings(out)
	return out
}

func TestFilterCQLEvaluation(t *testing.T) {
	entries := facFilterEntries()
	tests := []struct {
		cql  string
		want []string
	}{
		{"apiso:OrganisationName = 'ntua'", []string{"b"}},
		{"apiso:OrganisationName = 'YPAAT'", []string{"b"}},
		{"apiso:OrganisationName = 'region-hauts-de-france'", []string{"a"}},
		{"apiso:OrganisationName = 'RÉGION Hauts-de-France'", []string{"a"}},
		{"OrganisationName <> 'NTUA'", []string{"C:\\x", "a"}},
		{"OrganisationName LIKE '%hauts%'", []string{"a"}},
		{"csw:AnyText LIKE '%urbanisme%'", []string{"a"}},
		{"csw:AnyText LIKE '%URBAN PLAN%'", []string{"a"}},
		{"csw:AnyText = 'lille'", []string{"a"}},
		{"csw:AnyText LIKE 'urbanisme'", nil},
		{"dc:title LIKE 'plan%'", []string{"a"}},
		{"dc:title ILIKE 'PLAN%'", []string{"a"}},
		{`dc:title LIKE 'R_seau\_100\%'`, []string{"C:\\x"}},
		{`dc:title LIKE 'R_seau_100%'`, []string{"C:\\x"}},
		{"dc:title NOT LIKE 'plan%'", []string{"C:\\x", "b"}},
		{"apiso:Type = 'dataset' OR apiso:Type = 'series'", []string{"a", "b"}},
		{"apiso:Type = 'DATASET'", []string{"a"}},
		{"apiso:Modified >= '2023-01-01'", []string{"a"}},
		{"apiso:Modified < '2023-01-01'", []string{"b"}},
		{"apiso:Modified = '2024-03-05'", []string{"a"}},
		{"apiso:Modified > '2024-03-05T10:00:00Z'", []string{"a"}},
		{"dct:modified BETWEEN '2022-01-01' AND '2022-12-31'", []string{"b"}},
		{"dct:modified BETWEEN 2022-01-01 AND 2022-12-31", []string{"b"}},
		{"apiso:Modified IS NULL", []string{"C:\\x"}},
		{"Format IS NULL", []string{"C:\\x", "b"}},
		{"Format IS NOT NULL", []string{"a"}},
		{"NOT Format IS NULL", []string{"a"}},
		{"dc:format = 'esri shapefile'", []string{"a"}},
		{`dc:identifier = 'C:\x'`, []string{"C:\\x"}},
		{"dc:identifier = 'A'", nil},
		{"apiso:Identifier = 'https://data.example.org/plu'", []string{"a"}},
		{"dc:subject = 'plu'", []string{"a"}},
		{"dc:title >= 'p'", []string{"C:\\x", "a"}},
		{"dc:title BETWEEN 'o' AND 'q'", []string{"a", "b"}},
		{"Abstract LIKE '%lille%' AND Type = 'dataset'", []string{"a"}},
		{"(Type = 'dataset' AND NOT Subject = 'plu') OR Type = 'service'", []string{"C:\\x"}},
		{"BBOX(ows:BoundingBox, 0, 45, 5, 51)", []string{"C:\\x", "a"}},
		{"BBOX(ows:BoundingBox, 45, 0, 51, 5, 'urn:ogc:def:crs:EPSG::4326')", []string{"C:\\x", "a"}},
		{"BBOX(ows:BoundingBox, 0, 45, 5, 51, 'CRS:84')", []string{"C:\\x", "a"}},
		{"BBOX(BoundingBox, 100, 0, 110, 5)", nil},
		{"BBOX(BoundingBox, 9.5, 51.5, 20, 60)", []string{"C:\\x"}},
		{"bbox(apiso:BoundingBox, -180, -90, 180, 90) and type = 'dataset'", []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.cql, func(t *testing.T) {
			f, err := ParseCQL(tc.cql)
			require.NoError(t, err)
			assert.Equal(t, tc.want, facMatchIDs(f, entries))
		})
	}
}

func TestFilterXMLEvaluation(t *testing.T) {
	entries := facFilterEntries()
	env := func(srs, lower, upper string) string {
		attr := ""
		if srs != "" {
			attr = ` srsName="` + srs + `"`
		}
		return `<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope` + attr + `><gml:lowerCorner>` + lower + `</gml:lowerCorner><gml:upperCorner>` + upper + `</gml:upperCorner></gml:Envelope></ogc:BBOX>`
	}
	tests := []struct {
		name, filter string
		want         []string
	}{
		{"EqualTo org", `<ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:OrganisationName</ogc:PropertyName><ogc:Literal>ntua</ogc:Literal></ogc:PropertyIsEqualTo>`, []string{"b"}},
		{"literal first", `<ogc:PropertyIsEqualTo><ogc:Literal>series</ogc:Literal><ogc:PropertyName>dc:type</ogc:PropertyName></ogc:PropertyIsEqualTo>`, []string{"b"}},
		{"identifier matchCase false", `<ogc:PropertyIsEqualTo matchCase="false"><ogc:PropertyName>dc:identifier</ogc:PropertyName><ogc:Literal>A</ogc:Literal></ogc:PropertyIsEqualTo>`, []string{"a"}},
		{"identifier matchCase default", `<ogc:PropertyIsEqualTo><ogc:PropertyName>dc:identifier</ogc:PropertyName><ogc:Literal>A</ogc:Literal></ogc:PropertyIsEqualTo>`, nil},
		{"Like default wildcards", `<ogc:PropertyIsLike wildCard="*" singleChar="." escapeChar="\"><ogc:PropertyName>csw:AnyText</ogc:PropertyName><ogc:Literal>*ortho*</ogc:Literal></ogc:PropertyIsLike>`, []string{"b"}},
		{"Like escape", `<ogc:PropertyIsLike wildCard="%" singleChar="_" escapeChar="!"><ogc:PropertyName>dc:title</ogc:PropertyName><ogc:Literal>%!_100!%</ogc:Literal></ogc:PropertyIsLike>`, []string{"C:\\x"}},
		{"GreaterThanOrEqualTo modified", `<ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyName>apiso:Modified</ogc:PropertyName><ogc:Literal>2022-01-15</ogc:Literal></ogc:PropertyIsGreaterThanOrEqualTo>`, []string{"a", "b"}},
		{"LessThanOrEqualTo modified", `<ogc:PropertyIsLessThanOrEqualTo><ogc:PropertyName>apiso:Modified</ogc:PropertyName><ogc:Literal>2022-01-15</ogc:Literal></ogc:PropertyIsLessThanOrEqualTo>`, []string{"b"}},
		{"NotEqualTo type", `<ogc:PropertyIsNotEqualTo><ogc:PropertyName>apiso:Type</ogc:PropertyName><ogc:Literal>service</ogc:Literal></ogc:PropertyIsNotEqualTo>`, []string{"a", "b"}},
		{"Or of And", `<ogc:Or><ogc:And><ogc:PropertyIsEqualTo><ogc:PropertyName>Type</ogc:PropertyName><ogc:Literal>dataset</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsLike wildCard="*" singleChar="?" escapeChar="\"><ogc:PropertyName>Title</ogc:PropertyName><ogc:Literal>plan*</ogc:Literal></ogc:PropertyIsLike></ogc:And><ogc:PropertyIsNull><ogc:PropertyName>apiso:Modified</ogc:PropertyName></ogc:PropertyIsNull></ogc:Or>`, []string{"C:\\x", "a"}},
		{"BBOX without srsName is lon/lat (OWSLib default)", env("", "0 45", "5 51"), []string{"C:\\x", "a"}},
		{"BBOX EPSG:4326 short form is lon/lat", env("EPSG:4326", "0 45", "5 51"), []string{"C:\\x", "a"}},
		{"BBOX CRS84", env("urn:ogc:def:crs:OGC:1.3:CRS84", "0 45", "5 51"), []string{"C:\\x", "a"}},
		{"BBOX EPSG URN is lat/lon", env("urn:ogc:def:crs:EPSG::4326", "45 0", "51 5"), []string{"C:\\x", "a"}},
		{"BBOX x-ogc URN is lat/lon", env("urn:x-ogc:def:crs:EPSG:6.11:4326", "45 0", "51 5"), []string{"C:\\x", "a"}},
		{"BBOX http EPSG URI is lat/lon", env("http://www.opengis.net/def/crs/EPSG/0/4326", "45 0", "51 5"), []string{"C:\\x", "a"}},
		{"BBOX URN read lon/lat would miss", env("urn:ogc:def:crs:EPSG::4326", "0 45", "5 51"), nil},
		{"gml:Box coordinates", `<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Box srsName="EPSG:4326"><gml:coordinates>9.5,51.5 20,60</gml:coordinates></gml:Box></ogc:BBOX>`, []string{"C:\\x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFilter(`<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml">` + tc.filter + `</ogc:Filter>`)
			require.NoError(t, err)
			assert.Equal(t, tc.want, facMatchIDs(f, entries))
		})
	}
}

func TestFilterNilMatchesAll(t *testing.T) {
	var f *Filter
	for _, e := range facFilterEntries() {
		assert.True(t, f.Match(e))
	}
	assert.Empty(t, f.String())
}

func TestFilterEntryWithoutRecord(t *testing.T) {
	e := &Entry{ID: "x"}
	for _, cql := range []string{"Title IS NULL", "Type = 'dataset'", "AnyText LIKE '%x%'"} {
		f, err := ParseCQL(cql)
		require.NoError(t, err)
		assert.True(t, f.Match(e), cql)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"%", "", true},
		{"%", "anything", true},
		{"a%", "abc", true},
		{"%c", "abc", true},
		{"%b%", "abc", true},
		{"%x%", "abc", false},
		{"a_c", "abc", true},
		{"a_c", "ac", false},
		{"_", "é", true},
		{"%é_", "café!", true},
		{"%aa%aa", "aaaaa", true},
		{"%ab%ab", "abab", true},
		{"%ab%ab", "aba", false},
		{"a%%b", "ab", true},
		{"%_%_%", "ab", true},
		{"%_%_%", "a", false},
		{strings.Repeat("%a", 20) + "%b", strings.Repeat("a", 40), false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q~%q", tc.pattern, tc.s), func(t *testing.T) {
			l, ex := newLike(facTitle, tc.pattern, '%', '_', '\\')
			require.Nil(t, ex)
			assert.Equal(t, tc.want, facGlob(l.toks, tc.s))
		})
	}
}

func TestLatFirst(t *testing.T) {
	tests := []struct {
		srs          string
		latFirst, ok bool
	}{
		{"", false, true},
		{"EPSG:4326", false, true},
		{"CRS:84", false, true},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", false, true},
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", false, true},
		{"http://www.opengis.net/gml/srs/epsg.xml#4326", false, true},
		{"urn:ogc:def:crs:EPSG::4326", true, true},
		{"urn:ogc:def:crs:EPSG:6.6:4326", true, true},
		{"urn:x-ogc:def:crs:EPSG:6.11:4326", true, true},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", true, true},
		{"urn:ogc:def:crs:EPSG::2154", true, false},
		{"EPSG:3857", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.srs, func(t *testing.T) {
			lat, ok := facLatFirst(tc.srs)
			assert.Equal(t, tc.ok, ok)
			if ok {
				assert.Equal(t, tc.latFirst, lat)
			}
		})
	}
}

func TestLookupField(t *testing.T) {
	tests := []struct {
		name string
		want facField
		ok   bool
	}{
		{"apiso:OrganisationName", facOrganisation, true},
		{"apiso:organisationname", facOrganisation, true},
		{"OrganisationName", facOrganisation, true},
		{"csw:AnyText", facAnyText, true},
		{"dc:title", facTitle, true},
		{"dct:abstract", facAbstract, true},
		{"dct:modified", facModified, true},
		{"ows:BoundingBox", facBoundingBox, true},
		{"apiso:type", facType, true},
		{"gmd:title", 0, false},
		{"dc:nothing", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := facLookupField(tc.name)
			assert.Equal(t, tc.ok, ok)
			if ok {
				assert.Equal(t, tc.want, f)
			}
		})
	}
}

// TestGlobAgainstRegexp compares the matcher with regexp on random patterns
// over a small alphabet (test oracle only; the facade never uses regexp).
func TestGlobAgainstRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("abé%_")
	gen := func(n int, pattern bool) string {
		var b strings.Builder
		for range rng.IntN(n) {
			r := alphabet[rng.IntN(len(alphabet))]
			if !pattern && (r == '%' || r == '_') {
				r = 'a'
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	for range 20000 {
		p, s := gen(8, true), gen(12, false)
		var re strings.Builder
		re.WriteString("^")
		for _, r := range p {
			switch r {
			case '%':
				re.WriteString("(?s:.*)")
			case '_':
				re.WriteString("(?s:.)")
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString("$")
		l, ex := newLike(facTitle, p, '%', '_', 0)
		require.Nil(t, ex)
		want := regexp.MustCompile(re.String()).MatchString(s)
		require.Equal(t, want, facGlob(l.toks, s), "pattern %q on %q", p, s)
	}
}
