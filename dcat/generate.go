package dcat

//go:generate go run ./internal/gen -out vocab_gen.go
