package proxy

// routes registers every route (GET also answers HEAD).
func (s *Server) routes() {
	a := s.app
	a.Get("/healthz", s.handleHealth)
	a.Get("/readyz", s.handleReady)
	a.Get("/organizations.json", s.handleOrganizations)
	a.Get("/", s.handleIndex)
	a.Get("/catalogs.json", s.handleCatalogs)
	a.Get("/metrics", s.handleMetrics)
	a.Get("/catalogs/:catalog/reports.json", s.handleReports)

	a.Get("/catalogs/:catalog/catalog.:ext", s.handleFeed("catalog"))
	a.Get("/catalogs/:catalog/catalog", s.handleFeed("catalog"))
	a.Get("/catalogs/:catalog/datasets.json", s.handleItems("catalog"))
	a.Get("/catalogs/:catalog/producers.json", s.handleProducers)
	a.Get("/catalogs/:catalog/datasets/*", s.handleDataset)
	a.Get("/catalogs/:catalog/records/*", s.handleRecord)
	a.Get("/catalogs/:catalog/csw", s.handleCSW("catalog"))
	a.Post("/catalogs/:catalog/csw", s.handleCSW("catalog"))

	a.Get("/catalogs/:catalog/producers/:producer/catalog.:ext", s.handleFeed("producer"))
	a.Get("/catalogs/:catalog/producers/:producer/catalog", s.handleFeed("producer"))
	// The producer's IRI (dct:publisher of its records) answers its feed.
	a.Get("/catalogs/:catalog/producers/:producer", s.handleFeed("producer"))
	a.Get("/catalogs/:catalog/producers/:producer/datasets.json", s.handleItems("producer"))
	a.Get("/catalogs/:catalog/producers/:producer/csw", s.handleCSW("producer"))
	a.Post("/catalogs/:catalog/producers/:producer/csw", s.handleCSW("producer"))

	a.Get("/organizations/:org/catalog.:ext", s.handleFeed("organization"))
	a.Get("/organizations/:org/catalog", s.handleFeed("organization"))
	a.Get("/organizations/:org/datasets.json", s.handleItems("organization"))
	a.Get("/organizations/:org/csw", s.handleCSW("organization"))
	a.Post("/organizations/:org/csw", s.handleCSW("organization"))

	s.adminRoutes()

	a.Use(s.noRoute)
}
