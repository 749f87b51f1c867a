// Package proxy is passerelle's HTTP server (Fiber v2, the only package
// importing Fiber): per catalog, per producer and per data.gouv.fr
// organization it serves DCAT-AP 3 feeds (Turtle, N-Triples, RDF/XML,
// JSON-LD), JSON views shaped like udata's API, and a CSW 2.0.2 facade, all
// from the cache's current snapshots and never from upstream.
//
// Handlers return errors; one error handler renders OWS ExceptionReports on
// CSW routes and RFC 7807 problem JSON elsewhere, never internals.
package proxy
