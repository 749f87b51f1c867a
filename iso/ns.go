package iso

// Namespace URIs matched by Parse. Prefixes in documents vary; URIs do not.
const (
	nsGMD   = "http://www.isotc211.org/2005/gmd"
	nsGCO   = "http://www.isotc211.org/2005/gco"
	nsGMX   = "http://www.isotc211.org/2005/gmx"
	nsSRV   = "http://www.isotc211.org/2005/srv"
	nsGMI   = "http://www.isotc211.org/2005/gmi"
	nsGML   = "http://www.opengis.net/gml"
	nsGML32 = "http://www.opengis.net/gml/3.2"
	nsXLink = "http://www.w3.org/1999/xlink"
)
