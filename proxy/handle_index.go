package proxy

import (
	"errors"
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/served"
)

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>passerelle</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}code{font-size:.9em}</style>
</head><body>
<h1>passerelle</h1>
<p>Catalogues CSW / ISO 19139 servis en DCAT-AP 3, en JSON et en CSW 2.0.2. <a href="/catalogs.json">catalogs.json</a> · <a href="/organizations.json">organizations.json</a> · <a href="/metrics">métriques</a> · <a href="/admin/">administration</a></p>
<h2>Catalogues</h2>
<table><tr><th>catalogue</th><th>fiches servies</th><th>instantané</th><th>dernière moisson</th><th>flux</th></tr>
{{range .Catalogs}}<tr><td>{{.Title}} <code>{{.ID}}</code></td><td>{{.Records}}</td><td>{{.Status}}</td>
<td>{{with .Last}}<b>{{.Status}}</b> {{.Started.Format "2006-01-02 15:04 MST"}} — {{.Fetched}}/{{.Matched}} lues, {{.Failed}} en échec, {{.DurationMS}} ms
{{if .Errors}}<details><summary>{{len .Errors}} problème(s)</summary><ul>{{range $i, $e := .Errors}}{{if lt $i 10}}<li>{{with $e.RecordID}}<code>{{.}}</code> : {{end}}{{$e.Reason}}</li>{{end}}{{end}}</ul></details>{{end}}
{{else}}aucune{{end}} <a href="{{.Base}}/reports.json">rapports</a></td>
<td><a href="{{.Base}}/catalog.ttl">Turtle</a> · <a href="{{.Base}}/catalog.rdf">RDF/XML</a> · <a href="{{.Base}}/catalog.jsonld">JSON-LD</a> · <a href="{{.Base}}/datasets.json">JSON</a> · <a href="{{.Base}}/producers.json">producteurs</a> · <a href="{{.Base}}/csw?service=CSW&amp;request=GetCapabilities">CSW</a></td></tr>
{{end}}</table>
<h2>Organisations</h2>
<table><tr><th>organisation</th><th>mode</th><th>flux</th></tr>
{{range .Orgs}}<tr><td>{{.Title}} <code>{{.ID}}</code></td><td>{{.Mode}}</td>
<td><a href="{{.Base}}/catalog.ttl">Turtle</a> · <a href="{{.Base}}/datasets.json">JSON</a> · <a href="{{.Base}}/csw?service=CSW&amp;request=GetCapabilities">CSW</a></td></tr>
{{end}}</table>
</body></html>`))

// handleIndex is a small human page listing catalogs and organizations.
func (s *Server) handleIndex(c *fiber.Ctx) error {
	cfg := s.config()
	type row struct {
		ID, Title, Status, Base, Mode string
		Records                       int
		Last                          *reportSummary
	}
	var data struct{ Catalogs, Orgs []row }
	for _, cat := range cfg.Catalogs {
		r := row{ID: cat.ID, Title: cat.Title, Base: cfg.Server.PublicURL + "/catalogs/" + cat.ID, Status: "aucun", Last: s.lastReport(c, cat.ID)}
		d, err := s.state.Catalog(c.UserContext(), cat.ID)
		switch {
		case errors.Is(err, served.ErrNotReady), errors.Is(err, cache.ErrNotFound):
		case err != nil:
			return internal(err)
		default:
			r.Records, r.Status = len(d.Records), d.Snap.Status+" — "+d.Snap.Created.Format("2006-01-02 15:04 MST")
		}
		data.Catalogs = append(data.Catalogs, r)
	}
	for _, o := range cfg.Organizations {
		data.Orgs = append(data.Orgs, row{ID: o.ID, Title: o.Title, Mode: o.Mode, Base: cfg.Server.PublicURL + "/organizations/" + o.ID})
	}
	var b strings.Builder
	if err := indexPage.Execute(&b, data); err != nil {
		return internal(err)
	}
	c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.SendString(b.String())
}
