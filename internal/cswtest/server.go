package cswtest

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
)

// FaultKind is one misbehaviour of the test server.
type FaultKind int

// Faults. Page faults apply to GetRecords results requests matched by
// Fault.Start/Position/Times; record faults alter the record at
// Fault.Position (or the page's first record when Position is 0).
const (
	FaultStatus500   FaultKind = iota + 1 // HTTP 500, text body
	FaultStatus503                        // HTTP 503 with Retry-After (Fault.RetryAfter)
	FaultTimeout                          // sleep Fault.Sleep, then answer normally
	FaultReset                            // announce the full length, send half, close the connection
	FaultTruncate                         // 200 with the body cut in half (consistent Content-Length)
	FaultInvalidChar                      // record fault: a U+0001 in the record's text
	FaultException                        // ows:ExceptionReport NoApplicableCode under HTTP 200
	FaultHTML                             // an HTML error page under HTTP 200
	FaultEntityBomb                       // a DOCTYPE with nested entity definitions, used in the record
	FaultDeepNesting                      // record fault: 10 000 nested elements
	FaultOversize                         // record fault: a comment of Fault.Pad bytes
	FaultShortPage                        // half the records, nextRecord = start + asked (skips records)
	FaultBiggerPage                       // one record more than asked
)

// Fault targets a misbehaviour at some GetRecords results requests.
type Fault struct {
	Kind       FaultKind
	Start      int           // only requests with this startPosition (0: any)
	Position   int           // only pages whose range covers this position (0: any)
	Times      int           // only the first Times matching requests (0: always)
	RetryAfter string        // FaultStatus503: Retry-After value (seconds or HTTP date)
	Sleep      time.Duration // FaultTimeout
	Pad        int           // FaultOversize: bytes of padding
}

// Options shape the server. The zero value is a well-behaved server with
// a default maxRecords of 10 and no cap.
type Options struct {
	Faults []Fault
	// DefaultMaxRecords applies when a request gives no maxRecords (10).
	DefaultMaxRecords int
	// MaxRecordsCap silently caps maxRecords (pycsw's maxrecords), 0: none.
	MaxRecordsCap int
	// NoPost answers 405 to every POST and advertises GET only.
	NoPost bool
	// RejectSortBy answers InvalidParameterValue (locator sortBy) to SortBy.
	RejectSortBy bool
	// RequireNamespace rejects KVP typeNames without a namespace parameter
	// (Isogeo): InvalidParameterValue, locator typeNames.
	RequireNamespace bool
	// RejectEncodedTypeNames rejects a KVP typeNames whose raw value is
	// percent-encoded (gmd%3AMD_Metadata): InvalidParameterValue, locator
	// typeNames, as servers that do not decode the query string.
	RejectEncodedTypeNames bool
	// RequireConstraintLanguage rejects a KVP constraint without
	// constraintLanguage: MissingParameterValue, locator constraintLanguage.
	RequireConstraintLanguage bool
	// FullFails answers ElementSetName full with NoApplicableCode
	// "elementName has invalid XPath" (brief and GetRecordById work).
	FullFails bool
	// NextRecordLoop answers nextRecord="1" on the last page and past the end.
	NextRecordLoop bool
	// MatchedOffset is added to every numberOfRecordsMatched (a lying count).
	MatchedOffset int
	// HitsOffset is added to numberOfRecordsMatched of resultType=hits
	// answers only (a count inconsistent with the pages).
	HitsOffset int
	// GrowAfter appends one generated record after each listed (1-based)
	// GetRecords results request: numberOfRecordsMatched changes mid-walk.
	GrowAfter []int
	// AdvertisedURL is the GetRecords URL in GetCapabilities (default: the
	// URL the request reached).
	AdvertisedURL string
	// Redirect: "once" moves every path but /moved to /moved (301, query
	// kept; clients re-send a POST as a GET without body); "temporary"
	// does the same with 307 (method and body kept); "loop" redirects
	// forever between /loop1 and /loop2.
	Redirect string
	// Replay serves recorded GetRecordsResponse bodies by startPosition;
	// hits answer the numberOfRecordsMatched of Replay[1].
	Replay map[int][]byte
	// Gzip compresses answers when the client accepts it.
	Gzip bool
	// IgnoreStart serves every results request from position 1 while
	// claiming the requested startPosition (a broken server).
	IgnoreStart bool
}

