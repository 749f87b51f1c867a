package cache

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned (wrapped) when a catalog has no snapshot or a key,
// record or report does not exist.
var ErrNotFound = errors.New("not found")

// Store is what passerelle keeps between runs. Two implementations pass the
// same conformance suite (cachetest): Redis (shared deployments) and an
// embedded on-disk store (the default).
//
// Records are content-addressed per catalog: a record's key is the sha256 of
// its raw upstream bytes, so a harvest writes only what changed. A snapshot
// is a manifest naming, for each fileIdentifier, the hash to serve. Committing
// a snapshot switches readers to it atomically: a reader sees either the old
// manifest or the new one, never a mix, and every record a committed manifest
// names is readable until a later Prune removes it.
type Store interface {
	// PutRecords stores records under (catalog, rec.Hash). Storing a hash
	// that already exists keeps the existing FirstStored.
	PutRecords(ctx context.Context, catalog string, recs []StoredRecord) error
	// Records returns the records with these hashes, in the same order;
	// a missing hash is an error wrapping ErrNotFound.
	Records(ctx context.Context, catalog string, hashes []string) ([]StoredRecord, error)
	// ParsedRecords returns only the parsed models (StoredRecord.Parsed)
	// of the records with these hashes, in order, nil for a record stored
	// without one: what serving and fragment precompute read, without
	// reading or copying the raw bytes. A missing hash is an error wrapping
	// ErrNotFound.
	ParsedRecords(ctx context.Context, catalog string, hashes []string) ([][]byte, error)
	// HasRecords reports which of these hashes are stored (same order).
	HasRecords(ctx context.Context, catalog string, hashes []string) ([]bool, error)
	// Prune deletes every record of the catalog whose hash is not in keep.
	Prune(ctx context.Context, catalog string, keep map[string]bool) (int, error)

	// Commit makes snap the catalog's current snapshot, atomically. Its
	// Generation must be greater than the current one's.
	Commit(ctx context.Context, snap *Snapshot) error
	// Snapshot returns the catalog's current snapshot, ErrNotFound if none.
	Snapshot(ctx context.Context, catalog string) (*Snapshot, error)
	// Generation returns the current generation (0 if none) cheaply, so
	// readers can tell when to reload.
	Generation(ctx context.Context, catalog string) (int64, error)

	// AddReport appends a harvest report (JSON) and keeps the last MaxReports.
	AddReport(ctx context.Context, catalog string, report []byte) error
	// Reports returns the catalog's reports, newest first.
	Reports(ctx context.Context, catalog string) ([][]byte, error)

	// Get, Set and Delete are a plain key-value space for the other
	// packages (DCAT fragments, push intents and reports). ttl 0 means
	// no expiry. Get returns ok=false for a miss.
	Get(ctx context.Context, key string) (val []byte, ok bool, err error)
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// GetMany returns the values of these keys, in order, nil for a miss
	// (an empty value is a hit: a non-nil empty slice), in one
	// transaction or a few round trips.
	GetMany(ctx context.Context, keys []string) ([][]byte, error)
	// SetMany stores several keys at once (one transaction or round trip),
	// all with the same ttl.
	SetMany(ctx context.Context, kv map[string][]byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error

	// Lease takes the named lease for ttl if nobody holds it, so that one
	// of several processes sharing the store does a job (a catalog's
	// harvest). ok=false when another holder has it. The returned Lease
	// must be released; Extend keeps it while the job runs. A crashed
	// holder's lease expires after ttl: no lock outlives its process by
	// more than that.
	Lease(ctx context.Context, name string, ttl time.Duration) (lease Lease, ok bool, err error)

	Close() error
}

// Lease is a held lease.
type Lease interface {
	// Extend pushes the expiry to now+ttl; it fails when the lease was lost.
	Extend(ctx context.Context, ttl time.Duration) error
	// Release gives the lease up (a lost lease is not an error).
	Release(ctx context.Context) error
}

// ErrLeaseLost is returned by Extend when the lease expired and was taken.
var ErrLeaseLost = errors.New("lease lost")

// MaxReports is how many harvest reports a catalog keeps.
const MaxReports = 20

// StoredRecord is one upstream record as kept in the store.
type StoredRecord struct {
	Hash        string    `json:"hash"`             // hex sha256 of Raw
	Raw         []byte    `json:"raw"`              // the record's bytes as harvested (self-contained XML document)
	Parsed      []byte    `json:"parsed,omitempty"` // JSON of iso.Record; empty when parsing failed
	ParseError  string    `json:"parse_error,omitempty"`
	FirstStored time.Time `json:"first_stored"` // when this hash was first stored for the catalog
}

// Snapshot is a catalog's manifest: what is served for it.
type Snapshot struct {
	Catalog    string    `json:"catalog"`
	Generation int64     `json:"generation"`
	Created    time.Time `json:"created"`
	Status     string    `json:"status"` // status of the harvest that produced it: "ok" or "partial"
	// Model is the iso.ModelVersion its records' parsed models were made
	// with (0: written before versions were recorded). A harvest meeting an
	// older one parses every record again, unchanged bytes included.
	Model   int     `json:"model,omitempty"`
	Entries []Entry `json:"entries"` // sorted by ID
	// Shadowed are records the harvest fetched but does not serve: losers
	// of a duplicate fileIdentifier. Kept so the next harvest recognises
	// their unchanged bytes without parsing them again.
	Shadowed []Entry `json:"shadowed,omitempty"`
	// Producers maps a producer slug to its display name.
	Producers map[string]string `json:"producers,omitempty"`
}

// Entry is one record of a snapshot.
type Entry struct {
	ID          string    `json:"id"` // fileIdentifier
	Hash        string    `json:"hash"`
	FirstStored time.Time `json:"first_stored"`
	DateStamp   string    `json:"date_stamp,omitempty"`
	Type        string    `json:"type,omitempty"`      // hierarchy level
	Producers   []string  `json:"producers,omitempty"` // slugs, role order (publisher, owner, custodian, pointOfContact, others, metadata contact); ["_none"] when none
	// ProducerNames are the organisation names as written, in the same role
	// order before alias resolution, so producers can be re-resolved when
	// the configuration changes without re-parsing the record.
	ProducerNames []string `json:"producer_names,omitempty"`
	Identifier    string   `json:"identifier,omitempty"` // served dct:identifier (the first value served is kept)
	// Conflict names the fileIdentifier of another record of the catalog
	// that already serves Identifier: this one is kept (CSW, JSON) but left
	// out of DCAT feeds, and reported.
	Conflict string `json:"conflict,omitempty"`
	ParentID string `json:"parent_id,omitempty"` // parentIdentifier, for series membership
	Title    string `json:"title,omitempty"`
}
