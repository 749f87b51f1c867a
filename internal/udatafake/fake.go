package udatafake

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configures a Fake.
type Options struct {
	// Now is the clock (default time.Now). OAuth codes live 100 s on it.
	Now func() time.Time
	// TokenTTL is the access token lifetime announced as expires_in
	// (default 30 days, as data.gouv.fr).
	TokenTTL time.Duration
	// ReadOnly starts the fake in read-only mode: every secured write
	// answers 423.
	ReadOnly bool
}

// User is a data.gouv.fr account.
type User struct {
	ID        string
	Slug      string
	Email     string
	FirstName string
	LastName  string
}

// Member is one organization membership.
type Member struct {
	UserID string
	Role   string // admin, editor, partial_editor
}

// Org is an organization.
type Org struct {
	ID      string
	Name    string
	Slug    string
	Members []Member
}

// OAuthClient is a registered OAuth2 client. An empty Secret makes a
// public client (PKCE mandatory).
type OAuthClient struct {
	ID           string
	Secret       string
	RedirectURIs []string
}

// Resource is a stored resource.
type Resource struct {
	ID           string
	Title        string
	Description  string
	URL          string
	Filetype     string
	Type         string
	Format       string
	Mime         string
	Filesize     int64
	Extras       map[string]any
	CreatedAt    time.Time
	LastModified time.Time
}

// Dataset is a stored dataset.
type Dataset struct {
	ID               string
	Slug             string
	Title            string
	Description      string
	Acronym          string
	Tags             []string
	License          string // "" is null (read back as notspecified)
	Frequency        string
	TemporalCoverage map[string]any
	// Spatial is {"geom", "zones", "granularity"} or nil.
	Spatial map[string]any
	// AccessType is open (default), open_with_account or restricted;
	// anything but open nulls the licence.
	AccessType               string
	AccessTypeReason         string
	AccessTypeReasonCategory string
	Extras                   map[string]any
	Resources                []Resource
	// Harvest is what data.gouv.fr's harvester wrote (remote_id,
	// source_id, domain…): read-only through the API, nil for datasets
	// created by the API. Tests set it with SeedHarvested or Mutate.
	Harvest      map[string]any
	Organization string
	Owner        string
	Private      bool
	Deleted      *time.Time
	Archived     *time.Time
	CreatedAt    time.Time
	LastModified time.Time
	seq          int64
}

// FaultKind is what an injected fault does.
type FaultKind int

// Fault kinds.
const (
	// Fault429 answers 429 with Retry-After (Fault.RetryAfter, default "1").
	Fault429 FaultKind = iota + 1
	// Fault500 answers 500 without applying anything.
	Fault500
	// FaultSlow waits Fault.Delay then answers normally.
	FaultSlow
	// FaultDrop applies the request, then closes the connection without
	// answering.
	FaultDrop
	// Fault423 answers the read-only 423.
	Fault423
)

// Fault is an injected failure. Method and Route ("" = any) select the
// calls, Route being a template as counted (e.g. "/api/1/datasets/{id}/");
// the first Skip matching calls pass, the next Times (0 = 1, < 0 = all)
// fail.
type Fault struct {
	Method     string
	Route      string
	Kind       FaultKind
	Skip       int
	Times      int
	RetryAfter string
	Delay      time.Duration
}

type grant struct {
	user, client string
	expiry       time.Time
	refresh      string
}

type authCode struct {
	client, redirect, user, challenge, scope string
	expiry                                   time.Time
}

// Fake is the fake data.gouv.fr. Its methods are safe for concurrent use.
type Fake struct {
	opts Options

	mu       sync.Mutex
	users    map[string]*User
	keys     map[string]string
	orgs     map[string]*Org
	clients  map[string]*OAuthClient
	datasets map[string]*Dataset
	seq      int64
	codes    map[string]*authCode
	access   map[string]*grant
	refresh  map[string]*grant
	browser  string
	calls    map[string]int
	faults   []*Fault
	readOnly bool
	hook     func(method, route string)

	handler http.Handler
}