// Server is the handler; Requests counts what it answered.
type Server struct {
	opts Options

	mu       sync.Mutex
	recs     []srvRecord
	results  int         // GetRecords results requests served
	hits     map[int]int // fault index → matching requests
	requests []string    // one line per request, for test failure messages
}

type srvRecord struct {
	id  string
	raw []byte
}

// NewServer starts an httptest server over recs, closed at test end.
func NewServer(t testing.TB, recs [][]byte, opts Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(NewHandler(recs, opts))
	t.Cleanup(srv.Close)
	return srv
}

// NewHandler returns the CSW handler over recs (raw ISO records; an XML
// declaration is stripped). It serves every path.
func NewHandler(recs [][]byte, opts Options) *Server {
	if opts.DefaultMaxRecords <= 0 {
		opts.DefaultMaxRecords = 10
	}
	s := &Server{opts: opts, hits: map[int]int{}}
	for _, r := range recs {
		r = stripDecl(r)
		s.recs = append(s.recs, srvRecord{id: recordID(r), raw: r})
	}
	return s
}

// Log returns one line per request served so far.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// stripDecl removes a leading BOM, XML declaration and whitespace.
func stripDecl(b []byte) []byte {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimSpace(b)
	if bytes.HasPrefix(b, []byte("<?xml")) {
		if i := bytes.Index(b, []byte("?>")); i >= 0 {
			b = bytes.TrimSpace(b[i+2:])
		}
	}
	return b
}

// recordID returns the fileIdentifier (or dc:identifier) of a record,
// reading only as far as needed.
func recordID(raw []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	depth, in := 0, 0
	var text strings.Builder
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && (t.Name.Local == "fileIdentifier" || t.Name.Local == "identifier") {
				in = depth
			}
		case xml.EndElement:
			if in != 0 && depth == in {
				return strings.TrimSpace(text.String())
			}
			depth--
		case xml.CharData:
			if in != 0 {
				text.Write(t)
			}
		}
	}
}

// request is a parsed CSW request (KVP or XML).
type request struct {
	post               bool
	op                 string
	resultType         string
	start, max         int
	hasMax             bool
	esn                string
	sortBy             string
	namespace          string
	constraint         string
	constraintLanguage string
	ids                []string
	rawTypeNames       string // KVP typeNames as sent, not decoded
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch s.opts.Redirect {
	case "once", "temporary":
		if r.URL.Path != "/moved" {
			code := http.StatusMovedPermanently
			if s.opts.Redirect == "temporary" {
				code = http.StatusTemporaryRedirect
			}
			http.Redirect(w, r, "/moved?"+r.URL.RawQuery, code)
			return
		}
	case "loop":
		to := "/loop1"
		if r.URL.Path == "/loop1" {
			to = "/loop2"
		}
		http.Redirect(w, r, to+"?"+r.URL.RawQuery, http.StatusFound)
		return
	}
	req, ex := s.parse(w, r)
	if ex != nil {
		s.logf(r.Method + " invalid: " + ex.text)
		s.exception(w, ex)
		return
	}
	if req == nil { // already answered
		return
	}
	switch strings.ToLower(req.op) {
	case "getcapabilities":
		s.logf(r.Method + " GetCapabilities")
		s.capabilities(w, r)
	case "getrecords":
		s.getRecords(w, r, req)
	case "getrecordbyid":
		s.logf(r.Method + " GetRecordById " + strings.Join(req.ids, ","))
		s.getRecordByID(w, r, req)
	default:
		s.exception(w, &owsException{"OperationNotSupported", "request", "unknown request " + req.op})
	}
}

