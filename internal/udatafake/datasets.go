package udatafake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	deletedMsg    = "Dataset has been deleted"
	permissionMsg = "You do not have the permission to modify that object."
)

func (f *Fake) baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (f *Fake) role(orgID, userID string) string {
	if o := f.orgs[orgID]; o != nil {
		for _, m := range o.Members {
			if m.UserID == userID {
				return m.Role
			}
		}
	}
	return ""
}

func (f *Fake) canEdit(d *Dataset, u *User) bool {
	if u == nil {
		return false
	}
	if d.Organization != "" {
		r := f.role(d.Organization, u.ID)
		return r == "admin" || r == "editor"
	}
	return d.Owner == u.ID
}

func (f *Fake) isMember(d *Dataset, u *User) bool {
	if u == nil {
		return false
	}
	if d.Organization != "" {
		return f.role(d.Organization, u.ID) != ""
	}
	return d.Owner == u.ID
}

func (f *Fake) lookup(id string) *Dataset {
	if d := f.datasets[id]; d != nil {
		return d
	}
	for _, d := range f.datasets {
		if d.Slug == id {
			return d
		}
	}
	return nil
}

// readable finds a dataset the caller may read: 404 unknown or private to
// others, 410 deleted for others.
func (f *Fake) readable(id string, c *call) (*Dataset, *apiErr) {
	d := f.lookup(id)
	if d == nil {
		return nil, msgErr(http.StatusNotFound, notFoundMsg)
	}
	if f.isMember(d, c.user) {
		return d, nil
	}
	if d.Private {
		return nil, msgErr(http.StatusNotFound, notFoundMsg)
	}
	if d.Deleted != nil {
		return nil, msgErr(http.StatusGone, deletedMsg)
	}
	return d, nil
}

