package dcat

import (
	"math"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/passerelle/passerelle/dcat/internal/vocabnorm"
)

const (
	euLanguage  = "http://publications.europa.eu/resource/authority/language/"
	euFrequency = "http://publications.europa.eu/resource/authority/frequency/"
	euFileType  = "http://publications.europa.eu/resource/authority/file-type/"
	euDataTheme = "http://publications.europa.eu/resource/authority/data-theme/"
	ianaMedia   = "https://www.iana.org/assignments/media-types/"
	inspireCL   = "http://inspire.ec.europa.eu/metadata-codelist/"
	inspireTh   = "http://inspire.ec.europa.eu/theme/"
	// euAccessRight is the EU access-right vocabulary (PUBLIC, RESTRICTED,
	// NON_PUBLIC…), for restrictions that are not INSPIRE Article 13.
	euAccessRight = "http://publications.europa.eu/resource/authority/access-right/"
)

// language resolves an ISO 639 code (B, T or alpha-2, any case) to the EU
// NAL code and the BCP 47 tag; ok is false for anything else ("eng; CAN").
func language(code string) (eu, tag string, ok bool) {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" {
		return "", "", false
	}
	if e, found := vocabLanguages[code]; found {
		return e[0], e[1], true
	}
	return "", "", false
}

// langTag returns the literal tag for a record language code, "" when unknown.
func langTag(code string) string {
	_, tag, _ := language(code)
	return tag
}

// themeCode resolves an INSPIRE theme from an IRI (register, GEMET or
// eionet forms) or, when label is true, from a label in any language.
func themeFromIRI(href string) string {
	h := strings.TrimSpace(href)
	if code, ok := vocabThemeByGEMET[h]; ok {
		return code
	}
	low := strings.ToLower(h)
	low = strings.TrimPrefix(strings.TrimPrefix(low, "https://"), "http://")
	for _, p := range []string{"inspire.ec.europa.eu/theme/", "www.eionet.europa.eu/gemet/"} {
		i := strings.Index(low, p)
		if i != 0 {
			continue
		}
		rest := strings.Trim(low[len(p):], "/")
		if p == "www.eionet.europa.eu/gemet/" {
			j := strings.LastIndex(rest, "inspire-theme/")
			if j < 0 {
				return ""
			}
			rest = rest[j+len("inspire-theme/"):]
		}
		if k := strings.IndexAny(rest, "/."); k >= 0 {
			rest = rest[:k]
		}
		if _, ok := vocabThemeDataThemes[rest]; ok {
			return rest
		}
		if _, ok := vocabThemeLabel[rest+"|en"]; ok {
			return rest
		}
	}
	return ""
}

func themeFromLabel(label string) string {
	return vocabThemeByLabel[vocabnorm.Label(label)]
}

// frequency maps an MD_MaintenanceFrequencyCode to the EU frequency code.
func frequency(iso string) string {
	iso = strings.TrimSpace(iso)
	if c, ok := vocabISOFrequency[iso]; ok {
		return c
	}
	for k, c := range vocabISOFrequency {
		if strings.EqualFold(k, iso) {
			return c
		}
	}
	return ""
}

// udataFrequency maps EU frequency codes to udata ids, as udata's
// frequency_from_rdf reads them (udata.md §D.1).
var udataFrequency = map[string]string{
	"CONT": "severalTimesADay", "DAILY": "daily", "WEEKLY": "weekly", "BIWEEKLY": "biweekly",
	"MONTHLY_2": "semimonthly", "MONTHLY": "monthly", "QUARTERLY": "quarterly", "ANNUAL_2": "semiannual",
	"ANNUAL": "annual", "BIENNIAL": "biennial", "OTHER": "other", "AS_NEEDED": "punctual",
	"IRREG": "irregular", "NOT_PLANNED": "notPlanned", "UNKNOWN": "unknown",
	"HOURLY": "hourly", "BIHOURLY": "bihourly", "TRIHOURLY": "trihourly", "DAILY_2": "semidaily",
	"WEEKLY_2": "semiweekly", "WEEKLY_3": "threeTimesAWeek", "MONTHLY_3": "threeTimesAMonth",
	"BIMONTHLY": "bimonthly", "ANNUAL_3": "threeTimesAYear", "TRIENNIAL": "triennial",
	"QUADRENNIAL": "quadrennial", "QUINQUENNIAL": "quinquennial", "DECENNIAL": "decennial",
	"BIDECENNIAL": "bidecennial", "TRIDECENNIAL": "tridecennial", "NEVER": "never",
}

