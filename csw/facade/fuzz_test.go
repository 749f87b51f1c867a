package facade

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"testing"
)

// wellFormed reports whether b is one well-formed XML document.
func wellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func checkAnswer(t *testing.T, req *Request, err error, entries []*Entry) {
	f := testFacade()
	var status int
	var ct string
	var body []byte
	if err != nil {
		var ex *Exception
		if !errors.As(err, &ex) {
			t.Fatalf("error is not an *Exception: %T %v", err, err)
		}
		status, ct, body = f.Error(err)
	} else {
		status, ct, body = f.Serve(context.Background(), testEndpoint, req, entries)
	}
	if status != 200 && status != 400 {
		t.Fatalf("status %d", status)
	}
	if ct == ContentTypeJSON {
		if !json.Valid(body) {
			t.Fatalf("answer is not valid JSON:\n%s", body)
		}
		return
	}
	if werr := wellFormed(body); werr != nil {
		t.Fatalf("answer is not well-formed XML: %v\n%s", werr, body)
	}
}

func FuzzParseXML(f *testing.F) {
	for _, c := range goldenCases {
		if c.post != "" {
			f.Add([]byte(c.post))
		}
	}
	f.Add([]byte(owsLibGetRecords))
	f.Add([]byte(`<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" service="CSW" version="2.0.2" resultType="results" startPosition="2" maxRecords="1"><csw:Query typeNames="csw:Record"><csw:ElementName>dc:title</csw:ElementName><csw:Constraint version="1.1.0"><ogc:Filter><ogc:Not><ogc:PropertyIsBetween><ogc:PropertyName>Modified</ogc:PropertyName><ogc:LowerBoundary><ogc:Literal>2020</ogc:Literal></ogc:LowerBoundary><ogc:UpperBoundary><ogc:Literal>2030</ogc:Literal></ogc:UpperBoundary></ogc:PropertyIsBetween></ogc:Not></ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>`))
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`))
	f.Add([]byte(`<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml" service="CSW" version="2.0.2" resultType="results" outputFormat="application/json"><csw:Query typeNames="csw:Record"><csw:Constraint version="1.1.0"><ogc:Filter><ogc:Or><ogc:Intersects><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Polygon srsName="EPSG:2154"><gml:exterior><gml:LinearRing><gml:posList>600000 6300000 650000 6300000 650000 6350000 600000 6300000</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogc:Intersects><ogc:PropertyIsEqualTo><ogc:Function name="upper"><ogc:PropertyName>dc:title</ogc:PropertyName></ogc:Function><ogc:Literal>X</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Or></ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>`))
	f.Add([]byte(`<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" resultType="results" outputSchema="http://www.isotc211.org/2005/gmd"><csw:Query typeNames="gmd:MD_Metadata"><csw:ElementName>apiso:Title</csw:ElementName><csw:ElementName>apiso:BoundingBox</csw:ElementName></csw:Query></csw:GetRecords>`))
	entries := fixtureEntries(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := ParseXML(body)
		if err == nil && req == nil {
			t.Fatal("nil request without error")
		}
		checkAnswer(t, req, err, entries)
	})
}

func FuzzParseKVP(f *testing.F) {
	for _, c := range goldenCases {
		if c.kvp != "" {
			f.Add(c.kvp)
		}
	}
	f.Add("service=CSW&request=GetRecords&typeNames=csw:Record&sortBy=dc:title:D&startPosition=2&maxRecords=1")
	f.Add("service=CSW&request=GetRecords&resultType=results&typeNames=atom:entry&outputSchema=http://www.w3.org/2005/Atom&sortBy=ows:BoundingBox:D")
	f.Add("service=CSW&request=GetRecords&resultType=results&typeNames=csw:Record&outputFormat=application/json&elementName=dc:date,apiso:CRS")
	f.Add("")
	f.Add("service=CSW&request=GetRecords&typeNames=gmd:MD_Metadata&namespace=xmlns(gmd=http://www.isotc211.org/2005/gmd)&elementName=apiso:Title")
	f.Add("service=CSW&request=GetRecords&typeNames=csw:Record&constraintLanguage=FILTER&constraint=%3Cogc:Filter%3E%3Cogc:PropertyIsNull%3E%3Cogc:PropertyName%3ETitle%3C/ogc:PropertyName%3E%3C/ogc:PropertyIsNull%3E%3C/ogc:Filter%3E")
	entries := fixtureEntries(f)
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		req, err := ParseKVP(q)
		if err == nil && req == nil {
			t.Fatal("nil request without error")
		}
		checkAnswer(t, req, err, entries)
	})
}

func FuzzCQL(f *testing.F) {
	for _, s := range []string{
		"apiso:OrganisationName = 'NTUA'",
		"csw:AnyText LIKE '%eau%' AND NOT dc:type = 'service'",
		"(Modified BETWEEN 2020-01-01 AND '2021') OR Format IS NOT NULL",
		"BBOX(ows:BoundingBox, -5, 41, 10, 52, 'urn:ogc:def:crs:EPSG::4326')",
		`dc:title ILIKE 'a\%b_c'`,
		"Title <> 'it''s'",
		"INTERSECTS(ows:BoundingBox, POLYGON((1 2, 3 2, 3 4, 1 2))) OR CONTAINS(BoundingBox, POINT(2 48))",
		"BBOX(ows:BoundingBox, 600000, 6300000, 650000, 6350000, 'EPSG:2154')",
		"apiso:Denominator < 50000 AND apiso:TempExtent_begin >= '2000'",
	} {
		f.Add(s)
	}
	entries := filterEntries()
	f.Fuzz(func(t *testing.T, text string) {
		flt, err := ParseCQL(text)
		if err != nil {
			var ex *Exception
			if !errors.As(err, &ex) {
				t.Fatalf("error is not an *Exception: %T", err)
			}
			return
		}
		for _, e := range entries {
			flt.Match(e)
		}
		// The canonical form is itself valid CQL with the same meaning.
		again, err := ParseCQL(flt.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", flt.String(), text, err)
		}
		if again.String() != flt.String() {
			t.Fatalf("canonical form is not stable: %q → %q", flt.String(), again.String())
		}
		for _, e := range entries {
			if flt.Match(e) != again.Match(e) {
				t.Fatalf("canonical form %q matches differently from %q on %s", flt.String(), text, e.ID)
			}
		}
	})
}
