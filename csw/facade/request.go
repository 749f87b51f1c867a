package facade

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/passerelle/passerelle/csw"
)

// xmlDecl opens every document the facade writes.
const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// Output schemas the facade serves.
const (
	SchemaCSW     = csw.NSCSW
	SchemaISO     = csw.NSGMD
	SchemaDCAT    = "http://www.w3.org/ns/dcat#"
	SchemaGeoDCAT = "http://data.europa.eu/930/"
)

// Operation names.
const (
	OpGetCapabilities = "GetCapabilities"
	OpDescribeRecord  = "DescribeRecord"
	OpGetRecords      = "GetRecords"
	OpGetRecordByID   = "GetRecordById"
	OpGetDomain       = "GetDomain"
)

// Type names.
const (
	TypeRecord     = "csw:Record"
	TypeMDMetadata = "gmd:MD_Metadata"
	TypeAtomEntry  = "atom:entry"
)

// Request is one parsed CSW 2.0.2 request, from KVP or XML alike. Values are
// resolved (type names to csw:Record / gmd:MD_Metadata, output schemas to
// their URIs, constraints compiled); zero values mean "not given".
type Request struct {
	Operation      string   // GetCapabilities, DescribeRecord, GetRecords, GetRecordById or GetDomain
	Version        string   // "2.0.2" unless GetCapabilities
	AcceptVersions []string // GetCapabilities
	Sections       []string // GetCapabilities: canonical section names; empty = all
	TypeNames      []string // TypeRecord and/or TypeMDMetadata
	OutputSchema   string   // resolved URI; "" = csw:Record
	OutputFormat   string
	ResultType     string   // hits, results (default) or validate
	ElementSetName string   // brief, summary or full; "" when ElementNames is set
	ElementNames   []string // queryable names (ISO AP names) when asked by ElementName
	StartPosition  int      // 1-based; 0 = not given
	MaxRecords     int      // -1 = not given
	Filter         *Filter  // nil = everything
	SortBy         []SortKey
	IDs            []string // GetRecordById
	DomainName     string   // GetDomain: the ParameterName or PropertyName as given
	DomainProperty bool     // GetDomain: true for PropertyName, false for ParameterName

	typesGiven bool // DescribeRecord named type names (TypeNames holds the known ones)
}

// SortKey is one ogc:SortProperty.
type SortKey struct {
	Property   string // canonical queryable name: Title, Modified or Identifier
	Descending bool
	field      field
}

// ParseKVP parses a CSW request sent as HTTP GET key-value pairs. Parameter
// names are case-insensitive; unknown parameters are ignored (none selects
// configuration). The error is always an *Exception.
func ParseKVP(q url.Values) (*Request, error) {
	r, ex := parseKVP(q)
	if ex != nil {
		return nil, ex
	}
	return r, nil
}

