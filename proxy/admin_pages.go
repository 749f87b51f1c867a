package proxy

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/served"
)

//go:embed templates/*.html
var templateFS embed.FS

var adminTemplates = template.Must(template.New("").ParseFS(templateFS, "templates/*.html"))

// pageData is what a page template reads.
type pageData map[string]any

// adminRoutes registers /admin/… (before the catch-all 404).
func (s *Server) adminRoutes() {
	a, ad := s.app, s.admin
	a.Get("/admin/login", ad.handleLogin)
	a.Get("/admin/callback", ad.handleCallback)
	a.Post("/admin/logout", ad.guard(ad.handleLogout))
	a.Get("/admin", ad.guard(ad.handleDashboard))
	a.Get("/admin/onboarding", ad.guard(ad.handleOnboarding))
	a.Get("/admin/onboarding/block", ad.guard(ad.handleBlock))
	a.Get("/admin/onboarding/toml", ad.guard(ad.handleTOML))
	a.Post("/admin/onboarding/apply", ad.guard(ad.handleApply))
	a.Get("/admin/catalogs/:catalog", ad.guard(ad.handleCatalog))
	a.Post("/admin/catalogs/:catalog/harvest", ad.guard(ad.handleHarvest))
	a.Get("/admin/organizations/:org", ad.guard(ad.handleOrganization))
	a.Get("/admin/organizations/:org/plan", ad.guard(ad.handlePlan))
	a.Post("/admin/organizations/:org/push", ad.guard(ad.handlePush))
	a.Get("/admin/proposals", ad.guard(ad.handleProposals))
	a.Post("/admin/proposals", ad.guard(ad.handlePropose))
	a.Post("/admin/proposals/:id/:decision", ad.guard(ad.handleDecide))
}

// render executes a page template with the common fields set.
func (a *admin) render(c *fiber.Ctx, status int, name string, p *principal, d pageData) error {
	if p != nil && p.sess != nil {
		d["Who"] = p.sess.Name
		d["CSRF"] = p.sess.CSRF
		d["Admin"] = p.admin
	}
	var b strings.Builder
	if err := adminTemplates.ExecuteTemplate(&b, name, d); err != nil {
		return internal(fmt.Errorf("render %s: %w", name, err))
	}
	c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'none'")
	return c.Status(status).SendString(b.String())
}

// orgLine is one configured organization as the dashboard shows it.
type orgLine struct {
	ID, Title, Mode, FeedURL, LastPush string
	AutoPush                           bool
	Sources                            []config.Source
	Records                            *int
}

// accountRow is one data.gouv.fr organization of the dashboard.
type accountRow struct {
	DatagouvID, Name, Role string
	CanOnboard             bool
	Configured             []orgLine
}

func (a *admin) orgLines(c *fiber.Ctx, cfg *config.Config, datagouvID string) []orgLine {
	var out []orgLine
	for _, o := range cfg.Organizations {
		if o.DatagouvID != datagouvID {
			continue
		}
		l := orgLine{ID: o.ID, Title: o.Title, Mode: o.Mode, AutoPush: o.AutoPush, Sources: o.Sources,
			FeedURL: cfg.Server.PublicURL + "/organizations/" + o.ID + "/catalog.ttl", LastPush: "aucun"}
		if v, err := a.s.state.OrganizationView(c.UserContext(), cfg, o.ID); err == nil {
			n := len(v.Records)
			l.Records = &n
		}
		if o.Mode == config.ModePush {
			l.LastPush = a.lastPush(c, o.ID)
		}
		out = append(out, l)
	}
	return out
}

// lastPush summarises an organization's last apply report.
func (a *admin) lastPush(c *fiber.Ctx, orgID string) string {
	if a.o.Push == nil {
		return "envoi non configuré"
	}
	raw, err := a.o.Push.LastReport(c.UserContext(), orgID)
	if err != nil || raw == nil {
		return "aucun"
	}
	var r struct {
		Finished time.Time      `json:"finished"`
		Counts   map[string]int `json:"counts"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return "illisible"
	}
	return fmt.Sprintf("%s — %d faits, %d en échec", r.Finished.Format("2006-01-02 15:04 MST"), r.Counts["done"], r.Counts["failed"])
}

func (a *admin) handleDashboard(c *fiber.Ctx, p *principal) error {
	cfg := a.s.config()
	var rows []accountRow
	seen := map[string]bool{}
	for _, o := range p.sess.Orgs {
		seen[o.ID] = true
		rows = append(rows, accountRow{DatagouvID: o.ID, Name: o.Name, Role: o.Role, CanOnboard: p.canAct(o.ID), Configured: a.orgLines(c, cfg, o.ID)})
	}
	if p.admin { // administrators also see every configured organization
		for _, o := range cfg.Organizations {
			if seen[o.DatagouvID] {
				continue
			}
			seen[o.DatagouvID] = true
			rows = append(rows, accountRow{DatagouvID: o.DatagouvID, Name: o.Title, Role: "administrateur passerelle", CanOnboard: true, Configured: a.orgLines(c, cfg, o.DatagouvID)})
		}
	}
	type catRow struct {
		ID, Title, Last string
		Records         int
	}
	var cats []catRow
	for _, cat := range cfg.Catalogs {
		r := catRow{ID: cat.ID, Title: cat.Title, Last: "aucune"}
		if d, err := a.s.state.Catalog(c.UserContext(), cat.ID); err == nil {
			r.Records = len(d.Records)
		}
		if rep := a.s.lastReportOf(c.UserContext(), cat.ID); rep != nil {
			r.Last = rep.Status + " — " + rep.Started.Format("2006-01-02 15:04 MST")
		}
		cats = append(cats, r)
	}
	pending := 0
	if p.admin {
		if list, err := a.proposals(c); err == nil {
			for _, pr := range list {
				if pr.Status == "pending" {
					pending++
				}
			}
		}
	}
	if !wantsPage(c) {
		return c.JSON(fiber.Map{"organizations": rows, "catalogs": cats})
	}
	return a.render(c, fiber.StatusOK, "dashboard", p, pageData{"Title": "Tableau de bord", "Orgs": rows, "Catalogs": cats, "Pending": pending})
}

// orgName is a data.gouv.fr organization's name as the principal knows it.
func (a *admin) orgName(p *principal, cfg *config.Config, datagouvID string) string {
	for _, o := range p.sess.Orgs {
		if o.ID == datagouvID {
			return o.Name
		}
	}
	for _, o := range cfg.Organizations {
		if o.DatagouvID == datagouvID {
			return o.Title
		}
	}
	return ""
}

// producerRow is a catalog's producer with its claim.
type producerRow struct {
	Slug, Name, ClaimedBy string
	Count                 int
	// Taken: claimed by name (not selectable); a producer covered only by
	// another organization's ["*"] may still be claimed by name.
	Taken bool
}

func producerRows(cfg *config.Config, catalog string, snap *cache.Snapshot) []producerRow {
	var out []producerRow
	for _, pc := range cache.ProducerCounts(snap) {
		r := producerRow{Slug: pc.Slug, Name: pc.Name, Count: pc.Count}
		if o := cfg.OrganizationFor(catalog, []string{pc.Slug}); o != nil {
			r.ClaimedBy = o.Title + " (" + o.ID + ")"
			r.Taken = !hasWildcardFor(o, catalog)
			if !r.Taken {
				r.ClaimedBy += ` par ["*"], tant qu'aucune organisation ne le revendique nommément`
			}
		}
		out = append(out, r)
	}
	return out
}

func (a *admin) handleOnboarding(c *fiber.Ctx, p *principal) error {
	cfg := a.s.config()
	dg := c.Query("org")
	if p.role(dg) == "" {
		return forbidden("you are not a member of data.gouv.fr organization %q", dg)
	}
	name := a.orgName(p, cfg, dg)
	catID := c.Query("catalog")
	if catID == "" {
		type catRow struct {
			ID, Title          string
			Records, Producers int
		}
		var cats []catRow
		for _, cat := range cfg.Catalogs {
			r := catRow{ID: cat.ID, Title: cat.Title}
			if d, err := a.s.state.Catalog(c.UserContext(), cat.ID); err == nil {
				r.Records, r.Producers = len(d.Records), len(d.Snap.Producers)
			}
			cats = append(cats, r)
		}
		return a.render(c, fiber.StatusOK, "onboard-catalog", p, pageData{"Title": "Référencer " + name, "OrgName": name, "DatagouvID": dg, "Catalogs": cats})
	}
	cat := cfg.Catalog(catID)
	if cat == nil {
		return notFound("no catalog %q", catID)
	}
	d, err := a.s.state.Catalog(c.UserContext(), catID)
	if err != nil {
		return unavailable(catID, err)
	}
	return a.render(c, fiber.StatusOK, "onboard-producers", p, pageData{"Title": "Référencer " + name, "OrgName": name, "DatagouvID": dg,
		"CatalogID": catID, "CatalogTitle": cat.Title, "Producers": producerRows(cfg, catID, d.Snap), "Wildcard": hasWildcard(cfg, catID)})
}

func hasWildcard(cfg *config.Config, catalog string) bool {
	for _, o := range cfg.Organizations {
		for _, s := range o.Sources {
			if s.Catalog == catalog && len(s.Producers) == 1 && s.Producers[0] == config.Wildcard {
				return true
			}
		}
	}
	return false
}

// blockFor reads an onboarding request from the query and builds its block.
func (a *admin) blockFor(c *fiber.Ctx, p *principal, args *fiber.Args) (*onboardBlock, error) {
	q := onboardRequest{DatagouvID: string(args.Peek("org")), Catalog: string(args.Peek("catalog")), Mode: string(args.Peek("mode"))}
	for _, v := range args.PeekMulti("producer") {
		q.Producers = append(q.Producers, string(v))
	}
	if p.role(q.DatagouvID) == "" {
		return nil, forbidden("you are not a member of data.gouv.fr organization %q", q.DatagouvID)
	}
	cfg := a.s.config()
	q.Name = a.orgName(p, cfg, q.DatagouvID)
	if t := string(args.Peek("title")); t != "" {
		q.Name = t
	}
	return a.buildBlock(c.UserContext(), cfg, q)
}

func (a *admin) handleBlock(c *fiber.Ctx, p *principal) error {
	b, err := a.blockFor(c, p, c.Context().QueryArgs())
	if err != nil {
		return err
	}
	cfg := a.s.config()
	return a.render(c, fiber.StatusOK, "onboard-block", p, pageData{"Title": "Référencer " + b.req.Name, "OrgName": b.req.Name,
		"CatalogTitle": cfg.Catalog(b.req.Catalog).Title, "Block": b.text, "Query": string(c.Request().URI().QueryString()),
		"TomlURL":  "/admin/onboarding/toml?" + string(c.Request().URI().QueryString()),
		"Writable": a.o.ConfigWritable && p.canAct(b.req.DatagouvID), "FeedURL": cfg.Server.PublicURL + "/organizations/" + b.id + "/catalog.ttl"})
}

func (a *admin) handleTOML(c *fiber.Ctx, p *principal) error {
	b, err := a.blockFor(c, p, c.Context().QueryArgs())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
	return c.SendString(b.text)
}

