package proxy

import (
	"encoding/json"
	"net/http"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUdataWalk walks each organization feed, in every format, the way
// data.gouv.fr's DCAT harvester does, with small pages so hydra:next is
// followed, and checks it ingests exactly the organization's datasets.
func TestUdataWalk(t *testing.T) {
	requireModule(t, "rdflib")
	e := listen(t, map[string]string{"demo": demoDir()}, orgTOML)
	e.harvest("demo")
	base := e.cfg.Server.PublicURL
	for _, org := range []string{"bretagne", "reste"} {
		// What the organization serves: its JSON view (datasets and series).
		resp, body := e.get("/organizations/" + org + "/datasets.json?page_size=500")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var items itemsPage
		require.NoError(t, json.Unmarshal(body, &items))
		var want []string
		for _, it := range items.Data {
			want = append(want, it.Extras["passerelle:remote_id"].(string))
		}
		sort.Strings(want)
		require.NotEmpty(t, want)
		for _, ext := range []string{"ttl", "rdf", "jsonld", "nt"} {
			t.Run(org+"/"+ext, func(t *testing.T) {
				out := python(t, "udata_walk.py", base+"/organizations/"+org+"/catalog."+ext+"?page_size=4")
				var got struct {
					Pages     int      `json:"pages"`
					Datasets  []string `json:"datasets"`
					Resources int      `json:"resources"`
					BadURLs   []string `json:"bad_urls"`
					Problems  []string `json:"problems"`
				}
				require.NoError(t, json.Unmarshal(out, &got), string(out))
				assert.Empty(t, got.Problems)
				assert.Empty(t, got.BadURLs)
				assert.Equal(t, want, got.Datasets, "every dataset of the organization, once")
				assert.Equal(t, (len(want)+3)/4, got.Pages)
				assert.Positive(t, got.Resources)
			})
		}
	}
}
