package facade

import (
	"bytes"
	"net/http"

	"github.com/passerelle/passerelle/csw"
)

// OWS exception codes used by the facade (OGC 05-008 table 25, CSW 2.0.2 §10.3.7).
const (
	ExceptionMissingParameterValue    = "MissingParameterValue"
	ExceptionInvalidParameterValue    = "InvalidParameterValue"
	ExceptionOperationNotSupported    = "OperationNotSupported"
	ExceptionVersionNegotiationFailed = "VersionNegotiationFailed"
	ExceptionNoApplicableCode         = "NoApplicableCode"
)

// Exception is one OWS exception the facade answers with: a standard
// exceptionCode, the offending parameter as locator (may be empty) and a
// human-readable text that never carries internal details.
type Exception struct {
	Code    string
	Locator string
	Text    string
	// Unavailable marks a NoApplicableCode answer the client may retry:
	// what the answer needs could not be read now (HTTP 503).
	Unavailable bool
}

// Error implements error.
func (e *Exception) Error() string {
	if e.Locator != "" {
		return "csw: " + e.Code + " (" + e.Locator + "): " + e.Text
	}
	return "csw: " + e.Code + ": " + e.Text
}

// Status is the HTTP status the facade answers this exception with: 400 for
// client errors, 500 for NoApplicableCode (a failure on our side), 503 when
// it is Unavailable.
func (e *Exception) Status() int {
	if e.Code == ExceptionNoApplicableCode && e.Unavailable {
		return http.StatusServiceUnavailable
	}
	if e.Code == ExceptionNoApplicableCode {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// XML renders the exception as an OWS 1.0.0 ows:ExceptionReport
// (version="1.2.0", as CSW 2.0.2 uses).
func (e *Exception) XML() []byte {
	var b bytes.Buffer
	b.WriteString(xmlDecl)
	b.WriteString(`<ows:ExceptionReport xmlns:ows="` + csw.NSOWS + `" xmlns:xsi="` + csw.NSXSI + `" version="1.2.0" language="en" xsi:schemaLocation="` + csw.NSOWS + ` http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd">`)
	b.WriteString(`<ows:Exception exceptionCode="`)
	escAttr(&b, e.Code)
	b.WriteByte('"')
	if e.Locator != "" {
		b.WriteString(` locator="`)
		escAttr(&b, e.Locator)
		b.WriteByte('"')
	}
	b.WriteString(`><ows:ExceptionText>`)
	escText(&b, e.Text)
	b.WriteString(`</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`)
	b.WriteByte('\n')
	return b.Bytes()
}

func missing(locator string) *Exception {
	return &Exception{Code: ExceptionMissingParameterValue, Locator: locator, Text: "missing parameter " + locator}
}

func invalid(locator, text string) *Exception {
	return &Exception{Code: ExceptionInvalidParameterValue, Locator: locator, Text: text}
}