func (a *admin) handleApply(c *fiber.Ctx, p *principal) error {
	if !a.o.ConfigWritable || a.o.Reload == nil {
		return forbidden("catalogs.toml is not writable from the pages (PASSERELLE_CONFIG_WRITABLE=1): paste the block and reload")
	}
	var args fiber.Args
	args.Parse(c.FormValue("query"))
	b, err := a.blockFor(c, p, &args)
	if err != nil {
		return err
	}
	if !p.canAct(b.req.DatagouvID) {
		return forbidden("only an admin or editor of the organization may change catalogs.toml")
	}
	if err := a.appendToConfig(b); err != nil {
		return err
	}
	cfg, err := a.o.Reload(c.UserContext())
	if err != nil {
		return &HTTPError{Code: fiber.StatusConflict, Msg: "the block was appended but the reload refused the file: " + err.Error(), Err: err}
	}
	a.s.log.Info("onboarding block appended to catalogs.toml", "organization", b.id, "by", p.sess.UserID)
	d := pageData{"Title": b.req.Name + " est configurée", "OrgName": b.req.Name, "OrgID": b.id, "Mode": b.req.Mode,
		"FeedURL": cfg.Server.PublicURL + "/organizations/" + b.id + "/catalog.ttl"}
	if b.req.Mode == config.ModePush {
		d["Plan"] = "envoi non configuré (DATAGOUV_API_KEY ou jeton)"
		if a.o.Push != nil {
			text, _, err := a.o.Push.Plan(c.UserContext(), cfg, b.id)
			if err != nil {
				text = "plan impossible : " + err.Error()
			}
			d["Plan"] = text
		}
	}
	if !wantsPage(c) && c.Get(fiber.HeaderAccept) != "" && !strings.Contains(c.Get(fiber.HeaderAccept), "html") {
		return c.JSON(fiber.Map{"organization": b.id, "feed": d["FeedURL"]})
	}
	return a.render(c, fiber.StatusOK, "onboard-done", p, d)
}

// problemRow is one problem of a harvest report as the catalog page shows it.
type problemRow struct {
	RecordID, File, Reason string
}

var positionRe = regexp.MustCompile(`position (\d+)`)

const problemsPerPage = 50

func (a *admin) handleCatalog(c *fiber.Ctx, p *principal) error {
	cfg := a.s.config()
	id := c.Params("catalog")
	cat := cfg.Catalog(id)
	if cat == nil {
		return notFound("no catalog %q", id)
	}
	d := pageData{"Title": cat.Title, "CatalogID": id, "Source": config.RedactURLs(cat.URL), "Every": cat.Every.String(), "Folder": cat.Dir != "",
		"CanHarvest": a.o.Harvest != nil && a.canHarvest(p, cfg, id)}
	if data, err := a.s.state.Catalog(c.UserContext(), id); err == nil {
		d["Records"], d["SnapStatus"], d["Generation"] = len(data.Records), data.Snap.Status, data.Gen
		d["Created"] = data.Snap.Created.Format("2006-01-02 15:04 MST")
		d["Producers"] = producerRows(cfg, id, data.Snap)
		d["Breakdown"] = breakdown(data)
	} else if !errors.Is(err, served.ErrNotReady) {
		return internal(err)
	}
	// The last report's problems, every one of them, paged.
	reports, err := a.s.state.Store().Reports(c.UserContext(), id)
	if err != nil {
		return internal(err)
	}
	var last struct {
		reportSummary
		Errors []struct {
			RecordID string `json:"record_id"`
			Reason   string `json:"reason"`
		} `json:"errors"`
	}
	if len(reports) > 0 && json.Unmarshal([]byte(config.RedactURLs(string(reports[0]))), &last) == nil {
		rs := last.reportSummary
		d["Last"] = &rs
		var files []string
		if cat.Dir != "" {
			files, _ = filepath.Glob(filepath.Join(cat.Dir, "*.xml"))
			sort.Strings(files)
		}
		page, _ := strconv.Atoi(c.Query("page", "1"))
		pages := max(1, (len(last.Errors)+problemsPerPage-1)/problemsPerPage)
		page = min(max(page, 1), pages)
		var rows []problemRow
		for _, e := range last.Errors[min((page-1)*problemsPerPage, len(last.Errors)):min(page*problemsPerPage, len(last.Errors))] {
			r := problemRow{RecordID: e.RecordID, Reason: e.Reason}
			// A folder's files are read in name order, one record each
			// unless a file is a CSW response: the position names the file
			// when the counts agree.
			if m := positionRe.FindStringSubmatch(e.Reason); m != nil && len(files) == last.Matched {
				if pos, _ := strconv.Atoi(m[1]); pos >= 1 && pos <= len(files) {
					r.File = filepath.Base(files[pos-1])
				}
			}
			rows = append(rows, r)
		}
		d["Problems"], d["ProblemCount"], d["Page"], d["Pages"], d["Prev"], d["Next"] = rows, len(last.Errors), page, pages, page-1, page+1
	}
	if !wantsPage(c) {
		delete(d, "Title")
		return c.JSON(d)
	}
	return a.render(c, fiber.StatusOK, "catalog", p, d)
}