// New returns an empty fake.
func New(opts Options) *Fake {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = 30 * 24 * time.Hour
	}
	f := &Fake{
		opts:     opts,
		users:    map[string]*User{},
		keys:     map[string]string{},
		orgs:     map[string]*Org{},
		clients:  map[string]*OAuthClient{},
		datasets: map[string]*Dataset{},
		codes:    map[string]*authCode{},
		access:   map[string]*grant{},
		refresh:  map[string]*grant{},
		calls:    map[string]int{},
		readOnly: opts.ReadOnly,
	}
	f.handler = f.routes()
	return f
}

// Handler returns the fake's HTTP handler.
func (f *Fake) Handler() http.Handler { return f.handler }

// Start serves the fake on a loopback httptest server closed with the test.
func (f *Fake) Start(t testing.TB) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(f.handler)
	t.Cleanup(srv.Close)
	return srv
}

// NewID returns a fresh ObjectId (24 hex digits).
func NewID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func randToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// AddUser stores a user (an ID is generated when empty) and returns it.
func (f *Fake) AddUser(u User) User {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u.ID == "" {
		u.ID = NewID()
	}
	if u.Slug == "" {
		u.Slug = slugify(u.FirstName + " " + u.LastName)
	}
	f.users[u.ID] = &u
	return u
}

// AddAPIKey gives a user an API key.
func (f *Fake) AddAPIKey(userID, key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[key] = userID
}

// AddOrg stores an organization (an ID is generated when empty).
func (f *Fake) AddOrg(o Org) Org {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.ID == "" {
		o.ID = NewID()
	}
	if o.Slug == "" {
		o.Slug = slugify(o.Name)
	}
	o.Members = append([]Member(nil), o.Members...)
	f.orgs[o.ID] = &o
	return o
}

// SetRole sets (or, with role "", removes) a user's role in an org.
func (f *Fake) SetRole(orgID, userID, role string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.orgs[orgID]
	if o == nil {
		return
	}
	var ms []Member
	for _, m := range o.Members {
		if m.UserID != userID {
			ms = append(ms, m)
		}
	}
	if role != "" {
		ms = append(ms, Member{UserID: userID, Role: role})
	}
	o.Members = ms
}

// AddClient registers an OAuth2 client.
func (f *Fake) AddClient(c OAuthClient) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c.RedirectURIs = append([]string(nil), c.RedirectURIs...)
	f.clients[c.ID] = &c
}

// SetBrowserUser sets the user logged in the "browser" that /oauth/authorize
// sees (auto-consent).
func (f *Fake) SetBrowserUser(userID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.browser = userID
}

// SetReadOnly switches read-only mode (423 on secured writes).
func (f *Fake) SetReadOnly(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readOnly = on
}

// Inject adds a fault.
func (f *Fake) Inject(ft Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ft.Times == 0 {
		ft.Times = 1
	}
	f.faults = append(f.faults, &ft)
}

// ClearFaults removes all pending faults.
func (f *Fake) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// OnCall sets a hook called (without the fake's lock) before each routed
// call is handled.
func (f *Fake) OnCall(h func(method, route string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = h
}

// Calls returns how many calls (method, route template) received.
func (f *Fake) Calls(method, route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method+" "+route]
}

// Counts returns a copy of all call counters keyed "METHOD /route/{tpl}/".
func (f *Fake) Counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.calls))
	for k, v := range f.calls {
		out[k] = v
	}
	return out
}

// Writes returns the number of POST, PUT and DELETE calls to /api/.
func (f *Fake) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, v := range f.calls {
		m, route, _ := strings.Cut(k, " ")
		if m != http.MethodGet && strings.HasPrefix(route, "/api/") {
			n += v
		}
	}
	return n
}

// ResetCounts zeroes the call counters.
func (f *Fake) ResetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = map[string]int{}
}

