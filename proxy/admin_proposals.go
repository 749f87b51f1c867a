package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/iso"
)

// ProbeOptions tune the probe of a proposed catalog.
type ProbeOptions struct {
	// AllowLoopback lets tests probe a CSW on 127.0.0.1 or ::1. Never set
	// in production: the probe refuses loopback, private, link-local and
	// other non-public addresses, so a proposal cannot make the server
	// request anything but a public CSW.
	AllowLoopback bool
	// PageSize is the first page's size (default 10); Timeout bounds each
	// request (default 20 s).
	PageSize int
	Timeout  time.Duration
}

// proposal is a catalog an account asked to have referenced ("demander le
// référencement de votre flux CSW").
type proposal struct {
	ID       string      `json:"id"`
	URL      string      `json:"url"`
	Title    string      `json:"title"`
	OrgID    string      `json:"org"` // data.gouv.fr organization id
	OrgName  string      `json:"org_name"`
	By       string      `json:"by"`
	ByID     string      `json:"by_id,omitempty"`
	Created  time.Time   `json:"created"`
	Status   string      `json:"status"` // pending, approved, declined
	Decided  time.Time   `json:"decided,omitzero"`
	Probe    probeResult `json:"probe"`
	Block    string      `json:"block"` // the [[catalog]] block
	Catalog  string      `json:"catalog"`
	Appended bool        `json:"appended,omitempty"`
}

// probeResult is what one look at a proposed CSW found.
type probeResult struct {
	OK            bool     `json:"ok"`
	Error         string   `json:"error,omitempty"`
	Title         string   `json:"title,omitempty"`
	Matched       int      `json:"matched"`
	Producers     []string `json:"producers,omitempty"` // of the first page
	Requests      int      `json:"requests"`
	AdvertisedURL string   `json:"advertised_url,omitempty"`
}

const proposalsKey = "admin:proposals"

func (a *admin) proposals(c *fiber.Ctx) ([]proposal, error) {
	return loadProposals(c.UserContext(), a.s.state.Store())
}

func loadProposals(ctx context.Context, st cache.Store) ([]proposal, error) {
	raw, ok, err := st.Get(ctx, proposalsKey)
	if err != nil || !ok {
		return nil, err
	}
	var list []proposal
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("decode proposals: %w", err)
	}
	return list, nil
}

func (a *admin) updateProposals(c *fiber.Ctx, fn func([]proposal) ([]proposal, error)) error {
	return updateProposals(c.UserContext(), a.s.state.Store(), fn)
}

// errProposalsBusy: another process held the proposals' lease for as long
// as an update waits.
var errProposalsBusy = &HTTPError{Code: fiber.StatusServiceUnavailable, RetryAfter: 2,
	Msg: "another administrator is changing the proposals: try again"}

// updateProposals reads, changes and stores the list under a lease in the
// store, so that replicas sharing it (and requests of one process) never
// lose each other's changes.
func updateProposals(ctx context.Context, st cache.Store, fn func([]proposal) ([]proposal, error)) error {
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var lease cache.Lease
	for {
		l, ok, err := st.Lease(wait, "admin:proposals", 30*time.Second)
		if err != nil {
			if wait.Err() != nil && ctx.Err() == nil {
				return errProposalsBusy
			}
			return internal(fmt.Errorf("take the proposals' lease: %w", err))
		}
		if ok {
			lease = l
			break
		}
		select {
		case <-wait.Done():
			if ctx.Err() != nil {
				return internal(ctx.Err())
			}
			return errProposalsBusy
		case <-time.After(10 * time.Millisecond):
		}
	}
	defer func() { _ = lease.Release(context.WithoutCancel(ctx)) }()
	list, err := loadProposals(ctx, st)
	if err != nil {
		return internal(err)
	}
	list, err = fn(list)
	if err != nil {
		return err
	}
	if len(list) > 200 { // the newest 200
		list = list[len(list)-200:]
	}
	data, err := json.Marshal(list)
	if err != nil {
		return internal(err)
	}
	if err := st.Set(ctx, proposalsKey, data, 0); err != nil {
		return internal(err)
	}
	return nil
}

// checkAddr refuses an address the probe must not reach.
func checkAddr(ip netip.Addr, allowLoopback bool) error {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback() && allowLoopback:
		return nil
	case !ip.IsValid(), ip.IsLoopback(), ip.IsPrivate(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsInterfaceLocalMulticast(), ip.IsMulticast(), ip.IsUnspecified():
		return fmt.Errorf("address %s is not public", ip)
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return fmt.Errorf("address %s is not public", ip)
		}
	}
	return nil
}

