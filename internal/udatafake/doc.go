// Package udatafake is an in-process fake of data.gouv.fr (udata) for tests:
// the API v1/v2 routes passerelle's pusher uses and the OAuth2 authorization
// server, following ../shared/reference/udata.md §C to the letter, traps
// included (absent tags wipe tags and an absent temporal_coverage clears
// it on every PUT, spatial absent or null kept, zones and geom exclusive,
// access_type other than open nulling the licence, provided extras replace,
// 410 checked before 403, soft delete, 404 past the last page, 401 bodies
// and WWW-Authenticate, PKCE S256, rotating refresh tokens that public
// clients cannot use and that give confidential clients a token born
// expired).
//
// State is seeded and inspected through methods (AddUser, AddOrg, AddClient,
// SeedDataset, SeedHarvested for datasets carrying read-only harvest
// metadata, AddResource for files uploaded on the site, Datasets…); every call is counted per (method, route
// template); faults can be injected per route: 429 with Retry-After, 500,
// slow answers, a connection dropped after the write was applied, and the
// read-only 423. Test support only.
package udatafake
