package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Me is the caller's account (GET /api/1/me/).
type Me struct {
	ID            string   `json:"id"`
	Slug          string   `json:"slug"`
	Email         string   `json:"email"`
	Organizations []OrgRef `json:"organizations"`
}

// OrgRef is an organization reference.
type OrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// Organization is GET /api/1/organizations/{id}/ (what push reads).
type Organization struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Slug    string `json:"slug"`
	Members []struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		Role string `json:"role"`
	} `json:"members"`
}

// Dataset is a udata dataset as push reads it.
type Dataset struct {
	ID               string          `json:"id"`
	Title            string          `json:"title"`
	Slug             string          `json:"slug"`
	Description      string          `json:"description"`
	Tags             []string        `json:"tags"`
	License          string          `json:"license"`
	Frequency        string          `json:"frequency"`
	TemporalCoverage json.RawMessage `json:"temporal_coverage"`
	Spatial          json.RawMessage `json:"spatial"`
	AccessType       string          `json:"access_type"`
	Extras           map[string]any  `json:"extras"`
	// Harvest is set on datasets made by data.gouv.fr's harvester
	// (read-only through the API), nil on API-created ones.
	Harvest   *HarvestInfo     `json:"harvest"`
	Resources []RemoteResource `json:"resources"`
	Deleted   *string          `json:"deleted"`
	Archived  *string          `json:"archived"`
	Private   bool             `json:"private"`
	CreatedAt string           `json:"created_at"`
	Page      string           `json:"page"`
}

// HarvestInfo is a dataset's harvest metadata as push reads it.
type HarvestInfo struct {
	RemoteID string `json:"remote_id"`
	SourceID string `json:"source_id"`
	Domain   string `json:"domain"`
}

// hasZones reports whether the dataset's spatial coverage holds zones
// (set on data.gouv.fr: udata then refuses a geometry).
func (d *Dataset) hasZones() bool {
	var sp struct {
		Zones []json.RawMessage `json:"zones"`
	}
	if len(d.Spatial) == 0 || json.Unmarshal(d.Spatial, &sp) != nil {
		return false
	}
	return len(sp.Zones) > 0
}

// RemoteResource is a udata resource as push reads it.
type RemoteResource struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	URL         string         `json:"url"`
	Filetype    string         `json:"filetype"`
	Type        string         `json:"type"`
	Format      string         `json:"format"`
	Mime        string         `json:"mime"`
	Filesize    *int64         `json:"filesize"`
	Extras      map[string]any `json:"extras"`
}

// Extra returns a string extra ("" when absent or not a string).
func (d *Dataset) Extra(key string) string {
	s, _ := d.Extras[key].(string)
	return s
}

// Created parses created_at (zero when unparsable).
func (d *Dataset) Created() time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999"} {
		if t, err := time.Parse(layout, d.CreatedAt); err == nil {
			return t
		}
	}
	return time.Time{}
}

// Me returns the caller's account (cached for the client's life).
func (c *Client) Me(ctx context.Context) (*Me, error) {
	c.meMu.Lock()
	defer c.meMu.Unlock()
	if c.me != nil {
		return c.me, nil
	}
	var me Me
	if err := c.do(ctx, "GET", "/api/1/me/", nil, &me); err != nil {
		return nil, fmt.Errorf("read current account: %w", err)
	}
	c.me = &me
	return &me, nil
}

// Organization reads an organization and its members.
func (c *Client) Organization(ctx context.Context, id string) (*Organization, error) {
	var o Organization
	if err := c.do(ctx, "GET", "/api/1/organizations/"+url.PathEscape(id)+"/", nil, &o); err != nil {
		return nil, fmt.Errorf("read organization %s: %w", id, err)
	}
	return &o, nil
}

// Membership is one organization of the signed-in account and its role.
type Membership struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
	// Role is admin, editor or partial_editor ("" when the organization
	// does not list the account among its members).
	Role string `json:"role"`
	// CanPush: admin or editor, the roles that create and edit any
	// dataset of the organization.
	CanPush bool `json:"can_push"`
}

