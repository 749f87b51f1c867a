package facade

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"github.com/passerelle/passerelle/csw"
	"golang.org/x/text/encoding/ianaindex"
)

// DefaultMaxBodyBytes bounds a POST body when the Facade sets no limit.
const DefaultMaxBodyBytes = 1 << 20

// MaxRequestDepth bounds element nesting in a POST body.
const MaxRequestDepth = 48

// ParseXML parses a CSW request sent as an XML POST body of at most
// DefaultMaxBodyBytes. DTDs are refused and nesting is bounded. The error is
// always an *Exception.
func ParseXML(body []byte) (*Request, error) {
	r, ex := parseXML(body, DefaultMaxBodyBytes)
	if ex != nil {
		return nil, ex
	}
	return r, nil
}

// ParseXML is ParseXML with the facade's MaxBodyBytes limit.
func (f *Facade) ParseXML(body []byte) (*Request, error) {
	r, ex := parseXML(body, f.maxBody())
	if ex != nil {
		return nil, ex
	}
	return r, nil
}

func (f *Facade) maxBody() int64 {
	if f != nil && f.MaxBodyBytes > 0 {
		return f.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

// readXML checks size, DTDs and depth with a token scan, then builds the
// tree.
func readXML(body []byte, limit int64, locator string) (*etree.Document, *Exception) {
	if int64(len(body)) > limit {
		return nil, invalid(locator, "request body larger than "+strconv.FormatInt(limit, 10)+" bytes")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, missing(locator)
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charsetReader
	depth, roots := 0, 0
	for {
		tok, err := d.Token() // Token, not RawToken: end tags must match
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, invalid(locator, "malformed XML: "+err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
			if depth > MaxRequestDepth {
				return nil, invalid(locator, "XML nested deeper than "+strconv.Itoa(MaxRequestDepth))
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return nil, invalid(locator, "DTDs are not accepted")
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, invalid(locator, "malformed XML: text outside the root element")
			}
		}
	}
	if depth != 0 || roots != 1 {
		return nil, invalid(locator, "malformed XML: expected one root element")
	}
	doc := etree.NewDocument()
	doc.ReadSettings.CharsetReader = charsetReader
	if err := doc.ReadFromBytes(body); err != nil {
		return nil, invalid(locator, "malformed XML: "+err.Error())
	}
	if doc.Root() == nil {
		return nil, invalid(locator, "malformed XML: no root element")
	}
	return doc, nil
}

func charsetReader(label string, in io.Reader) (io.Reader, error) {
	enc, err := ianaindex.IANA.Encoding(label)
	if err != nil || enc == nil {
		return nil, errors.New("unsupported charset " + strconv.Quote(label))
	}
	return enc.NewDecoder().Reader(in), nil
}

func parseXML(body []byte, limit int64) (*Request, *Exception) {
	doc, ex := readXML(body, limit, "request")
	if ex != nil {
		return nil, ex
	}
	root := doc.Root()
	ns := root.NamespaceURI()
	if ns != csw.NSCSW {
		if strings.HasPrefix(ns, "http://www.opengis.net/cat/csw/") {
			return nil, &Exception{Code: ExceptionVersionNegotiationFailed, Locator: "version", Text: "only CSW 2.0.2 is supported"}
		}
		return nil, invalid("request", "root element must be in the CSW 2.0.2 namespace, got "+quote(ns))
	}
	r := &Request{MaxRecords: -1}
	if r.Operation, ex = operation(root.Tag); ex != nil {
		return nil, ex
	}
	if svc := root.SelectAttr("service"); svc != nil && !strings.EqualFold(strings.TrimSpace(svc.Value), "CSW") {
		return nil, invalid("service", "service must be CSW")
	}
	if r.Operation == OpGetCapabilities {
		for _, k := range root.ChildElements() {
			switch k.Tag {
			case "AcceptVersions":
				for _, v := range k.ChildElements() {
					if v.Tag == "Version" {
						r.AcceptVersions = append(r.AcceptVersions, strings.TrimSpace(v.Text()))
					}
				}
			case "Sections":
				var names []string
				for _, v := range k.ChildElements() {
					if v.Tag == "Section" {
						names = append(names, strings.TrimSpace(v.Text()))
					}
				}
				if r.Sections, ex = sections(names); ex != nil {
					return nil, ex
				}
			}
		}
		return r, checkAcceptVersions(r.AcceptVersions)
	}
	r.Version = strings.TrimSpace(root.SelectAttrValue("version", ""))
	if ex = checkVersion(r); ex != nil {
		return nil, ex
	}
	if r.OutputFormat, ex = checkFormat(root.SelectAttrValue("outputFormat", "")); ex != nil {
		return nil, ex
	}
	if v := strings.TrimSpace(root.SelectAttrValue("outputSchema", "")); v != "" {
		if r.OutputSchema, ex = outputSchema(v); ex != nil {
			return nil, ex
		}
	}
	resolve := func(el *etree.Element) func(string) string {
		return func(p string) string { return lookupPrefix(el, p) }
	}
	switch r.Operation {
	case OpDescribeRecord:
		for _, k := range root.ChildElements() {
			if k.Tag == "TypeName" {
				r.typesGiven = true
				if t, ex := typeName(strings.TrimSpace(k.Text()), resolve(k), "TypeName"); ex == nil && t != TypeAtomEntry {
					r.TypeNames = append(r.TypeNames, t)
				}
			}
		}
		if v := root.SelectAttrValue("schemaLanguage", ""); v != "" && !xmlSchemaLang(v) {
			return nil, invalid("schemaLanguage", "only XML Schema is supported")
		}
	case OpGetDomain:
		for _, k := range root.ChildElements() {
			switch k.Tag {
			case "PropertyName":
				r.DomainName, r.DomainProperty = strings.TrimSpace(k.Text()), true
			case "ParameterName":
				r.DomainName = strings.TrimSpace(k.Text())
			}
		}
		if r.DomainName == "" {
			return nil, missing("ParameterName")
		}
	case OpGetRecordByID:
		esn := ""
		for _, k := range root.ChildElements() {
			switch k.Tag {
			case "Id":
				if id := strings.TrimSpace(k.Text()); id != "" {
					r.IDs = append(r.IDs, id)
				}
			case "ElementSetName":
				esn = k.Text()
			}
		}
		if len(r.IDs) == 0 {
			return nil, missing("Id")
		}
		if r.ElementSetName, ex = elementSet(esn); ex != nil {
			return nil, ex
		}
	case OpGetRecords:
		if r.ResultType, ex = resultType(root.SelectAttrValue("resultType", "")); ex != nil {
			return nil, ex
		}
		attrs := map[string]string{}
		if a := root.SelectAttr("startPosition"); a != nil {
			attrs["startposition"] = a.Value
		}
		if a := root.SelectAttr("maxRecords"); a != nil {
			attrs["maxrecords"] = a.Value
		}
		if r.StartPosition, ex = positive(attrs, "startposition", "startPosition", 1); ex != nil {
			return nil, ex
		}
		if strings.TrimSpace(attrs["maxrecords"]) != "" {
			if r.MaxRecords, ex = positive(attrs, "maxrecords", "maxRecords", 0); ex != nil {
				return nil, ex
			}
		}
		var query *etree.Element
		for _, k := range root.ChildElements() {
			if k.Tag == "Query" && k.NamespaceURI() == csw.NSCSW {
				query = k
			}
		}
		if query == nil {
			return nil, missing("Query")
		}
		if ex = r.parseQuery(query, resolve); ex != nil {
			return nil, ex
		}
	}
	return r, nil
}

func (r *Request) parseQuery(q *etree.Element, resolve func(*etree.Element) func(string) string) *Exception {
	tn := strings.TrimSpace(q.SelectAttrValue("typeNames", ""))
	if tn == "" {
		return missing("typeNames")
	}
	for _, n := range splitList(tn) {
		t, ex := typeName(n, resolve(q), "typeNames")
		if ex != nil {
			return ex
		}
		r.TypeNames = append(r.TypeNames, t)
	}
	var esn *etree.Element
	var names []string
	for _, k := range q.ChildElements() {
		switch k.Tag {
		case "ElementSetName":
			esn = k
		case "ElementName":
			names = append(names, strings.TrimSpace(k.Text()))
		case "Constraint":
			if ex := r.parseConstraint(k); ex != nil {
				return ex
			}
		case "SortBy":
			keys, ex := parseSortXML(k)
			if ex != nil {
				return ex
			}
			r.SortBy = keys
		}
	}
	if esn != nil && len(names) > 0 {
		return invalid("ElementName", "ElementName and ElementSetName are exclusive")
	}
	var ex *Exception
	if len(names) > 0 {
		r.ElementNames, ex = elementNames(names)
		return ex
	}
	text := ""
	if esn != nil {
		text = esn.Text()
	}
	r.ElementSetName, ex = elementSet(text)
	return ex
}

func (r *Request) parseConstraint(c *etree.Element) *Exception {
	for _, k := range c.ChildElements() {
		switch {
		case k.Tag == "CqlText":
			f, ex := parseCQL(k.Text())
			if ex != nil {
				return ex
			}
			r.Filter = f
			return nil
		case k.Tag == "Filter":
			f, ex := parseFilterElement(k)
			if ex != nil {
				return ex
			}
			r.Filter = f
			return nil
		}
	}
	return invalid("Constraint", "csw:Constraint needs an ogc:Filter or a csw:CqlText")
}

// lookupPrefix resolves a namespace prefix in scope at el, falling back
// to the conventional prefixes.
func lookupPrefix(el *etree.Element, prefix string) string {
	for e := el; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			if (prefix == "" && a.Space == "" && a.Key == "xmlns") || (prefix != "" && a.Space == "xmlns" && a.Key == prefix) {
				return a.Value
			}
		}
	}
	return ""
}

func parseSortXML(el *etree.Element) ([]SortKey, *Exception) {
	var out []SortKey
	for _, sp := range el.ChildElements() {
		if sp.Tag != "SortProperty" {
			continue
		}
		pn, order := anyChild(sp, "PropertyName"), anyChild(sp, "SortOrder")
		if pn == nil {
			return nil, invalid("SortBy", "ogc:SortProperty needs an ogc:PropertyName")
		}
		desc := false
		if order != nil {
			switch strings.ToUpper(strings.TrimSpace(order.Text())) {
			case "", "ASC":
			case "DESC":
				desc = true
			default:
				return nil, invalid("SortBy", "SortOrder must be ASC or DESC")
			}
		}
		k, ex := newSortKey(strings.TrimSpace(pn.Text()), desc, "SortBy")
		if ex != nil {
			return nil, ex
		}
		out = append(out, k)
	}
	return out, nil
}