// nonPublic are ranges netip's predicates do not cover: carrier-grade NAT,
// benchmarking, documentation, reserved, NAT64 and 6to4 relays.
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "64:ff9b::/96", "2001:db8::/32", "2002::/16"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// probeClient is an HTTP client whose every connection is checked at dial
// time (after DNS, so a name that resolves to a private address, or
// redirects to one, is refused too).
func probeClient(o ProbeOptions) *http.Client {
	d := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("probe: %w", err)
			}
			return checkAddr(ap.Addr(), o.AllowLoopback)
		},
	}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 nil, // never through a proxy: the check is on the real peer
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 20 * time.Second,
		MaxIdleConns:          2,
		IdleConnTimeout:       30 * time.Second,
	}}
}

var errProbeDone = errors.New("first page read")

// probe looks once at a proposed CSW: GetCapabilities, a hits count and the
// first page's producers, with the harvester's client and limits.
func (a *admin) probe(ctx context.Context, rawURL string) probeResult {
	var res probeResult
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		res.Error = "l'adresse doit être une URL http(s) absolue, sans identifiants"
		return res
	}
	host := u.Hostname()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		res.Error = "le nom " + host + " ne se résout pas"
		return res
	}
	for _, ip := range ips {
		if err := checkAddr(ip, a.o.Probe.AllowLoopback); err != nil {
			res.Error = "refusé : " + host + " désigne une adresse non publique"
			return res
		}
	}
	size := a.o.Probe.PageSize
	if size <= 0 {
		size = 10
	}
	timeout := a.o.Probe.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	cl := client.New(client.Options{HTTPClient: probeClient(a.o.Probe), Retries: -1, PerHostConcurrency: 1})
	ctx, cancel := context.WithTimeout(ctx, 3*timeout)
	defer cancel()
	producers := map[string]bool{}
	n := 0
	rep, err := cl.Walk(ctx, client.Endpoint{URL: rawURL, PageSize: size, Timeout: timeout, Sort: true}, func(r client.Record) error {
		n++
		if rec, perr := iso.Parse(r.Raw); perr == nil {
			for _, name := range rec.ProducerNames() {
				producers[name] = true
			}
		}
		if n >= size {
			return errProbeDone
		}
		return nil
	})
	if rep != nil {
		res.Matched, res.Requests, res.AdvertisedURL = rep.Matched, rep.Requests, rep.AdvertisedURL
	}
	if err != nil && !errors.Is(err, errProbeDone) {
		res.Error = err.Error()
		return res
	}
	for p := range producers {
		res.Producers = append(res.Producers, p)
	}
	sort.Strings(res.Producers)
	res.OK = true
	return res
}

// catalogBlock writes the [[catalog]] block of a proposal.
func catalogBlock(cfg *config.Config, title, rawURL string) (id, block string) {
	id = iso.Slug(title)
	if id == "" {
		id = "catalogue"
	}
	for base, n := id, 2; cfg.Catalog(id) != nil; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id, fmt.Sprintf("\n[[catalog]]\nid = %s\ntitle = %s\nurl = %s\nevery = \"6h\"\n", tomlString(id), tomlString(title), tomlString(rawURL))
}

func (a *admin) handleProposals(c *fiber.Ctx, p *principal) error {
	list, err := a.proposals(c)
	if err != nil {
		return internal(err)
	}
	var visible []proposal
	for i := len(list) - 1; i >= 0; i-- { // newest first
		if p.admin || p.role(list[i].OrgID) != "" {
			visible = append(visible, list[i])
		}
	}
	if !wantsPage(c) {
		if visible == nil {
			visible = []proposal{}
		}
		return c.JSON(visible)
	}
	var orgs []accountRow
	for _, o := range p.sess.Orgs {
		orgs = append(orgs, accountRow{DatagouvID: o.ID, Name: o.Name})
	}
	return a.render(c, fiber.StatusOK, "proposals", p, pageData{"Title": "Référencement de catalogues CSW", "Proposals": visible,
		"Orgs": orgs, "DatagouvID": c.Query("org"), "Writable": a.o.ConfigWritable})
}