// Organizations lists the signed-in account's organizations (from
// /api/1/me/) with its role in each (from the organization's members),
// read once for the client's life.
func (c *Client) Organizations(ctx context.Context) ([]Membership, error) {
	me, err := c.Me(ctx)
	if err != nil {
		return nil, err
	}
	c.meMu.Lock()
	defer c.meMu.Unlock()
	if c.memberships != nil {
		return c.memberships, nil
	}
	out := make([]Membership, 0, len(me.Organizations))
	for _, ref := range me.Organizations {
		o, err := c.Organization(ctx, ref.ID)
		if err != nil {
			return nil, fmt.Errorf("organizations of account %s: %w", who(me), err)
		}
		m := Membership{ID: ref.ID, Name: o.Name, Slug: o.Slug, Role: roleIn(o, me.ID)}
		m.CanPush = canPush(m.Role)
		out = append(out, m)
	}
	c.memberships = out
	return out, nil
}

// roleIn is the role of user userID in o, "" when not a member.
func roleIn(o *Organization, userID string) string {
	role := ""
	for _, x := range o.Members {
		if x.User.ID == userID {
			role = x.Role
		}
	}
	return role
}

// canPush: admin and editor create and edit any dataset of the
// organization.
func canPush(role string) bool { return role == "admin" || role == "editor" }

func who(me *Me) string {
	if me.Email != "" {
		return me.Email
	}
	return me.Slug
}

// describeMemberships is the list printed when an organization is
// refused: id, name and role of each.
func describeMemberships(ms []Membership) string {
	if len(ms) == 0 {
		return "it belongs to no organization"
	}
	var b strings.Builder
	b.WriteString("its organizations are")
	for i, m := range ms {
		if i > 0 {
			b.WriteString(",")
		}
		role := m.Role
		if role == "" {
			role = "no role"
		}
		fmt.Fprintf(&b, " %s %q (%s)", m.ID, m.Name, role)
	}
	b.WriteString("; pushing needs the admin or editor role (see passerelle organizations)")
	return b.String()
}

// CheckOrg is the pre-flight: the account must hold an admin or editor
// role in the organization. A refusal lists the account's organizations
// and roles, so that the right datagouv_id can be copied.
func (c *Client) CheckOrg(ctx context.Context, org Org) error {
	me, err := c.Me(ctx)
	if err != nil {
		return fmt.Errorf("organization %q: %w", org.ConfigID, err)
	}
	// The usual case, an organization the account may push to: that one
	// organization is read; the list of all (one read each) is for a
	// refusal.
	for _, ref := range me.Organizations {
		if ref.ID != org.DatagouvID {
			continue
		}
		o, err := c.Organization(ctx, ref.ID)
		if err != nil {
			return fmt.Errorf("organization %q: %w", org.ConfigID, err)
		}
		if canPush(roleIn(o, me.ID)) {
			return nil
		}
		break
	}
	ms, err := c.Organizations(ctx)
	if err != nil {
		return fmt.Errorf("organization %q: %w", org.ConfigID, err)
	}
	for _, m := range ms {
		if m.ID != org.DatagouvID {
			continue
		}
		if m.CanPush {
			return nil
		}
		role := m.Role
		if role == "" {
			role = "none"
		}
		return fmt.Errorf("organization %q: account %s has role %q in data.gouv.fr organization %s (%s), admin or editor needed; %s: %w",
			org.ConfigID, who(me), role, org.DatagouvID, m.Name, describeMemberships(ms), ErrAuth)
	}
	return fmt.Errorf("organization %q: data.gouv.fr organization %s is not among the organizations of account %s; %s: %w",
		org.ConfigID, org.DatagouvID, who(me), describeMemberships(ms), ErrAuth)
}

type page struct {
	Data     []Dataset `json:"data"`
	Total    int       `json:"total"`
	NextPage *string   `json:"next_page"`
}