// breakdown explains why a catalog's served records and the datasets of
// its feeds differ.
func breakdown(data *served.Catalog) []string {
	types := map[string]int{}
	conflicts := 0
	for _, r := range data.Records {
		t := r.Entry.Type
		if t == "" {
			t = "dataset"
		}
		types[t]++
		if r.Entry.Conflict != "" {
			conflicts++
		}
	}
	var out []string
	out = append(out, fmt.Sprintf("%d fiches dans l'instantané, %d servies (les autres n'ont pas pu être lues)", len(data.Snap.Entries), len(data.Records)))
	keys := make([]string, 0, len(types))
	for k := range types {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		line := fmt.Sprintf("%d de type %s", types[k], k)
		switch k {
		case "service":
			line += " : hors des flux des organisations sauf services = true"
		case "series":
			line += " : publiées comme jeux de données"
		}
		out = append(out, line)
	}
	if conflicts > 0 {
		out = append(out, fmt.Sprintf("%d partagent leur identifiant de ressource avec une autre fiche : servies en CSW et JSON, absentes des flux DCAT", conflicts))
	}
	return out
}

func (a *admin) canHarvest(p *principal, cfg *config.Config, catalog string) bool {
	if p.admin {
		return true
	}
	for _, o := range cfg.Organizations {
		for _, s := range o.Sources {
			if s.Catalog == catalog && p.canAct(o.DatagouvID) {
				return true
			}
		}
	}
	return false
}

// accepted answers 202: JSON for scripts, a page for browsers.
func (a *admin) accepted(c *fiber.Ctx, p *principal, msg, back string, body fiber.Map) error {
	if p.bearer || !strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
		c.Status(fiber.StatusAccepted)
		return c.JSON(body)
	}
	return a.render(c, fiber.StatusAccepted, "message", p, pageData{"Title": "Demande acceptée", "Message": msg, "Link": back})
}

func (a *admin) handleHarvest(c *fiber.Ctx, p *principal) error {
	cfg := a.s.config()
	id := c.Params("catalog")
	if cfg.Catalog(id) == nil {
		return notFound("no catalog %q", id)
	}
	if !a.canHarvest(p, cfg, id) {
		return forbidden("only an administrator or a member of an organization sourced from catalog %q may harvest it", id)
	}
	if a.o.Harvest == nil {
		return &HTTPError{Code: fiber.StatusServiceUnavailable, Msg: "this server does not harvest (serve --harvest=false)"}
	}
	queued := a.o.Harvest(id)
	a.s.log.Info("harvest asked from the admin pages", "catalog", id, "queued", queued)
	msg := "Le moissonnage du catalogue est demandé ; il passe par le verrou du catalogue (un seul à la fois, toutes répliques confondues)."
	if !queued {
		msg = "Un moissonnage de ce catalogue est déjà en cours ou demandé."
	}
	return a.accepted(c, p, msg, "/admin/catalogs/"+id, fiber.Map{"catalog": id, "queued": queued})
}

