// Package cache keeps harvested catalogs as consistent snapshots: a Store
// interface with two implementations passing one conformance suite, Redis
// (go-redis v9, for shared deployments) and an embedded on-disk store (the
// default). Only this package imports go-redis.
package cache
