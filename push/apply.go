package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/dcat"
)

// IntentStore keeps create intents and the last report per organization
// between runs. cache.Store satisfies it.
type IntentStore interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}

var _ IntentStore = (cache.Store)(nil)

// IntentTTL is how long a create intent is kept.
const IntentTTL = 30 * 24 * time.Hour

// ApplyOptions configures Apply.
type ApplyOptions struct {
	// AcceptDrop lets Apply archive more than MaxArchiveRatio of the
	// organization's datasets.
	AcceptDrop bool
	// Intents records create intents (strongly advised: without it a
	// crash between a create and its answer can only be caught by the
	// remote-id match of the next plan) and the last report.
	Intents IntentStore
	// Out receives one line per action as it is applied (nil: silent).
	Out io.Writer
}

// Status of an applied action.
type Status string

// Statuses.
const (
	StatusDone    Status = "done"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped" // reported, nothing to do
)

// Result is an action and what came of it.
type Result struct {
	Action
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Report is what Apply did for one organization.
type Report struct {
	Org      Org       `json:"-"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Calls is the number of HTTP requests Apply sent (retries included).
	Calls   int      `json:"calls"`
	Results []Result `json:"results"`
}

// Counts returns results per status.
func (r *Report) Counts() map[string]int {
	c := map[string]int{string(StatusDone): 0, string(StatusFailed): 0, string(StatusSkipped): 0}
	for _, x := range r.Results {
		c[string(x.Status)]++
	}
	return c
}

// ExitCode is 0 when everything planned was applied, 1 when something
// failed.
func (r *Report) ExitCode() int {
	for _, x := range r.Results {
		if x.Status == StatusFailed {
			return 1
		}
	}
	return 0
}

// WriteText prints a summary line and each failure.
func (r *Report) WriteText(w io.Writer) error {
	c := r.Counts()
	var b strings.Builder
	fmt.Fprintf(&b, "organization %s (data.gouv.fr %s): %d done, %d failed, %d reported, %d calls in %s\n",
		r.Org.ConfigID, r.Org.DatagouvID, c["done"], c["failed"], c["skipped"], r.Calls, r.Finished.Sub(r.Started).Round(time.Millisecond))
	for _, x := range r.Results {
		if x.Status != StatusDone {
			fmt.Fprintf(&b, "  %-7s %-20s %s %q: %s\n", x.Status, x.Kind, x.RemoteID, x.Title, firstNonEmpty(x.Error, x.Reason))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as one JSON object on one line.
func (r *Report) WriteJSON(w io.Writer) error {
	res := r.Results
	if res == nil {
		res = []Result{}
	}
	return writeLine(w, map[string]any{
		"organization": r.Org.ConfigID, "datagouv_id": r.Org.DatagouvID,
		"started": r.Started, "finished": r.Finished, "calls": r.Calls,
		"counts": r.Counts(), "results": res,
	})
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// ReportKey is the IntentStore key of an organization's last report.
func ReportKey(configID string) string { return "push:report:" + configID }

func intentKey(org Org, rid string) string {
	return "push:intent:" + org.DatagouvID + ":" + rid
}

type intent struct {
	At    time.Time `json:"at"`
	Title string    `json:"title"`
	Hash  string    `json:"hash"`
}

// Apply performs a plan. One dataset's failure is reported and the run
// goes on; a cancelled context marks the remaining actions failed.
func Apply(ctx context.Context, c *Client, plan *OrgPlan, opts ApplyOptions) (*Report, error) {
	if plan.applied {
		return nil, fmt.Errorf("push: plan of %q already applied: make a new plan", plan.Org.ConfigID)
	}
	plan.applied = true
	rep := &Report{Org: plan.Org, Started: time.Now().UTC()}
	calls := c.Calls()
	var fatal error // stops the writes: credentials refused, read-only platform, cancelled
	for _, a := range plan.Actions {
		res := Result{Action: a, Status: StatusDone}
		var err error
		if fatal == nil && ctx.Err() != nil {
			fatal = ctx.Err()
		}
		switch {
		case fatal != nil && a.Kind != KindDeleted && a.Kind != KindDuplicate:
			err = fmt.Errorf("not run: %w", fatal)
		case a.Kind == KindCreate:
			res.Detail, err = applyCreate(ctx, c, plan.Org, &res.Action, opts.Intents)
		case a.Kind == KindAdopt:
			err = applyUpdate(ctx, c, &res.Action, a.actual.Archived != nil)
		case a.Kind == KindUpdate:
			err = applyUpdate(ctx, c, &res.Action, false)
		case a.Kind == KindUnarchive:
			err = applyUpdate(ctx, c, &res.Action, true)
		case a.Kind == KindArchive && plan.DropGuard && !opts.AcceptDrop:
			err = errors.New("blocked: " + plan.dropMessage())
		case a.Kind == KindArchive:
			err = applyArchive(ctx, c, &res.Action)
		case a.Kind == KindInvalid:
			err = errors.New(a.Reason)
		default:
			res.Status = StatusSkipped
		}
		if err != nil {
			res.Status, res.Error = StatusFailed, err.Error()
			if fatal == nil && (errors.Is(err, ErrAuth) || errors.Is(err, ErrReadOnly)) {
				fatal = err
			}
		}
		rep.Results = append(rep.Results, res)
		if opts.Out != nil {
			line := fmt.Sprintf("%-7s %-20s %s %q", res.Status, res.Kind, res.RemoteID, res.Title)
			if res.DatasetID != "" {
				line += " " + res.DatasetID
			}
			if msg := firstNonEmpty(res.Error, res.Detail); msg != "" {
				line += ": " + msg
			}
			if _, werr := fmt.Fprintln(opts.Out, line); werr != nil {
				return rep, fmt.Errorf("push: write progress: %w", werr)
			}
		}
	}
	rep.Finished = time.Now().UTC()
	rep.Calls = c.Calls() - calls
	if opts.Intents != nil {
		var buf strings.Builder
		if err := rep.WriteJSON(&buf); err == nil {
			if err := opts.Intents.Set(context.WithoutCancel(ctx), ReportKey(plan.Org.ConfigID), []byte(buf.String()), 0); err != nil {
				return rep, fmt.Errorf("push: keep report of %q: %w", plan.Org.ConfigID, err)
			}
		}
	}
	return rep, nil
}

// fieldsBody is the dataset body without resources and extras. It always
// carries tags and temporal_coverage: a PUT goes through udata's whole
// form, where an absent tags is set to [] and an absent temporal_coverage
// to null (udata.md §C.5). spatial is sent only with a geometry ("null"
// never clears one) and not at all when the dataset holds zones set on
// data.gouv.fr (udata refuses a geometry then): hand-set zones win.
// access_type and access_type_reason come from the item ("open" when it
// says nothing); udata nulls the licence of non-open datasets itself.
func fieldsBody(it *dcat.Item, actual *Dataset) map[string]any {
	tags := it.Tags
	if tags == nil {
		tags = []string{}
	}
	lic := it.License
	if lic == "" {
		lic = "notspecified"
	}
	freq := it.Frequency
	if freq == "" {
		freq = "unknown"
	}
	access := it.AccessType
	if access == "" {
		access = "open"
	}
	var period any // an explicit null: no period
	if it.TemporalCoverage != nil {
		period = it.TemporalCoverage
	}
	body := map[string]any{
		"title": it.Title, "description": it.Description, "tags": tags, "license": lic,
		"frequency": freq, "temporal_coverage": period,
		"access_type": access, "access_type_reason": it.AccessTypeReason,
	}
	if it.Spatial != nil && len(it.Spatial.Geom) > 0 && (actual == nil || !actual.hasZones()) {
		gran := it.Spatial.Granularity
		if gran == "" {
			gran = "other"
		}
		body["spatial"] = map[string]any{"geom": it.Spatial.Geom, "granularity": gran}
	}
	return body
}

func desiredExtras(it *dcat.Item, hash string) map[string]any {
	ex := make(map[string]any, len(it.Extras)+1)
	for k, v := range it.Extras {
		ex[k] = v
	}
	ex[dcat.ExtraHash] = hash
	return ex
}

// resourceMark is the remote id a resource was pushed for: push marks the
// resources it creates with extras[passerelle:remote_id]; a resource
// without it was not created by push (uploaded or added on data.gouv.fr,
// or by the harvester).
func resourceMark(r RemoteResource) string {
	s, _ := r.Extras[dcat.ExtraRemoteID].(string)
	return strings.TrimSpace(s)
}

// resourceExtras are the extras push writes on a resource: the current
// ones (udata adds check:* and analysis:* keys), the item's, and the mark.
func resourceExtras(rid string, cur map[string]any, r dcat.Resource) map[string]any {
	ex := make(map[string]any, len(cur)+len(r.Extras)+1)
	for k, v := range cur {
		ex[k] = v
	}
	for k, v := range r.Extras {
		ex[k] = v
	}
	ex[dcat.ExtraRemoteID] = rid
	return ex
}

func resourceBody(rid string, r dcat.Resource) map[string]any {
	typ := r.Type
	if typ == "" {
		typ = "main"
	}
	m := map[string]any{
		"title": r.Title, "url": r.URL, "filetype": "remote", "type": typ,
		"description": r.Description, "format": r.Format, "mime": r.Mime,
		"extras": resourceExtras(rid, nil, r),
	}
	if r.Filesize > 0 {
		m["filesize"] = r.Filesize
	}
	return m
}

// applyCreate creates the dataset with its resources inline (one atomic
// call: no half-created dataset, fewer calls under the rate limit) and
// its extras, hash included. An intent is recorded first; when one is
// already there, or when the answer is lost, the dataset is looked for
// among the newest of the organization before anything is created.
func applyCreate(ctx context.Context, c *Client, org Org, a *Action, intents IntentStore) (string, error) {
	key := intentKey(org, a.RemoteID)
	since := time.Now().UTC()
	if intents != nil {
		raw, ok, err := intents.Get(ctx, key)
		if err != nil {
			return "", fmt.Errorf("read create intent: %w", err)
		}
		if ok {
			var in intent
			if json.Unmarshal(raw, &in) == nil && !in.At.IsZero() {
				d, err := findCreated(ctx, c, org, a.RemoteID, in.At)
				if err != nil {
					return "", fmt.Errorf("look for a dataset created by an interrupted run: %w", err)
				}
				if d != nil {
					return "found the dataset an interrupted run created", takeOverCreated(ctx, c, a, d, intents, key)
				}
			}
		}
		raw, err = json.Marshal(intent{At: since, Title: a.Title, Hash: a.hash})
		if err != nil {
			return "", fmt.Errorf("record create intent: %w", err)
		}
		if err := intents.Set(ctx, key, raw, IntentTTL); err != nil {
			return "", fmt.Errorf("record create intent: %w", err)
		}
	}
	body := fieldsBody(a.item, nil)
	body["organization"] = org.DatagouvID
	body["extras"] = desiredExtras(a.item, a.hash)
	res := make([]map[string]any, 0, len(a.item.Resources))
	for _, r := range a.item.Resources {
		res = append(res, resourceBody(a.RemoteID, r))
	}
	body["resources"] = res
	d, err := c.CreateDataset(ctx, body)
	if err != nil {
		if !errors.Is(err, ErrUncertain) || ctx.Err() != nil {
			return "", err
		}
		found, ferr := findCreated(ctx, c, org, a.RemoteID, since)
		if ferr != nil || found == nil {
			return "", errors.Join(err, ferr)
		}
		return "answer lost, dataset found by lookup", takeOverCreated(ctx, c, a, found, intents, key)
	}
	a.DatasetID = d.ID
	if intents != nil {
		if err := intents.Delete(ctx, key); err != nil {
			return "", fmt.Errorf("created %s, but clear create intent: %w", d.ID, err)
		}
	}
	return "", nil
}

// takeOverCreated takes a dataset found after an interrupted create and
// brings it to the desired state.
func takeOverCreated(ctx context.Context, c *Client, a *Action, d *Dataset, intents IntentStore, key string) error {
	a.DatasetID, a.actual = d.ID, d
	if d.Extra(dcat.ExtraHash) != a.hash || d.Archived != nil {
		if err := applyUpdate(ctx, c, a, d.Archived != nil); err != nil {
			return err
		}
	}
	if intents != nil {
		if err := intents.Delete(ctx, key); err != nil {
			return fmt.Errorf("clear create intent: %w", err)
		}
	}
	return nil
}

// findCreated looks among the organization's newest datasets (sorted by
// -created, stopping at those created well before since) for one carrying
// the remote id.
func findCreated(ctx context.Context, c *Client, org Org, rid string, since time.Time) (*Dataset, error) {
	limit := since.Add(-10 * time.Minute) // clock skew between us and data.gouv.fr
	var found *Dataset
	err := c.Datasets(ctx, org.DatagouvID, 20, func(d *Dataset) bool {
		if d.Extra(dcat.ExtraRemoteID) == rid && d.Deleted == nil {
			found = d
			return false
		}
		t := d.Created()
		return t.IsZero() || !t.Before(limit)
	})
	return found, err
}

// applyUpdate brings an existing dataset to the desired item: PUT fields
// (with tags and temporal_coverage, without resources and extras),
// resources, then the extras through v2, hash last so that a run
// interrupted midway updates again next time. unarchive also clears
// "archived"; when only that changed (same hash, resources and extras in
// place), that one PUT is all.
func applyUpdate(ctx context.Context, c *Client, a *Action, unarchive bool) error {
	d := a.actual
	body := fieldsBody(a.item, d)
	if unarchive {
		body["archived"] = nil
	}
	nd, err := c.UpdateDataset(ctx, d.ID, body)
	if err != nil {
		return err
	}
	if a.Kind == KindUnarchive && !a.changed && d.Extra(dcat.ExtraHash) == a.hash {
		return nil
	}
	if err := syncResources(ctx, c, d.ID, a.RemoteID, nd.Resources, a.item.Resources); err != nil {
		return err
	}
	if _, err := c.MergeExtras(ctx, d.ID, desiredExtras(a.item, a.hash)); err != nil {
		return err
	}
	return nil
}

type resKey struct{ url, title string }

// resourcePlan is what syncResources does with a dataset's resources.
type resourcePlan struct {
	update []resourcePair   // desired resources with their current one (nil: create)
	remove []RemoteResource // ours, no longer desired
	kept   []RemoteResource // not ours: left alone
}

type resourcePair struct {
	cur  *RemoteResource
	want dcat.Resource
}

// matchResources pairs the desired resources with the dataset's, keyed by
// (url, title): several WMS/WFS layers share one URL. Only resources
// marked as pushed for this record are updated or removed (duplicates of
// a key included: no zombies); an unmarked resource is taken over only
// when it has exactly a desired key that no marked resource holds (pushed
// before the marks existed, or made by the harvester from our feed) and
// is a remote link; every other resource is somebody's and kept.
func matchResources(rid string, have []RemoteResource, want []dcat.Resource) resourcePlan {
	var rp resourcePlan
	ours := map[resKey][]RemoteResource{}
	others := map[resKey][]RemoteResource{}
	for _, r := range have {
		k := resKey{r.URL, r.Title}
		if resourceMark(r) == rid {
			ours[k] = append(ours[k], r)
		} else {
			others[k] = append(others[k], r)
		}
	}
	taken := map[string]bool{}
	for _, w := range want {
		k := resKey{w.URL, w.Title}
		switch {
		case len(ours[k]) > 0:
			cur := ours[k][0]
			ours[k] = ours[k][1:]
			rp.update = append(rp.update, resourcePair{cur: &cur, want: w})
		case len(others[k]) > 0 && others[k][0].Filetype == "remote" && resourceMark(others[k][0]) == "":
			cur := others[k][0]
			others[k] = others[k][1:]
			taken[cur.ID] = true
			rp.update = append(rp.update, resourcePair{cur: &cur, want: w})
		default:
			rp.update = append(rp.update, resourcePair{want: w})
		}
	}
	for _, r := range have {
		k := resKey{r.URL, r.Title}
		switch {
		case resourceMark(r) == rid:
			for _, left := range ours[k] {
				if left.ID == r.ID {
					rp.remove = append(rp.remove, r)
				}
			}
		case !taken[r.ID]:
			rp.kept = append(rp.kept, r)
		}
	}
	return rp
}

// keptResources lists what matchResources leaves alone.
func keptResources(rid string, have []RemoteResource, want []dcat.Resource) []KeptResource {
	var out []KeptResource
	for _, r := range matchResources(rid, have, want).kept {
		out = append(out, KeptResource{ID: r.ID, Title: r.Title, Filetype: r.Filetype, URL: r.URL})
	}
	return out
}

// syncResources creates, updates and removes passerelle's resources so
// that they are exactly the desired ones, and never touches the others.
func syncResources(ctx context.Context, c *Client, datasetID, rid string, have []RemoteResource, want []dcat.Resource) error {
	rp := matchResources(rid, have, want)
	for _, p := range rp.update {
		if p.cur == nil {
			if _, err := c.CreateResource(ctx, datasetID, resourceBody(rid, p.want)); err != nil {
				return err
			}
			continue
		}
		if resourceDiffers(rid, *p.cur, p.want) {
			b := resourceBody(rid, p.want)
			delete(b, "filetype")
			b["extras"] = resourceExtras(rid, p.cur.Extras, p.want)
			if err := c.UpdateResource(ctx, datasetID, p.cur.ID, b); err != nil {
				return err
			}
		}
	}
	for _, r := range rp.remove {
		if err := c.DeleteResource(ctx, datasetID, r.ID); err != nil {
			return err
		}
	}
	return nil
}

func resourceDiffers(rid string, cur RemoteResource, w dcat.Resource) bool {
	typ := w.Type
	if typ == "" {
		typ = "main"
	}
	var size int64
	if cur.Filesize != nil {
		size = *cur.Filesize
	}
	if resourceMark(cur) != rid {
		return true
	}
	for k, v := range w.Extras {
		if fmt.Sprint(cur.Extras[k]) != fmt.Sprint(v) {
			return true
		}
	}
	return cur.Description != w.Description || cur.Type != typ ||
		cur.Format != strings.ToLower(strings.TrimSpace(w.Format)) || cur.Mime != w.Mime || size != w.Filesize
}

// applyArchive archives with PUT {"archived": now}, resending the tags and
// the temporal coverage the dataset has (absent, udata wipes both).
func applyArchive(ctx context.Context, c *Client, a *Action) error {
	tags := a.actual.Tags
	if tags == nil {
		tags = []string{}
	}
	var period any
	if p := strings.TrimSpace(string(a.actual.TemporalCoverage)); p != "" && p != "null" {
		period = a.actual.TemporalCoverage
	}
	_, err := c.UpdateDataset(ctx, a.DatasetID, map[string]any{
		"archived": time.Now().UTC().Format(time.RFC3339), "tags": tags, "temporal_coverage": period,
	})
	return err
}