func parseKVP(q url.Values) (*Request, *Exception) {
	kv := make(map[string]string, len(q))
	for k, vs := range q {
		lk := strings.ToLower(strings.TrimSpace(k))
		if _, dup := kv[lk]; dup || len(vs) == 0 {
			continue
		}
		kv[lk] = strings.TrimSpace(vs[0])
	}
	get := func(names ...string) (string, bool) {
		for _, n := range names {
			if v, ok := kv[n]; ok {
				return v, true
			}
		}
		return "", false
	}
	if len(kv) == 0 {
		// A bare GET on the endpoint (what pycsw's harvester falls back to,
		// what a person pastes in a browser): the capabilities, as common
		// servers answer.
		return &Request{Operation: OpGetCapabilities, MaxRecords: -1}, nil
	}
	op, ok := get("request")
	if !ok || op == "" {
		return nil, missing("request")
	}
	r := &Request{MaxRecords: -1}
	var ex *Exception
	if r.Operation, ex = operation(op); ex != nil {
		return nil, ex
	}
	svc, ok := get("service")
	if !ok || svc == "" {
		return nil, missing("service")
	}
	if svc != "CSW" && !strings.EqualFold(svc, "csw") {
		return nil, invalid("service", "service must be CSW")
	}
	if r.Operation == OpGetCapabilities {
		if v, ok := get("acceptversions"); ok && v != "" {
			r.AcceptVersions = splitList(v)
		}
		if v, ok := get("sections"); ok && v != "" {
			if r.Sections, ex = sections(splitList(v)); ex != nil {
				return nil, ex
			}
		}
		return r, checkAcceptVersions(r.AcceptVersions)
	}
	if v, _ := get("version"); v != "" {
		r.Version = v
	}
	if ex = checkVersion(r); ex != nil {
		return nil, ex
	}
	ns, ex := parseNamespaceParam(kv["namespace"])
	if ex != nil {
		return nil, ex
	}
	of, _ := get("outputformat")
	if r.OutputFormat, ex = checkFormat(of); ex != nil {
		return nil, ex
	}
	if v, ok := get("outputschema"); ok && v != "" {
		if r.OutputSchema, ex = outputSchema(v); ex != nil {
			return nil, ex
		}
	}
	switch r.Operation {
	case OpDescribeRecord:
		if v, ok := get("typename", "typenames"); ok && v != "" {
			r.typesGiven = true
			for _, n := range splitList(v) {
				// Type names it cannot describe are left out (pycsw answers
				// an empty DescribeRecordResponse for them).
				if t, ex := typeName(n, func(p string) string { return ns[p] }, "typeName"); ex == nil && t != TypeAtomEntry {
					r.TypeNames = append(r.TypeNames, t)
				}
			}
		}
		if v, ok := get("schemalanguage"); ok && v != "" && !xmlSchemaLang(v) {
			return nil, invalid("schemaLanguage", "only XML Schema is supported")
		}
	case OpGetDomain:
		if v, ok := get("propertyname"); ok && v != "" {
			r.DomainName, r.DomainProperty = v, true
		} else if v, ok := get("parametername"); ok && v != "" {
			r.DomainName = v
		} else {
			return nil, missing("ParameterName")
		}
	case OpGetRecordByID:
		// Every id parameter counts (id=a&id=b as well as id=a,b).
		var keys []string
		for k := range q {
			if strings.EqualFold(strings.TrimSpace(k), "id") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys) // deterministic when both id and ID are given
		for _, k := range keys {
			for _, v := range q[k] {
				for _, id := range strings.Split(v, ",") {
					if id = strings.TrimSpace(id); id != "" {
						r.IDs = append(r.IDs, id)
					}
				}
			}
		}
		if len(r.IDs) == 0 {
			return nil, missing("id")
		}
		if r.ElementSetName, ex = elementSet(kv["elementsetname"]); ex != nil {
			return nil, ex
		}
	case OpGetRecords:
		tn, ok := get("typenames", "typename")
		if !ok || tn == "" {
			return nil, missing("typeNames")
		}
		for _, n := range splitList(tn) {
			t, ex := typeName(n, func(p string) string { return ns[p] }, "typeNames")
			if ex != nil {
				return nil, ex
			}
			r.TypeNames = append(r.TypeNames, t)
		}
		if r.ResultType, ex = resultType(kv["resulttype"]); ex != nil {
			return nil, ex
		}
		if v, ok := get("elementname"); ok && v != "" {
			if _, has := kv["elementsetname"]; has {
				return nil, invalid("ElementName", "ElementName and ElementSetName are exclusive")
			}
			if r.ElementNames, ex = elementNames(splitList(v)); ex != nil {
				return nil, ex
			}
		} else if r.ElementSetName, ex = elementSet(kv["elementsetname"]); ex != nil {
			return nil, ex
		}
		if r.StartPosition, ex = positive(kv, "startposition", "startPosition", 1); ex != nil {
			return nil, ex
		}
		if strings.TrimSpace(kv["maxrecords"]) != "" { // empty maxRecords= means the default
			if r.MaxRecords, ex = positive(kv, "maxrecords", "maxRecords", 0); ex != nil {
				return nil, ex
			}
		}
		if v, ok := get("sortby"); ok && v != "" {
			if r.SortBy, ex = parseSortKVP(v); ex != nil {
				return nil, ex
			}
		}
		if c, ok := get("constraint"); ok && c != "" {
			lang, _ := get("constraintlanguage")
			switch strings.ToUpper(lang) {
			case "":
				return nil, missing("constraintLanguage")
			case "CQL_TEXT", "CQL":
				if r.Filter, ex = parseCQL(c); ex != nil {
					return nil, ex
				}
			case "FILTER":
				if r.Filter, ex = parseFilterText(c); ex != nil {
					return nil, ex
				}
			default:
				return nil, invalid("constraintLanguage", "constraintLanguage must be FILTER or CQL_TEXT")
			}
		}
	}
	return r, nil
}

var operations = map[string]string{
	"getcapabilities": OpGetCapabilities,
	"describerecord":  OpDescribeRecord,
	"getrecords":      OpGetRecords,
	"getrecordbyid":   OpGetRecordByID,
	"getdomain":       OpGetDomain,
}