func (s *Server) logf(line string) {
	s.mu.Lock()
	s.requests = append(s.requests, line)
	s.mu.Unlock()
}

type owsException struct{ code, locator, text string }

// parse reads KVP (case-insensitive names) or a POST XML body.
func (s *Server) parse(w http.ResponseWriter, r *http.Request) (*request, *owsException) {
	req := &request{}
	switch r.Method {
	case http.MethodGet:
		q := map[string]string{}
		for k, v := range r.URL.Query() {
			q[strings.ToLower(k)] = v[0]
		}
		if q["request"] == "" {
			return nil, &owsException{"MissingParameterValue", "request", "missing request parameter"}
		}
		req.op = q["request"]
		for _, kv := range strings.Split(r.URL.RawQuery, "&") {
			if k, v, _ := strings.Cut(kv, "="); strings.EqualFold(k, "typeNames") {
				req.rawTypeNames = v
			}
		}
		req.resultType = q["resulttype"]
		req.esn = q["elementsetname"]
		req.sortBy = q["sortby"]
		req.namespace = q["namespace"]
		req.constraint = q["constraint"]
		req.constraintLanguage = q["constraintlanguage"]
		if v := q["id"]; v != "" {
			req.ids = strings.Split(v, ",")
		}
		var ex *owsException
		req.start, ex = intParam(q["startposition"], "startPosition", 1)
		if ex != nil {
			return nil, ex
		}
		if q["maxrecords"] != "" {
			req.hasMax = true
			if req.max, ex = intParam(q["maxrecords"], "maxRecords", 0); ex != nil {
				return nil, ex
			}
		}
	case http.MethodPost:
		if s.opts.NoPost {
			s.logf("POST refused")
			http.Error(w, "POST not allowed", http.StatusMethodNotAllowed)
			return nil, nil
		}
		req.post = true
		doc := etree.NewDocument()
		if _, err := doc.ReadFrom(io.LimitReader(r.Body, 1<<20)); err != nil || doc.Root() == nil {
			return nil, &owsException{"NoApplicableCode", "", "cannot parse the XML request"}
		}
		root := doc.Root()
		req.op = root.Tag
		req.resultType = root.SelectAttrValue("resultType", "hits")
		var ex *owsException
		if req.start, ex = intParam(root.SelectAttrValue("startPosition", ""), "startPosition", 1); ex != nil {
			return nil, ex
		}
		if v := root.SelectAttrValue("maxRecords", ""); v != "" {
			req.hasMax = true
			if req.max, ex = intParam(v, "maxRecords", 0); ex != nil {
				return nil, ex
			}
		}
		for _, el := range root.FindElements("//*") {
			switch el.Tag {
			case "ElementSetName":
				req.esn = strings.TrimSpace(el.Text())
			case "CqlText":
				req.constraint = strings.TrimSpace(el.Text())
				req.constraintLanguage = "CQL_TEXT"
			case "PropertyName":
				req.sortBy = strings.TrimSpace(el.Text())
			case "Id":
				req.ids = append(req.ids, strings.TrimSpace(el.Text()))
			}
		}
		req.namespace = "declared"
	default:
		return nil, &owsException{"NoApplicableCode", "", "method not supported"}
	}
	if req.resultType == "" {
		req.resultType = "hits"
	}
	return req, nil
}

func intParam(v, name string, def int) (int, *owsException) {
	if strings.TrimSpace(v) == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, &owsException{"InvalidParameterValue", name, name + " must be a non-negative integer"}
	}
	return n, nil
}

