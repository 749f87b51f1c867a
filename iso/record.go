package iso

// Record is the parsed form of one ISO 19139 metadata record (gmd:MD_Metadata,
// gmi:MI_Metadata or any root with gco:isoType="gmd:MD_Metadata"). It carries
// every element the DCAT-AP mapping, the CSW facade and the producer views
// need; nothing in it is derived from configuration.
//
// Strings are trimmed; absent elements are zero values; optional branches are
// pointers; repeated elements keep document order. The model is encoded as
// JSON in the cache, so field names are part of the storage format: add fields
// freely, rename none without bumping ModelVersion.
type Record struct {
	RootName         string `json:"root_name,omitempty"` // "gmd:MD_Metadata", "gmi:MI_Metadata" or the local name of an isoType root
	FileIdentifier   string `json:"file_identifier,omitempty"`
	ParentIdentifier string `json:"parent_identifier,omitempty"`
	// Language is the metadata language code as written (gmd:language
	// LanguageCode/@codeListValue, else its text), e.g. "fre", "eng", "fr".
	Language     string   `json:"language,omitempty"`
	CharacterSet string   `json:"character_set,omitempty"`
	Locales      []Locale `json:"locales,omitempty"` // gmd:locale/gmd:PT_Locale, used to resolve PT_FreeText
	// HierarchyLevel is the first gmd:hierarchyLevel code ("dataset",
	// "series", "service", "nonGeographicDataset"…), "" when absent.
	HierarchyLevel     string  `json:"hierarchy_level,omitempty"`
	HierarchyLevelName string  `json:"hierarchy_level_name,omitempty"`
	DateStamp          string  `json:"date_stamp,omitempty"` // gco:Date or gco:DateTime text, as written
	StandardName       string  `json:"standard_name,omitempty"`
	StandardVersion    string  `json:"standard_version,omitempty"`
	DataSetURI         string  `json:"dataset_uri,omitempty"`
	Contacts           []Party `json:"contacts,omitempty"` // MD/gmd:contact (Place "contact")

	// Identification (the first gmd:identificationInfo child).
	IdentificationKind string       `json:"identification_kind,omitempty"` // "data" (MD_DataIdentification) or "service" (SV_ServiceIdentification), "" when missing
	Title              Text         `json:"title"`
	AlternateTitles    []Text       `json:"alternate_titles,omitempty"`
	Abstract           Text         `json:"abstract"`
	Purpose            Text         `json:"purpose"`
	Identifiers        []Identifier `json:"identifiers,omitempty"` // CIT/gmd:identifier, document order
	Dates              []Date       `json:"dates,omitempty"`       // CIT/gmd:date
	Edition            string       `json:"edition,omitempty"`
	Status             []string     `json:"status,omitempty"` // MD_ProgressCode values
	// Parties are II/gmd:pointOfContact, CIT/gmd:citedResponsibleParty and
	// DIST/gmd:distributor/*/gmd:distributorContact, in that order; Place says which.
	Parties                []Party          `json:"parties,omitempty"`
	Keywords               []KeywordGroup   `json:"keywords,omitempty"`
	TopicCategories        []string         `json:"topic_categories,omitempty"`
	ResourceLanguages      []string         `json:"resource_languages,omitempty"`
	MaintenanceFrequency   string           `json:"maintenance_frequency,omitempty"` // MD_MaintenanceFrequencyCode value
	MaintenanceDuration    string           `json:"maintenance_duration,omitempty"`  // userDefinedMaintenanceFrequency (TM_PeriodDuration, ISO 8601: P0Y0M10D)
	Constraints            []Constraint     `json:"constraints,omitempty"`
	BoundingBoxes          []BoundingBox    `json:"bounding_boxes,omitempty"`
	GeographicIdentifiers  []Identifier     `json:"geographic_identifiers,omitempty"`
	TemporalExtents        []TemporalExtent `json:"temporal_extents,omitempty"`
	Resolutions            []Resolution     `json:"resolutions,omitempty"`
	SpatialRepresentations []string         `json:"spatial_representations,omitempty"` // MD_SpatialRepresentationTypeCode values
	Overviews              []Overview       `json:"overviews,omitempty"`
	Aggregations           []Aggregation    `json:"aggregations,omitempty"`
	ResourceFormats        []Format         `json:"resource_formats,omitempty"` // II/gmd:resourceFormat
	Service                *Service         `json:"service,omitempty"`          // only for SV_ServiceIdentification
	ReferenceSystems       []Identifier     `json:"reference_systems,omitempty"`
	Lineage                Text             `json:"lineage"`
	Conformity             []Conformity     `json:"conformity,omitempty"`
	DistributionFormats    []Format         `json:"distribution_formats,omitempty"` // DIST/gmd:distributionFormat
	OnlineResources        []OnlineResource `json:"online_resources,omitempty"`     // transferOptions then distributorTransferOptions, document order
	Distributors           []Distributor    `json:"distributors,omitempty"`
}

