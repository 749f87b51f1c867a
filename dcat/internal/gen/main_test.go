package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/passerelle/passerelle/internal/testenv"
)

// TestGeneratedUpToDate regenerates the vocabulary tables and compares them
// with the committed dcat/vocab_gen.go (run go generate ./dcat when it fails).
func TestGeneratedUpToDate(t *testing.T) {
	src, err := generate(filepath.Join(testenv.Shared(t), "vocab"))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("..", "..", "vocab_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, committed) {
		t.Error("dcat/vocab_gen.go is stale: run go generate ./dcat")
	}
}

func TestGenerateMissingFolder(t *testing.T) {
	if _, err := generate(t.TempDir()); err == nil {
		t.Error("no error for a folder without vocabularies")
	}
}
