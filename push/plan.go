package push

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/passerelle/passerelle/dcat"
)

// MaxArchiveRatio is the share of an organization's datasets an apply may
// archive without AcceptDrop.
const MaxArchiveRatio = 0.20

// Org is an organization to push: its config id and its data.gouv.fr id.
type Org struct {
	ConfigID   string `json:"organization"`
	DatagouvID string `json:"datagouv_id"`
	Title      string `json:"title,omitempty"`
}

// Kind is what an action does.
type Kind string

// Action kinds.
const (
	KindCreate Kind = "create"
	// KindAdopt: a dataset of the organization that is this record but
	// lacks passerelle's extras (harvested by data.gouv.fr from our feed,
	// or extras removed by hand) becomes ours: extras added, updated.
	KindAdopt     Kind = "adopt"
	KindUpdate    Kind = "update"
	KindUnarchive Kind = "unarchive"
	KindArchive   Kind = "archive"
	// KindDeleted: the dataset was deleted on data.gouv.fr; reported, left alone.
	KindDeleted Kind = "deleted-on-datagouv"
	// KindDuplicate: several datasets carry one remote id; the extra ones
	// are reported and left alone.
	KindDuplicate Kind = "duplicate"
	// KindInvalid: a desired item push cannot send (no remote id, repeated).
	KindInvalid Kind = "invalid"
)

var kindOrder = map[Kind]int{KindCreate: 0, KindAdopt: 1, KindUpdate: 2, KindUnarchive: 3, KindArchive: 4, KindDeleted: 5, KindDuplicate: 6, KindInvalid: 7}

// Action is one planned change and why.
type Action struct {
	Kind      Kind   `json:"action"`
	RemoteID  string `json:"remote_id"`
	DatasetID string `json:"dataset_id,omitempty"`
	Title     string `json:"title"`
	Reason    string `json:"reason"`
	// Kept are the dataset's resources passerelle did not create (files
	// uploaded, links added on data.gouv.fr): never updated nor deleted.
	Kept []KeptResource `json:"kept_resources,omitempty"`

	item    *dcat.Item
	hash    string
	actual  *Dataset
	changed bool // unarchive: content changed too
}

// KeptResource is a resource push leaves alone.
type KeptResource struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Filetype string `json:"filetype"`
	URL      string `json:"url"`
}

// OrgPlan is what Apply would do for one organization (the result of
// Plan; a type and a function cannot share the name Plan in Go).
type OrgPlan struct {
	Org     Org       `json:"-"`
	Partial bool      `json:"partial"`
	Created time.Time `json:"-"`
	Actions []Action  `json:"actions"`
	// Unchanged counts desired items already in sync.
	Unchanged int `json:"unchanged"`
	// Managed counts active (not archived, not deleted) datasets of the
	// organization carrying passerelle's extras.
	Managed int `json:"managed"`
	// KeptByPartial counts archives not planned because the harvest was
	// partial.
	KeptByPartial int `json:"kept_by_partial,omitempty"`
	// DropGuard is set when archives exceed MaxArchiveRatio of Managed:
	// Apply archives only with AcceptDrop.
	DropGuard bool `json:"drop_guard,omitempty"`

	applied bool // Apply ran: a plan is used once (its creates would repeat)
}

// Counts returns the number of actions per kind, plus "unchanged".
func (p *OrgPlan) Counts() map[string]int {
	c := map[string]int{"unchanged": p.Unchanged}
	for _, a := range p.Actions {
		c[string(a.Kind)]++
	}
	return c
}

// Pending reports whether the plan has writes to do.
func (p *OrgPlan) Pending() bool {
	for _, a := range p.Actions {
		switch a.Kind {
		case KindCreate, KindAdopt, KindUpdate, KindUnarchive, KindArchive:
			return true
		}
	}
	return false
}

func remoteID(it *dcat.Item) string {
	s, _ := it.Extras[dcat.ExtraRemoteID].(string)
	return strings.TrimSpace(s)
}