// Text is a character string with its PT_FreeText translations.
type Text struct {
	Value string `json:"value,omitempty"` // gco:CharacterString or gmx:Anchor text
	Href  string `json:"href,omitempty"`  // gmx:Anchor/@xlink:href when the value is an Anchor
	// Translations maps a language code (the PT_Locale languageCode of this
	// record, e.g. "fre", "eng"; or the locale id when it has none) to text.
	Translations map[string]string `json:"translations,omitempty"`
}

// Locale is one gmd:PT_Locale.
type Locale struct {
	ID           string `json:"id,omitempty"`       // @id, e.g. "FR" or "locale-fr"
	LanguageCode string `json:"language,omitempty"` // LanguageCode/@codeListValue
	Country      string `json:"country,omitempty"`
	CharacterSet string `json:"character_set,omitempty"`
}

// Identifier is an MD_Identifier or RS_Identifier.
type Identifier struct {
	Code      string `json:"code,omitempty"`
	CodeSpace string `json:"code_space,omitempty"`
	Href      string `json:"href,omitempty"` // when the code is a gmx:Anchor
	Anchor    bool   `json:"anchor,omitempty"`
	Version   string `json:"version,omitempty"`
}

// Date is a CI_Date: value as written and its dateType code.
type Date struct {
	Value string `json:"value"`
	Type  string `json:"type,omitempty"` // creation, publication, revision…
}

// Party is a CI_ResponsibleParty.
type Party struct {
	Place              string   `json:"place"`          // "contact", "pointOfContact", "citedResponsibleParty", "distributorContact"
	Role               string   `json:"role,omitempty"` // CI_RoleCode value as written
	Organisation       Text     `json:"organisation"`
	Individual         Text     `json:"individual"`
	Position           string   `json:"position,omitempty"`
	Emails             []string `json:"emails,omitempty"`
	Phones             []string `json:"phones,omitempty"`
	DeliveryPoint      string   `json:"delivery_point,omitempty"`
	City               string   `json:"city,omitempty"`
	PostalCode         string   `json:"postal_code,omitempty"`
	AdministrativeArea string   `json:"administrative_area,omitempty"`
	Country            string   `json:"country,omitempty"`
	URL                string   `json:"url,omitempty"` // contactInfo onlineResource linkage
}

// KeywordGroup is one gmd:descriptiveKeywords/gmd:MD_Keywords block.
type KeywordGroup struct {
	Type      string    `json:"type,omitempty"` // MD_KeywordTypeCode value
	Thesaurus *Citation `json:"thesaurus,omitempty"`
	Keywords  []Text    `json:"keywords,omitempty"` // Href set for gmx:Anchor keywords
}

// Citation is the small part of a CI_Citation that thesauri and
// specifications need.
type Citation struct {
	Title      Text   `json:"title"`
	Dates      []Date `json:"dates,omitempty"`
	Identifier string `json:"identifier,omitempty"`
}

// Constraint is one gmd:resourceConstraints child.
type Constraint struct {
	Kind              string   `json:"kind"` // "legal", "security" or "basic"
	UseLimitations    []Text   `json:"use_limitations,omitempty"`
	AccessConstraints []string `json:"access_constraints,omitempty"` // MD_RestrictionCode values
	UseConstraints    []string `json:"use_constraints,omitempty"`
	OtherConstraints  []Text   `json:"other_constraints,omitempty"` // Href set for Anchors
	Classification    string   `json:"classification,omitempty"`
}

