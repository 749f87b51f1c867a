// Package push keeps data.gouv.fr organizations in sync with passerelle's
// desired state (one dcat.Item per dataset) through the udata API v1/v2.
//
// Client is the API client: API key (X-API-KEY) or OAuth2 bearer
// (authorization code + PKCE, tokens in token.json, refresh attempted and
// rotated under a file lock), a token-bucket rate limit, backoff on 429/5xx
// honouring Retry-After, and udata error bodies decoded into APIError.
//
// Plan compares an organization's desired items with the datasets carrying
// passerelle's extras (passerelle:remote_id, passerelle:catalog,
// passerelle:hash) and lists actions with reasons; Apply performs them:
// create, update only when the hash differs, archive records that left an
// ok harvest, unarchive those that return, never delete, leave datasets
// deleted on data.gouv.fr alone, record an intent before each create so a
// crashed run never duplicates. Every PUT resends tags and
// temporal_coverage (udata's form wipes them when absent); only resources
// marked extras[passerelle:remote_id] are updated or deleted, the others
// (uploaded or added on data.gouv.fr) are kept; a dataset harvested by
// data.gouv.fr from our feed (harvest.remote_id) is adopted, never copied.
// OAuth2 refreshes are unreliable on data.gouv.fr: a refused sign-in says
// to sign in again, and unattended pushes use an API key.
//
// The contract is ../shared/reference/udata.md §C (https://doc.data.gouv.fr/api/intro,
// https://www.data.gouv.fr/api/1/swagger.json). Archiving by PUT
// {"archived": <datetime>} and unarchiving with null were read from udata's
// code, not verified against the live API.
package push