// frequencySpans are the periods, in days, of the EU frequency codes a
// non-standard maintenance code or a userDefinedMaintenanceFrequency
// duration is rounded to (nearest on a logarithmic scale: 10 days is
// closer to three times a month than to weekly).
var frequencySpans = []struct {
	code string
	days float64
}{
	{"HOURLY", 1.0 / 24}, {"BIHOURLY", 2.0 / 24}, {"TRIHOURLY", 3.0 / 24}, {"DAILY_2", 0.5}, {"DAILY", 1},
	{"WEEKLY_3", 7.0 / 3}, {"WEEKLY_2", 3.5}, {"WEEKLY", 7}, {"MONTHLY_3", 365.25 / 36}, {"BIWEEKLY", 14},
	{"MONTHLY_2", 365.25 / 24}, {"MONTHLY", 365.25 / 12}, {"BIMONTHLY", 365.25 / 6}, {"QUARTERLY", 365.25 / 4},
	{"ANNUAL_3", 365.25 / 3}, {"ANNUAL_2", 365.25 / 2}, {"ANNUAL", 365.25}, {"BIENNIAL", 2 * 365.25},
	{"TRIENNIAL", 3 * 365.25}, {"QUADRENNIAL", 4 * 365.25}, {"QUINQUENNIAL", 5 * 365.25},
	{"DECENNIAL", 10 * 365.25}, {"BIDECENNIAL", 20 * 365.25}, {"TRIDECENNIAL", 30 * 365.25},
}

// nearestFrequency is the EU frequency code whose period is nearest to
// days (logarithmic scale); "" for a non-positive or absurd period.
func nearestFrequency(days float64) string {
	if !(days > 0) || days > 100*365.25 || math.IsInf(days, 0) {
		return ""
	}
	best, bestD := "", math.Inf(1)
	for _, f := range frequencySpans {
		if d := math.Abs(math.Log(days / f.days)); d < bestD {
			best, bestD = f.code, d
		}
	}
	return best
}