func (s *Server) getRecords(w http.ResponseWriter, r *http.Request, req *request) {
	method := "GET"
	if req.post {
		method = "POST"
	}
	line := method + " GetRecords " + req.resultType + " start=" + strconv.Itoa(req.start) + " max=" + strconv.Itoa(req.max)
	if req.sortBy != "" {
		line += " sort=" + req.sortBy
	}
	s.logf(line)
	switch {
	case s.opts.RejectSortBy && req.sortBy != "":
		s.exception(w, &owsException{"InvalidParameterValue", "sortBy", "SortBy is not supported"})
		return
	case s.opts.RequireNamespace && !req.post && req.namespace == "":
		s.exception(w, &owsException{"InvalidParameterValue", "typeNames", "prefix gmd in typeNames is not bound to a namespace"})
		return
	case s.opts.RejectEncodedTypeNames && strings.Contains(req.rawTypeNames, "%"):
		s.exception(w, &owsException{"InvalidParameterValue", "typeNames", "unknown type name " + req.rawTypeNames})
		return
	case s.opts.RequireConstraintLanguage && !req.post && req.constraint != "" && req.constraintLanguage == "":
		s.exception(w, &owsException{"MissingParameterValue", "constraintLanguage", "constraintLanguage is required with constraint"})
		return
	case req.esn == "":
		s.exception(w, &owsException{"MissingParameterValue", "ElementSetName", "ElementSetName or ElementName is required"})
		return
	case s.opts.FullFails && strings.EqualFold(req.esn, "full"):
		s.exception(w, &owsException{"NoApplicableCode", "", "elementName has invalid XPath"})
		return
	}
	if s.opts.Replay != nil {
		s.replay(w, r, req)
		return
	}
	s.mu.Lock()
	recs := append([]srvRecord(nil), s.recs...)
	s.mu.Unlock()
	if req.sortBy != "" {
		sort.SliceStable(recs, func(i, j int) bool { return recs[i].id < recs[j].id })
	}
	matched := len(recs) + s.opts.MatchedOffset
	maxRecs := req.max
	if !req.hasMax {
		maxRecs = s.opts.DefaultMaxRecords
	}
	if s.opts.MaxRecordsCap > 0 && maxRecs > s.opts.MaxRecordsCap {
		maxRecs = s.opts.MaxRecordsCap
	}
	if req.resultType == "hits" {
		matched := max(matched+s.opts.HitsOffset, 0)
		next := 0
		if maxRecs < matched {
			next = maxRecs + 1 // pycsw's habit
		}
		s.write(w, r, envelope(matched, min(matched, maxRecs), next, nil, ""))
		return
	}
	s.mu.Lock()
	s.results++
	call := s.results
	s.mu.Unlock()
	defer s.grow(call)

	from := req.start - 1
	if s.opts.IgnoreStart {
		from = 0
	}
	page := []srvRecord{}
	if from >= 0 && from < len(recs) && maxRecs > 0 {
		page = recs[from:min(len(recs), from+maxRecs)]
	}
	faults := s.faultsFor(req.start, len(page))
	asked := len(page)
	next := 0
	if req.start+len(page) <= matched && len(page) > 0 {
		next = req.start + len(page)
	}
	if s.opts.NextRecordLoop && next == 0 {
		next = 1
	}
	var prolog string
	var rawPage [][]byte
	for _, f := range faults {
		switch f.Kind {
		case FaultShortPage:
			if len(page) > 1 {
				page = page[:len(page)/2]
			}
			next = req.start + asked
		case FaultBiggerPage:
			if from+len(page) < len(recs) {
				page = recs[from : from+len(page)+1]
			}
		}
	}
	for _, rec := range page {
		rawPage = append(rawPage, rec.raw)
	}
	for _, f := range faults {
		at := 0
		if f.Position > 0 {
			at = f.Position - req.start
		}
		if at < 0 || at >= len(rawPage) {
			continue
		}
		switch f.Kind {
		case FaultInvalidChar:
			rawPage[at] = insertAfterRootTag(rawPage[at], []byte("\x01"))
		case FaultDeepNesting:
			rawPage[at] = insertAfterRootTag(rawPage[at], []byte(strings.Repeat("<x>", 10000)+strings.Repeat("</x>", 10000)))
		case FaultOversize:
			rawPage[at] = insertAfterRootTag(rawPage[at], []byte("<!--"+strings.Repeat("p", f.Pad)+"-->"))
		case FaultEntityBomb:
			prolog = `<!DOCTYPE csw:GetRecordsResponse [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>`
			rawPage[at] = insertAfterRootTag(rawPage[at], []byte("&d;"))
		}
	}
	body := envelope(matched, len(rawPage), next, rawPage, prolog)
	for _, f := range faults {
		switch f.Kind {
		case FaultStatus500:
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			return
		case FaultStatus503:
			w.Header().Set("Retry-After", f.RetryAfter)
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		case FaultTimeout:
			select {
			case <-time.After(f.Sleep):
			case <-r.Context().Done():
				return
			}
		case FaultException:
			s.exception(w, &owsException{"NoApplicableCode", "", "java.lang.NullPointerException"})
			return
		case FaultHTML:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body><p>Le service est en maintenance.<br></p></body></html>"))
			return
		case FaultTruncate:
			body = body[:len(body)/2]
		case FaultReset:
			reset(w, body)
			return
		}
	}
	s.write(w, r, body)
}

