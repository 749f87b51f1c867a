package iso

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current parser")

// corpusDoc is one document of the shared corpus as Parse sees it: a whole
// file, or one record cut out of a CSW envelope.
type corpusDoc struct {
	name string // golden name: <file> or <file>-<N>
	dir  string // records, broken or csw
	raw  []byte
}

// corpusDocs lists every record of corpus/records, corpus/broken and every
// child of csw:SearchResults / csw:GetRecordByIdResponse in corpus/csw
// (files of corpus/csw that are not such envelopes are taken whole).
func corpusDocs(t testing.TB) []corpusDoc {
	t.Helper()
	var docs []corpusDoc
	for _, dir := range []string{"records", "broken", "csw"} {
		files, err := filepath.Glob(testenv.Corpus(t, dir, "*.xml"))
		require.NoError(t, err)
		require.NotEmpty(t, files, "corpus/%s", dir)
		sort.Strings(files)
		for _, f := range files {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			base := filepath.Base(f)
			if dir == "csw" {
				parts, ok, err := splitEnvelope(raw)
				require.NoError(t, err, base)
				if ok {
					for i, p := range parts {
						docs = append(docs, corpusDoc{name: fmt.Sprintf("%s-%d", base, i+1), dir: dir, raw: p})
					}
					continue
				}
			}
			docs = append(docs, corpusDoc{name: base, dir: dir, raw: raw})
		}
	}
	return docs
}

const nsCSW = "http://www.opengis.net/cat/csw/2.0.2"

// nsFrame holds the xmlns declarations of one open element of an envelope.
type nsFrame struct {
	decls     []xml.Attr
	container bool // csw:SearchResults or root csw:GetRecordByIdResponse
}

// splitEnvelope cuts the children of csw:SearchResults (or of the root
// csw:GetRecordByIdResponse) out of a CSW response, adding to each child's
// start tag the namespace declarations in scope that it does not redeclare.
// ok is false when the document is not such an envelope.
func splitEnvelope(raw []byte) (parts [][]byte, ok bool, err error) {
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.CharsetReader = charsetReader
	var stack []nsFrame
	var start int64
	resolve := func(prefix string) string {
		for i := len(stack) - 1; i >= 0; i-- {
			for _, a := range stack[i].decls {
				if (prefix == "" && a.Name.Space == "" && a.Name.Local == "xmlns") || (a.Name.Space == "xmlns" && a.Name.Local == prefix) {
					return a.Value
				}
			}
		}
		return ""
	}
	for {
		off := d.InputOffset()
		tok, terr := d.RawToken()
		if terr == io.EOF {
			return parts, ok, nil
		}
		if terr != nil {
			return nil, false, terr
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var f nsFrame
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					f.decls = append(f.decls, a)
				}
			}
			depth := len(stack)
			if depth > 0 && stack[depth-1].container {
				start = off
			}
			stack = append(stack, f)
			if resolve(t.Name.Space) == nsCSW && ((depth == 0 && t.Name.Local == "GetRecordByIdResponse") || t.Name.Local == "SearchResults") {
				stack[depth].container = true
				ok = true
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if n := len(stack); n > 0 && stack[n-1].container {
				parts = append(parts, withScope(raw[start:d.InputOffset()], stack))
			}
		}
	}
}

// withScope adds to the start tag of child the xmlns declarations of its
// ancestors that the child does not make itself, innermost first.
func withScope(child []byte, ancestors []nsFrame) []byte {
	own := string(child[:bytes.IndexByte(child, '>')])
	declared := map[string]bool{}
	var add []string
	for i := len(ancestors) - 1; i >= 0; i-- {
		for _, a := range ancestors[i].decls {
			name := "xmlns"
			if a.Name.Space == "xmlns" {
				name = "xmlns:" + a.Name.Local
			}
			if declared[name] || strings.Contains(own, name+"=") {
				continue
			}
			declared[name] = true
			var v bytes.Buffer
			_ = xml.EscapeText(&v, []byte(a.Value))
			add = append(add, fmt.Sprintf(` %s="%s"`, name, strings.ReplaceAll(v.String(), `"`, "&quot;")))
		}
	}
	nameEnd := bytes.IndexAny(child, " \t\r\n/>")
	out := make([]byte, 0, len(child)+64*len(add))
	out = append(out, child[:nameEnd]...)
	for _, s := range add {
		out = append(out, s...)
	}
	return append(out, child[nameEnd:]...)
}

func goldenJSON(r *Record, err error) []byte {
	var v any = r
	if err != nil {
		v = map[string]string{"error": err.Error()}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		// The model holds no unencodable value (number refuses NaN/Inf).
		return []byte(fmt.Sprintf("{\"encode_error\": %q}\n", err.Error()))
	}
	return buf.Bytes()
}

func TestGoldenCorpus(t *testing.T) {
	docs := corpusDocs(t)
	seen := map[string]bool{}
	for _, doc := range docs {
		require.False(t, seen[doc.name], "duplicate golden name %s", doc.name)
		seen[doc.name] = true
		t.Run(doc.name, func(t *testing.T) {
			r, err := Parse(doc.raw)
			if err != nil {
				var re *RecordError
				require.ErrorAs(t, err, &re)
				assert.True(t, errors.Is(err, ErrMalformed) || errors.Is(err, ErrNotISO), "unclassified error %v", err)
			}
			got := goldenJSON(r, err)
			path := filepath.Join("testdata", "golden", doc.name+".json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, got, 0o644))
				return
			}
			want, rerr := os.ReadFile(path)
			require.NoError(t, rerr, "missing golden: run go test ./iso -run TestGoldenCorpus -update")
			assert.Equal(t, string(want), string(got))
		})
	}
}
