package iso

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dump renders a tree for comparisons: names with namespace URIs,
// attributes, text, children.
func dump(n *node) string {
	var b strings.Builder
	var walk func(n *node, depth int)
	walk = func(n *node, depth int) {
		fmt.Fprintf(&b, "%s{%s}%s [%s]", strings.Repeat(" ", depth), n.space, n.local, n.prefix)
		for _, a := range n.attrs {
			fmt.Fprintf(&b, " {%s}%s=%q", a.space, a.local, a.value)
		}
		fmt.Fprintf(&b, " %q\n", n.text)
		for c := n.first; c != nil; c = c.next {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

// TestTreeMatchesEncodingXML checks the fast scanner against the
// encoding/xml reference builder on the whole corpus.
func TestTreeMatchesEncodingXML(t *testing.T) {
	for _, doc := range corpusDocs(t) {
		t.Run(doc.name, func(t *testing.T) {
			fast, ferr := parseTree(doc.raw)
			std, serr := parseTreeStd(doc.raw)
			require.Equal(t, serr == nil, ferr == nil, "fast: %v, std: %v", ferr, serr)
			if ferr == nil {
				assert.Equal(t, dump(std), dump(fast))
			}
		})
	}
}

func TestTreeOddInputs(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		ok   bool
	}{
		{"entities and char refs", `<a x="&lt;&#65;&#x42;">&amp;&quot;&apos;&gt;</a>`, true},
		{"cdata and comments split text", "<a>x<!-- c -->y<![CDATA[<z>]]></a>", true},
		{"crlf", "<a b=\"1\r\n2\">1\r\n2\r3</a>", true},
		{"self-closing root", `<a/>`, true},
		{"pi and comment after root", "<a/><!-- end --><?pi x?>\n", true},
		{"bom", "\xef\xbb\xbf<a/>", true},
		{"bad char ref", `<a>&#0;</a>`, false},
		{"bare ampersand", `<a>fish & chips</a>`, false},
		{"lt in attribute", `<a b="<"/>`, false},
		{"duplicate attribute", `<a b="1" b="2"/>`, false},
		{"unquoted attribute", `<a b=1/>`, false},
		{"double dash in comment", `<a><!-- a -- b --></a>`, false},
		{"control character", "<a>\x01</a>", false},
		{"invalid utf-8", "<a>\xff</a>", false},
		{"two colons", `<a:b:c xmlns:a="x"/>`, false},
		{"decl not first", `<a/><?xml version="1.0"?>`, false},
		{"unterminated comment", `<a><!-- x</a>`, false},
		{"eof in tag", `<a b="1"`, false},
		{"non-ascii name", `<straße>x</straße>`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fast, ferr := parseTree([]byte(tc.doc))
			if !tc.ok {
				require.Error(t, ferr)
				assert.ErrorIs(t, ferr, ErrMalformed)
				return
			}
			require.NoError(t, ferr)
			std, serr := parseTreeStd([]byte(strings.TrimPrefix(tc.doc, "\xef\xbb\xbf")))
			require.NoError(t, serr)
			assert.Equal(t, dump(std), dump(fast))
		})
	}
}

// FuzzTree checks the scanner is never more lenient than encoding/xml and
// builds the same tree whenever it accepts a document.
func FuzzTree(f *testing.F) {
	for _, s := range []string{
		`<a x="&lt;&#65;">&amp;<b:c xmlns:b="u" b:d='1'/><![CDATA[x]]><!--c--></a>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><a>caf` + "\xe9" + `</a>`,
		md(`<gmd:fileIdentifier><gco:CharacterString>x</gco:CharacterString></gmd:fileIdentifier>`),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		fast, ferr := parseTree(raw)
		if ferr != nil {
			return
		}
		std, serr := parseTreeStd([]byte(strings.TrimPrefix(string(raw), "\xef\xbb\xbf")))
		if serr != nil {
			t.Fatalf("scanner accepted what encoding/xml refuses (%v):\n%q", serr, raw)
		}
		if a, b := dump(fast), dump(std); a != b {
			t.Fatalf("trees differ:\nfast:\n%s\nstd:\n%s", a, b)
		}
	})
}
