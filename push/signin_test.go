package push

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/passerelle/passerelle/internal/udatafake"
)

// Item 12: udata's refresh grant refuses public clients, and gives
// confidential clients a token born expired (udata.md §C.1). Either way a
// push run says plainly to sign in again.
func TestExpiredSignInSaysSignInAgain(t *testing.T) {
	tests := []struct {
		name, secret string
		// wantRefreshErr: the refresh itself fails (else the refreshed
		// token is refused by the API).
		wantRefreshErr bool
	}{
		{"public client", "", true},
		{"confidential client", "s3cret", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := udatafake.New(udatafake.Options{})
			u := f.AddUser(udatafake.User{FirstName: "Ada", Email: "ada@example.fr"})
			f.AddClient(udatafake.OAuthClient{ID: "passerelle", Secret: tt.secret, RedirectURIs: []string{"http://127.0.0.1:8976/callback"}})
			srv := f.Start(t)
			// Signed in 31 days ago: the 30-day token has expired.
			access, refresh := f.IssueTokenPair(u.ID, "passerelle", -24*time.Hour)
			path := filepath.Join(t.TempDir(), "token.json")
			require.NoError(t, SaveToken(path, &oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
				Expiry: time.Now().Add(-24 * time.Hour)}))
			ts, err := FileTokenSource(context.Background(), OAuthConfig(srv.URL, "passerelle", tt.secret, 0), path)
			require.NoError(t, err)
			c, err := NewClient(Options{BaseURL: srv.URL, TokenSource: ts, Rate: -1, MaxRetries: -1})
			require.NoError(t, err)
			_, err = c.Me(context.Background())
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrAuth)
			assert.Contains(t, err.Error(), "sign in again with `passerelle login`")
			assert.Contains(t, err.Error(), "API key")
			if tt.wantRefreshErr {
				assert.Contains(t, err.Error(), "refused to renew it")
			} else {
				assert.Contains(t, err.Error(), "401 Unauthorized")
				assert.Contains(t, err.Error(), "no longer accepts the saved sign-in")
			}
		})
	}
}

// Item 13: the account's organizations with their roles; an organization
// where the account cannot edit is refused with that list.
func TestOrganizationsAndRefusal(t *testing.T) {
	e := newEnv(t)
	admin := e.fake.AddOrg(udatafake.Org{Name: "Région Test", Members: []udatafake.Member{{UserID: e.user.ID, Role: "admin"}}})
	partial := e.fake.AddOrg(udatafake.Org{Name: "Commune Test", Members: []udatafake.Member{{UserID: e.user.ID, Role: "partial_editor"}}})
	e.fake.AddOrg(udatafake.Org{Name: "Ailleurs"}) // not a member: not listed

	ms, err := e.client.Organizations(context.Background())
	require.NoError(t, err)
	got := map[string]Membership{}
	for _, m := range ms {
		got[m.ID] = m
	}
	require.Len(t, got, 3)
	assert.Equal(t, Membership{ID: e.org.DatagouvID, Name: "DDT 99", Slug: "ddt-99", Role: "editor", CanPush: true}, got[e.org.DatagouvID])
	assert.Equal(t, Membership{ID: admin.ID, Name: "Région Test", Slug: admin.Slug, Role: "admin", CanPush: true}, got[admin.ID])
	assert.Equal(t, Membership{ID: partial.ID, Name: "Commune Test", Slug: partial.Slug, Role: "partial_editor", CanPush: false}, got[partial.ID])

	for _, org := range []Org{{ConfigID: "commune", DatagouvID: partial.ID}, {ConfigID: "typo", DatagouvID: "5f0000000000000000000000"}} {
		_, err = Plan(context.Background(), e.client, org, nil, false)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrAuth)
		for _, m := range ms {
			assert.Contains(t, err.Error(), m.ID+` "`+m.Name+`" (`+m.Role+`)`, "the refusal lists every organization of the account")
		}
		assert.Contains(t, err.Error(), "admin or editor")
	}
	_, err = Plan(context.Background(), e.client, Org{ConfigID: "region", DatagouvID: admin.ID}, nil, false)
	require.NoError(t, err)
}

// Item 12: login says when the sign-in expires and what to do then.
func TestLoginPrintsExpiry(t *testing.T) {
	var out bytes.Buffer
	tok := &oauth2.Token{AccessToken: "a", Expiry: time.Now().Add(30 * 24 * time.Hour)}
	printExpiry(&out, tok)
	assert.Contains(t, out.String(), "The sign-in expires on "+tok.Expiry.UTC().Format(time.RFC3339))
	assert.True(t, strings.Contains(out.String(), "(in 30 days)") || strings.Contains(out.String(), "(in 29 days)"), out.String())
	assert.Contains(t, out.String(), "sign in again with `passerelle login`")
}

// TestCheckOrgReadsOneOrganization: an organization the account may push
// to costs /me/ and that organization, whatever the account's other
// organizations; a refusal reads them all to list them.
func TestCheckOrgReadsOneOrganization(t *testing.T) {
	e := newEnv(t)
	var others []string
	for i := range 5 {
		o := e.fake.AddOrg(udatafake.Org{Name: fmt.Sprintf("Autre %d", i), Members: []udatafake.Member{{UserID: e.user.ID, Role: "partial_editor"}}})
		others = append(others, o.ID)
	}
	require.NoError(t, e.client.CheckOrg(context.Background(), e.org))
	assert.Equal(t, 2, e.client.Calls(), "/me/ and the organization")
	err := e.client.CheckOrg(context.Background(), Org{ConfigID: "autre", DatagouvID: others[0]})
	require.ErrorIs(t, err, ErrAuth)
	assert.Equal(t, 2+1+6, e.client.Calls(), "the refused organization, then the six to list them")
}
