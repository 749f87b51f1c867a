package csw

// Namespaces of CSW 2.0.2 and of what it carries, read by the client and
// the splitter, written by the facade.
const (
	NSCSW   = "http://www.opengis.net/cat/csw/2.0.2"
	NSGMD   = "http://www.isotc211.org/2005/gmd"
	NSGMI   = "http://www.isotc211.org/2005/gmi"
	NSGCO   = "http://www.isotc211.org/2005/gco"
	NSSRV   = "http://www.isotc211.org/2005/srv"
	NSXSI   = "http://www.w3.org/2001/XMLSchema-instance"
	NSDC    = "http://purl.org/dc/elements/1.1/"
	NSDCT   = "http://purl.org/dc/terms/"
	NSAPISO = "http://www.opengis.net/cat/csw/apiso/1.0"
	NSXS    = "http://www.w3.org/2001/XMLSchema"
	NSOGC   = "http://www.opengis.net/ogc"
	NSGML   = "http://www.opengis.net/gml"
	NSGML32 = "http://www.opengis.net/gml/3.2"
	// NSOWS is OWS 1.0.0, the one CSW 2.0.2 uses. OWS 1.1 and 2.0 append
	// their version to it, so it also starts every OWS namespace.
	NSOWS = "http://www.opengis.net/ows"
)