var (
	reISODuration = regexp.MustCompile(`^P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)
	// reCountedPeriod reads non-standard codes such as "5annually",
	// "2-yearly", "3monthly", "10 days".
	reCountedPeriod = regexp.MustCompile(`^(\d{1,3})\s*-?\s*(annually|yearly|years?|ans?|jaarlijks|monthly|months?|mois|weekly|weeks?|semaines?|daily|days?|jours?|hourly|hours?|heures?)$`)
)

// durationDays reads an ISO 8601 duration (TM_PeriodDuration) in days.
func durationDays(s string) float64 {
	m := reISODuration.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil || strings.TrimSpace(s) == "P" {
		return 0
	}
	num := func(v string) float64 {
		f, _ := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
		return f
	}
	return num(m[1])*365.25 + num(m[2])*365.25/12 + num(m[3])*7 + num(m[4]) + num(m[5])/24 + num(m[6])/1440 + num(m[7])/86400
}

// frenchFrequency are maintenance values written as French (or English)
// words instead of MD_MaintenanceFrequencyCode values.
var frenchFrequency = map[string]string{
	"annuel": "ANNUAL", "annuelle": "ANNUAL", "yearly": "ANNUAL", "mensuel": "MONTHLY", "mensuelle": "MONTHLY",
	"hebdomadaire": "WEEKLY", "quotidien": "DAILY", "quotidienne": "DAILY", "journalier": "DAILY",
	"journaliere": "DAILY", "trimestriel": "QUARTERLY", "trimestrielle": "QUARTERLY", "semestriel": "ANNUAL_2",
	"semestrielle": "ANNUAL_2", "irregulier": "IRREG", "irreguliere": "IRREG", "continu": "CONT",
	"continue": "CONT", "biennal": "BIENNIAL", "biennale": "BIENNIAL", "triennal": "TRIENNIAL",
	"triennale": "TRIENNIAL", "bimestriel": "BIMONTHLY", "bimensuel": "MONTHLY_2", "hourly": "HOURLY",
	"bimonthly": "BIMONTHLY", "triennially": "TRIENNIAL", "quadrennially": "QUADRENNIAL",
	"quinquennially": "QUINQUENNIAL", "decennially": "DECENNIAL",
}

// nonStandardFrequency maps a maintenance value that is not an
// MD_MaintenanceFrequencyCode ("5annually", "mensuel") to the nearest EU
// frequency code; "" when it says nothing usable.
func nonStandardFrequency(v string) string {
	low := vocabnorm.Label(v)
	if c, ok := frenchFrequency[low]; ok {
		return c
	}
	m := reCountedPeriod.FindStringSubmatch(low)
	if m == nil {
		return ""
	}
	n, _ := strconv.ParseFloat(m[1], 64)
	unit := m[2]
	switch {
	case strings.HasPrefix(unit, "annual") || strings.HasPrefix(unit, "year") || strings.HasPrefix(unit, "an") || unit == "jaarlijks":
		n *= 365.25
	case strings.HasPrefix(unit, "month") || unit == "mois":
		n *= 365.25 / 12
	case strings.HasPrefix(unit, "week") || strings.HasPrefix(unit, "semaine"):
		n *= 7
	case strings.HasPrefix(unit, "hour") || strings.HasPrefix(unit, "heure"):
		n /= 24
	}
	return nearestFrequency(n)
}

// formatInfo is what a format name resolves to.
type formatInfo struct {
	EU    string // EU file-type code, "" when none
	Media string // IANA media type, "" when none
	Label string // label written on the format node
}

// lookupFormat resolves a format name (or Anchor href) through the French
// label variants, then EU file-type codes and IANA media types.
func lookupFormat(name, href string) (formatInfo, bool) {
	if strings.HasPrefix(href, euFileType) {
		code := strings.TrimPrefix(href, euFileType)
		if _, ok := vocabFileType[code]; ok {
			return formatInfo{EU: code, Label: code}, true
		}
	}
	n := strings.TrimSpace(name)
	if n == "" {
		return formatInfo{}, false
	}
	if f, ok := vocabFormat[vocabnorm.Label(n)]; ok {
		return formatInfo{EU: f[0], Media: f[1], Label: labelFor(f[0], f[2])}, true
	}
	up := strings.ToUpper(n)
	if _, ok := vocabFileType[up]; ok {
		return formatInfo{EU: up, Label: up}, true
	}
	low := strings.ToLower(n)
	if _, ok := vocabMediaType[low]; ok {
		return formatInfo{Media: low, Label: low}, true
	}
	return formatInfo{Label: n}, false
}

func labelFor(eu, canonical string) string {
	if eu != "" {
		return eu
	}
	return canonical
}

// formatFromURL guesses a format from the URL path's extension.
func formatFromURL(u string) (formatInfo, bool) {
	pu, err := url.Parse(u)
	if err != nil {
		return formatInfo{}, false
	}
	ext := strings.ToLower(path.Ext(pu.Path))
	if ext == "" || len(ext) > 9 {
		return formatInfo{}, false
	}
	if code, ok := vocabFileExt[ext]; ok {
		f, _ := lookupFormat(code, "")
		if f.EU == "" {
			f = formatInfo{EU: code, Label: code}
		}
		return f, true
	}
	return formatInfo{}, false
}

// udataLicence is one licence data.gouv.fr knows (udata.md §D.2), with
// udata's exact id, title and URL. The feed writes a licence with a URL as
// that IRI titled (dct:title) but not labelled: udata reads a labelled
// licence by its label only and resolves a title through fuzzy slug
// matching ("Licence Ouverte / Open Licence (v1)" can come out as lov2),
// while the bare IRI is matched exactly against the licence URLs. The
// "Other" licences have no URL: IRI is the term the record cites,
// labelled with udata's id (matched exactly) and titled with its title.
type udataLicence struct {
	ID, Title, URL string
	IRI            string // for licences without URL
	rank           int    // 0 a named licence, 1 other-at/other-pd, 2 other-open: the lowest rank found wins
}

// iri is the licence node's IRI.
func (l udataLicence) iri() string {
	if l.URL != "" {
		return l.URL
	}
	return l.IRI
}

const noConditionsApply = inspireCL + "ConditionsApplyingToAccessAndUse/noConditionsApply"

var (
	licLOv2  = udataLicence{ID: "lov2", Title: "Licence Ouverte / Open Licence version 2.0", URL: "https://www.etalab.gouv.fr/licence-ouverte-open-licence"}
	licLOv1  = udataLicence{ID: "fr-lo", Title: "Licence Ouverte / Open Licence (v1)", URL: "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf"}
	licODbL  = udataLicence{ID: "odc-odbl", Title: "Open Data Commons Open Database License (ODbL)", URL: "http://opendatacommons.org/licenses/odbl/summary/"}
	licCCBY  = udataLicence{ID: "cc-by", Title: "Creative Commons Attribution", URL: "http://www.opendefinition.org/licenses/cc-by"}
	licCCBYS = udataLicence{ID: "cc-by-sa", Title: "Creative Commons Attribution Share-Alike", URL: "http://www.opendefinition.org/licenses/cc-by-sa"}
	licCC0   = udataLicence{ID: "cc-zero", Title: "Creative Commons CCZero", URL: "http://www.opendefinition.org/licenses/cc-zero"}
	licODCBY = udataLicence{ID: "odc-by", Title: "Open Data Commons Attribution License", URL: "http://opendatacommons.org/licenses/by/summary/"}
	licPDDL  = udataLicence{ID: "odc-pddl", Title: "Open Data Commons Public Domain Dedication and Licence (PDDL)", URL: "http://opendatacommons.org/licenses/pddl/summary/"}
	// The "Other" licences (no URL on data.gouv.fr).
	licOtherPD      = udataLicence{ID: "other-pd", Title: "Other (Public Domain)", IRI: "https://creativecommons.org/publicdomain/mark/1.0/", rank: 1}
	licOtherAtSwiss = udataLicence{ID: "other-at", Title: "Other (Attribution)", IRI: "https://opendata.swiss/en/terms-of-use/#terms_by", rank: 1}
	licOtherOpenCH  = udataLicence{ID: "other-open", Title: "Other (Open)", IRI: "https://opendata.swiss/en/terms-of-use/#terms_open", rank: 2}
	licOtherOpen    = udataLicence{ID: "other-open", Title: "Other (Open)", IRI: noConditionsApply, rank: 2}
)

// licenceRules are tried in order on the folded text (or URL) of a
// constraint; the first match wins. A rule's regexp runs only when one of
// its needles occurs in the text (constraint texts can be long). The
// mapping is documented in README.md (Licences and access).
var licenceRules = []struct {
	needles []string
	re      *regexp.Regexp
	lic     udataLicence
}{
	{[]string{"etalab", "ouverte", "open licen"}, regexp.MustCompile(`etalab[- ]?2|licence[- ]ouverte[^.;]{0,40}(2\.0|v2|version 2)|open licen[cs]e[^.;]{0,20}(2\.0|v2|version 2)|etalab\.gouv\.fr/licence-ouverte|etalab-licence-ouverte-v2|licence-ouverte/blob/master/lo\.md`), licLOv2},
	{[]string{"ouverte", "licence_ouverte", "open_licence"}, regexp.MustCompile(`licence[- ]ouverte[^.;]{0,40}(v1|version 1|1\.0)|licence_ouverte\.pdf|open_licence\.pdf|data\.gouv\.fr/licence-ouverte-open-licence`), licLOv1},
	{[]string{"ouverte", "lo/ol"}, regexp.MustCompile(`licence[- ]ouverte|\blo/ol\b`), licLOv2},
	{[]string{"odbl", "open database"}, regexp.MustCompile(`odbl|open database licen[cs]e`), licODbL},
	{[]string{"pddl"}, regexp.MustCompile(`pddl`), licPDDL},
	{[]string{"odc", "opendatacommons"}, regexp.MustCompile(`odc[- ]by|opendatacommons\.org/licenses/by`), licODCBY},
	{[]string{"cc0", "cc-", "cc ", "creativecommons"}, regexp.MustCompile(`\bcc[- ]?0|\bcc[- ]zero|creativecommons\.org/publicdomain/zero`), licCC0},
	{[]string{"cc-", "cc ", "creativecommons", "share"}, regexp.MustCompile(`\bcc[- ]by[- ]sa|creativecommons\.org/licenses/by-sa|attribution[- ]share[- ]?alike`), licCCBYS},
	{[]string{"cc-", "cc ", "creativecommons", "creative commons"}, regexp.MustCompile(`\bcc[- ]by\b|creativecommons\.org/licenses/by/|creative commons attribution`), licCCBY},
	{[]string{"publicdomain/mark", "public domain mark"}, regexp.MustCompile(`creativecommons\.org/publicdomain/mark|public domain mark`), licOtherPD},
	{[]string{"terms_by", "opendata by"}, regexp.MustCompile(`opendata\.swiss/[a-z/-]*#terms_by(?:[^_a-z]|$)|\bopendata by(?:[^_a-z]|$)`), licOtherAtSwiss},
	{[]string{"terms_open", "opendata open"}, regexp.MustCompile(`opendata\.swiss/[a-z/-]*#terms_open\b|\bopendata open\b`), licOtherOpenCH},
	// INSPIRE "no conditions apply" (the Anchor over http or https, or the
	// phrase in the languages of the corpus).
	{[]string{"noconditionsapply", "condition", "bedingung", "condities", "betingelse", "podmín"}, regexp.MustCompile(`conditionsapplyingtoaccessanduse/noconditionsapply|no conditions? appl(?:y|ies)|no conditions (?:to|for) access and use|aucune condition(?: ne s'applique| d'accès| d'utilisation)?|pas de conditions?\b|keine bedingungen|geen condities|er zijn geen condities|ingen betingelser|bez podmínek|sin condiciones`), licOtherOpen},
}

// detectLicence finds a udata licence in a text or URL.
func detectLicence(s string) (udataLicence, bool) {
	if strings.TrimSpace(s) == "" {
		return udataLicence{}, false
	}
	low := strings.ToLower(s)
	for _, r := range licenceRules {
		hit := false
		for _, n := range r.needles {
			if strings.Contains(low, n) {
				hit = true
				break
			}
		}
		if hit && r.re.MatchString(low) {
			if r.lic.ID == "other-at" && (strings.Contains(low, "opendata by ask") || strings.Contains(low, "terms_by_ask")) {
				continue // "BY ASK": permission needed, not open
			}
			return r.lic, true
		}
	}
	return udataLicence{}, false
}

// accessRight detects an INSPIRE LimitationsOnPublicAccess code in an Anchor
// href or a text: "noLimitations" or "INSPIRE_Directive_Article13_1x".
var (
	reArt13     = regexp.MustCompile(`(?i)article\s*13\s*[\(.]?\s*1\s*[\).]?\s*[\(.]?\s*([a-h])\b`)
	reNoLimit   = regexp.MustCompile(`(?i)no\s+limitations?|no\s+restrictions?\s+(?:on|to)\s+public\s+access|pas\s+de\s+restriction|aucune\s+restriction|sans\s+restriction|keine\s+beschr[äa]nkung|geen\s+beperking`)
	reLOPAHref  = regexp.MustCompile(`LimitationsOnPublicAccess/(noLimitations|INSPIRE_Directive_Article13_1[a-h])`)
	reELIRegNum = regexp.MustCompile(`(\d{3,4})\s*/\s*(\d{4})|(\d{4})\s*/\s*(\d{3,4})`)
)

func accessRight(text, href string) string {
	if strings.Contains(href, "LimitationsOnPublicAccess/") {
		if m := reLOPAHref.FindStringSubmatch(href); m != nil {
			return m[1]
		}
	}
	low := strings.ToLower(text)
	if strings.Contains(low, "13") {
		if m := reArt13.FindStringSubmatch(text); m != nil {
			return "INSPIRE_Directive_Article13_1" + strings.ToLower(m[1])
		}
	}
	for _, n := range []string{"limitation", "restriction", "beschr", "beperking"} {
		if strings.Contains(low, n) {
			if reNoLimit.MatchString(text) {
				return "noLimitations"
			}
			break
		}
	}
	return ""
}

// euAccessRightLabel are the English and French labels of the EU
// access-right concepts passerelle writes.
var euAccessRightLabel = map[string][2]string{
	"NON_PUBLIC": {"non-public", "non public"},
	"RESTRICTED": {"restricted", "restreint"},
}

// udataArticle13Label are udata's French labels of the INSPIRE Article 13
// limitations (udata/core/access_type/constants.py, CNIG wording), used as
// access_type_reason so a pushed dataset reads like a harvested one.
var udataArticle13Label = map[string]string{
	"a": "L124-4-I-1 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.a)",
	"b": "L124-5-II-1 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.b)",
	"c": "L124-5-II-2 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.c)",
	"d": "L124-4-I-1 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.d)",
	"e": "L124-5-II-3 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.e)",
	"f": "L124-4-I-1 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.f)",
	"g": "L124-4-I-3 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.g)",
	"h": "L124-4-I-2 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.h)",
}

// restrictiveCodes are the MD_RestrictionCode values (ISO 19115 and
// 19115-1) that restrict access itself; copyright, licence, patent,
// trademark and intellectual property codes restrict use, not access.
var restrictiveCodes = map[string]bool{
	"restricted": true, "confidential": true, "private": true, "sensitive": true, "statutory": true,
	"inconfidence": true, "in-confidence": true,
}

// restrictiveClassifications are the MD_ClassificationCode values above
// unclassified.
var restrictiveClassifications = map[string]bool{
	"restricted": true, "confidential": true, "secret": true, "topsecret": true,
	"sensitivebutunclassified": true, "forofficialuseonly": true, "protected": true, "limiteddistribution": true,
}

var (
	reAccessRestricted = regexp.MustCompile(`(?i)acc[eè]s\s+(?:public\s+)?(?:est\s+)?(?:restreint|limit[ée]|r[ée]serv[ée]|interdit)|diffusion\s+(?:restreinte|limit[ée]e|interdite)|usage\s+(?:strictement\s+)?interne|non\s+(?:diffusable|communicable|publi(?:c|que))|confidenti|restricted\s+access|access\s+(?:is\s+)?restricted|not\s+(?:publicly\s+)?(?:available|accessible)\s+to\s+the\s+public|not\s+publicly\s+(?:available|accessible)|internal\s+use\s+only`)
	reAccessAccount    = regexp.MustCompile(`(?i)inscription|cr[ée]ation\s+d'un\s+compte|compte\s+(?:utilisateur|personnel|gratuit)|authentifi|identifiants?\s+de\s+connexion|registration|\bregister\b|user\s+account|\blog\s?in\b|sign[- ]?(?:in|up)`)
)

// accessPhrase reads an access-constraint text: "restricted" when it says
// access is restricted, "open_with_account" when it asks for an account or
// a registration, "" otherwise (and always for "no limitations" texts).
func accessPhrase(text string) string {
	if strings.TrimSpace(text) == "" || accessRight(text, "") == "noLimitations" {
		return ""
	}
	if reAccessRestricted.MatchString(text) {
		return "restricted"
	}
	if reAccessAccount.MatchString(text) {
		return "open_with_account"
	}
	return ""
}

// eliRegulation maps the INSPIRE regulations cited as text to their ELI IRIs.
func eliRegulation(title, href string) string {
	if strings.HasPrefix(href, "http://data.europa.eu/eli/") || strings.HasPrefix(href, "https://data.europa.eu/eli/") {
		return href
	}
	for _, m := range reELIRegNum.FindAllStringSubmatch(title, -1) {
		num, year := m[1], m[2]
		if num == "" {
			year, num = m[3], m[4]
		}
		switch num + "/" + year {
		case "1089/2010":
			return "http://data.europa.eu/eli/reg/2010/1089/oj"
		case "976/2009":
			return "http://data.europa.eu/eli/reg/2009/976/oj"
		case "1205/2008":
			return "http://data.europa.eu/eli/reg/2008/1205/oj"
		}
	}
	return ""
}

// isoRoles are the 11 CI_RoleCode values.
var isoRoles = map[string]bool{
	"resourceProvider": true, "custodian": true, "owner": true, "user": true, "distributor": true,
	"originator": true, "pointOfContact": true, "principalInvestigator": true, "processor": true,
	"publisher": true, "author": true,
}

// serviceTypes normalises srv:serviceType to the INSPIRE SpatialDataServiceType codes.
func serviceType(s string) string {
	low := strings.ToLower(strings.TrimSpace(s))
	switch {
	case low == "":
		return ""
	case strings.Contains(low, "discovery") || strings.Contains(low, "csw"):
		return "discovery"
	case strings.Contains(low, "view") || strings.Contains(low, "wms") || strings.Contains(low, "wmts"):
		return "view"
	case strings.Contains(low, "download") || strings.Contains(low, "wfs") || strings.Contains(low, "wcs") || strings.Contains(low, "atom"):
		return "download"
	case strings.Contains(low, "transformation"):
		return "transformation"
	case strings.Contains(low, "invoke") || strings.Contains(low, "wps"):
		return "invoke"
	}
	return "other"
}