// editable finds a dataset the caller may edit: 404, then 410, then 403.
func (f *Fake) editable(id string, c *call) (*Dataset, *apiErr) {
	d := f.lookup(id)
	if d == nil {
		return nil, msgErr(http.StatusNotFound, notFoundMsg)
	}
	if d.Deleted != nil {
		return nil, msgErr(http.StatusGone, deletedMsg)
	}
	if !f.canEdit(d, c.user) {
		return nil, msgErr(http.StatusForbidden, permissionMsg)
	}
	return d, nil
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000+00:00") }

func fmtTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return fmtTime(*t)
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func (f *Fake) orgRef(base, id string) any {
	o := f.orgs[id]
	if o == nil {
		return nil
	}
	return map[string]any{
		"class": "Organization", "id": o.ID, "name": o.Name, "acronym": nil, "slug": o.Slug,
		"logo": nil, "logo_thumbnail": nil, "badges": []any{},
		"uri": base + "/api/1/organizations/" + o.ID + "/", "page": base + "/organizations/" + o.Slug + "/",
	}
}

func (f *Fake) resourceJSON(base string, r Resource) map[string]any {
	extras := r.Extras
	if extras == nil {
		extras = map[string]any{}
	}
	var filesize any
	if r.Filesize > 0 {
		filesize = r.Filesize
	}
	return map[string]any{
		"id": r.ID, "title": r.Title, "description": r.Description, "filetype": r.Filetype,
		"type": r.Type, "format": r.Format, "url": r.URL, "mime": r.Mime, "filesize": filesize,
		"latest": base + "/api/1/datasets/r/" + r.ID, "checksum": nil, "schema": nil,
		"created_at": fmtTime(r.CreatedAt), "last_modified": fmtTime(r.LastModified),
		"metrics": map[string]any{"views": 0}, "harvest": nil, "extras": extras,
		"preview_url": nil, "internal": map[string]any{},
	}
}

func (f *Fake) datasetJSON(base string, d *Dataset, u *User) map[string]any {
	res := make([]any, 0, len(d.Resources))
	for _, r := range d.Resources {
		res = append(res, f.resourceJSON(base, r))
	}
	lic := d.License
	if lic == "" {
		lic = "notspecified"
	}
	tags := d.Tags
	if tags == nil {
		tags = []string{}
	}
	extras := d.Extras
	if extras == nil {
		extras = map[string]any{}
	}
	var tc, sp, harvest any
	if d.TemporalCoverage != nil {
		tc = d.TemporalCoverage
	}
	if d.Spatial != nil {
		sp = d.Spatial
	}
	if d.Harvest != nil {
		harvest = d.Harvest
	}
	access := d.AccessType
	if access == "" {
		access = "open"
	}
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	var owner any
	if d.Owner != "" {
		owner = map[string]any{"class": "User", "id": d.Owner}
	}
	edit := f.canEdit(d, u)
	return map[string]any{
		"id": d.ID, "title": d.Title, "acronym": d.Acronym, "slug": d.Slug,
		"description": d.Description, "description_short": nil,
		"created_at": fmtTime(d.CreatedAt), "last_modified": fmtTime(d.LastModified),
		"last_update": fmtTime(d.LastModified),
		"deleted":     fmtTimePtr(d.Deleted), "archived": fmtTimePtr(d.Archived),
		"private": d.Private, "featured": false, "tags": tags, "badges": []any{},
		"resources": res, "frequency": d.Frequency, "frequency_date": nil, "extras": extras,
		"harvest": harvest, "organization": f.orgRef(base, d.Organization), "owner": owner,
		"schema": nil, "temporal_coverage": tc, "spatial": sp, "license": lic,
		"access_type": access, "access_type_reason": nullable(d.AccessTypeReason),
		"access_type_reason_category": nullable(d.AccessTypeReasonCategory),
		"access_audiences":            []any{}, "authorization_request_url": nil, "contact_points": []any{},
		"metrics": map[string]any{"discussions": 0, "followers": 0, "resources_downloads": 0, "reuses": 0, "views": 0},
		"uri":     base + "/api/1/datasets/" + d.Slug + "/", "page": base + "/datasets/" + d.Slug + "/",
		"internal": map[string]any{
			"created_at_internal": fmtTime(d.CreatedAt), "last_modified_internal": fmtTime(d.LastModified),
		},
		"permissions": map[string]any{"delete": edit, "edit": edit, "edit_resources": edit},
	}
}

func (f *Fake) getMe(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	base := f.baseURL(r)
	u := c.user
	var orgs []any
	ids := make([]string, 0, len(f.orgs))
	for id := range f.orgs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if role := f.role(id, u.ID); role != "" {
			ref := f.orgRef(base, id).(map[string]any)
			admin := role == "admin"
			ref["permissions"] = map[string]any{"edit": admin, "delete": admin, "members": admin, "harvest": admin, "private": admin}
			orgs = append(orgs, ref)
		}
	}
	if orgs == nil {
		orgs = []any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": u.ID, "slug": u.Slug, "email": u.Email, "first_name": u.FirstName, "last_name": u.LastName,
		"avatar": nil, "avatar_thumbnail": nil, "website": "", "about": "", "roles": []string{},
		"active": true, "organizations": orgs,
		"uri": base + "/api/1/users/" + u.ID + "/", "page": base + "/users/" + u.Slug + "/",
	})
	return nil
}

func (f *Fake) getOrg(w http.ResponseWriter, r *http.Request, _ *call) *apiErr {
	id := r.PathValue("org")
	o := f.orgs[id]
	if o == nil {
		for _, x := range f.orgs {
			if x.Slug == id {
				o = x
			}
		}
	}
	if o == nil {
		return msgErr(http.StatusNotFound, notFoundMsg)
	}
	base := f.baseURL(r)
	ref := f.orgRef(base, o.ID).(map[string]any)
	members := []any{}
	for _, m := range o.Members {
		u := f.users[m.UserID]
		if u == nil {
			continue
		}
		members = append(members, map[string]any{
			"user": map[string]any{"id": u.ID, "slug": u.Slug, "first_name": u.FirstName, "last_name": u.LastName, "class": "User"},
			"role": m.Role, "since": fmtTime(f.opts.Now()), "label": m.Role,
		})
	}
	ref["members"] = members
	ref["description"] = ""
	writeJSON(w, http.StatusOK, ref)
	return nil
}

var sortKeys = map[string]bool{"title": true, "created": true, "last_update": true, "reuses": true, "followers": true, "views": true}

