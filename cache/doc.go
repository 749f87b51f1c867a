// Package cache keeps harvested catalogs as consistent snapshots: a Store
// interface with two implementations passing one conformance suite
// (cache/cachetest), Redis (go-redis v9, for shared deployments) and an
// embedded on-disk store (go.etcd.io/bbolt, the default). Only this package
// imports go-redis.
//
// Open picks the implementation from a target: a redis:// or rediss:// URL
// (https://redis.io/docs/latest/develop/clients/go/ for its options, plus
// "prefix" for the key prefix) or a directory for the embedded store's
// passerelle.db (https://pkg.go.dev/go.etcd.io/bbolt).
//
// Commit is atomic in both: bbolt's single writer transaction replaces the
// manifest and generation together; Redis stores the manifest under a
// generation key and a Lua script moves the current pointer only to a
// greater generation, keeping the previous manifest for readers in flight.
// Commit also refuses a snapshot naming a record that is not stored, or
// whose entries are not sorted by unique ID.
//
// Snapshots and records are stored in a small versioned binary form (see
// codec.go), faster and smaller than JSON for 100 000-entry manifests.
// Errors wrap ErrNotFound, ErrInvalid (ErrStaleGeneration for a refused
// generation), ErrLocked, or the cause (context, I/O, Redis).
package cache
