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

// fieldsBody is the PUT body: dataset fields without resources and
// extras, always with tags (an absent tags wipes them).
func fieldsBody(it *dcat.Item) map[string]any {
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
	return map[string]any{
		"title": it.Title, "description": it.Description, "tags": tags, "license": lic,
		"frequency": freq, "temporal_coverage": it.TemporalCoverage, "spatial": it.Spatial,
	}
}

func desiredExtras(it *dcat.Item, hash string) map[string]any {
	ex := make(map[string]any, len(it.Extras)+1)
	for k, v := range it.Extras {
		ex[k] = v
	}
	ex[ExtraHash] = hash
	return ex
}

func resourceBody(r dcat.Resource) map[string]any {
	typ := r.Type
	if typ == "" {
		typ = "main"
	}
	m := map[string]any{
		"title": r.Title, "url": r.URL, "filetype": "remote", "type": typ,
		"description": r.Description, "format": r.Format, "mime": r.Mime,
	}
	if r.Filesize > 0 {
		m["filesize"] = r.Filesize
	}
	if len(r.Extras) > 0 {
		m["extras"] = r.Extras
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
					return "found the dataset an interrupted run created", adopt(ctx, c, a, d, intents, key)
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
	body := fieldsBody(a.item)
	body["organization"] = org.DatagouvID
	body["extras"] = desiredExtras(a.item, a.hash)
	res := make([]map[string]any, 0, len(a.item.Resources))
	for _, r := range a.item.Resources {
		res = append(res, resourceBody(r))
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
		return "answer lost, dataset found by lookup", adopt(ctx, c, a, found, intents, key)
	}
	a.DatasetID = d.ID
	if intents != nil {
		if err := intents.Delete(ctx, key); err != nil {
			return "", fmt.Errorf("created %s, but clear create intent: %w", d.ID, err)
		}
	}
	return "", nil
}

// adopt takes a dataset found after an interrupted create and brings it to
// the desired state.
func adopt(ctx context.Context, c *Client, a *Action, d *Dataset, intents IntentStore, key string) error {
	a.DatasetID, a.actual = d.ID, d
	if d.Extra(ExtraHash) != a.hash || d.Archived != nil {
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
		if d.Extra(ExtraRemoteID) == rid && d.Deleted == nil {
			found = d
			return false
		}
		t := d.Created()
		return t.IsZero() || !t.Before(limit)
	})
	return found, err
}

// applyUpdate brings an existing dataset to the desired item: PUT fields
// (with tags, without resources and extras), resources keyed by
// (url, title), then the extras through v2, hash last so that a run
// interrupted midway updates again next time. unarchive also clears
// "archived"; when only that changed, one PUT is enough.
func applyUpdate(ctx context.Context, c *Client, a *Action, unarchive bool) error {
	d := a.actual
	if unarchive && !a.changed && d.Extra(ExtraHash) == a.hash {
		tags := d.Tags
		if tags == nil {
			tags = []string{}
		}
		_, err := c.UpdateDataset(ctx, d.ID, map[string]any{"archived": nil, "tags": tags})
		return err
	}
	body := fieldsBody(a.item)
	if unarchive {
		body["archived"] = nil
	}
	nd, err := c.UpdateDataset(ctx, d.ID, body)
	if err != nil {
		return err
	}
	if err := syncResources(ctx, c, d.ID, nd.Resources, a.item.Resources); err != nil {
		return err
	}
	if _, err := c.MergeExtras(ctx, d.ID, desiredExtras(a.item, a.hash)); err != nil {
		return err
	}
	return nil
}

type resKey struct{ url, title string }

// syncResources adds, updates and removes resources so that the dataset
// has exactly the desired ones, keyed by (url, title): several WMS/WFS
// layers share one URL. Duplicates of a key are removed (no zombies).
func syncResources(ctx context.Context, c *Client, datasetID string, have []RemoteResource, want []dcat.Resource) error {
	byKey := map[resKey][]RemoteResource{}
	for _, r := range have {
		k := resKey{r.URL, r.Title}
		byKey[k] = append(byKey[k], r)
	}
	for _, w := range want {
		k := resKey{w.URL, w.Title}
		if list := byKey[k]; len(list) > 0 {
			cur := list[0]
			byKey[k] = list[1:]
			if resourceDiffers(cur, w) {
				b := resourceBody(w)
				delete(b, "filetype")
				if err := c.UpdateResource(ctx, datasetID, cur.ID, b); err != nil {
					return err
				}
			}
			continue
		}
		if _, err := c.CreateResource(ctx, datasetID, resourceBody(w)); err != nil {
			return err
		}
	}
	for _, r := range have {
		for _, left := range byKey[resKey{r.URL, r.Title}] {
			if left.ID == r.ID {
				if err := c.DeleteResource(ctx, datasetID, r.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func resourceDiffers(cur RemoteResource, w dcat.Resource) bool {
	typ := w.Type
	if typ == "" {
		typ = "main"
	}
	var size int64
	if cur.Filesize != nil {
		size = *cur.Filesize
	}
	return cur.Description != w.Description || cur.Type != typ ||
		cur.Format != strings.ToLower(strings.TrimSpace(w.Format)) || cur.Mime != w.Mime || size != w.Filesize
}

// applyArchive archives with PUT {"archived": now}, resending the tags
// (an absent tags would wipe them).
func applyArchive(ctx context.Context, c *Client, a *Action) error {
	tags := a.actual.Tags
	if tags == nil {
		tags = []string{}
	}
	_, err := c.UpdateDataset(ctx, a.DatasetID, map[string]any{
		"archived": time.Now().UTC().Format(time.RFC3339), "tags": tags,
	})
	return err
}
