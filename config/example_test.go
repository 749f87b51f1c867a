package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/internal/testenv"
)

func ExampleLoad() {
	c, err := config.Load("testdata/claims.good.toml")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, cat := range c.Catalogs {
		fmt.Println(cat.ID, cat.Every, cat.PageSize)
	}
	// Producers of a record, in role order: the first one claimed decides.
	fmt.Println(c.OrganizationFor("geobretagne", []string{"mairie-de-rennes", "ddtm-35"}).ID)
	// Nobody claims it: the organization with producers = ["*"] takes it.
	fmt.Println(c.OrganizationFor("geobretagne", []string{"mairie-de-rennes"}).ID)
	slug, display, ok := c.Producers.Resolve("D.D.T.M. 35")
	fmt.Println(slug, display, ok)
	// Output:
	// geobretagne 6h0m0s 50
	// sandre 6h0m0s 50
	// ddtm-35
	// autres
	// ddtm-d-ille-et-vilaine DDTM d'Ille-et-Vilaine true
}

func ExampleError() {
	_, err := config.Load("testdata/bad_url.bad.toml")
	fmt.Println(errors.Is(err, config.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// bad_url.bad.toml:7: catalog "ngr": url: must be an absolute http(s) URL, got "ngr.nl"
	// bad_url.bad.toml:12: catalog "ftp": url: must be an absolute http(s) URL, got "ftp://example.org/csw"
}

// TestRepositoryConfig loads the catalogs.toml at the module root, the one
// `make run` uses, when it exists.
func TestRepositoryConfig(t *testing.T) {
	path := filepath.Join(testenv.ModuleRoot(), "catalogs.toml")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no %s: %v", path, err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if len(c.Catalogs) == 0 {
		t.Fatal("no catalog")
	}
}
