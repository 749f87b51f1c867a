package facade

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/iso"
)

// TestQueryablesCorpus: every core queryable of CSW 2.0.2 and every ISO AP
// 1.0 queryable, in CQL and in OGC Filter, under each of its names, against
// the shared corpus. The expected identifiers were found by reading the
// corpus files (grep on the raw XML, e.g. `grep -l 'OGC:WFS 2.0'`), not by
// running this code.
func TestQueryablesCorpus(t *testing.T) {
	entries := corpusEntries(t)
	const (
		svc     = "01ef8e6a-df59-4c2d-8468-79da95046705" // owslib__iso19139_srv.xml
		marine  = "ie.marine.data:dataset.1135"
		dk      = "50b921ea-935e-d605-2287-4ee364046795"
		ipma    = "17bd184a-7e7d-4f81-95a5-041449a7212b"
		oceano  = "OCEANO_MODELE_HYDRODYN.xml"
		fcs     = "B8A22DF4-B0DC-4F0B-A713-0CF5F8784A28"
		sds     = "SDS_metadata_2.0_example"
		network = "123e4567-e89b-12d3-a456-426655440123"
	)
	tests := []struct {
		names   []string // every name the queryable answers to
		op, lit string
		want    []string
	}{
		{[]string{"apiso:Title", "dc:title", "Title"}, "=", "Aerial Photos", []string{"366f6257-19eb-4f20-ba78-0698ac4aae77", "437ae0a2-06e2-4015-b296-a66e7f407bf2"}},
		{[]string{"apiso:AlternateTitle", "dct:alternative"}, "=", "Alpine Convention", []string{"8698bf0b-fceb-4f0f-989b-111e7c4af0a4"}},
		{[]string{"apiso:Abstract", "dct:abstract", "dc:description"}, "LIKE", "%air temperature for a 10 year%", []string{ipma}},
		{[]string{"apiso:Subject", "dc:subject"}, "=", "Adresser", []string{dk}},
		{[]string{"apiso:Format", "dc:format"}, "=", "EDIGEO", []string{"955c3e47-411e-4969-b61b-3556d1b9f879"}},
		{[]string{"apiso:Identifier", "dc:identifier"}, "=", "NS06agg", []string{"NS06agg"}},
		{[]string{"apiso:Modified", "dct:modified"}, "=", "2011-04-18", []string{"3e9a8c05"}},
		{[]string{"apiso:Modified", "dct:modified"}, "<", "2009-10-01", []string{"3f342f64-9348-11df-ba6a-0014c2c00eab"}},
		{[]string{"apiso:Type", "dc:type"}, "=", "map", []string{"982b6e7d-61f5-43b3-983d-ebae8bc3892d"}},
		{[]string{"apiso:CRS"}, "=", "EPSG:25832", []string{svc}},
		{[]string{"apiso:Language", "dc:language"}, "=", "dut", []string{"f44dac86-2228-412f-8355-e56446ca9933"}},
		{[]string{"apiso:ResourceLanguage"}, "=", "por", []string{ipma}},
		{[]string{"apiso:RevisionDate"}, "=", "2014-03-18", []string{"NS06agg"}},
		{[]string{"apiso:CreationDate", "dct:created"}, "=", "2004-06-06", []string{fcs}},
		{[]string{"apiso:PublicationDate", "dct:issued"}, "=", "2017-02-21", []string{oceano}},
		{[]string{"apiso:PublicationDate"}, "LIKE", "2017-02%", []string{oceano}},
		{[]string{"apiso:OrganisationName"}, "=", "IPMA", []string{ipma}},
		{[]string{"apiso:HasSecurityConstraints"}, "=", "true", []string{svc, oceano, "my-dataset-001"}},
		{[]string{"apiso:ParentIdentifier"}, "=", "ee50905d-7c35-48f3-980a-d0c603da3555", []string{"9e1ea778-d0ce-4b49-90b7-37bc0e448300"}},
		{[]string{"apiso:KeywordType"}, "=", "temporal", []string{"my-dataset-001"}},
		{[]string{"apiso:TopicCategory"}, "=", "economy", []string{fcs}},
		{[]string{"apiso:ResourceIdentifier"}, "=", "04_2022_301", []string{"015e6d20-0d69-4ae7-adfe-85c588aac141"}},
		{[]string{"apiso:ServiceType"}, "=", "OGC:WMS, WFS", []string{"97d343c5-d026-4f07-8a6c-79f9329b6c21"}},
		{[]string{"apiso:ServiceTypeVersion"}, "=", "OGC:WFS 2.0", []string{svc}},
		{[]string{"apiso:Operation"}, "=", "GetFeatureInfo", []string{network}},
		{[]string{"apiso:OperatesOn"}, "=", "ebef2115-bee5-40bb-b5cc-4593d82ba334", []string{"be052079-f1f6-4f6f-a722-cbf11deb40eb"}},
		{[]string{"apiso:OperatesOnIdentifier"}, "=", "ebef2115-bee5-40bb-b5cc-4593d82ba334", []string{"be052079-f1f6-4f6f-a722-cbf11deb40eb"}},
		{[]string{"apiso:OperatesOnName"}, "=", "ave:Flurstueck", []string{svc}},
		// Also declared "tight" in a second identificationInfo (after an
		// MD_DataIdentification) by the ncISO records 31dc90a6…, NS06agg's
		// siblings and the maracoos ones: the model reads the first
		// identificationInfo only (iso.Record), so those are not found.
		{[]string{"apiso:CouplingType"}, "=", "tight", []string{svc, network, "4a008c24-ecf1-4430-b7e7-cb76b2856bad-8371",
			"97d343c5-d026-4f07-8a6c-79f9329b6c21", sds, "be052079-f1f6-4f6f-a722-cbf11deb40eb", "test-record-12"}},
		{[]string{"apiso:Degree"}, "=", "false", []string{svc, "955c3e47-411e-4969-b61b-3556d1b9f879", "test-service-1"}},
		{[]string{"apiso:AccessConstraints"}, "=", "intellectualPropertyRights", []string{"97d343c5-d026-4f07-8a6c-79f9329b6c21"}},
		{[]string{"apiso:OtherConstraints"}, "=", "Copyright Scottish Natural Heritage", []string{"test-dataset-1"}},
		{[]string{"apiso:Classification"}, "=", "unclassified", []string{oceano}},
		{[]string{"apiso:ConditionApplyingToAccessAndUse"}, "=", "Consult license for use limitations", []string{marine}},
		{[]string{"apiso:Lineage", "dc:source"}, "=", "Data supplied by Marine Institute.", []string{marine}},
		{[]string{"apiso:ResponsiblePartyRole"}, "=", "partner", []string{"4a008c24-ecf1-4430-b7e7-cb76b2856bad-8371"}},
		{[]string{"apiso:SpecificationTitle"}, "=", "CNIG PLU v2017", []string{"7d002c4c-92ef-4b9f-a568-d732f740b99e"}},
		{[]string{"apiso:SpecificationDate"}, "=", "2005-12-01", []string{sds}},
		{[]string{"apiso:SpecificationDateType"}, "LIKE", "pub%", nil}, // checked with SpecificationDate below
		{[]string{"apiso:Denominator"}, "=", "500", []string{"955c3e47-411e-4969-b61b-3556d1b9f879"}},
		{[]string{"apiso:Denominator"}, "<", "1000", []string{dk, "955c3e47-411e-4969-b61b-3556d1b9f879"}},
		{[]string{"apiso:DistanceValue"}, "=", "5", []string{"ee965118-2416-4d48-b07e-bbc696f002c2", "test-dataset-1"}},
		{[]string{"apiso:DistanceUOM"}, "=", "m", []string{"ee965118-2416-4d48-b07e-bbc696f002c2", "test-record-04", "test-record-08"}},
		{[]string{"apiso:TempExtent_begin"}, "=", "1895-01-01", []string{"31dc90a6-1945-489c-b31d-957ab36f8315"}},
		{[]string{"apiso:TempExtent_end"}, "=", "2004-06-16", []string{"test-service-1"}},
		{[]string{"apiso:AnyText", "csw:AnyText"}, "LIKE", "%allspecies%", []string{"3f342f64-9348-11df-ba6a-0014c2c00eab"}},
		{[]string{"dc:creator"}, "=", "IPMA", []string{ipma}},
		{[]string{"dc:publisher"}, "=", "Centre for Ecology & Hydrology", []string{"test-record-04", "test-record-08", "test-record-12"}},
		{[]string{"dc:contributor"}, "=", "GeoRhena", []string{"015e6d20-0d69-4ae7-adfe-85c588aac141"}},
		{[]string{"dc:date"}, "=", "2004-06-06", []string{fcs}},
		{[]string{"dc:relation"}, "=", "0822db32-0122-41ee-b6fd-a6934c386288", []string{"7d002c4c-92ef-4b9f-a568-d732f740b99e"}},
		{[]string{"dc:rights"}, "=", "CC BY 4.0", []string{dk}},
		{[]string{"dct:spatial"}, "=", "Denmark", []string{dk}},
		{[]string{"dct:references"}, "=", "CADW_Whs.png", []string{"11edc4ec-5269-40b9-86c8-17201fa4e74e-new"}},
	}
	xmlOps := map[string]string{"=": "PropertyIsEqualTo", "<": "PropertyIsLessThan", "LIKE": "PropertyIsLike"}
	ids := func(f *Filter) []string {
		var out []string
		for _, e := range entries {
			if f.Match(e) && !slices.Contains(out, e.ID) {
				out = append(out, e.ID)
			}
		}
		sort.Strings(out)
		return out
	}
	covered := map[field]bool{}
	for _, tc := range tests {
		want := slices.Clone(tc.want)
		sort.Strings(want)
		if tc.names[0] == "apiso:SpecificationDateType" {
			continue
		}
		for _, name := range tc.names {
			f, ok := lookupField(name)
			require.True(t, ok, name)
			covered[f] = true
			t.Run(name+" "+tc.op+" "+tc.lit, func(t *testing.T) {
				cql, err := ParseCQL(name + " " + tc.op + " '" + strings.ReplaceAll(tc.lit, "'", "''") + "'")
				require.NoError(t, err)
				assert.Equal(t, want, ids(cql), "CQL")
				lit := strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(tc.lit)
				el := xmlOps[tc.op]
				attrs := ""
				if tc.op == "LIKE" {
					attrs = ` wildCard="%" singleChar="_" escapeChar="\"`
				}
				flt, err := ParseFilter(`<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc"><ogc:` + el + attrs + `><ogc:PropertyName>` + name + `</ogc:PropertyName><ogc:Literal>` + lit + `</ogc:Literal></ogc:` + el + `></ogc:Filter>`)
				require.NoError(t, err)
				assert.Equal(t, want, ids(flt), "OGC Filter")
			})
		}
	}
	t.Run("apiso:SpecificationDateType", func(t *testing.T) {
		f, err := ParseCQL("apiso:SpecificationDateType = 'publication' AND apiso:SpecificationDate = '2005-12-01'")
		require.NoError(t, err)
		assert.Equal(t, []string{sds}, ids(f))
		covered[fieldSpecificationDateType] = true
	})
	t.Run("ows:BoundingBox, apiso:BoundingBox", func(t *testing.T) {
		// gnui__geoide.iso19139.dataset.xml: west 1.91 > east 0.63
		// (swapped), south 45.44, north 46.40; nothing else is there.
		for _, name := range []string{"ows:BoundingBox", "apiso:BoundingBox", "dc:BoundingBox"} {
			f, err := ParseCQL("BBOX(" + name + ", 1.2, 45.9, 1.3, 46.0)")
			require.NoError(t, err)
			assert.Contains(t, ids(f), "fr-120066022-jdd-763296bf-fc8d-46a2-ab4f-e2d607adf4fa")
			f, err = ParseCQL("WITHIN(" + name + ", POLYGON((0.5 45.3, 2 45.3, 2 46.5, 0.5 46.5, 0.5 45.3)))")
			require.NoError(t, err)
			assert.Equal(t, []string{"fr-120066022-jdd-763296bf-fc8d-46a2-ab4f-e2d607adf4fa"}, ids(f))
		}
		covered[fieldBoundingBox] = true
	})
	for f := range numFields {
		assert.True(t, covered[f], "queryable %s has no row", f)
	}
}

