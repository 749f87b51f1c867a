package served

import (
	"errors"
	"fmt"
)

// Classes of the errors this package returns (check with errors.Is).
var (
	// ErrNotFound: no such catalog, producer, organization or record.
	ErrNotFound = errors.New("not found")
	// ErrNotReady: a catalog the answer needs has no good snapshot yet.
	ErrNotReady = errors.New("not harvested yet")
)

// errNoSnapshot says a catalog was never harvested successfully.
var errNoSnapshot = fmt.Errorf("no snapshot yet: %w", ErrNotReady)

// Error is a domain error: Kind is ErrNotFound or ErrNotReady, Msg a
// sentence meant for clients (no internals), Err the cause for logs;
// Catalog names the catalog not ready (ErrNotReady).
type Error struct {
	Kind    error
	Msg     string
	Err     error
	Catalog string
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Msg, e.Err)
	}
	return e.Msg
}

// Unwrap exposes the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func notFound(format string, a ...any) error {
	return &Error{Kind: ErrNotFound, Msg: fmt.Sprintf(format, a...)}
}