// Plan compares an organization's desired items with its datasets on
// data.gouv.fr. partial says the harvest behind desired was partial: no
// archives then. It runs the pre-flight (CheckOrg) first.
//
// A dataset is ours when it carries passerelle:remote_id. A desired item
// without one is matched, before any create, with a dataset of the
// organization whose harvest.remote_id is its remote id (harvested by
// data.gouv.fr from our feed before the organization moved to push mode),
// else with one whose resources carry its remote id (a pushed dataset
// whose extras were removed by hand): that dataset is adopted, never
// copied.
func Plan(ctx context.Context, c *Client, org Org, desired []dcat.Item, partial bool) (*OrgPlan, error) {
	if err := c.CheckOrg(ctx, org); err != nil {
		return nil, err
	}
	// Indexed as listed: a dataset that is neither ours nor adoptable is
	// not kept.
	x := newIndex(nil)
	err := c.Datasets(ctx, org.DatagouvID, 0, func(d *Dataset) bool {
		x.add(d)
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("plan organization %q: %w", org.ConfigID, err)
	}
	return buildPlan(org, desired, partial, x), nil
}

// index groups datasets by remote id, in list order (newest first): ours
// by extra, the others by harvest.remote_id and by resource marks.
type index struct {
	ours, harvested, marked map[string][]*Dataset
	order                   []string // remote ids of ours, first seen first
}

func newIndex(all []*Dataset) *index {
	x := &index{ours: map[string][]*Dataset{}, harvested: map[string][]*Dataset{}, marked: map[string][]*Dataset{}}
	for _, d := range all {
		x.add(d)
	}
	return x
}

// add indexes d, the next dataset of the list; d is kept only when it is
// ours, harvested or carries a resource mark.
func (x *index) add(d *Dataset) {
	if rid := strings.TrimSpace(d.Extra(dcat.ExtraRemoteID)); rid != "" {
		if _, seen := x.ours[rid]; !seen {
			x.order = append(x.order, rid)
		}
		x.ours[rid] = append(x.ours[rid], d)
		return
	}
	if d.Harvest != nil && strings.TrimSpace(d.Harvest.RemoteID) != "" {
		rid := strings.TrimSpace(d.Harvest.RemoteID)
		x.harvested[rid] = append(x.harvested[rid], d)
		return
	}
	seen := map[string]bool{}
	for _, r := range d.Resources {
		if rid := resourceMark(r); rid != "" && !seen[rid] {
			seen[rid] = true
			x.marked[rid] = append(x.marked[rid], d)
		}
	}
}

// adoptable is the oldest live dataset of list (the list is newest first).
func adoptable(list []*Dataset) *Dataset {
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Deleted == nil {
			return list[i]
		}
	}
	return nil
}

func buildPlan(org Org, desired []dcat.Item, partial bool, x *index) *OrgPlan {
	p := &OrgPlan{Org: org, Partial: partial, Created: time.Now().UTC()}
	// One dataset per remote id: prefer a live one, then the oldest (the
	// list is newest first); report the others.
	actual := map[string]*Dataset{}
	for _, rid := range x.order {
		ds := x.ours[rid]
		best := adoptable(ds)
		if best == nil {
			best = ds[len(ds)-1]
		}
		actual[rid] = best
		for _, d := range ds {
			if d != best && d.Deleted == nil {
				p.Actions = append(p.Actions, Action{Kind: KindDuplicate, RemoteID: rid, DatasetID: d.ID, Title: d.Title,
					Reason: fmt.Sprintf("another dataset (%s) carries the same remote id: left alone, remove it by hand", best.ID)})
			}
		}
		if best.Deleted == nil && best.Archived == nil {
			p.Managed++
		}
	}
	seen := map[string]bool{}
	claimed := map[string]bool{} // datasets adopted by an earlier item
	for i := range desired {
		it := &desired[i]
		rid := remoteID(it)
		switch {
		case rid == "":
			p.Actions = append(p.Actions, Action{Kind: KindInvalid, Title: it.Title, Reason: "item has no " + dcat.ExtraRemoteID + " extra"})
			continue
		case seen[rid]:
			p.Actions = append(p.Actions, Action{Kind: KindInvalid, RemoteID: rid, Title: it.Title, Reason: "remote id repeated among the desired items: first one kept"})
			continue
		}
		seen[rid] = true
		h := dcat.ItemHash(it)
		a := Action{RemoteID: rid, Title: it.Title, item: it, hash: h}
		d := actual[rid]
		if d != nil {
			a.DatasetID, a.actual = d.ID, d
			if hd := adoptable(x.harvested[rid]); hd != nil {
				p.Actions = append(p.Actions, Action{Kind: KindDuplicate, RemoteID: rid, DatasetID: hd.ID, Title: hd.Title,
					Reason: fmt.Sprintf("harvested by data.gouv.fr from harvest source %s while dataset %s is pushed: left alone, delete it and the harvest source by hand", hd.Harvest.SourceID, d.ID)})
			}
		} else if hd := adoptable(x.harvested[rid]); hd != nil && !claimed[hd.ID] {
			claimed[hd.ID] = true
			a.Kind, a.DatasetID, a.actual = KindAdopt, hd.ID, hd
			a.Reason = fmt.Sprintf("harvested by data.gouv.fr from harvest source %s (harvest.remote_id matches): adopted instead of copied; delete that harvest source on data.gouv.fr so that only push updates it", hd.Harvest.SourceID)
		} else if md := adoptable(x.marked[rid]); md != nil && !claimed[md.ID] {
			claimed[md.ID] = true
			a.Kind, a.DatasetID, a.actual = KindAdopt, md.ID, md
			a.Reason = "its resources were pushed for this record but its extras are gone (removed by hand?): adopted instead of copied"
		}
		switch {
		case a.Kind == KindAdopt:
			if a.actual.Archived != nil {
				a.Reason += "; unarchived"
			}
		case d == nil:
			a.Kind, a.Reason = KindCreate, "new record: no dataset carries this remote id"
		case d.Deleted != nil:
			a.Kind, a.Reason = KindDeleted, fmt.Sprintf("deleted on data.gouv.fr on %s: left alone (restore it there to resume updates)", *d.Deleted)
		case d.Archived != nil:
			a.Kind, a.changed = KindUnarchive, d.Extra(dcat.ExtraHash) != h
			a.Reason = "record is back in the harvest"
			if a.changed {
				a.Reason += " and its content changed"
			}
		case d.Extra(dcat.ExtraHash) != h:
			a.Kind, a.Reason = KindUpdate, fmt.Sprintf("content changed (hash %s → %s)", short(d.Extra(dcat.ExtraHash)), short(h))
		case !samePeriod(d.TemporalCoverage, it.TemporalCoverage):
			a.Kind, a.Reason = KindUpdate, "temporal coverage differs on data.gouv.fr (a PUT without it clears it): resent"
		default:
			p.Unchanged++
			continue
		}
		if a.actual != nil && a.Kind != KindDeleted {
			a.Kept = keptResources(rid, a.actual.Resources, it.Resources)
		}
		p.Actions = append(p.Actions, a)
	}
	archives := 0
	for _, rid := range x.order {
		d := actual[rid]
		if seen[rid] || d.Deleted != nil || d.Archived != nil {
			continue
		}
		if partial {
			p.KeptByPartial++
			continue
		}
		archives++
		reason := "record left the harvest"
		if cat := d.Extra(dcat.ExtraCatalog); cat != "" {
			reason += " of catalog " + cat
		}
		p.Actions = append(p.Actions, Action{Kind: KindArchive, RemoteID: rid, DatasetID: d.ID, Title: d.Title, Reason: reason, actual: d})
	}
	if archives > 0 && float64(archives) > MaxArchiveRatio*float64(p.Managed) {
		p.DropGuard = true
	}
	sort.SliceStable(p.Actions, func(i, j int) bool { return kindOrder[p.Actions[i].Kind] < kindOrder[p.Actions[j].Kind] })
	return p
}

