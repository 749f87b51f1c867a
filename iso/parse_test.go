package iso

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const nsDecl = `xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:gmx="http://www.isotc211.org/2005/gmx" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:srv="http://www.isotc211.org/2005/srv"`

// md wraps body in a gmd:MD_Metadata root declaring the usual prefixes.
func md(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><gmd:MD_Metadata ` + nsDecl + `>` + body + `</gmd:MD_Metadata>`
}

// ident wraps the children of an identification in an MD_DataIdentification.
func ident(body string) string {
	return md(`<gmd:identificationInfo><gmd:MD_DataIdentification>` + body + `</gmd:MD_DataIdentification></gmd:identificationInfo>`)
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300)
	tests := []struct {
		name string
		doc  string
		kind error
		msg  string
	}{
		{"empty", "", ErrMalformed, "no root element"},
		{"not xml", "hello", ErrMalformed, "outside the root"},
		{"html", "<html><body>Service unavailable</body></html>", ErrNotISO, "<html>"},
		{"truncated", md("<gmd:fileIdentifier>")[:80], ErrMalformed, ""},
		{"mismatched", `<gmd:MD_Metadata ` + nsDecl + `><gmd:a></gmd:b></gmd:MD_Metadata>`, ErrMalformed, ""},
		{"doctype", `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + md(`<gmd:fileIdentifier><gco:CharacterString>&e;</gco:CharacterString></gmd:fileIdentifier>`), ErrMalformed, "DTD"},
		{"unknown entity", md(`<gmd:fileIdentifier><gco:CharacterString>&e;</gco:CharacterString></gmd:fileIdentifier>`), ErrMalformed, ""},
		{"too deep", `<gmd:MD_Metadata ` + nsDecl + `>` + deep + `</gmd:MD_Metadata>`, ErrMalformed, "deeper"},
		{"unbound prefix", `<gmd:MD_Metadata><gmd:fileIdentifier/></gmd:MD_Metadata>`, ErrMalformed, "undeclared namespace prefix \"gmd\""},
		{"gmd prefix, wrong namespace", `<gmd:MD_Metadata xmlns:gmd="http://example.org/gmd"/>`, ErrNotISO, "http://example.org/gmd"},
		{"19115-3", `<mdb:MD_Metadata xmlns:mdb="http://standards.iso.org/iso/19115/-3/mdb/2.0"/>`, ErrNotISO, "mdb:MD_Metadata"},
		{"csw record", `<csw:Record xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"/>`, ErrNotISO, "csw:Record"},
		{"two roots", md("") + "<x/>", ErrMalformed, "after the root"},
		{"unsupported charset", `<?xml version="1.0" encoding="x-nonsense"?>` + md(""), ErrMalformed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.doc))
			require.Error(t, err)
			assert.Nil(t, r)
			var re *RecordError
			require.ErrorAs(t, err, &re)
			assert.ErrorIs(t, err, tc.kind)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestParseRoots(t *testing.T) {
	tests := []struct {
		name, doc, root string
	}{
		{"default namespace", `<MD_Metadata xmlns="http://www.isotc211.org/2005/gmd"><fileIdentifier><CharacterString xmlns="http://www.isotc211.org/2005/gco">x</CharacterString></fileIdentifier></MD_Metadata>`, "gmd:MD_Metadata"},
		{"other prefix", `<a:MD_Metadata xmlns:a="http://www.isotc211.org/2005/gmd" xmlns:b="http://www.isotc211.org/2005/gco"><a:fileIdentifier><b:CharacterString>x</b:CharacterString></a:fileIdentifier></a:MD_Metadata>`, "gmd:MD_Metadata"},
		{"gmi", `<gmi:MI_Metadata xmlns:gmi="http://www.isotc211.org/2005/gmi" xmlns:gmd="http://www.isotc211.org/2005/gmd"><gmd:fileIdentifier>x</gmd:fileIdentifier></gmi:MI_Metadata>`, "gmi:MI_Metadata"},
		{"isoType", `<che:CHE_MD_Metadata xmlns:che="http://www.geocat.ch/2008/che" xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:gmd="http://www.isotc211.org/2005/gmd" gco:isoType="gmd:MD_Metadata"><gmd:fileIdentifier><gco:CharacterString>x</gco:CharacterString></gmd:fileIdentifier></che:CHE_MD_Metadata>`, "CHE_MD_Metadata"},
		{"latin-1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><gmd:MD_Metadata " + nsDecl + "><gmd:fileIdentifier><gco:CharacterString>x</gco:CharacterString></gmd:fileIdentifier><gmd:contact><gmd:CI_ResponsibleParty><gmd:organisationName><gco:CharacterString>R\xe9gion</gco:CharacterString></gmd:organisationName></gmd:CI_ResponsibleParty></gmd:contact></gmd:MD_Metadata>", "gmd:MD_Metadata"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.doc))
			require.NoError(t, err)
			assert.Equal(t, tc.root, r.RootName)
			assert.Equal(t, "x", r.FileIdentifier)
			if tc.name == "latin-1" {
				assert.Equal(t, []string{"Région"}, r.ProducerNames())
			}
		})
	}
}