func (a *admin) handlePropose(c *fiber.Ctx, p *principal) error {
	rawURL, title, org := strings.TrimSpace(c.FormValue("url")), strings.TrimSpace(c.FormValue("title")), c.FormValue("org")
	if rawURL == "" || title == "" || len(rawURL) > 2000 || len(title) > 200 {
		return badRequest("url and title are required (url up to 2000 bytes, title up to 200)")
	}
	if !datagouvIDRe.MatchString(org) {
		return badRequest("org: a data.gouv.fr organization id (24 hex digits) is required")
	}
	if p.role(org) == "" {
		return forbidden("you are not a member of data.gouv.fr organization %q", org)
	}
	cfg := a.s.config()
	for _, cat := range cfg.Catalogs {
		if cat.URL == rawURL {
			return &HTTPError{Code: fiber.StatusConflict, Msg: fmt.Sprintf("this CSW is already catalog %q", cat.ID)}
		}
	}
	pr := proposal{ID: randomID()[:12], URL: rawURL, Title: title, OrgID: org, OrgName: a.orgName(p, cfg, org),
		By: p.sess.Name, ByID: p.sess.UserID, Created: time.Now().UTC(), Status: "pending"}
	pr.Probe = a.probe(c.UserContext(), rawURL)
	pr.Catalog, pr.Block = catalogBlock(cfg, title, rawURL)
	a.s.log.Info("catalog proposed", "url", redactURL(rawURL), "organization", org, "probe_ok", pr.Probe.OK)
	if err := a.updateProposals(c, func(l []proposal) ([]proposal, error) { return append(l, pr), nil }); err != nil {
		return err
	}
	if !wantsPage(c) && !strings.Contains(c.Get(fiber.HeaderAccept), "html") {
		c.Status(fiber.StatusCreated)
		return c.JSON(pr)
	}
	return c.Redirect("/admin/proposals", fiber.StatusSeeOther)
}

// redactURL drops a URL's query (it may carry a key) for logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.RawQuery, u.User = "", nil
	return u.String()
}

func (a *admin) handleDecide(c *fiber.Ctx, p *principal) error {
	if !p.admin {
		return forbidden("only administrators (PASSERELLE_ADMINS or the admin token) decide on proposals")
	}
	decision := c.Params("decision")
	if decision != "approve" && decision != "decline" {
		return notFound("no route %s", c.Path())
	}
	id := c.Params("id")
	var decided proposal
	err := a.updateProposals(c, func(l []proposal) ([]proposal, error) {
		for i := range l {
			if l[i].ID != id {
				continue
			}
			if l[i].Status != "pending" {
				return nil, &HTTPError{Code: fiber.StatusConflict, Msg: fmt.Sprintf("proposal %s is already %s", id, l[i].Status)}
			}
			l[i].Status, l[i].Decided = "declined", time.Now().UTC()
			if decision == "approve" {
				l[i].Status = "approved"
				if a.o.ConfigWritable && a.o.Reload != nil {
					if err := a.appendCatalog(&l[i]); err != nil {
						return nil, err
					}
					l[i].Appended = true
				}
			}
			decided = l[i]
			return l, nil
		}
		return nil, notFound("no proposal %q", id)
	})
	if err != nil {
		return err
	}
	if decided.Appended {
		if _, err := a.o.Reload(c.UserContext()); err != nil {
			return &HTTPError{Code: fiber.StatusConflict, Msg: "the block was appended but the reload refused the file: " + err.Error(), Err: err}
		}
	}
	a.s.log.Info("catalog proposal decided", "proposal", id, "status", decided.Status, "appended", decided.Appended)
	if p.bearer || !strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
		return c.JSON(decided)
	}
	return c.Redirect("/admin/proposals", fiber.StatusSeeOther)
}

// appendCatalog appends a proposal's [[catalog]] block, checked with the
// current file first (a catalog id may have been taken since).
func (a *admin) appendCatalog(pr *proposal) error {
	configWrite.Lock()
	defer configWrite.Unlock()
	cfg := a.s.config()
	pr.Catalog, pr.Block = catalogBlock(cfg, pr.Title, pr.URL)
	cur, err := readFileLimited(cfg.Path)
	if err != nil {
		return internal(err)
	}
	// [[catalog]] tables may follow [[organization]] ones in TOML.
	if _, err := config.Parse(cfg.Path, joinBlock(cur, pr.Block), dirOf(cfg.Path)); err != nil {
		return &HTTPError{Code: fiber.StatusConflict, Msg: "the [[catalog]] block does not pass check-config with the current catalogs.toml: " + err.Error(), Err: err}
	}
	return appendFile(cfg.Path, cur, pr.Block)
}
