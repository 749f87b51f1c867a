package client_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"time"

	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/internal/cswtest"
)

// Walk a catalog whose server silently caps pages at 3 records and
// rejects SortBy: every record is still delivered once, and the report
// says what happened.
func ExampleClient_Walk() {
	srv := httptest.NewServer(cswtest.NewHandler(cswtest.Generate(7), cswtest.Options{MaxRecordsCap: 3, RejectSortBy: true}))
	defer srv.Close()

	cl := client.New(client.Options{Logger: slog.New(slog.DiscardHandler), Backoff: 10 * time.Millisecond})
	ep := client.Endpoint{URL: srv.URL + "/csw", PageSize: 50, Sort: true, Timeout: 20 * time.Second}
	rep, err := cl.Walk(context.Background(), ep, func(r client.Record) error {
		fmt.Println("record at position", r.Position)
		return nil
	})
	if err != nil {
		fmt.Println("walk failed:", err)
		return
	}
	fmt.Println("matched", rep.Matched, "fetched", rep.Fetched, "complete", rep.Complete)
	fmt.Println(rep.Notes[0])
	// Output:
	// record at position 1
	// record at position 2
	// record at position 3
	// record at position 4
	// record at position 5
	// record at position 6
	// record at position 7
	// matched 7 fetched 7 complete true
	// server rejected SortBy (InvalidParameterValue): dropped, order not guaranteed
}
