package proxy

import (
	"github.com/gofiber/fiber/v2"
)

// ProbeOptions tune the probe of a proposed catalog.
type ProbeOptions struct {
	// AllowLoopback lets tests probe a CSW on 127.0.0.1; never set in
	// production (the probe refuses loopback, private and link-local
	// addresses).
	AllowLoopback bool
}

// proposal is a catalog an account asked to have referenced.
type proposal struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

func (a *admin) proposals(c *fiber.Ctx) ([]proposal, error) { return nil, nil }

func (a *admin) handleProposals(c *fiber.Ctx, p *principal) error {
	return notFound("not yet")
}

func (a *admin) handlePropose(c *fiber.Ctx, p *principal) error {
	return notFound("not yet")
}

func (a *admin) handleDecide(c *fiber.Ctx, p *principal) error {
	return notFound("not yet")
}