func TestParseFields(t *testing.T) {
	bbox := func(w, e, s, n string) string {
		return `<gmd:extent><gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicBoundingBox>` +
			`<gmd:westBoundLongitude><gco:Decimal>` + w + `</gco:Decimal></gmd:westBoundLongitude>` +
			`<gmd:eastBoundLongitude><gco:Decimal>` + e + `</gco:Decimal></gmd:eastBoundLongitude>` +
			`<gmd:southBoundLatitude><gco:Decimal>` + s + `</gco:Decimal></gmd:southBoundLatitude>` +
			`<gmd:northBoundLatitude><gco:Decimal>` + n + `</gco:Decimal></gmd:northBoundLatitude>` +
			`</gmd:EX_GeographicBoundingBox></gmd:geographicElement></gmd:EX_Extent></gmd:extent>`
	}
	temporal := func(gmlNS, period string) string {
		return `<gmd:extent><gmd:EX_Extent><gmd:temporalElement><gmd:EX_TemporalExtent><gmd:extent xmlns:gml="` + gmlNS + `">` +
			period + `</gmd:extent></gmd:EX_TemporalExtent></gmd:temporalElement></gmd:EX_Extent></gmd:extent>`
	}
	tests := []struct {
		name  string
		doc   string
		check func(t *testing.T, r *Record)
	}{
		{"decimal comma and spaces in bbox", ident(bbox(" 2,5 ", "3.5", "\n47\n", "48,25")), func(t *testing.T, r *Record) {
			assert.Equal(t, []BoundingBox{{West: 2.5, East: 3.5, South: 47, North: 48.25}}, r.BoundingBoxes)
		}},
		{"unparsable bbox skipped", ident(bbox("west", "3", "4", "5") + bbox("1", "2", "3", "4") + bbox("NaN", "1", "1", "1")), func(t *testing.T, r *Record) {
			assert.Equal(t, []BoundingBox{{West: 1, East: 2, South: 3, North: 4}}, r.BoundingBoxes)
		}},
		{"gml 3.2 period with indeterminate end", ident(temporal(nsGML32, `<gml:TimePeriod gml:id="t"><gml:beginPosition>2001-01-01</gml:beginPosition><gml:endPosition indeterminatePosition="now"/></gml:TimePeriod>`)), func(t *testing.T, r *Record) {
			assert.Equal(t, []TemporalExtent{{Begin: "2001-01-01", EndIndeterminate: "now"}}, r.TemporalExtents)
		}},
		{"gml 3.1 begin/end instants", ident(temporal(nsGML, `<gml:TimePeriod><gml:begin><gml:TimeInstant><gml:timePosition>1990</gml:timePosition></gml:TimeInstant></gml:begin><gml:end><gml:TimeInstant><gml:timePosition>2000-12-31</gml:timePosition></gml:TimeInstant></gml:end></gml:TimePeriod>`)), func(t *testing.T, r *Record) {
			assert.Equal(t, []TemporalExtent{{Begin: "1990", End: "2000-12-31"}}, r.TemporalExtents)
		}},
		{"time instant", ident(temporal(nsGML32, `<gml:TimeInstant><gml:timePosition>2020-05-01T00:00:00Z</gml:timePosition></gml:TimeInstant>`)), func(t *testing.T, r *Record) {
			assert.Equal(t, []TemporalExtent{{Begin: "2020-05-01T00:00:00Z", Instant: true}}, r.TemporalExtents)
		}},
		{"codelist value preferred, text fallback", md(`<gmd:hierarchyLevel><gmd:MD_ScopeCode codeListValue="series">dataset</gmd:MD_ScopeCode></gmd:hierarchyLevel><gmd:hierarchyLevel><gmd:MD_ScopeCode codeListValue="service"/></gmd:hierarchyLevel><gmd:language><gmd:LanguageCode> fre </gmd:LanguageCode></gmd:language>`), func(t *testing.T, r *Record) {
			assert.Equal(t, "series", r.HierarchyLevel)
			assert.Equal(t, "series", r.Type())
			assert.Equal(t, "fre", r.Language)
		}},
		{"type from identification", md(`<gmd:identificationInfo><srv:SV_ServiceIdentification><srv:serviceType><gco:LocalName>view</gco:LocalName></srv:serviceType><srv:couplingType><srv:SV_CouplingType codeListValue="tight"/></srv:couplingType><srv:operatesOn xlink:href="https://example.org/csw?id=abc"/><srv:containsOperations><srv:SV_OperationMetadata><srv:operationName><gco:CharacterString>GetMap</gco:CharacterString></srv:operationName><srv:DCP><srv:DCPList codeListValue="WebServices"/></srv:DCP><srv:connectPoint><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>https://example.org/wms</gmd:URL></gmd:linkage></gmd:CI_OnlineResource></srv:connectPoint></srv:SV_OperationMetadata></srv:containsOperations></srv:SV_ServiceIdentification></gmd:identificationInfo>`), func(t *testing.T, r *Record) {
			assert.Equal(t, "service", r.Type())
			require.NotNil(t, r.Service)
			assert.Equal(t, &Service{Type: "view", CouplingType: "tight", OperatesOn: []OperatesOn{{Href: "https://example.org/csw?id=abc"}},
				Operations: []Operation{{Name: "GetMap", DCP: "WebServices", URLs: []string{"https://example.org/wms"}}}}, r.Service)
		}},
		{"type dataset when no hierarchyLevel", ident(""), func(t *testing.T, r *Record) {
			assert.Equal(t, "dataset", r.Type())
		}},
		{"no identification", md(""), func(t *testing.T, r *Record) {
			assert.Equal(t, "", r.Type())
		}},
		{"conformity pass", md(`<gmd:dataQualityInfo><gmd:DQ_DataQuality>` +
			`<gmd:report><gmd:DQ_DomainConsistency><gmd:result><gmd:DQ_ConformanceResult><gmd:specification><gmd:CI_Citation><gmd:title><gmx:Anchor xlink:href="http://data.europa.eu/eli/reg/2010/1089">Règlement 1089/2010</gmx:Anchor></gmd:title></gmd:CI_Citation></gmd:specification><gmd:pass><gco:Boolean>true</gco:Boolean></gmd:pass></gmd:DQ_ConformanceResult></gmd:result></gmd:DQ_DomainConsistency></gmd:report>` +
			`<gmd:report><gmd:DQ_DomainConsistency><gmd:result><gmd:DQ_ConformanceResult><gmd:specification><gmd:CI_Citation><gmd:title><gco:CharacterString>Spec</gco:CharacterString></gmd:title></gmd:CI_Citation></gmd:specification><gmd:pass gco:nilReason="unknown"/></gmd:DQ_ConformanceResult></gmd:result></gmd:DQ_DomainConsistency></gmd:report>` +
			`<gmd:lineage><gmd:LI_Lineage><gmd:statement><gco:CharacterString>Made.</gco:CharacterString></gmd:statement></gmd:LI_Lineage></gmd:lineage>` +
			`</gmd:DQ_DataQuality></gmd:dataQualityInfo>`), func(t *testing.T, r *Record) {
			require.Len(t, r.Conformity, 2)
			require.NotNil(t, r.Conformity[0].Pass)
			assert.True(t, *r.Conformity[0].Pass)
			assert.Equal(t, Text{Value: "Règlement 1089/2010", Href: "http://data.europa.eu/eli/reg/2010/1089"}, r.Conformity[0].Specification.Title)
			assert.Nil(t, r.Conformity[1].Pass)
			assert.Equal(t, "Made.", r.Lineage.Value)
		}},
		{"translations use this record's locales", md(`<gmd:locale><gmd:PT_Locale id="locale-fr"><gmd:languageCode><gmd:LanguageCode codeListValue="fre"/></gmd:languageCode></gmd:PT_Locale></gmd:locale>` +
			`<gmd:identificationInfo><gmd:MD_DataIdentification><gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>Roads</gco:CharacterString><gmd:PT_FreeText><gmd:textGroup><gmd:LocalisedCharacterString locale="#locale-fr">Routes</gmd:LocalisedCharacterString></gmd:textGroup><gmd:textGroup><gmd:LocalisedCharacterString locale="#DE">Straßen</gmd:LocalisedCharacterString></gmd:textGroup><gmd:textGroup><gmd:LocalisedCharacterString locale="#IT"/></gmd:textGroup></gmd:PT_FreeText></gmd:title></gmd:CI_Citation></gmd:citation></gmd:MD_DataIdentification></gmd:identificationInfo>`), func(t *testing.T, r *Record) {
			assert.Equal(t, Text{Value: "Roads", Translations: map[string]string{"fre": "Routes", "DE": "Straßen"}}, r.Title)
		}},
		{"transfer options and distributors", md(`<gmd:distributionInfo><gmd:MD_Distribution>` +
			`<gmd:distributor><gmd:MD_Distributor><gmd:distributorContact><gmd:CI_ResponsibleParty><gmd:organisationName><gco:CharacterString>Dist</gco:CharacterString></gmd:organisationName><gmd:role><gmd:CI_RoleCode codeListValue="distributor"/></gmd:role></gmd:CI_ResponsibleParty></gmd:distributorContact><gmd:distributorFormat><gmd:MD_Format><gmd:name><gco:CharacterString>CSV</gco:CharacterString></gmd:name><gmd:version gco:nilReason="unknown"/></gmd:MD_Format></gmd:distributorFormat>` +
			`<gmd:distributorTransferOptions><gmd:MD_DigitalTransferOptions><gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>https://b</gmd:URL></gmd:linkage></gmd:CI_OnlineResource></gmd:onLine></gmd:MD_DigitalTransferOptions></gmd:distributorTransferOptions></gmd:MD_Distributor></gmd:distributor>` +
			`<gmd:transferOptions><gmd:MD_DigitalTransferOptions><gmd:transferSize><gco:Real>1,5</gco:Real></gmd:transferSize><gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL> https://a </gmd:URL></gmd:linkage><gmd:protocol><gmx:Anchor xlink:href="http://www.opengis.net/def/serviceType/ogc/wms">OGC:WMS</gmx:Anchor></gmd:protocol><gmd:function><gmd:CI_OnLineFunctionCode codeListValue="download"/></gmd:function></gmd:CI_OnlineResource></gmd:onLine></gmd:MD_DigitalTransferOptions></gmd:transferOptions>` +
			`</gmd:MD_Distribution></gmd:distributionInfo>`), func(t *testing.T, r *Record) {
			assert.Equal(t, []OnlineResource{
				{URL: "https://a", Protocol: "OGC:WMS", ProtocolHref: "http://www.opengis.net/def/serviceType/ogc/wms", Function: "download", TransferSizeMB: 1.5, Distributor: -1},
				{URL: "https://b", Distributor: 0},
			}, r.OnlineResources)
			assert.Equal(t, []Distributor{{Formats: []Format{{Name: "CSV"}}}}, r.Distributors)
			require.Len(t, r.Parties, 1)
			assert.Equal(t, "distributorContact", r.Parties[0].Place)
			assert.Empty(t, r.ProducerNames(), "distributor contacts are not producers")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.doc))
			require.NoError(t, err)
			tc.check(t, r)
		})
	}
}

