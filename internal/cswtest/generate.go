package cswtest

import (
	"fmt"
	"strconv"

	"github.com/beevik/etree"
)

var (
	genProducers = []string{
		"DDT de la Drôme", "DREAL Auvergne-Rhône-Alpes", "IGN", "Métropole de Lyon", "Région Bretagne",
		"Office français de la biodiversité", "BRGM", "Cerema", "DDTM du Finistère", "Agence de l'eau Adour-Garonne",
	}
	genThemes   = []string{"Occupation du sol", "Hydrographie", "Zones à risque naturel", "Réseaux de transport", "Bâtiments", "Habitats et biotopes", "Altitude", "Unités administratives"}
	genSubjects = []string{"Plan local d'urbanisme", "Zonage d'assainissement", "Périmètre de captage", "Trame verte et bleue", "Parcelles agricoles", "Inventaire des zones humides", "Pistes cyclables", "Plan de prévention des risques d'inondation"}
	genPlaces   = []string{"Valence", "Rennes", "Lyon", "Brest", "Bordeaux", "Clermont-Ferrand", "Grenoble", "Quimper", "Pau", "Annecy"}
	genTopics   = []string{"planningCadastre", "inlandWaters", "environment", "transportation", "structure", "biota", "elevation", "boundaries"}
	genLevels   = []string{"dataset", "dataset", "dataset", "series", "dataset", "service", "dataset", "nonGeographicDataset"}
)

// Namespaces of generated records.
const (
	nsGMD   = "http://www.isotc211.org/2005/gmd"
	nsGCO   = "http://www.isotc211.org/2005/gco"
	nsGML   = "http://www.opengis.net/gml"
	nsXLink = "http://www.w3.org/1999/xlink"
	nsSRV   = "http://www.isotc211.org/2005/srv"
)

// Generate returns n distinct, schema-shaped ISO 19139 records
// (gmd:MD_Metadata, without XML declaration): identifiers
// "passerelle-test-000001"…, titles, abstracts, producers, keywords,
// dates, bounding boxes and online resources vary with the index.
func Generate(n int) [][]byte {
	out := make([][]byte, n)
	for i := range n {
		out[i] = GenerateOne("passerelle-test-"+fmt.Sprintf("%06d", i+1), i)
	}
	return out
}

