// Package config loads and validates catalogs.toml, the declarative file that
// lists the CSW catalogs (or folders of ISO 19139 files) passerelle harvests,
// the data.gouv.fr organizations their datasets belong to, and the producer
// name rules (aliases, ignored placeholders) that tie records to
// organizations.
//
// Load reads the file; Parse does the work on bytes already read. The steps
// are: strict decoding with BurntSushi/toml v1 (unknown keys, including keys
// spelled with another case, are errors; values of the wrong TOML type are
// reported per key), expansion of ${ENV} references inside every TOML
// string value (an unset variable is an error, "$${" writes a literal "${"),
// defaults for every key left out, then Validate. Every problem is reported at
// once, joined with errors.Join, each as an *Error whose message names the
// file, the line when known, the table, its id, the key and what was
// expected:
//
//	catalogs.toml:14: catalog "x": url: must be an absolute http(s) URL, got "ngr.nl"
//
// Every such error matches ErrInvalid with errors.Is. Secrets (request headers
// such as Authorization, passwords in URLs) are accepted only as ${ENV}
// references and Catalog redacts them when logged through log/slog.
//
// A loaded Config is read-only: the helpers (Config.Catalog,
// Config.OrganizationFor, Producers.Resolve, Organization.Claims) may be
// called from many goroutines.
//
// References: TOML v1.0.0 (https://toml.io/en/v1.0.0), the catalogs.toml
// format in README.md#configuration, csw-servers.md §2.1 for the per-catalog
// compatibility switches.
package config