func (f *Fake) listDatasets(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	q := r.URL.Query()
	page, pageSize := 1, 20
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &page}, {"page_size", &pageSize}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return &apiErr{status: http.StatusBadRequest, body: map[string]any{
					"errors":  map[string]any{p.name: fmt.Sprintf("Invalid argument: %s must be a strictly positive integer", p.name)},
					"message": "Input payload validation failed",
				}}
			}
			*p.dst = n
		}
	}
	org := q.Get("organization")
	if org != "" && !objectID.MatchString(org) {
		return msgErr(http.StatusBadRequest, "Organization arg must be an identifier")
	}
	if owner := q.Get("owner"); owner != "" && !objectID.MatchString(owner) {
		return msgErr(http.StatusBadRequest, "Owner arg must be an identifier")
	}
	exclDeleted, exclArchived := false, false
	for _, p := range []struct {
		name string
		dst  *bool
	}{{"deleted", &exclDeleted}, {"archived", &exclArchived}} {
		if v := q.Get(p.name); v != "" {
			if c.user == nil {
				return msgErr(http.StatusUnauthorized, "Unauthorized")
			}
			b, err := strconv.ParseBool(v)
			if err != nil {
				return &apiErr{status: http.StatusBadRequest, body: map[string]any{
					"errors": map[string]any{p.name: "Invalid argument"}, "message": "Input payload validation failed"}}
			}
			*p.dst = !b
		}
	}
	sortKey, desc := "created_internal", true
	if s := q.Get("sort"); s != "" {
		desc = strings.HasPrefix(s, "-")
		sortKey = strings.TrimPrefix(s, "-")
		if !sortKeys[sortKey] {
			return &apiErr{status: http.StatusBadRequest, body: map[string]any{
				"errors": map[string]any{"sort": "Invalid sort"}, "message": "Input payload validation failed"}}
		}
	}
	var sel []*Dataset
	for _, d := range f.datasets {
		if org != "" && d.Organization != org {
			continue
		}
		if !f.isMember(d, c.user) && (d.Private || d.Archived != nil || d.Deleted != nil) {
			continue
		}
		if (exclDeleted && d.Deleted != nil) || (exclArchived && d.Archived != nil) {
			continue
		}
		sel = append(sel, d)
	}
	sort.Slice(sel, func(i, j int) bool {
		a, b := sel[i], sel[j]
		var less, eq bool
		switch sortKey {
		case "title":
			less, eq = a.Title < b.Title, a.Title == b.Title
		case "created":
			less, eq = a.CreatedAt.Before(b.CreatedAt), a.CreatedAt.Equal(b.CreatedAt)
		case "last_update":
			less, eq = a.LastModified.Before(b.LastModified), a.LastModified.Equal(b.LastModified)
		default:
			eq = true
		}
		if eq {
			less = a.seq < b.seq
		}
		if desc {
			return !less
		}
		return less
	})
	start := (page - 1) * pageSize
	if start >= len(sel) && page != 1 {
		return msgErr(http.StatusNotFound, notFoundMsg)
	}
	end := min(start+pageSize, len(sel))
	base := f.baseURL(r)
	data := []any{}
	for _, d := range sel[min(start, len(sel)):end] {
		data = append(data, f.datasetJSON(base, d, c.user))
	}
	link := func(p int) any {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = append([]string(nil), v...)
		}
		qq.Set("page", strconv.Itoa(p))
		return base + r.URL.Path + "?" + qq.Encode()
	}
	var next, prev any
	if end < len(sel) {
		next = link(page + 1)
	}
	if page > 1 {
		prev = link(page - 1)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"data": data, "page": page, "page_size": pageSize, "total": len(sel),
		"next_page": next, "previous_page": prev,
	})
	return nil
}

func (f *Fake) createDataset(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	body, e := readObject(r)
	if e != nil {
		return e
	}
	d := &Dataset{}
	if e := f.applyForm(d, body, true, c.user); e != nil {
		return e
	}
	f.insert(d)
	writeJSON(w, http.StatusCreated, f.datasetJSON(f.baseURL(r), d, c.user))
	return nil
}

func (f *Fake) getDataset(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	d, e := f.readable(r.PathValue("id"), c)
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, f.datasetJSON(f.baseURL(r), d, c.user))
	return nil
}

