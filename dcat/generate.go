package dcat

//go:generate go run ./internal/gen -out vocab_gen.go
//go:generate go run ./internal/tldgen -out tld_gen.go
