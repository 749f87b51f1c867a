// Package served owns what passerelle serves, without HTTP: it loads the
// catalogs' current snapshots from the cache (reloading a catalog when its
// generation moves), builds the per catalog, per producer and per
// organization views, maps records to DCAT fragments (keys, precompute after
// a harvest, on-demand mapping) and builds an organization's udata items for
// push. Errors are domain errors (ErrNotFound, ErrNotReady, wrapped in
// *Error with a client-safe message); proxy maps them to HTTP statuses, and
// the harvest and push commands use this package without importing proxy.
//
// Memory holds, per catalog, its manifest and one fragment head per record
// (what feeds are ordered by); full fragments sit in a byte-bounded LRU and
// are otherwise read from the store (Warm precomputes them with their heads),
// models are read from the store for the page being answered. The CSW
// facade filters every record, so State.CSWEntries builds each record's
// facade index once per generation, from its model read a chunk at a time
// and then dropped; the facade reads the models of the records it writes
// through State.CSWModels, one batched read per page.
package served