// TestQueryablesAdvertised: GetCapabilities lists every queryable, and
// GetDomain answers each one but AnyText and BoundingBox with values.
func TestQueryablesAdvertised(t *testing.T) {
	entries := corpusEntries(t)
	f := &Facade{}
	_, _, caps := f.Serve(context.Background(), Endpoint{URL: "http://x/csw"}, &Request{Operation: OpGetCapabilities}, entries)
	for q := range numFields {
		if fields[q].iso != "" {
			assert.Contains(t, string(caps), "<ows:Value>apiso:"+fields[q].name+"</ows:Value>")
		}
		if fields[q].dc != "" {
			assert.Contains(t, string(caps), "<ows:Value>"+fields[q].dc+"</ows:Value>")
		}
	}
	for _, name := range domainProperties {
		t.Run(name, func(t *testing.T) {
			status, _, body := f.Serve(context.Background(), Endpoint{}, &Request{Operation: OpGetDomain, DomainName: name, DomainProperty: true}, entries)
			require.Equal(t, 200, status, string(body))
			assert.Contains(t, string(body), "<csw:Value count=", name)
		})
	}
	// TopicCategory answers topic categories, not every keyword.
	_, _, body := f.Serve(context.Background(), Endpoint{}, &Request{Operation: OpGetDomain, DomainName: "apiso:TopicCategory", DomainProperty: true}, entries)
	assert.Contains(t, string(body), ">economy</csw:Value>")
	assert.NotContains(t, string(body), ">Adresser</csw:Value>")
}

