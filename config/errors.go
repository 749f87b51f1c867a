package config

import (
	"errors"
	"strconv"
	"strings"
)

// ErrInvalid is matched (errors.Is) by every problem found in a configuration
// file: syntax, unknown keys, wrong types, unset ${ENV} variables and failed
// validation. Errors reading the file are not ErrInvalid.
var ErrInvalid = errors.New("invalid configuration")

// Error is one problem in a configuration file.
type Error struct {
	File    string // base name of the file, e.g. "catalogs.toml"
	Line    int    // 1-based line, 0 when unknown
	Section string // "server", "catalog", "organization", "producers"; "" for the whole file
	ID      string // id of the catalog or organization, when it has one
	Index   int    // 1-based position of the [[catalog]] or [[organization]] table when ID is empty
	Field   string // key, e.g. "url", "headers.Authorization", "source.producers"
	Msg     string // what is wrong and what was expected
	Err     error  // underlying cause (e.g. a toml.ParseError), may be nil
}

// Error formats the problem as
// `file:line: section "id": field: message`, leaving out what is unknown.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Section != "" {
		b.WriteString(e.Section)
		switch {
		case e.ID != "":
			b.WriteByte(' ')
			b.WriteString(strconv.Quote(e.ID))
		case e.Index > 0:
			b.WriteString(" #")
			b.WriteString(strconv.Itoa(e.Index))
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }
