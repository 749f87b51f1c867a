package iso

import "errors"

// Error classes of Parse. A *RecordError wraps exactly one of them.
var (
	// ErrMalformed: not well-formed XML, a DTD/entity declaration, nesting
	// deeper than the bound, an undeclared prefix, an unsupported encoding.
	ErrMalformed = errors.New("malformed XML")
	// ErrNotISO: well-formed XML whose root is not an ISO 19139 metadata
	// record (ISO 19115-3 mdb:MD_Metadata, csw:Record, HTML, an envelope…).
	ErrNotISO = errors.New("not an ISO 19139 record")
)

// RecordError says why a document is not a usable ISO 19139 record.
type RecordError struct {
	Reason string // what was found, for people: "root element mdb:MD_Metadata (http://…)"
	Kind   error  // ErrMalformed or ErrNotISO
	Err    error  // underlying cause when there is one (an *xml.SyntaxError…)
}

func (e *RecordError) Error() string {
	return "iso: " + e.Reason
}

// Unwrap exposes the class and the cause to errors.Is / errors.As.
func (e *RecordError) Unwrap() []error {
	out := make([]error, 0, 2)
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}