func operation(op string) (string, *Exception) {
	o := strings.ToLower(strings.TrimSpace(op))
	if v, ok := operations[o]; ok {
		return v, nil
	}
	switch o {
	case "harvest", "transaction", "getrepositoryitem":
		return "", &Exception{Code: ExceptionOperationNotSupported, Locator: "request", Text: "operation " + strings.TrimSpace(op) + " is not supported by this read-only catalogue"}
	}
	return "", invalid("request", "unknown operation "+quote(strings.TrimSpace(op)))
}

func checkVersion(r *Request) *Exception {
	if r.Version == "" {
		r.Version = "2.0.2" // lenient: the schema gives 2.0.2 as the only value
		return nil
	}
	if r.Version != "2.0.2" {
		return invalid("version", "version must be 2.0.2")
	}
	return nil
}

func checkAcceptVersions(vs []string) *Exception {
	if len(vs) == 0 {
		return nil
	}
	for _, v := range vs {
		if v == "2.0.2" {
			return nil
		}
	}
	return &Exception{Code: ExceptionVersionNegotiationFailed, Locator: "acceptVersions", Text: "only version 2.0.2 is supported"}
}

var sectionNames = map[string]string{
	"serviceidentification": "ServiceIdentification",
	"serviceprovider":       "ServiceProvider",
	"operationsmetadata":    "OperationsMetadata",
	"filter_capabilities":   "Filter_Capabilities",
	"all":                   "All",
}

func sections(names []string) ([]string, *Exception) {
	var out []string
	for _, n := range names {
		s, ok := sectionNames[strings.ToLower(n)]
		if !ok {
			return nil, invalid("sections", "unknown section "+quote(n))
		}
		if s == "All" {
			return nil, nil
		}
		out = append(out, s)
	}
	return out, nil
}

// parseNamespaceParam reads "xmlns(gmd=http://…),xmlns(csw=…)"; a bare
// "xmlns(http://…)" sets the default namespace.
func parseNamespaceParam(v string) (map[string]string, *Exception) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	out := map[string]string{}
	rest := strings.TrimSpace(v)
	for rest != "" {
		rest = strings.TrimLeft(rest, ", ")
		if rest == "" {
			break
		}
		if !strings.HasPrefix(rest, "xmlns(") {
			return nil, invalid("namespace", "namespace must be a list of xmlns(prefix=uri)")
		}
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return nil, invalid("namespace", "unclosed xmlns(")
		}
		decl := rest[len("xmlns("):end]
		rest = rest[end+1:]
		prefix, uri, ok := strings.Cut(decl, "=")
		if !ok {
			prefix, uri = "", decl
		}
		out[strings.TrimSpace(prefix)] = strings.TrimSpace(uri)
	}
	return out, nil
}

// typeName resolves a qualified type name to TypeRecord or TypeMDMetadata.
func typeName(name string, resolve func(string) string, locator string) (string, *Exception) {
	prefix, local, ok := strings.Cut(name, ":")
	if !ok {
		prefix, local = "", name
	}
	uri := ""
	if resolve != nil {
		uri = resolve(prefix)
	}
	if uri == "" {
		switch prefix {
		case "csw":
			uri = csw.NSCSW
		case "gmd":
			uri = csw.NSGMD
		case "gmi":
			uri = csw.NSGMI
		case "atom":
			uri = nsAtom
		case "":
			// Unqualified: accept the two local names.
			switch local {
			case "Record":
				uri = csw.NSCSW
			case "MD_Metadata":
				uri = csw.NSGMD
			}
		}
	}
	switch {
	case uri == csw.NSCSW && local == "Record":
		return TypeRecord, nil
	case (uri == csw.NSGMD && local == "MD_Metadata") || (uri == csw.NSGMI && local == "MI_Metadata"):
		return TypeMDMetadata, nil
	case uri == nsAtom && local == "entry":
		return TypeAtomEntry, nil
	}
	return "", invalid(locator, "unsupported type name "+quote(name)+": use csw:Record or gmd:MD_Metadata")
}

func outputSchema(v string) (string, *Exception) {
	switch strings.TrimSpace(v) {
	case SchemaCSW, "csw:Record", "http://www.opengis.net/cat/csw/2.0.2/":
		return SchemaCSW, nil
	case SchemaISO, "http://www.isotc211.org/2005/gmd/", csw.NSGMI, "gmd:MD_Metadata":
		return SchemaISO, nil
	case SchemaDCAT, "http://www.w3.org/ns/dcat":
		return SchemaDCAT, nil
	case SchemaGeoDCAT, "http://data.europa.eu/930":
		return SchemaGeoDCAT, nil
	case SchemaAtom, "http://www.w3.org/2005/Atom/", "atom:entry":
		return SchemaAtom, nil
	}
	return "", invalid("outputSchema", "unsupported outputSchema "+quote(v))
}