func TestResourceIdentifier(t *testing.T) {
	tests := []struct {
		name string
		r    Record
		want string
	}{
		{"codeSpace and code", Record{Identifiers: []Identifier{{Code: "abc", CodeSpace: "FR-1"}}}, "FR-1/abc"},
		{"codeSpace ending with slash", Record{Identifiers: []Identifier{{Code: "123456", CodeSpace: "org-id/"}}}, "org-id/123456"},
		{"codeSpace with whitespace", Record{Identifiers: []Identifier{{Code: " abc\n", CodeSpace: "http://x.org\n   "}}}, "http://x.org/abc"},
		{"no codeSpace", Record{Identifiers: []Identifier{{Code: "abc"}}}, "abc"},
		{"anchor text, codeSpace ignored", Record{Identifiers: []Identifier{{Code: " https://id/1 ", Href: "https://other", Anchor: true, CodeSpace: "cs"}}}, "https://id/1"},
		{"first in document order", Record{Identifiers: []Identifier{{Code: "a", CodeSpace: "x"}, {Code: "https://doi.org/1", Anchor: true}}}, "x/a"},
		{"no identifier", Record{FileIdentifier: " uuid-1 "}, "uuid-1"},
		{"nothing", Record{}, ""},
		// Géo-IDE writes the codeSpace with a trailing newline and indent.
		{"corpus: records/gnui__geoide.iso19139.dataset.xml", Record{}, "http://catalogue.geo-ide.developpement-durable.gouv.fr/e88b2e8c-8c0e-4296-8ceb-57c8f779432a"},
		{"corpus: records/semic__identifiers-anchor.xml", Record{}, "http://www.my-organisation.eu/so/lu/land-use-map"},
		{"corpus: records/owslib__iso_mi.xml", Record{}, "3f342f64-9348-11df-ba6a-0014c2c00eab"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &tc.r
			if file, ok := strings.CutPrefix(tc.name, "corpus: "); ok {
				r = parseCorpus(t, strings.Split(file, "/")...)
			}
			assert.Equal(t, tc.want, r.ResourceIdentifier())
		})
	}
}