func (f *Fake) putDataset(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	d := f.lookup(r.PathValue("id"))
	if d == nil {
		return msgErr(http.StatusNotFound, notFoundMsg)
	}
	body, e := readObject(r)
	if e != nil {
		return e
	}
	// 410 before 403: a deleted dataset answers 410 to anyone unless the
	// body restores it.
	if v, ok := body["deleted"]; d.Deleted != nil && !(ok && v == nil) {
		return msgErr(http.StatusGone, deletedMsg)
	}
	if !f.canEdit(d, c.user) {
		return msgErr(http.StatusForbidden, permissionMsg)
	}
	nd := d.clone()
	if e := f.applyForm(&nd, body, false, c.user); e != nil {
		return e
	}
	nd.LastModified = f.opts.Now().UTC()
	*d = nd
	writeJSON(w, http.StatusOK, f.datasetJSON(f.baseURL(r), d, c.user))
	return nil
}

func (f *Fake) deleteDataset(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	d, e := f.editable(r.PathValue("id"), c)
	if e != nil {
		return e
	}
	now := f.opts.Now().UTC()
	d.Deleted = &now
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func str(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// applyForm applies udata's DatasetForm to d: create or partial update.
func (f *Fake) applyForm(d *Dataset, body map[string]any, create bool, u *User) *apiErr {
	errs := map[string]any{}
	has := func(k string) bool { _, ok := body[k]; return ok }
	// Strings with length limits.
	for _, fld := range []struct {
		key      string
		dst      *string
		max      int
		required bool
	}{{"title", &d.Title, 350, true}, {"description", &d.Description, 100000, true}, {"acronym", &d.Acronym, 128, false}} {
		if !has(fld.key) {
			if create && fld.required {
				errs[fld.key] = []string{"This field is required."}
			}
			continue
		}
		s, ok := str(body[fld.key])
		switch {
		case body[fld.key] == nil && !fld.required:
			*fld.dst = ""
		case !ok:
			errs[fld.key] = []string{"Not a valid string."}
		case fld.required && strings.TrimSpace(s) == "":
			errs[fld.key] = []string{"This field is required."}
		case len([]rune(s)) > fld.max:
			errs[fld.key] = []string{fmt.Sprintf("Field cannot be longer than %d characters.", fld.max)}
		default:
			*fld.dst = s
		}
	}
	if create {
		d.Frequency = "unknown"
		if has("organization") && body["organization"] != nil {
			var oid string
			switch v := body["organization"].(type) {
			case string:
				oid = v
			case map[string]any:
				oid, _ = str(v["id"])
			}
			if f.orgs[oid] == nil || (u != nil && f.role(oid, u.ID) == "") {
				errs["organization"] = []string{"Permission denied for this organization"}
			} else {
				d.Organization = oid
			}
		} else if u != nil {
			d.Owner = u.ID
		}
	} else if has("organization") {
		var oid string
		switch v := body["organization"].(type) {
		case string:
			oid = v
		case map[string]any:
			oid, _ = str(v["id"])
		}
		if oid != d.Organization {
			return msgErr(http.StatusBadRequest, "Changing the organization is only allowed to sysadmins: use a transfer")
		}
	}
	if has("license") {
		s, _ := str(body["license"])
		if licenses[s] {
			d.License = s
		} else {
			d.License = "" // unknown ids silently become null
		}
	}
	if has("frequency") {
		if body["frequency"] == nil {
			d.Frequency = "unknown"
		} else {
			s, _ := str(body["frequency"])
			id, ok := frequencies[s]
			if !ok {
				return msgErr(http.StatusBadRequest, fmt.Sprintf("'%s' is not a valid UpdateFrequency", s))
			}
			d.Frequency = id
		}
	}
	// Trap (udata.md §C.5): temporal_coverage is a DateRangeField, processed
	// whether present or not: absent (or null) clears it, on every PUT.
	switch v := body["temporal_coverage"].(type) {
	case nil:
		d.TemporalCoverage = nil
	case map[string]any:
		start, _ := str(v["start"])
		if _, err := time.Parse("2006-01-02", start); err != nil {
			errs["temporal_coverage"] = map[string]any{"start": []string{"Not a valid date value."}}
			break
		}
		if end, ok := str(v["end"]); ok && end != "" {
			if _, err := time.Parse("2006-01-02", end); err != nil {
				errs["temporal_coverage"] = map[string]any{"end": []string{"Not a valid date value."}}
				break
			}
		}
		tc := cloneMap(v)
		if end, _ := str(tc["end"]); end != "" && end < start {
			tc["start"], tc["end"] = end, start // DateRange.clean swaps a reversed range
		}
		d.TemporalCoverage = tc
	default:
		errs["temporal_coverage"] = []string{"Invalid value"}
	}
	// spatial is a sub-form populated only when the body has spatial keys:
	// absent or null keeps the old value (null never clears a geometry).
	switch v := body["spatial"].(type) {
	case nil: // absent or null: kept
	case map[string]any:
		if len(v) > 0 {
			if msg := f.applySpatial(d, v); msg != nil {
				errs["spatial"] = msg
			}
		}
	default:
		errs["spatial"] = []string{"Invalid value"}
	}
	if e := applyAccess(d, body, create, has); e != nil {
		return e
	}
	// Trap (udata #2468): an absent tags field wipes the tags.
	d.Tags = []string{}
	if v, ok := body["tags"].([]any); ok {
		seen := map[string]bool{}
		for _, t := range v {
			s, _ := str(t)
			tag := slugify(s)
			if n := len([]rune(tag)); n < 3 || n > 96 {
				errs["tags"] = []string{fmt.Sprintf("Tag %q must be between 3 and 96 characters long.", s)}
				continue
			}
			if !seen[tag] {
				seen[tag] = true
				d.Tags = append(d.Tags, tag)
			}
		}
	}
	if has("extras") {
		switch v := body["extras"].(type) {
		case nil:
			d.Extras = map[string]any{}
		case map[string]any:
			d.Extras = cloneMap(v) // replaces the whole dict
		default:
			errs["extras"] = []string{"Invalid value"}
		}
	}
	if has("private") {
		b, _ := body["private"].(bool)
		d.Private = b
	}
	for _, fld := range []struct {
		key string
		dst **time.Time
	}{{"archived", &d.Archived}, {"deleted", &d.Deleted}} {
		if !has(fld.key) {
			continue
		}
		if body[fld.key] == nil {
			*fld.dst = nil
			continue
		}
		s, _ := str(body[fld.key])
		t, ok := parseTime(s)
		if !ok {
			errs[fld.key] = []string{"Not a valid datetime value."}
			continue
		}
		*fld.dst = &t
	}
	if has("resources") {
		list, ok := body["resources"].([]any)
		if !ok && body["resources"] != nil {
			errs["resources"] = []string{"Invalid value"}
		}
		old := map[string]Resource{}
		for _, r := range d.Resources {
			old[r.ID] = r
		}
		var out []Resource
		rerrs := map[string]any{}
		for i, x := range list {
			m, ok := x.(map[string]any)
			if !ok {
				rerrs[strconv.Itoa(i)] = []string{"Invalid value"}
				continue
			}
			id, _ := str(m["id"])
			r, found := old[id]
			if !found {
				r = Resource{ID: newUUID(), CreatedAt: f.opts.Now().UTC()}
			}
			if e := f.applyResource(&r, m, !found, true); e != nil {
				if nested, ok := e.body["errors"]; ok {
					rerrs[strconv.Itoa(i)] = nested
				} else {
					rerrs[strconv.Itoa(i)] = []any{e.body["message"]}
				}
				continue
			}
			out = append(out, r)
		}
		if len(rerrs) > 0 {
			errs["resources"] = rerrs
		}
		d.Resources = out
	}
	if len(errs) > 0 {
		return &apiErr{status: http.StatusBadRequest, body: map[string]any{"errors": errs}}
	}
	if d.AccessType != "" && d.AccessType != "open" {
		d.License = "" // Dataset.clean(): access other than open nulls the licence
	}
	return nil
}

// accessTypes are udata's AccessType values.
var accessTypes = map[string]bool{"open": true, "open_with_account": true, "restricted": true}

// applyAccess applies access_type (default open on create, kept when
// absent on update) and its reason fields.
func applyAccess(d *Dataset, body map[string]any, create bool, has func(string) bool) *apiErr {
	if create {
		d.AccessType = "open"
	}
	if has("access_type") {
		s, _ := str(body["access_type"])
		switch {
		case body["access_type"] == nil:
			d.AccessType = "open"
		case !accessTypes[s]:
			return msgErr(http.StatusBadRequest, fmt.Sprintf("'%s' is not a valid AccessType", s))
		default:
			d.AccessType = s
		}
	}
	for _, fld := range []struct {
		key string
		dst *string
	}{{"access_type_reason", &d.AccessTypeReason}, {"access_type_reason_category", &d.AccessTypeReasonCategory}} {
		if has(fld.key) {
			*fld.dst, _ = str(body[fld.key])
		}
	}
	return nil
}

// knownZone reports whether a geozone id resolves (a few French ids are
// enough for tests: country, regions, departments, communes).
func knownZone(id string) bool {
	for _, p := range []string{"country:", "fr:region:", "fr:departement:", "fr:commune:", "fr:epci:"} {
		if strings.HasPrefix(id, p) && len(id) > len(p) {
			return true
		}
	}
	return false
}

// applySpatial populates the spatial sub-form from a non-empty object.
// Absent sub-fields keep their value. zones and geom are mutually
// exclusive: a dataset holding zones refuses a geom unless the same body
// clears them with "zones": [] (udata.md §C.5).
func (f *Fake) applySpatial(d *Dataset, v map[string]any) any {
	sp := cloneMap(d.Spatial)
	if sp == nil {
		sp = map[string]any{"geom": nil, "zones": []any{}, "granularity": "other"}
	}
	if z, ok := v["zones"]; ok {
		list, isList := z.([]any)
		if z != nil && !isList {
			return map[string]any{"zones": []string{"Invalid value"}}
		}
		var unknown []string
		zones := []any{}
		for _, x := range list {
			s, _ := str(x)
			if !knownZone(s) {
				unknown = append(unknown, fmt.Sprint(x))
				continue
			}
			zones = append(zones, s)
		}
		if len(unknown) > 0 {
			return map[string]any{"zones": []string{"Unknown geoid(s): " + strings.Join(unknown, ", ")}}
		}
		sp["zones"] = zones
	}
	if g, ok := v["geom"]; ok {
		if g != nil {
			m, isMap := g.(map[string]any)
			if !isMap || (m["type"] != "MultiPolygon" && m["type"] != "Polygon") || m["coordinates"] == nil {
				return map[string]any{"geom": []string{"Not a valid GeoJSON"}}
			}
		}
		sp["geom"] = g
	}
	if gr, ok := v["granularity"]; ok {
		s, _ := str(gr)
		if s == "" {
			s = "other"
		}
		sp["granularity"] = s
	}
	if zones, _ := sp["zones"].([]any); len(zones) > 0 && sp["geom"] != nil {
		return []string{"The spatial coverage cannot have both zones and a geometry: clear the zones first"}
	}
	d.Spatial = sp
	return nil
}

var resourceTypes = map[string]bool{"main": true, "documentation": true, "update": true, "api": true, "code": true, "other": true}

// applyResource applies the resource form; inline resources of a dataset
// form also accept filetype "file" (uploads are not modelled).
func (f *Fake) applyResource(r *Resource, m map[string]any, create, inline bool) *apiErr {
	has := func(k string) bool { _, ok := m[k]; return ok }
	if has("filetype") || create {
		ft, _ := str(m["filetype"])
		switch {
		case !create && ft != r.Filetype:
			return msgErr(http.StatusBadRequest, "Cannot modify filetype after creation")
		case ft != "remote" && !(inline && ft == "file"):
			return msgErr(http.StatusBadRequest, "This endpoint only supports remote resources")
		}
		r.Filetype = ft
	}
	errs := map[string]any{}
	if has("title") || create {
		s, _ := str(m["title"])
		if strings.TrimSpace(s) == "" {
			errs["title"] = []string{"This field is required."}
		} else if len([]rune(s)) > 350 {
			errs["title"] = []string{"Field cannot be longer than 350 characters."}
		}
		r.Title = s
	}
	if has("url") || create {
		s, _ := str(m["url"])
		if msg := checkURL(s); msg != "" {
			errs["url"] = []string{msg}
		}
		r.URL = s
	}
	if has("type") || create {
		s, _ := str(m["type"])
		if s == "" {
			s = "other"
		}
		if !resourceTypes[s] {
			errs["type"] = []string{"Not a valid choice"}
		}
		r.Type = s
	}
	if has("description") {
		r.Description, _ = str(m["description"])
	}
	if has("format") {
		s, _ := str(m["format"])
		r.Format = strings.ToLower(strings.TrimSpace(s))
	}
	if has("mime") {
		r.Mime, _ = str(m["mime"])
	}
	if has("filesize") {
		switch v := m["filesize"].(type) {
		case nil:
			r.Filesize = 0
		case json.Number:
			n, err := v.Int64()
			if err != nil {
				errs["filesize"] = []string{"Not a valid integer value."}
			}
			r.Filesize = n
		default:
			errs["filesize"] = []string{"Not a valid integer value."}
		}
	}
	if has("extras") {
		em, _ := m["extras"].(map[string]any)
		r.Extras = cloneMap(em)
	}
	if len(errs) > 0 {
		return &apiErr{status: http.StatusBadRequest, body: map[string]any{"errors": errs}}
	}
	r.LastModified = f.opts.Now().UTC()
	return nil
}

func (f *Fake) createResource(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	d, e := f.editable(r.PathValue("id"), c)
	if e != nil {
		return e
	}
	body, e := readObject(r)
	if e != nil {
		return e
	}
	res := Resource{ID: newUUID(), CreatedAt: f.opts.Now().UTC()} // client ids ignored
	if e := f.applyResource(&res, body, true, false); e != nil {
		return e
	}
	d.Resources = append(d.Resources, res)
	d.LastModified = f.opts.Now().UTC()
	writeJSON(w, http.StatusCreated, f.resourceJSON(f.baseURL(r), res))
	return nil
}

func (f *Fake) findResource(d *Dataset, rid string) int {
	for i, r := range d.Resources {
		if r.ID == rid {
			return i
		}
	}
	return -1
}

func (f *Fake) putResource(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	d, e := f.editable(r.PathValue("id"), c)
	if e != nil {
		return e
	}
	i := f.findResource(d, r.PathValue("rid"))
	if i < 0 {
		return msgErr(http.StatusNotFound, "Resource does not exist")
	}
	body, e := readObject(r)
	if e != nil {
		return e
	}
	res := d.Resources[i]
	res.Extras = cloneMap(res.Extras)
	if e := f.applyResource(&res, body, false, false); e != nil {
		return e
	}
	d.Resources[i] = res
	d.LastModified = f.opts.Now().UTC()
	writeJSON(w, http.StatusOK, f.resourceJSON(f.baseURL(r), res))
	return nil
}

func (f *Fake) deleteResource(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	d, e := f.editable(r.PathValue("id"), c)
	if e != nil {
		return e
	}
	i := f.findResource(d, r.PathValue("rid"))
	if i < 0 {
		return msgErr(http.StatusNotFound, "Resource does not exist")
	}
	d.Resources = append(d.Resources[:i:i], d.Resources[i+1:]...)
	d.LastModified = f.opts.Now().UTC()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (f *Fake) getExtras(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	d, e := f.readable(r.PathValue("id"), c)
	if e != nil {
		return e
	}
	ex := d.Extras
	if ex == nil {
		ex = map[string]any{}
	}
	writeJSON(w, http.StatusOK, ex)
	return nil
}

func (f *Fake) putExtras(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	d, e := f.editable(r.PathValue("id"), c)
	if e != nil {
		return e
	}
	v, e := readBody(r)
	if e != nil {
		return e
	}
	m, ok := v.(map[string]any)
	if !ok {
		return msgErr(http.StatusBadRequest, "Wrong payload format, dict expected")
	}
	if d.Extras == nil {
		d.Extras = map[string]any{}
	}
	for k, x := range m { // merge; null removes
		if x == nil {
			delete(d.Extras, k)
		} else {
			d.Extras[k] = x
		}
	}
	d.LastModified = f.opts.Now().UTC()
	writeJSON(w, http.StatusOK, d.Extras)
	return nil
}

func (f *Fake) deleteExtras(w http.ResponseWriter, r *http.Request, c *call) *apiErr {
	d, e := f.editable(r.PathValue("id"), c)
	if e != nil {
		return e
	}
	v, e := readBody(r)
	if e != nil {
		return e
	}
	list, ok := v.([]any)
	if !ok {
		return msgErr(http.StatusBadRequest, "Wrong payload format, list expected")
	}
	for _, k := range list {
		if s, ok := str(k); ok {
			delete(d.Extras, s)
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
