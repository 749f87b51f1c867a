package udatafake

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// licenses are the ids of udata.md §D.2.
var licenses = map[string]bool{
	"cc-by": true, "cc-by-sa": true, "cc-zero": true, "fr-lo": true, "lov2": true,
	"notspecified": true, "odc-by": true, "odc-odbl": true, "odc-pddl": true,
	"other-at": true, "other-open": true, "other-pd": true,
}

// frequencies maps every accepted UpdateFrequency value (udata.md §D.1,
// legacy aliases included) to the stored id.
var frequencies = func() map[string]string {
	m := map[string]string{}
	for _, id := range strings.Fields(`continuous oneMinute fiveMinutes tenMinutes fifteenMinutes
		thirtyMinutes hourly bihourly trihourly twelveHours severalTimesADay threeTimesADay semidaily
		daily fiveTimesAWeek threeTimesAWeek semiweekly weekly biweekly threeTimesAMonth semimonthly
		monthly bimonthly quarterly threeTimesAYear semiannual annual biennial triennial quadrennial
		quinquennial decennial bidecennial tridecennial punctual irregular never notPlanned other unknown`) {
		m[id] = id
	}
	m["realtime"] = "continuous"
	m["fourTimesADay"] = "severalTimesADay"
	m["fourTimesAWeek"] = "other"
	m["fortnighly"] = "biweekly"
	m["biannual"] = "semiannual"
	return m
}()

// tlds is a subset of IANA's list, enough for tests: udata refuses hosts
// whose TLD is not real (udata.md §A.10).
var tlds = map[string]bool{}

func init() {
	for _, t := range strings.Fields(`fr com org net eu info io de nl be ch lu it es pt uk at dk se no fi
		pl cz ie gov edu int mil re gp mq gf yt pm nc pf wf tf mc ca us au nz jp cn br ar ma tn dz sn
		ci cm bzh paris alsace corsica app dev cloud data geo online site`) {
		tlds[t] = true
	}
}

var objectID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// slugify lowercases, strips diacritics and joins words with '-'.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	return b.String()
}

// checkURL applies udata's URL validation (udata.md §A.10) and returns a
// message, "" when valid.
func checkURL(raw string) string {
	if raw == "" {
		return "This field is required."
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return "Invalid URL"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "Invalid URL"
	}
	switch u.Scheme {
	case "http", "https", "ftp", "ftps":
	default:
		return "Invalid URL"
	}
	if u.User != nil {
		return "Invalid URL: credentials are not allowed"
	}
	host := u.Hostname()
	if host == "" {
		return "Invalid URL"
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
			return "Invalid URL: private or local addresses are not allowed"
		}
		return ""
	}
	if strings.EqualFold(host, "localhost") {
		return "Invalid URL: local addresses are not allowed"
	}
	dot := strings.LastIndexByte(host, '.')
	if dot < 0 || !tlds[strings.ToLower(host[dot+1:])] {
		return "Invalid URL: unknown TLD"
	}
	return ""
}