// samePeriod compares a dataset's temporal_coverage with the desired one.
func samePeriod(raw json.RawMessage, want *dcat.TemporalCoverage) bool {
	var got *dcat.TemporalCoverage
	if s := strings.TrimSpace(string(raw)); s != "" && s != "null" {
		if err := json.Unmarshal(raw, &got); err != nil {
			return false
		}
	}
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	if got.Start == want.Start && got.End == want.End {
		return true
	}
	// udata's DateRange.clean swaps a reversed range.
	return want.End != "" && want.End < want.Start && got.Start == want.End && got.End == want.Start
}

func short(h string) string {
	if h == "" {
		return "none"
	}
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func (p *OrgPlan) archiveCount() int {
	n := 0
	for _, a := range p.Actions {
		if a.Kind == KindArchive {
			n++
		}
	}
	return n
}

func (p *OrgPlan) dropMessage() string {
	return fmt.Sprintf("%d of %d datasets to archive (more than %.0f %%): needs --accept-drop",
		p.archiveCount(), p.Managed, MaxArchiveRatio*100)
}

// WriteText prints the plan: a summary line, then one line per action.
func (p *OrgPlan) WriteText(w io.Writer) error {
	c := p.Counts()
	var b strings.Builder
	fmt.Fprintf(&b, "organization %s (data.gouv.fr %s): %d create, %d adopt, %d update, %d unarchive, %d archive, %d unchanged",
		p.Org.ConfigID, p.Org.DatagouvID, c["create"], c["adopt"], c["update"], c["unarchive"], c["archive"], c["unchanged"])
	if n := c[string(KindDeleted)] + c[string(KindDuplicate)] + c[string(KindInvalid)]; n > 0 {
		fmt.Fprintf(&b, ", %d reported", n)
	}
	if p.Partial {
		fmt.Fprintf(&b, " (partial harvest: %d archives held back)", p.KeptByPartial)
	}
	b.WriteString("\n")
	if p.DropGuard {
		fmt.Fprintf(&b, "  WARNING: %s\n", p.dropMessage())
	}
	for _, a := range p.Actions {
		fmt.Fprintf(&b, "  %-20s %s %q: %s\n", a.Kind, a.RemoteID, a.Title, a.Reason)
		for _, k := range a.Kept {
			fmt.Fprintf(&b, "  %-20s   kept resource %q (%s, not created by passerelle: left alone)\n", "", k.Title, k.Filetype)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the plan as one JSON object on one line.
func (p *OrgPlan) WriteJSON(w io.Writer) error {
	actions := p.Actions
	if actions == nil {
		actions = []Action{}
	}
	return writeLine(w, map[string]any{
		"organization": p.Org.ConfigID, "datagouv_id": p.Org.DatagouvID, "partial": p.Partial,
		"managed": p.Managed, "drop_guard": p.DropGuard, "counts": p.Counts(), "actions": actions,
	})
}

func writeLine(w io.Writer, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	_, err = w.Write(append(raw, '\n'))
	return err
}