// TestElementNameProjection: ElementName on any queryable projects the
// record on it, in Dublin Core and in ISO (pycsw returns only the named
// elements of the ISO record).
func TestElementNameProjection(t *testing.T) {
	entries := corpusEntries(t)
	f := &Facade{}
	get := func(q string) string {
		status, body := get(t, f, entries, q)
		require.Equal(t, 200, status, string(body))
		return string(body)
	}
	geoide := "fr-120066022-jdd-763296bf-fc8d-46a2-ab4f-e2d607adf4fa"
	byID := "&constraintLanguage=CQL_TEXT&constraint=dc:identifier%20=%20'" + geoide + "'"

	dc := get("service=CSW&request=GetRecords&resultType=results&typeNames=csw:Record&elementName=dc:date,apiso:CRS,apiso:Denominator,dc:rights" + byID)
	assert.Contains(t, dc, `numberOfRecordsReturned="1"`)
	assert.Contains(t, dc, "<dct:spatial>2154</dct:spatial>")
	assert.Contains(t, dc, "<dc:date>")
	assert.Contains(t, dc, "<dc:rights>")
	assert.NotContains(t, dc, "<dc:title>")

	iso := get("service=CSW&request=GetRecords&resultType=results&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementName=apiso:Title" + byID)
	assert.Contains(t, iso, "<gmd:fileIdentifier>")
	assert.Contains(t, iso, "<gmd:title>")
	assert.Contains(t, iso, "Zones de bruit (ZBR)")
	assert.NotContains(t, iso, "<gmd:abstract>")
	assert.NotContains(t, iso, "<gmd:contact>")
	assert.NotContains(t, iso, "<gmd:distributionInfo>")

	iso = get("service=CSW&request=GetRecords&resultType=results&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementName=apiso:BoundingBox,apiso:Modified" + byID)
	assert.Contains(t, iso, "<gmd:westBoundLongitude>")
	assert.Contains(t, iso, "<gmd:dateStamp>")
	assert.NotContains(t, iso, "<gmd:title>")
}