func TestModified(t *testing.T) {
	tests := []struct {
		name string
		r    Record
		want string
	}{
		{"latest revision", Record{DateStamp: "2024-01-01", Dates: []Date{{"2020-01-01", "revision"}, {"2022-03-01T10:00:00+02:00", "revision"}, {"2021-12-31", "revision"}, {"2023-01-01", "publication"}}}, "2022-03-01T10:00:00+02:00"},
		{"no revision", Record{DateStamp: "2024-01-01", Dates: []Date{{"2023-01-01", "publication"}}}, "2024-01-01"},
		{"unparsable revision only", Record{Dates: []Date{{"soon", "revision"}}}, "soon"},
		{"parsable wins over unparsable", Record{Dates: []Date{{"soon", "revision"}, {"2001", "revision"}}}, "2001"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.r.Modified())
		})
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"DDTM d'Ille-et-Vilaine", "ddtm-d-ille-et-vilaine"},
		{"Région Hauts-de-France", "region-hauts-de-france"},
		{"  --Český úřad zeměměřický a katastrální-- ", "cesky-urad-zememericky-a-katastralni"},
		{"ﬁnance Ⅳ", "finance-iv"}, // NFKD compatibility forms
		{"日本", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, Slug(tc.in))
		})
	}
}

func TestProducerNamesDedupAndOrder(t *testing.T) {
	org := func(place, role, name string) Party {
		return Party{Place: place, Role: role, Organisation: Text{Value: name}}
	}
	r := Record{
		Contacts: []Party{org("contact", "pointOfContact", "Metadata Desk"), org("contact", "", "région hauts de france")},
		Parties: []Party{
			org("pointOfContact", "pointOfContact", "POC"),
			org("pointOfContact", "author", "Author"),
			org("citedResponsibleParty", "custodian", "Custodian"),
			org("pointOfContact", "owner", " Région Hauts-de-France "),
			org("citedResponsibleParty", "publisher", "Publisher"),
			org("distributorContact", "distributor", "Distributor"),
			org("pointOfContact", "owner", "REGION HAUTS DE FRANCE"),
			org("pointOfContact", "owner", "  "),
			org("pointOfContact", "user", "日本"),
			org("pointOfContact", "user", "日本"),
		},
	}
	assert.Equal(t, []string{"Publisher", "Région Hauts-de-France", "Custodian", "POC", "Author", "日本", "Metadata Desk"}, r.ProducerNames())
}

