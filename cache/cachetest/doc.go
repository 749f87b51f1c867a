// Package cachetest is the conformance suite every cache.Store passes
// (Run) and the benchmarks comparing the stores (Benchmark). A store
// package's tests call them with a function opening a fresh, empty store.
// Test support only.
package cachetest
