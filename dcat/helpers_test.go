package dcat

import (
	"net/url"
	"testing"

	"github.com/passerelle/passerelle/internal/testenv"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func testenvCorpus(t testing.TB) string { return testenv.Corpus(t, "records") }

func testenvCorpusFile(t testing.TB, elem ...string) string { return testenv.Corpus(t, elem...) }