// TestSortByAnyQueryable: SortBy takes any queryable, records without a
// value first.
func TestSortByAnyQueryable(t *testing.T) {
	entries := filterEntries() // C:\x service box -5..10; a dataset box 2..3, 2024; b series, no box, 2022
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	tests := []struct {
		sortBy string
		want   []string
	}{
		{"ows:BoundingBox:A", []string{"b", "C:\\x", "a"}},
		{"ows:BoundingBox:D", []string{"a", "C:\\x", "b"}},
		{"dc:type:A", []string{"a", "b", "C:\\x"}},
		{"dc:format:D", []string{"a", "C:\\x", "b"}},
		{"dct:modified:A", []string{"C:\\x", "b", "a"}},
		{"dc:subject:A", []string{"C:\\x", "b", "a"}},
		{"apiso:OrganisationName:A", []string{"C:\\x", "a", "b"}}, // ign, région…, ypaat
	}
	for _, tc := range tests {
		t.Run(tc.sortBy, func(t *testing.T) {
			status, body := get(t, &Facade{}, entries, "service=CSW&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief&sortBy="+tc.sortBy)
			require.Equal(t, 200, status, string(body))
			doc := etree.NewDocument()
			require.NoError(t, doc.ReadFromBytes(body))
			var got []string
			for _, r := range doc.FindElements("//csw:BriefRecord/dc:identifier") {
				got = append(got, r.Text())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestRepairedBoxInOutput: the Géo-IDE record's box (west 1.91 > east
// 0.63) is served repaired in Dublin Core, ISO summary and Atom, the same
// box the feeds publish and the filters test (it used to be dropped).
func TestRepairedBoxInOutput(t *testing.T) {
	entries := corpusEntries(t)
	id := "fr-120066022-jdd-763296bf-fc8d-46a2-ab4f-e2d607adf4fa"
	for _, q := range []string{
		"service=CSW&request=GetRecordById&elementSetName=full&id=" + id,
		"service=CSW&request=GetRecordById&elementSetName=brief&id=" + id,
	} {
		status, body := get(t, &Facade{}, entries, q)
		require.Equal(t, 200, status)
		assert.Contains(t, string(body), "<ows:LowerCorner>45.437603 0.6297406</ows:LowerCorner><ows:UpperCorner>46.40159607 1.9095546</ows:UpperCorner>")
	}
	status, body := get(t, &Facade{}, entries, "service=CSW&request=GetRecordById&elementSetName=summary&outputSchema=http://www.isotc211.org/2005/gmd&id="+id)
	require.Equal(t, 200, status)
	assert.Contains(t, string(body), "<gmd:westBoundLongitude><gco:Decimal>0.6297406</gco:Decimal></gmd:westBoundLongitude><gmd:eastBoundLongitude><gco:Decimal>1.9095546</gco:Decimal>")
	status, body = get(t, &Facade{}, entries, "service=CSW&request=GetRecordById&outputSchema=http://www.w3.org/2005/Atom&id="+id)
	require.Equal(t, 200, status)
	assert.Contains(t, string(body), "<gml:lowerCorner>45.437603 0.6297406</gml:lowerCorner>")
}

// TestDateQueryables: every comparison and Like on the date queryables,
// on hand-made records.
func TestDateQueryables(t *testing.T) {
	entries := []*Entry{
		{ID: "old", Modified: "2001-02-03", Record: &iso.Record{
			Dates:           []iso.Date{{Value: "1999-05-01", Type: "creation"}, {Value: "2000-01-15", Type: "publication"}, {Value: "2001-02-03T10:00:00Z", Type: "revision"}},
			TemporalExtents: []iso.TemporalExtent{{Begin: "1990", End: "1995-12-31"}},
		}},
		{ID: "new", Modified: "2024-06-01T08:00:00", Record: &iso.Record{
			Dates:           []iso.Date{{Value: "2023-03-01", Type: "creation"}, {Value: "2024-06-01", Type: "revision"}},
			TemporalExtents: []iso.TemporalExtent{{Begin: "2020-01-01T00:00:00Z", Instant: true}},
		}},
		{ID: "none", Record: &iso.Record{}},
	}
	tests := []struct {
		cql  string
		want []string
	}{
		{"dc:date = '2000-01-15'", []string{"old"}},
		{"dc:date > '2023-01-01'", []string{"new"}},
		{"dc:date <= '1999-05-01'", []string{"old"}},
		{"dc:date <> '2024-06-01'", []string{"none", "old"}},
		{"dc:date LIKE '2023-%'", []string{"new"}},
		{"apiso:CreationDate < '2000'", []string{"old"}},
		{"apiso:CreationDate >= '2023-03-01'", []string{"new"}},
		{"apiso:CreationDate BETWEEN '1999' AND '2023-02-28'", []string{"old"}},
		{"apiso:PublicationDate = '2000-01-15'", []string{"old"}},
		{"apiso:PublicationDate IS NULL", []string{"new", "none"}},
		{"apiso:RevisionDate = '2001-02-03'", []string{"old"}},
		{"apiso:RevisionDate > '2001-02-03T09:00:00Z'", []string{"new", "old"}},
		{"apiso:RevisionDate LIKE '%T10:%'", []string{"old"}},
		{"apiso:TempExtent_begin < '1991'", []string{"old"}},
		{"apiso:TempExtent_begin >= '2020-01-01'", []string{"new"}},
		{"apiso:TempExtent_end > '2019-12-31'", []string{"new"}},
		{"apiso:TempExtent_end <= '1995-12-31'", []string{"old"}},
		{"apiso:TempExtent_end LIKE '1995%'", []string{"old"}},
		{"apiso:Modified >= '2024-06-01'", []string{"new"}},
		{"dct:modified < '2024-06-01T09:00:00Z'", []string{"new", "old"}},
	}
	for _, tc := range tests {
		t.Run(tc.cql, func(t *testing.T) {
			f, err := ParseCQL(tc.cql)
			require.NoError(t, err)
			assert.Equal(t, tc.want, matchIDs(f, entries))
		})
	}
}
