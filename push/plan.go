package push

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/passerelle/passerelle/dcat"
)

// Extras keys passerelle owns on data.gouv.fr datasets.
const (
	ExtraRemoteID = "passerelle:remote_id"
	ExtraCatalog  = "passerelle:catalog"
	ExtraHash     = "passerelle:hash"
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
	KindCreate    Kind = "create"
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

var kindOrder = map[Kind]int{KindCreate: 0, KindUpdate: 1, KindUnarchive: 2, KindArchive: 3, KindDeleted: 4, KindDuplicate: 5, KindInvalid: 6}

// Action is one planned change and why.
type Action struct {
	Kind      Kind   `json:"action"`
	RemoteID  string `json:"remote_id"`
	DatasetID string `json:"dataset_id,omitempty"`
	Title     string `json:"title"`
	Reason    string `json:"reason"`

	item    *dcat.Item
	hash    string
	actual  *Dataset
	changed bool // unarchive: content changed too
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
		case KindCreate, KindUpdate, KindUnarchive, KindArchive:
			return true
		}
	}
	return false
}

// ItemHash returns the item's passerelle:hash, or computes one: sha256 of
// its JSON without Quality, Source and the hash extra.
func ItemHash(it *dcat.Item) string {
	if h, ok := it.Extras[ExtraHash].(string); ok && h != "" {
		return h
	}
	c := *it
	c.Quality, c.Source = nil, nil
	c.Extras = make(map[string]any, len(it.Extras))
	for k, v := range it.Extras {
		if k != ExtraHash {
			c.Extras[k] = v
		}
	}
	raw, err := json.Marshal(c)
	if err != nil {
		raw = []byte(fmt.Sprintf("%#v", c))
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

func remoteID(it *dcat.Item) string {
	s, _ := it.Extras[ExtraRemoteID].(string)
	return strings.TrimSpace(s)
}

// Plan compares an organization's desired items with its datasets on
// data.gouv.fr. partial says the harvest behind desired was partial: no
// archives then. It runs the pre-flight (CheckOrg) first.
func Plan(ctx context.Context, c *Client, org Org, desired []dcat.Item, partial bool) (*OrgPlan, error) {
	if err := c.CheckOrg(ctx, org); err != nil {
		return nil, err
	}
	byRemote := map[string][]*Dataset{}
	var order []string
	err := c.Datasets(ctx, org.DatagouvID, 0, func(d *Dataset) bool {
		rid := d.Extra(ExtraRemoteID)
		if rid == "" {
			return true // not ours
		}
		if _, seen := byRemote[rid]; !seen {
			order = append(order, rid)
		}
		byRemote[rid] = append(byRemote[rid], d)
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("plan organization %q: %w", org.ConfigID, err)
	}
	return buildPlan(org, desired, partial, byRemote, order), nil
}

func buildPlan(org Org, desired []dcat.Item, partial bool, byRemote map[string][]*Dataset, order []string) *OrgPlan {
	p := &OrgPlan{Org: org, Partial: partial, Created: time.Now().UTC()}
	// One dataset per remote id: prefer a live one, then the oldest (the
	// list is newest first); report the others.
	actual := map[string]*Dataset{}
	for _, rid := range order {
		ds := byRemote[rid]
		best := ds[len(ds)-1]
		for i := len(ds) - 1; i >= 0; i-- {
			if ds[i].Deleted == nil {
				best = ds[i]
				break
			}
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
	for i := range desired {
		it := &desired[i]
		rid := remoteID(it)
		switch {
		case rid == "":
			p.Actions = append(p.Actions, Action{Kind: KindInvalid, Title: it.Title, Reason: "item has no " + ExtraRemoteID + " extra"})
			continue
		case seen[rid]:
			p.Actions = append(p.Actions, Action{Kind: KindInvalid, RemoteID: rid, Title: it.Title, Reason: "remote id repeated among the desired items: first one kept"})
			continue
		}
		seen[rid] = true
		h := ItemHash(it)
		a := Action{RemoteID: rid, Title: it.Title, item: it, hash: h}
		d := actual[rid]
		if d != nil {
			a.DatasetID, a.actual = d.ID, d
		}
		switch {
		case d == nil:
			a.Kind, a.Reason = KindCreate, "new record: no dataset carries this remote id"
		case d.Deleted != nil:
			a.Kind, a.Reason = KindDeleted, fmt.Sprintf("deleted on data.gouv.fr on %s: left alone (restore it there to resume updates)", *d.Deleted)
		case d.Archived != nil:
			a.Kind, a.changed = KindUnarchive, d.Extra(ExtraHash) != h
			a.Reason = "record is back in the harvest"
			if a.changed {
				a.Reason += " and its content changed"
			}
		case d.Extra(ExtraHash) != h:
			a.Kind, a.Reason = KindUpdate, fmt.Sprintf("content changed (hash %s → %s)", short(d.Extra(ExtraHash)), short(h))
		default:
			p.Unchanged++
			continue
		}
		p.Actions = append(p.Actions, a)
	}
	archives := 0
	for _, rid := range order {
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
		if cat := d.Extra(ExtraCatalog); cat != "" {
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
	fmt.Fprintf(&b, "organization %s (data.gouv.fr %s): %d create, %d update, %d unarchive, %d archive, %d unchanged",
		p.Org.ConfigID, p.Org.DatagouvID, c["create"], c["update"], c["unarchive"], c["archive"], c["unchanged"])
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
