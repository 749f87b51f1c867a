// Command staticserve serves a folder with net/http's file server: the
// baseline the HTTP benchmarks (scripts/bench-http.sh) compare passerelle's
// feeds with ("the same bytes from a static file server"). Benchmark
// support only.
package main

import (
	"flag"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8091", "listen address")
	dir := flag.String("dir", ".", "folder to serve")
	flag.Parse()
	log.Fatal(http.ListenAndServe(*addr, http.FileServer(http.Dir(*dir))))
}