// SeedDataset creates a dataset as POST /api/1/datasets/ would (body with
// udata's keys, "organization" included), bypassing authentication, and
// returns its id.
func (f *Fake) SeedDataset(body map[string]any) (string, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return "", fmt.Errorf("seed dataset: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return "", fmt.Errorf("seed dataset: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d := &Dataset{}
	if e := f.applyForm(d, m, true, nil); e != nil {
		return "", fmt.Errorf("seed dataset: %d %v", e.status, e.body)
	}
	f.insert(d)
	return d.ID, nil
}

// SeedHarvested stores a dataset as data.gouv.fr's harvester would have
// made it: the dataset form's fields from body, plus read-only harvest
// metadata (remote_id, source_id, domain, backend…), which the API never
// sets. Its resources get a harvest block too.
func (f *Fake) SeedHarvested(body map[string]any, harvest map[string]any) (string, error) {
	id, err := f.SeedDataset(body)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.datasets[id]
	d.Harvest = cloneMap(harvest)
	if d.Harvest == nil {
		d.Harvest = map[string]any{}
	}
	if _, ok := d.Harvest["last_update"]; !ok {
		d.Harvest["last_update"] = fmtTime(f.opts.Now())
	}
	return id, nil
}

// AddResource adds a resource to a dataset the way a person does on
// data.gouv.fr (an uploaded file has Filetype "file", which the API
// refuses): not through the API. An id is generated; it is returned, ""
// when the dataset does not exist.
func (f *Fake) AddResource(datasetID string, r Resource) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.datasets[datasetID]
	if d == nil {
		return ""
	}
	now := f.opts.Now().UTC()
	r.ID = newUUID()
	if r.Filetype == "" {
		r.Filetype = "file"
	}
	if r.Type == "" {
		r.Type = "main"
	}
	r.CreatedAt, r.LastModified = now, now
	r.Extras = cloneMap(r.Extras)
	d.Resources = append(d.Resources, r)
	d.LastModified = now
	return r.ID
}

// Mutate changes a stored dataset in place (tests simulating edits made on
// data.gouv.fr). It reports whether the dataset exists.
func (f *Fake) Mutate(id string, fn func(d *Dataset)) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.datasets[id]
	if d == nil {
		return false
	}
	fn(d)
	return true
}

// Dataset returns a copy of a stored dataset.
func (f *Fake) Dataset(id string) (Dataset, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.datasets[id]
	if d == nil {
		return Dataset{}, false
	}
	return d.clone(), true
}

// Datasets returns copies of an organization's datasets (all states),
// oldest first; orgID "" returns every dataset.
func (f *Fake) Datasets(orgID string) []Dataset {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Dataset
	for _, d := range f.datasets {
		if orgID == "" || d.Organization == orgID {
			out = append(out, d.clone())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func (d *Dataset) clone() Dataset {
	c := *d
	c.Tags = append([]string(nil), d.Tags...)
	c.Extras = cloneMap(d.Extras)
	c.TemporalCoverage = cloneMap(d.TemporalCoverage)
	c.Spatial = cloneMap(d.Spatial)
	c.Harvest = cloneMap(d.Harvest)
	c.Resources = make([]Resource, len(d.Resources))
	for i, r := range d.Resources {
		r.Extras = cloneMap(r.Extras)
		c.Resources[i] = r
	}
	if d.Deleted != nil {
		t := *d.Deleted
		c.Deleted = &t
	}
	if d.Archived != nil {
		t := *d.Archived
		c.Archived = &t
	}
	return c
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil
	}
	return out
}

func (f *Fake) insert(d *Dataset) {
	now := f.opts.Now().UTC()
	f.seq++
	d.seq = f.seq
	d.ID = NewID()
	d.CreatedAt = now
	d.LastModified = now
	base := slugify(d.Title)
	if base == "" {
		base = "dataset"
	}
	slug := base
	for i := 1; f.slugTaken(slug); i++ {
		slug = fmt.Sprintf("%s-%d", base, i)
	}
	d.Slug = slug
	f.datasets[d.ID] = d
}

func (f *Fake) slugTaken(s string) bool {
	for _, d := range f.datasets {
		if d.Slug == s {
			return true
		}
	}
	return false
}