func TestFileIdentifierOf(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"record", md(`<gmd:fileIdentifier><gco:CharacterString> abc </gco:CharacterString></gmd:fileIdentifier>`), "abc"},
		{"cut after it", `<gmd:MD_Metadata ` + nsDecl + `><gmd:fileIdentifier><gco:CharacterString>abc</gco:CharacterString></gmd:fileIdentifier><gmd:contact><gmd:CI_Respons`, "abc"},
		{"broken before it", `<a><b></a><fileIdentifier><CharacterString>x&amp;y</CharacterString></fileIdentifier>`, "x&y"},
		{"mdb", `<mdb:MD_Metadata xmlns:mdb="m"><mdb:metadataIdentifier/></mdb:MD_Metadata>`, ""},
		{"garbage", "\x00\x01", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, FileIdentifierOf([]byte(tc.doc)))
		})
	}
	raw, err := os.ReadFile(testenv.Corpus(t, "broken", "ckanspatial__error_bad_xml.xml"))
	require.NoError(t, err)
	_, perr := Parse(raw)
	require.Error(t, perr)
	assert.Equal(t, "test-error-bad-xml-1", FileIdentifierOf(raw))
}

func TestParseNeverPanicsOnCutDocuments(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testenv.Corpus(t, "records"), "semic__network-service.xml"))
	require.NoError(t, err)
	for i := 0; i < len(raw); i += 97 {
		r, err := Parse(raw[:i])
		if err == nil {
			t.Fatalf("prefix of %d bytes parsed: %+v", i, r)
		}
		assert.True(t, errors.Is(err, ErrMalformed), "prefix %d: %v", i, err)
	}
}

