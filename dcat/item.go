package dcat

// Item is one dataset as data.gouv.fr's API takes it: the body a push would
// POST to /api/1/datasets/ (without organization), with udata's keys
// verbatim. It is also one element of the JSON views' "data" list, where
// Quality and Source are added (push ignores them).
type Item struct {
	Title            string            `json:"title"`
	Description      string            `json:"description"`
	Tags             []string          `json:"tags"`
	License          string            `json:"license,omitempty"`            // udata licence id (udata.md §D.2), "" when none recognised
	AccessType       string            `json:"access_type,omitempty"`        // udata access_type: open, open_with_account, restricted
	AccessTypeReason string            `json:"access_type_reason,omitempty"` // udata access_type_reason for non-open access
	Frequency        string            `json:"frequency,omitempty"`          // udata UpdateFrequency id (udata.md §D.1)
	TemporalCoverage *TemporalCoverage `json:"temporal_coverage,omitempty"`
	Spatial          *Spatial          `json:"spatial,omitempty"`
	// Extras always holds passerelle:remote_id (= the served dct:identifier),
	// passerelle:catalog and passerelle:hash (sha256 of the canonical item
	// without that key: see ItemHash).
	Extras    map[string]any `json:"extras"`
	Resources []Resource     `json:"resources"`

	Quality *Quality `json:"quality,omitempty"`
	Source  *Source  `json:"source,omitempty"`
}

// TemporalCoverage is udata's {start, end}, dates as YYYY-MM-DD.
type TemporalCoverage struct {
	Start string `json:"start"`
	End   string `json:"end,omitempty"`
}

// Spatial is udata's spatial coverage: a GeoJSON MultiPolygon.
type Spatial struct {
	Geom        map[string]any `json:"geom,omitempty"`
	Granularity string         `json:"granularity,omitempty"`
}

// Resource is one udata resource: always filetype "remote".
type Resource struct {
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	URL         string         `json:"url"`
	Filetype    string         `json:"filetype"`         // "remote"
	Type        string         `json:"type"`             // main, documentation, api, other…
	Format      string         `json:"format,omitempty"` // lower case
	Mime        string         `json:"mime,omitempty"`
	Filesize    int64          `json:"filesize,omitempty"`
	Extras      map[string]any `json:"extras,omitempty"`
}

// Quality is udata's quality criteria, each met or not (udata.md §E).
type Quality map[string]bool

// Source says where an item came from.
type Source struct {
	Catalog        string `json:"catalog"`
	Producer       string `json:"producer,omitempty"` // slug
	FileIdentifier string `json:"fileIdentifier"`
	RecordURL      string `json:"record_url,omitempty"` // GetRecordById URL upstream, when known
}
