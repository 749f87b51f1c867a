package cache

import (
	"context"
	"errors"
	"fmt"
)

// ErrInvalid is returned (wrapped) when a call's arguments are unusable:
// an empty catalog, hash or key, a snapshot whose entries are not sorted by
// unique ID or name records that are not stored, a negative TTL.
var ErrInvalid = errors.New("invalid argument")

// ErrStaleGeneration is returned (wrapped) by Commit when the snapshot's
// generation is not greater than the current one, typically because
// another harvester committed first. It wraps ErrInvalid.
var ErrStaleGeneration = fmt.Errorf("generation not above the current one: %w", ErrInvalid)

// ErrUnavailable is returned (wrapped, beside the cause) when the store
// cannot be reached: Redis connection failures and timeouts, a closed
// store. Worth retrying later; callers map it to 503.
var ErrUnavailable = errors.New("store unavailable")

// Length limits, the same for every store so both behave alike.
const (
	maxNameLen = 1024      // catalog names and record hashes
	maxKeyLen  = 16 * 1024 // Get/Set/Delete keys
)

func checkCatalog(catalog string) error {
	if catalog == "" || len(catalog) > maxNameLen {
		return fmt.Errorf("catalog name of %d bytes (want 1 to %d): %w", len(catalog), maxNameLen, ErrInvalid)
	}
	return nil
}

func checkHashes(hashes []string) error {
	for _, h := range hashes {
		if h == "" || len(h) > maxNameLen {
			return fmt.Errorf("record hash %q (want 1 to %d bytes): %w", truncate(h), maxNameLen, ErrInvalid)
		}
	}
	return nil
}

func checkRecords(recs []StoredRecord) error {
	for i := range recs {
		if err := checkHashes([]string{recs[i].Hash}); err != nil {
			return err
		}
	}
	return nil
}

func checkKey(key string) error {
	if key == "" || len(key) > maxKeyLen {
		return fmt.Errorf("key of %d bytes (want 1 to %d): %w", len(key), maxKeyLen, ErrInvalid)
	}
	return nil
}

// checkSnapshot checks what can be checked without the store: a catalog,
// a positive generation, entries sorted by unique ID with hashes.
func checkSnapshot(snap *Snapshot) error {
	if snap == nil {
		return fmt.Errorf("nil snapshot: %w", ErrInvalid)
	}
	if err := checkCatalog(snap.Catalog); err != nil {
		return err
	}
	if snap.Generation <= 0 {
		return fmt.Errorf("catalog %q: generation %d: %w", snap.Catalog, snap.Generation, ErrStaleGeneration)
	}
	for i := range snap.Entries {
		en := &snap.Entries[i]
		if en.Hash == "" || len(en.Hash) > maxNameLen {
			return fmt.Errorf("catalog %q: entry %q: hash of %d bytes: %w", snap.Catalog, truncate(en.ID), len(en.Hash), ErrInvalid)
		}
		if i > 0 && snap.Entries[i-1].ID >= en.ID {
			return fmt.Errorf("catalog %q: entries not sorted by unique ID at %q, %q: %w",
				snap.Catalog, truncate(snap.Entries[i-1].ID), truncate(en.ID), ErrInvalid)
		}
	}
	return nil
}

// snapshotHashes returns the distinct hashes a snapshot names.
func snapshotHashes(snap *Snapshot) []string {
	seen := make(map[string]struct{}, len(snap.Entries))
	out := make([]string, 0, len(snap.Entries))
	for i := range snap.Entries {
		h := snap.Entries[i].Hash
		if _, ok := seen[h]; !ok {
			seen[h] = struct{}{}
			out = append(out, h)
		}
	}
	return out
}

// truncate shortens s for error messages.
func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// precheck is the argument check every catalog operation of both stores
// starts with: a live context, a valid catalog name, then the operation's
// own checks, each failure wrapped with the action.
func precheck(ctx context.Context, action, catalog string, extra ...func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s of %q: %w", action, catalog, err)
	}
	if err := checkCatalog(catalog); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	for _, check := range extra {
		if err := check(); err != nil {
			return fmt.Errorf("%s of %q: %w", action, catalog, err)
		}
	}
	return nil
}