// listPageSize is the page size of dataset lists.
const listPageSize = 100

// Datasets pages through every dataset of an organization (authenticated:
// deleted, archived and private included), newest first (sort=-created, so
// that datasets created during the walk shift others forward and none is
// missed). fn returning false stops the walk.
func (c *Client) Datasets(ctx context.Context, orgID string, pageSize int, fn func(*Dataset) bool) error {
	if pageSize <= 0 {
		pageSize = listPageSize
	}
	q := url.Values{"organization": {orgID}, "page_size": {strconv.Itoa(pageSize)}, "sort": {"-created"}, "page": {"1"}}
	ref := "/api/1/datasets/?" + q.Encode()
	for n := 0; ref != "" && n < 100000; n++ {
		var p page
		err := c.do(ctx, "GET", ref, nil, &p)
		if errors.Is(err, ErrNotFound) && n > 0 {
			return nil // past the last page
		}
		if err != nil {
			return fmt.Errorf("list datasets of organization %s: %w", orgID, err)
		}
		for i := range p.Data {
			if !fn(&p.Data[i]) {
				return nil
			}
		}
		ref = ""
		if p.NextPage != nil && len(p.Data) > 0 {
			ref = *p.NextPage
		}
	}
	return nil
}

// CreateDataset POSTs a dataset.
func (c *Client) CreateDataset(ctx context.Context, body any) (*Dataset, error) {
	var d Dataset
	if err := c.do(ctx, "POST", "/api/1/datasets/", body, &d); err != nil {
		return nil, fmt.Errorf("create dataset: %w", err)
	}
	return &d, nil
}

// UpdateDataset PUTs a (partial) dataset. Mind udata's traps: an absent
// "tags" wipes the tags, a provided "extras" replaces them all.
func (c *Client) UpdateDataset(ctx context.Context, id string, body map[string]any) (*Dataset, error) {
	var d Dataset
	if err := c.do(ctx, "PUT", "/api/1/datasets/"+url.PathEscape(id)+"/", body, &d); err != nil {
		return nil, fmt.Errorf("update dataset %s: %w", id, err)
	}
	return &d, nil
}

// CreateResource adds a remote resource to a dataset.
func (c *Client) CreateResource(ctx context.Context, datasetID string, body any) (*RemoteResource, error) {
	var r RemoteResource
	if err := c.do(ctx, "POST", "/api/1/datasets/"+url.PathEscape(datasetID)+"/resources/", body, &r); err != nil {
		return nil, fmt.Errorf("add resource to dataset %s: %w", datasetID, err)
	}
	return &r, nil
}

// UpdateResource PUTs a (partial) resource.
func (c *Client) UpdateResource(ctx context.Context, datasetID, rid string, body any) error {
	if err := c.do(ctx, "PUT", "/api/1/datasets/"+url.PathEscape(datasetID)+"/resources/"+url.PathEscape(rid)+"/", body, nil); err != nil {
		return fmt.Errorf("update resource %s of dataset %s: %w", rid, datasetID, err)
	}
	return nil
}

// DeleteResource removes a resource; one already gone is not an error.
func (c *Client) DeleteResource(ctx context.Context, datasetID, rid string) error {
	err := c.do(ctx, "DELETE", "/api/1/datasets/"+url.PathEscape(datasetID)+"/resources/"+url.PathEscape(rid)+"/", nil, nil)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("delete resource %s of dataset %s: %w", rid, datasetID, err)
	}
	return nil
}

// MergeExtras merges extras through the v2 endpoint (a nil value removes
// the key) and returns the dataset's extras.
func (c *Client) MergeExtras(ctx context.Context, datasetID string, extras map[string]any) (map[string]any, error) {
	var out map[string]any
	if err := c.do(ctx, "PUT", "/api/2/datasets/"+url.PathEscape(datasetID)+"/extras/", extras, &out); err != nil {
		return nil, fmt.Errorf("merge extras of dataset %s: %w", datasetID, err)
	}
	return out, nil
}
