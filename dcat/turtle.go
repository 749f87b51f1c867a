package dcat

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// writeTurtle is passerelle's own Turtle writer: the fixed prefix map first,
// then one statement per subject with predicate lists (";") and object lists
// (","). It exists because knakk/rdf's TripleEncoder costs about 0.8 ms of
// CPU per record (fmt.Sprintf and term comparisons per triple), above the
// 0.75 ms budget for model → Turtle; N-Triples still go through knakk.
// Triples of one subject should be contiguous (groupBySubject) for a
// compact output; repeated subjects are still valid Turtle.
func writeTurtle(w io.Writer, ts []Triple) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	for _, p := range prefixes {
		bw.WriteString("@prefix ")
		bw.WriteString(p[0])
		bw.WriteString(": <")
		bw.WriteString(p[1])
		bw.WriteString("> .\n")
	}
	var subj, pred Term
	open := false
	for _, t := range ts {
		switch {
		case open && t.S == subj && t.P == pred:
			bw.WriteString(" ,\n\t\t")
		case open && t.S == subj:
			bw.WriteString(" ;\n\t")
			turtleTerm(bw, t.P, true)
			bw.WriteByte(' ')
		default:
			if open {
				bw.WriteString(" .\n")
			} else {
				bw.WriteByte('\n')
			}
			turtleTerm(bw, t.S, false)
			bw.WriteString("\n\t")
			turtleTerm(bw, t.P, true)
			bw.WriteByte(' ')
		}
		subj, pred, open = t.S, t.P, true
		turtleTerm(bw, t.O, false)
	}
	if open {
		bw.WriteString(" .\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write Turtle: %w", err)
	}
	return nil
}

// turtleTerm writes one term; pred says it is in predicate position
// (rdf:type is then written "a").
func turtleTerm(w *bufio.Writer, t Term, pred bool) {
	switch t.Kind {
	case kindIRI:
		if pred && t.Value == nsRDF+"type" {
			w.WriteByte('a')
			return
		}
		turtleIRI(w, t.Value)
	case kindBlank:
		w.WriteString("_:")
		w.WriteString(t.Value)
	default:
		w.WriteByte('"')
		turtleEscape(w, t.Value)
		w.WriteByte('"')
		if t.Lang != "" {
			w.WriteByte('@')
			w.WriteString(t.Lang)
		} else if t.Datatype != "" {
			w.WriteString("^^")
			turtleIRI(w, t.Datatype)
		}
	}
}

// turtleIRI writes a prefixed name when the IRI is in the fixed prefix map
// with a plain local part, else an IRIREF with forbidden characters escaped.
func turtleIRI(w *bufio.Writer, s string) {
	if i := strings.LastIndexAny(s, "#/"); i > 0 && i < len(s)-1 {
		if p, ok := prefixOf[s[:i+1]]; ok && plainLocal(s[i+1:]) {
			w.WriteString(p)
			w.WriteByte(':')
			w.WriteString(s[i+1:])
			return
		}
	}
	w.WriteByte('<')
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; iriEscape[c] {
			w.WriteString(s[start:i])
			w.WriteString("\\u00")
			w.WriteByte(hexDigits[c>>4])
			w.WriteByte(hexDigits[c&0xf])
			start = i + 1
		}
	}
	w.WriteString(s[start:])
	w.WriteByte('>')
}

// prefixOf maps a fixed namespace to its prefix.
var prefixOf = func() map[string]string {
	m := make(map[string]string, len(prefixes))
	for _, p := range prefixes {
		m[p[1]] = p[0]
	}
	return m
}()

// iriEscape marks the bytes an IRIREF cannot hold raw.
var iriEscape = func() (t [256]bool) {
	for c := 0; c <= 0x20; c++ {
		t[c] = true
	}
	for _, c := range []byte("<>\"{}|^`\\") {
		t[c] = true
	}
	return t
}()

func turtleEscape(w *bufio.Writer, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		default:
			continue
		}
		w.WriteString(s[start:i])
		w.WriteString(esc)
		start = i + 1
	}
	w.WriteString(s[start:])
}