// grow appends records after the listed results requests.
func (s *Server) grow(call int) {
	for _, n := range s.opts.GrowAfter {
		if n == call {
			s.mu.Lock()
			id := "passerelle-grown-" + strconv.Itoa(len(s.recs)+1)
			s.recs = append(s.recs, srvRecord{id: id, raw: GenerateOne(id, len(s.recs))})
			s.mu.Unlock()
		}
	}
}

// faultsFor returns the faults applying to a results page.
func (s *Server) faultsFor(start, n int) []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Fault
	for i, f := range s.opts.Faults {
		if f.Start != 0 && f.Start != start {
			continue
		}
		if f.Position != 0 && (f.Position < start || f.Position >= start+max(n, 1)) {
			continue
		}
		s.hits[i]++
		if f.Times > 0 && s.hits[i] > f.Times {
			continue
		}
		out = append(out, f)
	}
	return out
}

// reset sends headers announcing the whole body, half of it, and closes.
func reset(w http.ResponseWriter, body []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "no hijacking", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

// insertAfterRootTag inserts x right after the record's root start tag.
func insertAfterRootTag(raw, x []byte) []byte {
	i := bytes.IndexByte(raw, '>')
	if i < 0 || (i > 0 && raw[i-1] == '/') {
		return raw
	}
	out := make([]byte, 0, len(raw)+len(x))
	out = append(out, raw[:i+1]...)
	out = append(out, x...)
	return append(out, raw[i+1:]...)
}

func (s *Server) replay(w http.ResponseWriter, r *http.Request, req *request) {
	if req.resultType == "hits" {
		matched := replayMatched(s.opts.Replay[1])
		s.write(w, r, envelope(matched, 0, 0, nil, ""))
		return
	}
	body, ok := s.opts.Replay[req.start]
	if !ok {
		s.exception(w, &owsException{"InvalidParameterValue", "startPosition", "no recorded page at this startPosition"})
		return
	}
	s.write(w, r, body)
}

// replayMatched reads numberOfRecordsMatched from a recorded page.
func replayMatched(page []byte) int {
	dec := xml.NewDecoder(bytes.NewReader(page))
	for {
		tok, err := dec.Token()
		if err != nil {
			return 0
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "SearchResults" {
			for _, a := range se.Attr {
				if a.Name.Local == "numberOfRecordsMatched" {
					n, _ := strconv.Atoi(a.Value)
					return n
				}
			}
		}
	}
}

func (s *Server) getRecordByID(w http.ResponseWriter, r *http.Request, req *request) {
	s.mu.Lock()
	recs := append([]srvRecord(nil), s.recs...)
	s.mu.Unlock()
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">`)
	for _, id := range req.ids {
		for _, rec := range recs {
			if rec.id == id {
				b.Write(rec.raw)
				break
			}
		}
	}
	b.WriteString(`</csw:GetRecordByIdResponse>`)
	s.write(w, r, b.Bytes())
}

// envelope builds a GetRecordsResponse around raw records.
func envelope(matched, returned, next int, recs [][]byte, prolog string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + prolog)
	b.WriteString(`<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:gmd="` + nsGMD + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="2.0.2">`)
	b.WriteString("\n  <csw:SearchStatus timestamp=\"" + time.Now().UTC().Format("2006-01-02T15:04:05Z") + "\"/>\n")
	b.WriteString(`  <csw:SearchResults numberOfRecordsMatched="` + strconv.Itoa(matched) + `" numberOfRecordsReturned="` + strconv.Itoa(returned) +
		`" nextRecord="` + strconv.Itoa(next) + `" recordSchema="` + nsGMD + `" elementSet="full">`)
	for _, r := range recs {
		b.WriteString("\n")
		b.Write(r)
	}
	b.WriteString("\n  </csw:SearchResults>\n</csw:GetRecordsResponse>\n")
	return b.Bytes()
}

func (s *Server) exception(w http.ResponseWriter, ex *owsException) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0"><ows:Exception exceptionCode="`)
	_ = xml.EscapeText(&b, []byte(ex.code))
	b.WriteString(`"`)
	if ex.locator != "" {
		b.WriteString(` locator="`)
		_ = xml.EscapeText(&b, []byte(ex.locator))
		b.WriteString(`"`)
	}
	b.WriteString(`><ows:ExceptionText>`)
	_ = xml.EscapeText(&b, []byte(ex.text))
	b.WriteString("</ows:ExceptionText></ows:Exception></ows:ExceptionReport>\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

func (s *Server) capabilities(w http.ResponseWriter, r *http.Request) {
	adv := s.opts.AdvertisedURL
	if adv == "" {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		adv = u.String()
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	caps := doc.CreateElement("csw:Capabilities")
	caps.CreateAttr("xmlns:csw", "http://www.opengis.net/cat/csw/2.0.2")
	caps.CreateAttr("xmlns:ows", "http://www.opengis.net/ows")
	caps.CreateAttr("xmlns:xlink", nsXLink)
	caps.CreateAttr("version", "2.0.2")
	si := caps.CreateElement("ows:ServiceIdentification")
	si.CreateElement("ows:Title").SetText("cswtest")
	si.CreateElement("ows:ServiceType").SetText("CSW")
	si.CreateElement("ows:ServiceTypeVersion").SetText("2.0.2")
	om := caps.CreateElement("ows:OperationsMetadata")
	for _, op := range []string{"GetCapabilities", "GetRecords", "GetRecordById"} {
		o := om.CreateElement("ows:Operation")
		o.CreateAttr("name", op)
		h := o.CreateElement("ows:DCP").CreateElement("ows:HTTP")
		h.CreateElement("ows:Get").CreateAttr("xlink:href", adv)
		if !s.opts.NoPost {
			h.CreateElement("ows:Post").CreateAttr("xlink:href", adv)
		}
	}
	c := om.CreateElement("ows:Constraint")
	c.CreateAttr("name", "MaxRecordDefault")
	c.CreateElement("ows:Value").SetText(strconv.Itoa(s.opts.DefaultMaxRecords))
	b, err := doc.WriteToBytes()
	if err != nil {
		http.Error(w, "encode capabilities", http.StatusInternalServerError)
		return
	}
	s.write(w, r, b)
}

// write sends an XML body, gzipped when configured and accepted.
func (s *Server) write(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	if s.opts.Gzip && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(body)
		_ = zw.Close()
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

var _ http.Handler = (*Server)(nil)
