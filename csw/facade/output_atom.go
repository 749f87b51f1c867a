package facade

import (
	"bytes"
	"net/url"

	"github.com/passerelle/passerelle/iso"
)

// SchemaAtom is the Atom output schema (RFC 4287 entries with a GeoRSS
// box), as pycsw serves it.
const SchemaAtom = "http://www.w3.org/2005/Atom"

const (
	nsAtom   = SchemaAtom
	nsGeoRSS = "http://www.georss.org/georss"
)

// writeAtom writes one atom:entry: id, title, updated, summary, categories,
// links (the record's ISO document on this endpoint, then its online
// resources) and the first repaired box as georss:where.
func writeAtom(b *bytes.Buffer, e *Entry, r *iso.Record, endpoint string) {
	ix := e.index()
	b.WriteString("<atom:entry>")
	elem(b, "atom:id", ix.id)
	elem(b, "dc:identifier", ix.id)
	elem(b, "atom:title", r.Title.Value)
	if mod := ix.dates(fieldModified); len(mod) > 0 {
		elem(b, "atom:updated", mod[0].d.t.UTC().Format("2006-01-02T15:04:05Z"))
	}
	for _, p := range partyElems(r) {
		if p[0] == "dc:creator" || p[0] == "dc:publisher" {
			b.WriteString("<atom:author>")
			elem(b, "atom:name", p[1])
			b.WriteString("</atom:author>")
			break
		}
	}
	if r.Abstract.Value != "" {
		elem(b, "atom:summary", r.Abstract.Value)
	}
	for _, s := range subjects(r) {
		b.WriteString("<atom:category")
		attr(b, "term", s)
		b.WriteString("/>")
	}
	if endpoint != "" {
		q := url.Values{"service": {"CSW"}, "version": {"2.0.2"}, "request": {"GetRecordById"}, "id": {ix.id},
			"outputSchema": {SchemaISO}, "elementSetName": {"full"}}
		b.WriteString(`<atom:link rel="alternate" type="application/xml"`)
		attr(b, "href", endpoint+"?"+q.Encode())
		b.WriteString("/>")
	}
	for _, o := range r.OnlineResources {
		if o.URL == "" {
			continue
		}
		b.WriteString(`<atom:link rel="related"`)
		attr(b, "href", o.URL)
		if o.Name != "" {
			attr(b, "title", o.Name)
		}
		b.WriteString("/>")
	}
	if len(ix.boxes) > 0 {
		x := ix.boxes[0]
		b.WriteString(`<georss:where><gml:Envelope srsName="http://www.opengis.net/def/crs/EPSG/0/4326"><gml:lowerCorner>`)
		b.WriteString(float(x.South) + " " + float(x.West))
		b.WriteString(`</gml:lowerCorner><gml:upperCorner>`)
		b.WriteString(float(x.North) + " " + float(x.East))
		b.WriteString(`</gml:upperCorner></gml:Envelope></georss:where>`)
	}
	b.WriteString("</atom:entry>")
}
