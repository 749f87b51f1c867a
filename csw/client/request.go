package client

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"github.com/passerelle/passerelle/csw"
)

// request is one CSW request, rendered as KVP GET or POST XML.
type request struct {
	op         string // "GetCapabilities", "GetRecords", "GetRecordById"
	post       bool
	resultType string // "hits" or "results"
	start, max int
	elementSet string // "full" or "brief"
	sort       bool
	nsParam    bool
	cqlText    bool
	constraint string
	id         string
	// rawQS sends KVP values unencoded but for what would break the
	// query (servers that do not decode gmd%3AMD_Metadata).
	rawQS bool
}

func (r *request) httpRequest(ep *Endpoint) (*http.Request, error) {
	u, err := url.Parse(ep.URL)
	if err != nil {
		return nil, fmt.Errorf("csw: parse endpoint URL: %w", err)
	}
	if !r.post {
		q := u.Query()
		for k := range q {
			if ourParams[strings.ToLower(k)] {
				q.Del(k)
			}
		}
		for k, v := range r.kvp() {
			q[k] = v
		}
		if r.rawQS {
			u.RawQuery = encodeLoose(q)
		} else {
			u.RawQuery = q.Encode()
		}
		req, err := http.NewRequest(http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("csw: build %s request: %w", r.op, err)
		}
		return req, nil
	}
	body, err := r.xml()
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("csw: build %s request: %w", r.op, err)
	}
	req.Header.Set("Content-Type", "application/xml")
	return req, nil
}

// encodeLoose encodes a query like url.Values.Encode (keys sorted) but
// leaves the characters CSW values use (":", "/", "(", ")", "=", ",",
// "'"…) as they are, escaping only what would end a value or break the
// request line: controls, space, non-ASCII, and "%&+#\"<>\\^`{|}".
func encodeLoose(v url.Values) string {
	esc := func(b *strings.Builder, s string) {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c <= ' ' || c >= 0x7f || strings.IndexByte("%&+#\"<>\\^`{|}", c) >= 0 {
				fmt.Fprintf(b, "%%%02X", c)
				continue
			}
			b.WriteByte(c)
		}
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, val := range v[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			esc(&b, k)
			b.WriteByte('=')
			esc(&b, val)
		}
	}
	return b.String()
}

// kvp renders the request as query parameters.
func (r *request) kvp() url.Values {
	q := url.Values{}
	q.Set("service", "CSW")
	q.Set("version", "2.0.2")
	q.Set("request", r.op)
	switch r.op {
	case "GetCapabilities":
		q.Set("acceptVersions", "2.0.2")
	case "GetRecords":
		q.Set("typeNames", "gmd:MD_Metadata")
		q.Set("resultType", r.resultType)
		q.Set("outputSchema", csw.NSGMD)
		q.Set("elementSetName", r.elementSet)
		q.Set("startPosition", strconv.Itoa(r.start))
		q.Set("maxRecords", strconv.Itoa(r.max))
		if r.nsParam {
			q.Set("namespace", "xmlns(gmd="+csw.NSGMD+")")
		}
		if r.sort {
			q.Set("sortBy", "apiso:Identifier:A")
		}
		if r.constraint != "" {
			q.Set("constraint", r.constraint)
			if r.cqlText {
				q.Set("constraintLanguage", "CQL_TEXT")
				q.Set("constraint_language_version", "1.1.0")
			}
		}
	case "GetRecordById":
		q.Set("id", r.id)
		q.Set("outputSchema", csw.NSGMD)
		q.Set("elementSetName", "full")
	}
	return q
}

// xml renders the request as a POST body.
func (r *request) xml() ([]byte, error) {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("csw:" + r.op)
	root.CreateAttr("xmlns:csw", "http://www.opengis.net/cat/csw/2.0.2")
	root.CreateAttr("service", "CSW")
	root.CreateAttr("version", "2.0.2")
	root.CreateAttr("outputSchema", csw.NSGMD)
	switch r.op {
	case "GetRecords":
		root.CreateAttr("xmlns:gmd", csw.NSGMD)
		root.CreateAttr("xmlns:ogc", "http://www.opengis.net/ogc")
		root.CreateAttr("xmlns:apiso", "http://www.opengis.net/cat/csw/apiso/1.0")
		root.CreateAttr("resultType", r.resultType)
		root.CreateAttr("startPosition", strconv.Itoa(r.start))
		root.CreateAttr("maxRecords", strconv.Itoa(r.max))
		q := root.CreateElement("csw:Query")
		q.CreateAttr("typeNames", "gmd:MD_Metadata")
		q.CreateElement("csw:ElementSetName").SetText(r.elementSet)
		if r.constraint != "" {
			c := q.CreateElement("csw:Constraint")
			c.CreateAttr("version", "1.1.0")
			c.CreateElement("csw:CqlText").SetText(r.constraint)
		}
		if r.sort {
			sp := q.CreateElement("ogc:SortBy").CreateElement("ogc:SortProperty")
			sp.CreateElement("ogc:PropertyName").SetText("apiso:Identifier")
			sp.CreateElement("ogc:SortOrder").SetText("ASC")
		}
	case "GetRecordById":
		root.CreateElement("csw:Id").SetText(r.id)
		root.CreateElement("csw:ElementSetName").SetText("full")
	default:
		return nil, fmt.Errorf("csw: %s has no POST form here", r.op)
	}
	b, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("csw: encode %s request: %w", r.op, err)
	}
	return b, nil
}

func (r *request) String() string {
	method := "GET"
	if r.post {
		method = "POST"
	}
	switch r.op {
	case "GetRecords":
		return fmt.Sprintf("%s GetRecords %s start=%d max=%d", method, r.resultType, r.start, r.max)
	case "GetRecordById":
		return fmt.Sprintf("%s GetRecordById %q", method, r.id)
	}
	return method + " " + r.op
}
