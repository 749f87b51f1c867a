// Package served owns what passerelle serves, without HTTP: it loads the
// catalogs' current snapshots from the cache (reloading a catalog when its
// generation moves), builds the per catalog, per producer and per
// organization views, maps records to DCAT fragments (keys, precompute after
// a harvest, on-demand mapping) and builds an organization's udata items for
// push. Errors are domain errors (ErrNotFound, ErrNotReady, wrapped in
// *Error with a client-safe message); proxy maps them to HTTP statuses, and
// the harvest and push commands use this package without importing proxy.
package served