// GenerateOne returns one record with identifier id, its other content
// derived from seed.
func GenerateOne(id string, seed int) []byte {
	i := seed
	subject := genSubjects[i%len(genSubjects)]
	place := genPlaces[(i/len(genSubjects))%len(genPlaces)]
	producer := genProducers[(i*7)%len(genProducers)]
	level := genLevels[i%len(genLevels)]
	year := 2005 + i%20
	west := -4.5 + float64(i%90)/10
	south := 42.5 + float64((i/90)%80)/10

	doc := etree.NewDocument()
	md := doc.CreateElement("gmd:MD_Metadata")
	md.CreateAttr("xmlns:gmd", nsGMD)
	md.CreateAttr("xmlns:gco", nsGCO)
	md.CreateAttr("xmlns:gml", nsGML)
	md.CreateAttr("xmlns:xlink", nsXLink)
	md.CreateAttr("xmlns:srv", nsSRV)
	str := func(parent *etree.Element, tag, text string) *etree.Element {
		el := parent.CreateElement(tag)
		el.CreateElement("gco:CharacterString").SetText(text)
		return el
	}
	code := func(parent *etree.Element, tag, list, value string) {
		el := parent.CreateElement(tag).CreateElement(list)
		el.CreateAttr("codeList", "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#"+list)
		el.CreateAttr("codeListValue", value)
		el.SetText(value)
	}
	party := func(parent *etree.Element, tag, role string) {
		rp := parent.CreateElement(tag).CreateElement("gmd:CI_ResponsibleParty")
		str(rp, "gmd:organisationName", producer)
		ci := rp.CreateElement("gmd:contactInfo").CreateElement("gmd:CI_Contact")
		addr := ci.CreateElement("gmd:address").CreateElement("gmd:CI_Address")
		str(addr, "gmd:electronicMailAddress", "contact-"+strconv.Itoa(i%len(genProducers))+"@example.gouv.fr")
		code(rp, "gmd:role", "gmd:CI_RoleCode", role)
	}
	str(md, "gmd:fileIdentifier", id)
	code(md, "gmd:language", "gmd:LanguageCode", "fre")
	code(md, "gmd:characterSet", "gmd:MD_CharacterSetCode", "utf8")
	code(md, "gmd:hierarchyLevel", "gmd:MD_ScopeCode", level)
	party(md, "gmd:contact", "pointOfContact")
	md.CreateElement("gmd:dateStamp").CreateElement("gco:DateTime").SetText(fmt.Sprintf("%d-%02d-%02dT10:%02d:00", year+1, 1+i%12, 1+i%28, i%60))
	str(md, "gmd:metadataStandardName", "ISO 19115:2003/19139")
	str(md, "gmd:metadataStandardVersion", "1.0")
	rs := md.CreateElement("gmd:referenceSystemInfo").CreateElement("gmd:MD_ReferenceSystem").CreateElement("gmd:referenceSystemIdentifier").CreateElement("gmd:RS_Identifier")
	str(rs, "gmd:code", "EPSG:2154")

	var ident *etree.Element
	if level == "service" {
		ident = md.CreateElement("gmd:identificationInfo").CreateElement("srv:SV_ServiceIdentification")
	} else {
		ident = md.CreateElement("gmd:identificationInfo").CreateElement("gmd:MD_DataIdentification")
	}
	cit := ident.CreateElement("gmd:citation").CreateElement("gmd:CI_Citation")
	str(cit, "gmd:title", subject+" — "+place+" ("+strconv.Itoa(i+1)+")")
	d := cit.CreateElement("gmd:date").CreateElement("gmd:CI_Date")
	d.CreateElement("gmd:date").CreateElement("gco:Date").SetText(fmt.Sprintf("%d-%02d-%02d", year, 1+i%12, 1+i%28))
	code(d, "gmd:dateType", "gmd:CI_DateTypeCode", "revision")
	rid := cit.CreateElement("gmd:identifier").CreateElement("gmd:MD_Identifier")
	str(rid, "gmd:code", "https://data.example.gouv.fr/id/"+id)
	str(ident, "gmd:abstract", "Données « "+subject+" » sur le territoire de "+place+", produites par "+producer+
		". Mise à jour "+strconv.Itoa(year)+". Enregistrement de test numéro "+strconv.Itoa(i+1)+".")
	code(ident, "gmd:status", "gmd:MD_ProgressCode", "onGoing")
	party(ident, "gmd:pointOfContact", "custodian")
	mf := ident.CreateElement("gmd:resourceMaintenance").CreateElement("gmd:MD_MaintenanceInformation")
	code(mf, "gmd:maintenanceAndUpdateFrequency", "gmd:MD_MaintenanceFrequencyCode", []string{"annually", "asNeeded", "monthly", "irregular"}[i%4])
	kw := ident.CreateElement("gmd:descriptiveKeywords").CreateElement("gmd:MD_Keywords")
	str(kw, "gmd:keyword", genThemes[i%len(genThemes)])
	str(kw, "gmd:keyword", place)
	th := kw.CreateElement("gmd:thesaurusName").CreateElement("gmd:CI_Citation")
	str(th, "gmd:title", "GEMET - INSPIRE themes, version 1.0")
	lc := ident.CreateElement("gmd:resourceConstraints").CreateElement("gmd:MD_LegalConstraints")
	str(lc, "gmd:otherConstraints", "Licence Ouverte / Open Licence version 2.0")
	if level != "service" {
		code(ident, "gmd:language", "gmd:LanguageCode", "fre")
		ident.CreateElement("gmd:topicCategory").CreateElement("gmd:MD_TopicCategoryCode").SetText(genTopics[i%len(genTopics)])
	}
	extParent := "gmd:extent"
	if level == "service" {
		extParent = "srv:extent"
	}
	bb := ident.CreateElement(extParent).CreateElement("gmd:EX_Extent").CreateElement("gmd:geographicElement").CreateElement("gmd:EX_GeographicBoundingBox")
	dec := func(tag string, v float64) {
		bb.CreateElement(tag).CreateElement("gco:Decimal").SetText(strconv.FormatFloat(v, 'f', 4, 64))
	}
	dec("gmd:westBoundLongitude", west)
	dec("gmd:eastBoundLongitude", west+0.35+float64(i%7)/20)
	dec("gmd:southBoundLatitude", south)
	dec("gmd:northBoundLatitude", south+0.25+float64(i%5)/20)

	dist := md.CreateElement("gmd:distributionInfo").CreateElement("gmd:MD_Distribution")
	f := dist.CreateElement("gmd:distributionFormat").CreateElement("gmd:MD_Format")
	str(f, "gmd:name", []string{"ESRI Shapefile", "GeoPackage", "GeoJSON", "CSV"}[i%4])
	str(f, "gmd:version", "1.0")
	to := dist.CreateElement("gmd:transferOptions").CreateElement("gmd:MD_DigitalTransferOptions")
	for k, proto := range []string{"OGC:WMS", "WWW:DOWNLOAD-1.0-http--download"} {
		or := to.CreateElement("gmd:onLine").CreateElement("gmd:CI_OnlineResource")
		link := or.CreateElement("gmd:linkage").CreateElement("gmd:URL")
		if k == 0 {
			link.SetText("https://wms.example.gouv.fr/ows?SERVICE=WMS&REQUEST=GetCapabilities")
		} else {
			link.SetText("https://files.example.gouv.fr/" + id + ".zip")
		}
		str(or, "gmd:protocol", proto)
		str(or, "gmd:name", "layer_"+strconv.Itoa(i+1))
	}
	if level != "service" {
		dq := md.CreateElement("gmd:dataQualityInfo").CreateElement("gmd:DQ_DataQuality")
		code(dq.CreateElement("gmd:scope").CreateElement("gmd:DQ_Scope"), "gmd:level", "gmd:MD_ScopeCode", level)
		str(dq.CreateElement("gmd:lineage").CreateElement("gmd:LI_Lineage"), "gmd:statement", "Numérisation à partir du cadastre "+strconv.Itoa(year)+".")
	}
	b, err := doc.WriteToBytes()
	if err != nil { // etree writes to memory: cannot fail
		panic("cswtest: encode generated record: " + err.Error())
	}
	return b
}