// BoundingBox is an EX_GeographicBoundingBox in decimal degrees. Values are
// parsed but not range-checked here; Valid says whether they make a box.
type BoundingBox struct {
	West  float64 `json:"west"`
	East  float64 `json:"east"`
	South float64 `json:"south"`
	North float64 `json:"north"`
}

// TemporalExtent is a gml:TimePeriod or gml:TimeInstant (GML 3.1 or 3.2).
// Begin/End are the position texts as written; Indeterminate values
// ("now", "unknown", "before", "after") are kept apart.
type TemporalExtent struct {
	Begin              string `json:"begin,omitempty"`
	End                string `json:"end,omitempty"`
	BeginIndeterminate string `json:"begin_indeterminate,omitempty"`
	EndIndeterminate   string `json:"end_indeterminate,omitempty"`
	Instant            bool   `json:"instant,omitempty"` // TimeInstant: Begin holds the position
}

// Resolution is one gmd:spatialResolution: a distance with its uom, or a scale denominator.
type Resolution struct {
	Distance    float64 `json:"distance,omitempty"`
	Unit        string  `json:"unit,omitempty"` // @uom as written
	Denominator int64   `json:"denominator,omitempty"`
}

// Overview is a gmd:graphicOverview/MD_BrowseGraphic.
type Overview struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
}

// Aggregation is a gmd:aggregationInfo block.
type Aggregation struct {
	Identifier  Identifier `json:"identifier"`
	Title       string     `json:"title,omitempty"`
	Association string     `json:"association,omitempty"` // DS_AssociationTypeCode
	Initiative  string     `json:"initiative,omitempty"`  // DS_InitiativeTypeCode
}

// Format is an MD_Format.
type Format struct {
	Name    string `json:"name"`
	Href    string `json:"href,omitempty"` // when the name is a gmx:Anchor
	Version string `json:"version,omitempty"`
}

// OnlineResource is a CI_OnlineResource of a transfer option.
type OnlineResource struct {
	URL                string  `json:"url"`
	Protocol           string  `json:"protocol,omitempty"`
	ProtocolHref       string  `json:"protocol_href,omitempty"` // when the protocol is a gmx:Anchor
	ApplicationProfile string  `json:"application_profile,omitempty"`
	Name               string  `json:"name,omitempty"`
	Description        string  `json:"description,omitempty"`
	Function           string  `json:"function,omitempty"`         // CI_OnLineFunctionCode value
	TransferSizeMB     float64 `json:"transfer_size_mb,omitempty"` // MD_DigitalTransferOptions/transferSize
	Distributor        int     `json:"distributor"`                // index into Distributors, -1 for DIST/gmd:transferOptions
}

// Distributor is a gmd:distributor/MD_Distributor with its own formats.
type Distributor struct {
	Formats []Format `json:"formats,omitempty"`
}

// Service is what an SV_ServiceIdentification adds.
type Service struct {
	Type         string       `json:"type,omitempty"` // srv:serviceType LocalName as written ("view", "OGC:WMS"…)
	TypeVersions []string     `json:"type_versions,omitempty"`
	CouplingType string       `json:"coupling_type,omitempty"`
	OperatesOn   []OperatesOn `json:"operates_on,omitempty"`
	Operations   []Operation  `json:"operations,omitempty"`
}

// OperatesOn is one srv:operatesOn reference.
type OperatesOn struct {
	UUIDRef string `json:"uuidref,omitempty"`
	Href    string `json:"href,omitempty"` // @xlink:href
	Title   string `json:"title,omitempty"`
}

// Operation is an srv:SV_OperationMetadata.
type Operation struct {
	Name string   `json:"name,omitempty"`
	DCP  string   `json:"dcp,omitempty"`
	URLs []string `json:"urls,omitempty"`
}

// Conformity is a DQ_ConformanceResult.
type Conformity struct {
	Specification Citation `json:"specification"`
	Explanation   string   `json:"explanation,omitempty"`
	Pass          *bool    `json:"pass,omitempty"` // nil when gco:Boolean is absent or nilReason
}
