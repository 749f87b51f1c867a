// Command slowbody opens connections that each declare a large request
// body and send one byte, holds them, then prints how many were answered
// early and with which status. scripts/slowbody.sh runs it against
// `passerelle serve` and prints the server's memory (README#Reliability).
// Loopback only; bounded by -n and -hold.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "server address (loopback)")
	n := flag.Int("n", 500, "connections")
	cl := flag.Int("cl", 4<<20, "declared Content-Length of each request")
	hold := flag.Duration("hold", 4*time.Second, "how long the connections are held")
	flag.Parse()
	if host, _, err := net.SplitHostPort(*addr); err != nil || !net.ParseIP(host).IsLoopback() {
		fmt.Fprintln(os.Stderr, "slowbody: -addr must be a loopback address")
		os.Exit(2)
	}
	var conns []net.Conn
	failed := 0
	for range *n {
		c, err := net.DialTimeout("tcp", *addr, time.Second)
		if err != nil {
			failed++
			continue
		}
		if _, err := fmt.Fprintf(c, "POST /catalogs/demo/csw HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n<", *cl); err != nil {
			failed++
		}
		conns = append(conns, c)
	}
	time.Sleep(*hold)
	answered := map[int]int{}
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
			answered[resp.StatusCode]++
			resp.Body.Close()
		}
		c.Close()
	}
	codes := make([]int, 0, len(answered))
	for k := range answered {
		codes = append(codes, k)
	}
	sort.Ints(codes)
	fmt.Printf("connections %d (failed %d); answered early:", len(conns), failed)
	for _, k := range codes {
		fmt.Printf(" %d×%d", answered[k], k)
	}
	fmt.Println()
}
