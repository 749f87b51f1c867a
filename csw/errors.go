package csw

import (
	"errors"
	"strings"
)

// Error classes of the CSW client, checked with errors.Is. Every error the
// client returns for an upstream answer wraps exactly one of them; only
// ErrTransient is worth retrying.
var (
	// ErrTransient marks failures that may pass on retry: timeouts,
	// connection resets, HTTP 5xx and 429, truncated bodies.
	ErrTransient = errors.New("csw: transient upstream failure")
	// ErrUpstream marks answers that are wrong and will stay wrong:
	// exception reports, HTML where XML was expected, malformed envelopes,
	// protocol violations, bodies over the size limit.
	ErrUpstream = errors.New("csw: invalid upstream answer")
	// ErrBodyTooLarge is returned (wrapping ErrUpstream) when a response
	// body exceeds Options.MaxBodyBytes.
	ErrBodyTooLarge = &Sentinel{Class: ErrUpstream, Msg: "csw: response body exceeds the size limit"}
)

// Sentinel is a sentinel error that belongs to a class (ErrTransient or
// ErrUpstream): errors.Is finds both.
type Sentinel struct {
	Class error
	Msg   string
}

func (e *Sentinel) Error() string { return e.Msg }
func (e *Sentinel) Unwrap() error { return e.Class }

// ExceptionError is an ows:ExceptionReport answered by an upstream server
// (any OWS namespace version, whatever the HTTP status). It wraps
// ErrUpstream. Code and Locator come from the first ows:Exception; Text
// joins every ows:ExceptionText.
type ExceptionError struct {
	Code    string
	Locator string
	Text    string
}

// Error implements error.
func (e *ExceptionError) Error() string {
	var b strings.Builder
	b.WriteString("csw: exception report")
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Locator != "" {
		b.WriteString(" (locator " + e.Locator + ")")
	}
	if e.Text != "" {
		b.WriteString(": " + e.Text)
	}
	return b.String()
}

// Unwrap classifies an exception report as ErrUpstream.
func (e *ExceptionError) Unwrap() error { return ErrUpstream }

// mentions reports whether the code, locator or text names word
// (case-insensitive).
func (e *ExceptionError) Mentions(words ...string) bool {
	all := strings.ToLower(e.Code + " " + e.Locator + " " + e.Text)
	for _, w := range words {
		if strings.Contains(all, strings.ToLower(w)) {
			return true
		}
	}
	return false
}

// RootError is returned (wrapping ErrUpstream) when a document's root is
// neither a CSW GetRecordsResponse or GetRecordByIdResponse nor an
// ows:ExceptionReport: an HTML page, a bare record, another protocol.
type RootError struct {
	Space string // namespace URI of the root element ("" when none)
	Local string // local name of the root element
}

// Error implements error.
func (e *RootError) Error() string {
	if e.Space == "" {
		return "csw: unexpected root element <" + e.Local + ">"
	}
	return "csw: unexpected root element {" + e.Space + "}" + e.Local
}

// Unwrap classifies an unexpected root as ErrUpstream.
func (e *RootError) Unwrap() error { return ErrUpstream }

// NewError builds an error of a class: "csw: " + msg, wrapping class and cause
// (cause may be nil).
func NewError(class error, msg string, cause error) error {
	if cause == nil {
		return &Error{Class: class, Msg: msg}
	}
	return &Error{Class: class, Msg: msg + ": " + cause.Error(), Cause: cause}
}

// Error is an error of a class (ErrTransient or ErrUpstream) with its
// message and, when there is one, its cause; errors.Is finds both.
type Error struct {
	Class error
	Cause error
	Msg   string
}

func (e *Error) Error() string { return "csw: " + e.Msg }
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Class}
	}
	return []error{e.Class, e.Cause}
}