// checkFormat accepts XML and pycsw's JSON.
func checkFormat(v string) (string, *Exception) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "application/xml", "text/xml":
		return "", nil
	case "application/json":
		return FormatJSON, nil
	}
	return "", invalid("outputFormat", "outputFormat must be application/xml or application/json")
}

func resultType(v string) (string, *Exception) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "results":
		return "results", nil
	case "", "hits": // hits is the CSW 2.0.2 default (KVP table 5, CSW-discovery.xsd)
		return "hits", nil
	case "validate":
		return "validate", nil
	}
	return "", invalid("resultType", "resultType must be hits, results or validate")
}

// elementSet reads an ElementSetName; absent means summary (lenient: the
// historical gateway's hits request names none).
func elementSet(v string) (string, *Exception) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return "summary", nil
	case "brief":
		return "brief", nil
	case "summary":
		return "summary", nil
	case "full":
		return "full", nil
	}
	return "", invalid("ElementSetName", "ElementSetName must be brief, summary or full")
}

func elementNames(names []string) ([]string, *Exception) {
	var out []string
	for _, n := range names {
		f, ok := lookupField(n)
		if !ok || f == fieldAnyText {
			return nil, invalid("ElementName", "unknown ElementName "+quote(n)+": use queryable names")
		}
		out = append(out, f.String())
	}
	return out, nil
}

func positive(kv map[string]string, key, locator string, floor int) (int, *Exception) {
	v, ok := kv[key]
	if !ok || strings.TrimSpace(v) == "" {
		return floor, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, invalid(locator, locator+" must be a non-negative integer")
	}
	if n < floor {
		n = floor // startPosition=0 is read as 1
	}
	return n, nil
}

func xmlSchemaLang(v string) bool {
	switch strings.TrimSpace(v) {
	case "http://www.w3.org/XML/Schema", "http://www.w3.org/2001/XMLSchema", "XMLSCHEMA":
		return true
	}
	return false
}

// splitList splits a KVP list on commas (and spaces, for typeNames).
func splitList(v string) []string {
	f := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	return f
}

func newSortKey(name string, desc bool, locator string) (SortKey, *Exception) {
	f, ok := lookupField(name)
	if !ok {
		return SortKey{}, invalid(locator, "cannot sort on "+quote(name)+": not a queryable")
	}
	return SortKey{Property: f.String(), Descending: desc, field: f}, nil
}

// parseSortKVP reads "dc:title:A,apiso:Modified:D".
func parseSortKVP(v string) ([]SortKey, *Exception) {
	var out []SortKey
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, desc := part, false
		if i := strings.LastIndexByte(part, ':'); i >= 0 {
			switch strings.ToUpper(part[i+1:]) {
			case "A", "ASC":
				name = part[:i]
			case "D", "DESC":
				name, desc = part[:i], true
			}
		}
		k, ex := newSortKey(name, desc, "sortBy")
		if ex != nil {
			return nil, ex
		}
		out = append(out, k)
	}
	return out, nil
}

// CacheKey is a canonical rendering of everything in the request that
// shapes the answer: two requests with equal keys get byte-identical answers
// from the same Facade, Endpoint and entries, however they were encoded (KVP
// or XML, parameter case, prefixes, whitespace). The proxy can key its
// response cache on it together with the endpoint and snapshot generation.
func (r *Request) CacheKey() string {
	var b strings.Builder
	field := func(name string, vals ...string) {
		b.WriteString(name)
		b.WriteByte('=')
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(v))
		}
		b.WriteByte(';')
	}
	field("op", r.Operation)
	field("versions", r.AcceptVersions...)
	field("sections", r.Sections...)
	field("types", r.TypeNames...)
	field("typesGiven", strconv.FormatBool(r.typesGiven))
	field("schema", r.OutputSchema)
	field("format", r.OutputFormat)
	field("result", r.ResultType)
	field("esn", r.ElementSetName)
	field("names", r.ElementNames...)
	field("start", strconv.Itoa(r.StartPosition))
	field("max", strconv.Itoa(r.MaxRecords))
	field("filter", r.Filter.String())
	sorts := make([]string, len(r.SortBy))
	for i, k := range r.SortBy {
		sorts[i] = k.Property + ":" + strconv.FormatBool(k.Descending)
	}
	field("sort", sorts...)
	field("ids", r.IDs...)
	field("domain", r.DomainName, strconv.FormatBool(r.DomainProperty))
	return b.String()
}