// TestParseLinearTime feeds documents shaped to make a naive scanner
// quadratic; each must be handled (parsed or refused) without blowing up.
// The limits are checked by result, not by timing.
func TestParseLinearTime(t *testing.T) {
	var attrs, decls strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&attrs, ` a%d="x"`, i)
		fmt.Fprintf(&decls, ` xmlns:p%d="u%d"`, i, i)
	}
	tests := []struct {
		name string
		doc  string
		ok   bool
	}{
		{"many text pieces", md(`<gmd:fileIdentifier><gco:CharacterString>` + strings.Repeat("ab<!---->", 50000) + `</gco:CharacterString></gmd:fileIdentifier>`), true},
		{"many attributes", `<gmd:MD_Metadata ` + nsDecl + attrs.String() + `/>`, false},
		{"many namespace declarations", `<gmd:MD_Metadata ` + nsDecl + decls.String() + `/>`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.doc))
			if !tc.ok {
				assert.ErrorIs(t, err, ErrMalformed)
				return
			}
			require.NoError(t, err)
			if tc.name == "many text pieces" {
				assert.Equal(t, strings.Repeat("ab", 50000), r.FileIdentifier)
			}
		})
	}
}

func TestLaterDate(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"2024-01-02", "2024-01-01T23:00:00", true},
		{"2024-01-01T10:00:00+02:00", "2024-01-01T09:30:00Z", false}, // 08:00Z is earlier
		{"2024-01-01T10:00:00Z", "2024-01-01T10:00:00+02:00", true},
		{"2024", "2023-12-31", true},
		{"2020-05-01", "not a date", true},
		{"", "2020-05-01", false},
		{"b", "a", true},
	} {
		assert.Equal(t, tc.want, LaterDate(tc.a, tc.b), "%q > %q", tc.a, tc.b)
	}
}

// TestBoundingBoxRepaired: the one repair rule feeds and the CSW facade share.
func TestBoundingBoxRepaired(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name         string
		in, want     BoundingBox
		lon, lat, ok bool
	}{
		{"valid", BoundingBox{West: -5, East: 9, South: 41, North: 51}, BoundingBox{West: -5, East: 9, South: 41, North: 51}, false, false, true},
		{"Géo-IDE west > east", BoundingBox{West: 1.91, East: 0.63, South: 49.7, North: 50.4}, BoundingBox{West: 0.63, East: 1.91, South: 49.7, North: 50.4}, true, false, true},
		{"south > north", BoundingBox{West: 1, East: 2, South: 50, North: 49}, BoundingBox{West: 1, East: 2, South: 49, North: 50}, false, true, true},
		{"both swapped", BoundingBox{West: 2, East: 1, South: 50, North: 49}, BoundingBox{West: 1, East: 2, South: 49, North: 50}, true, true, true},
		{"antimeridian crossing kept, unusable", BoundingBox{West: 170, East: -170, South: -20, North: -10}, BoundingBox{West: 170, East: -170, South: -20, North: -10}, false, false, false},
		{"out of range", BoundingBox{West: 100000, East: 200000, South: 6e6, North: 7e6}, BoundingBox{West: 100000, East: 200000, South: 6e6, North: 7e6}, false, false, false},
		{"NaN", BoundingBox{West: nan, East: 1, South: 1, North: 2}, BoundingBox{West: nan, East: 1, South: 1, North: 2}, false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, lon, lat, ok := tc.in.Repaired()
			assert.Equal(t, tc.lon, lon)
			assert.Equal(t, tc.lat, lat)
			assert.Equal(t, tc.ok, ok)
			if !math.IsNaN(tc.want.West) {
				assert.Equal(t, tc.want, got)
			}
		})
	}
	r := &Record{BoundingBoxes: []BoundingBox{tests[1].in, tests[4].in, tests[0].in}}
	assert.Equal(t, []BoundingBox{tests[1].want, tests[0].want}, r.Boxes())
}