func (a *admin) orgFor(c *fiber.Ctx, p *principal) (*config.Config, *config.Organization, error) {
	cfg := a.s.config()
	o := cfg.Organization(c.Params("org"))
	if o == nil {
		return nil, nil, notFound("no organization %q", c.Params("org"))
	}
	if p.role(o.DatagouvID) == "" {
		return nil, nil, forbidden("you are not a member of data.gouv.fr organization %s", o.DatagouvID)
	}
	return cfg, o, nil
}

func (a *admin) handleOrganization(c *fiber.Ctx, p *principal) error {
	cfg, o, err := a.orgFor(c, p)
	if err != nil {
		return err
	}
	base := cfg.Server.PublicURL + "/organizations/" + o.ID
	d := pageData{"Title": o.Title, "OrgID": o.ID, "DatagouvID": o.DatagouvID, "Mode": o.Mode, "AutoPush": o.AutoPush, "Services": o.Services,
		"Sources": o.Sources, "FeedURL": base + "/catalog.ttl", "DatasetsURL": base + "/datasets.json", "CSWURL": base + "/csw",
		"CanAct": p.canAct(o.DatagouvID)}
	if v, err := a.s.state.OrganizationView(c.UserContext(), cfg, o.ID); err == nil {
		d["Records"] = len(v.Records)
	}
	if o.Mode == config.ModePush {
		d["LastPush"] = a.lastPush(c, o.ID)
	}
	if !wantsPage(c) {
		delete(d, "Title")
		return c.JSON(d)
	}
	return a.render(c, fiber.StatusOK, "organization", p, d)
}

func (a *admin) pushOrg(c *fiber.Ctx, p *principal) (*config.Config, *config.Organization, error) {
	cfg, o, err := a.orgFor(c, p)
	if err != nil {
		return nil, nil, err
	}
	if o.Mode != config.ModePush {
		return nil, nil, badRequest("organization %q is in mode %q: data.gouv.fr harvests its feed, pushing too would duplicate its datasets", o.ID, o.Mode)
	}
	if a.o.Push == nil {
		return nil, nil, &HTTPError{Code: fiber.StatusServiceUnavailable, Msg: "pushing is not configured on this server (DATAGOUV_API_KEY or a token from passerelle login)"}
	}
	return cfg, o, nil
}

func (a *admin) handlePlan(c *fiber.Ctx, p *principal) error {
	cfg, o, err := a.pushOrg(c, p)
	if err != nil {
		return err
	}
	text, js, err := a.o.Push.Plan(c.UserContext(), cfg, o.ID)
	if err != nil {
		return &HTTPError{Code: fiber.StatusBadGateway, Msg: "plan failed: " + err.Error(), Err: err}
	}
	if !wantsPage(c) {
		c.Set(fiber.HeaderContentType, jsonType)
		return c.Send(js)
	}
	return a.render(c, fiber.StatusOK, "plan", p, pageData{"Title": "Plan d'envoi — " + o.Title, "OrgID": o.ID, "Plan": text})
}

func (a *admin) handlePush(c *fiber.Ctx, p *principal) error {
	cfg, o, err := a.pushOrg(c, p)
	if err != nil {
		return err
	}
	if !p.canAct(o.DatagouvID) {
		return forbidden("only an admin or editor of the organization may push it")
	}
	started, err := a.o.Push.Start(cfg, o.ID)
	if err != nil {
		return &HTTPError{Code: fiber.StatusServiceUnavailable, Msg: "push could not start: " + err.Error(), Err: err}
	}
	a.s.log.Info("push asked from the admin pages", "organization", o.ID, "started", started)
	msg := "L'envoi (plan puis application, sans --accept-drop) est lancé ; son rapport apparaîtra sur la page de l'organisation."
	if !started {
		msg = "Un envoi de cette organisation est déjà en cours."
	}
	return a.accepted(c, p, msg, "/admin/organizations/"+o.ID, fiber.Map{"organization": o.ID, "started": started})
}
