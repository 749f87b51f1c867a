package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIndexLines(t *testing.T) {
	text := `# comment [[catalog]]
[server]
public_url = "x" # [not a table]

[[catalog]]
id = "a"
description = """
[[catalog]]
id = "fake"
"""
headers = { Authorization = "x" }

[[catalog]]
  "id" = 'b'
  title = '''
x = 1
'''
  producers = [
    "[x]",
    "y = 2",
  ]
  every = "1h"

[catalog.headers]
X-Token = "t"

[[organization]]
id = "o"
[[organization.source]]
catalog = "a"
[[organization.source]]
catalog = "b"
[[organization]]
id = "p"
[[organization.source]]
catalog = "c"
[producers.aliases]
"DDTM 35" = "x"
a.b.c = 1
`
	li := indexLines([]byte(text))
	want := map[string]int{
		"server":                            2,
		"server.public_url":                 3,
		"catalog[0]":                        5,
		"catalog[0].id":                     6,
		"catalog[0].description":            7,
		"catalog[0].headers":                11,
		"catalog[1]":                        13,
		"catalog[1].id":                     14,
		"catalog[1].title":                  15,
		"catalog[1].producers":              18,
		"catalog[1].every":                  22,
		"catalog[1].headers":                24,
		"catalog[1].headers.X-Token":        25,
		"organization[0]":                   27,
		"organization[0].id":                28,
		"organization[0].source[0].catalog": 30,
		"organization[1].id":                34,
		"producers.aliases.a.b":             39,
		"organization[0].source[0]":         29,
		"organization[0].source[1]":         31,
		"organization[0].source[1].catalog": 32,
		"organization[1]":                   33,
		"organization[1].source[0]":         35,
		"organization[1].source[0].catalog": 36,
		"producers.aliases":                 37,
		"producers.aliases.DDTM 35":         38,
		"producers.aliases.a":               39,
		"producers.aliases.a.b.c":           39,
	}
	for path, line := range want {
		assert.Equal(t, line, li.at[path], path)
	}
	assert.Len(t, li.at, len(want), "no other path: %v", li.at)
	assert.NotContains(t, li.at, "catalog[2]", "headers inside strings are not tables")
	assert.Equal(t, []string{"catalog[0].id", "catalog[1].id"}, li.occ["catalog.id"])

	assert.Equal(t, 13, li.locate("catalog[1].page_size"), "a key left out falls back to its table")
	assert.Equal(t, 11, li.locate("catalog[0].headers.Authorization"), "inline table keys fall back to the table key")
	assert.Equal(t, 0, li.locate("nothing"))
	var none *lineIndex
	assert.Equal(t, 0, none.locate("server"))
}

func TestGenericPath(t *testing.T) {
	assert.Equal(t, "organization.source.producers", genericPath("organization[1].source[22].producers"))
	assert.Equal(t, "server.public_url", genericPath("server.public_url"))
	assert.Equal(t, "catalog[1", genericPath("catalog[1"))
	assert.Equal(t, "organization[1].source", parentPath("organization[1].source[0]"))
	assert.Equal(t, "", parentPath("server"))
}
