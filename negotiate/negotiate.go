// Package negotiate implements JSON:API 1.1 content negotiation on the
// server side, as described in
// https://jsonapi.org/format/1.1/#content-negotiation.
//
// # Rules
//
// Requests are checked first; when both a 415 and a 406 apply, 415 wins.
//
//   - A request with a body (Content-Length > 0, an unknown length, or a
//     Transfer-Encoding) must have Content-Type application/vnd.api+json,
//     optionally with ext and profile parameters. A missing Content-Type or
//     any other media type is answered with 415 Unsupported Media Type.
//   - A request without a body may omit Content-Type. If it sends one, other
//     media types are ignored, but a JSON:API Content-Type is still checked.
//   - A JSON:API Content-Type with any parameter other than ext and profile,
//     or whose ext parameter lists an extension URI the server does not
//     support, is answered with 415.
//   - In Accept, JSON:API instances with media type parameters other than ext
//     and profile are ignored, as are instances whose ext parameter lists an
//     unsupported extension. The q weight is not a media type parameter and
//     is allowed. If no JSON:API instance is left, the request is answered
//     with 406 Not Acceptable unless a wildcard (*/* or application/*) with a
//     q-value above zero accepts the plain JSON:API media type.
//   - Unrecognised profiles are ignored; they are reported to the caller, who
//     may apply the ones it knows.
//   - An endpoint that requires an extension ([Negotiator].Require, such as
//     an Atomic Operations endpoint) answers 415 to a request whose
//     Content-Type does not list it, and 406 when Accept leaves no JSON:API
//     instance listing it and no wildcard ([AcceptRequiring]).
//   - A missing or empty Accept header is served. An Accept header that
//     accepts nothing usable (only text/html, only application/json, or q=0
//     on every candidate) is answered with 406.
//
// Accept is parsed as a comma-separated list of media ranges with
// parameters and q-values. Types, subtypes and parameter names are
// case-insensitive; quoted strings may contain commas and semicolons.
// Malformed elements are ignored. A q-value of 0 means "not acceptable": a
// plain application/vnd.api+json;q=0 also refuses what a wildcard would
// otherwise accept. An explicit, usable JSON:API instance is always
// preferred to a wildcard. Parameters other than q are treated as media
// type parameters wherever they appear in an element. As a leniency for
// clients, an unquoted parameter value may contain any visible character
// except ';', ',', '"' and '\', so ext=https://jsonapi.org/ext/atomic
// works without quotes.
//
// Responses must use the Content-Type application/vnd.api+json, with ext and
// profile parameters only for the extensions and profiles actually applied
// (see [FormatMediaType]), and must send "Vary: Accept".
//
// # Layers
//
// The package has two layers. The lower layer, [ContentType] and [Accept],
// checks single header values and returns the extension and profile URIs
// involved or an [*jsonapi.Error]; it knows nothing about HTTP requests. The upper
// layer, [Negotiator] and [Handler], applies both checks to an
// [*http.Request], adds "Vary: Accept", answers failures with a JSON:API
// error document (or a custom ErrorHandler), and stores the [Result] in the
// request context for [FromContext].
package negotiate

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gorestless/restless/jsonapi"
)

// MediaType is the JSON:API media type.
const MediaType = jsonapi.MediaType

// A negotiation failure is a *jsonapi.Error: Status is 406 or 415,
// Source.Header names the request header at fault ("Accept" or
// "Content-Type") and Detail is a sentence for the client.

func unsupportedMediaType(detail string) *jsonapi.Error {
	return &jsonapi.Error{Status: http.StatusUnsupportedMediaType, Title: http.StatusText(http.StatusUnsupportedMediaType),
		Detail: detail, Source: jsonapi.Header("Content-Type")}
}

func notAcceptable(detail string) *jsonapi.Error {
	return &jsonapi.Error{Status: http.StatusNotAcceptable, Title: http.StatusText(http.StatusNotAcceptable),
		Detail: detail, Source: jsonapi.Header("Accept")}
}

// ContentType checks a request's Content-Type header value. hasBody says
// whether the request has a body. supportedExt lists the extension URIs the
// server supports. It returns the extension and profile URIs of a JSON:API
// Content-Type (nil when absent), or an [*jsonapi.Error] with status 415.
func ContentType(header string, hasBody bool, supportedExt []string) (ext, profile []string, err error) {
	header = strings.Trim(header, " \t")
	if header == "" {
		if hasBody {
			return nil, nil, unsupportedMediaType("A request with a body must have the Content-Type " + MediaType + ".")
		}
		return nil, nil, nil
	}
	p := parser{s: header}
	m, ok := p.mediaRange()
	if ok {
		p.skipOWS()
		ok = p.done()
	}
	if !m.isJSONAPI() {
		if hasBody {
			return nil, nil, unsupportedMediaType("The Content-Type of a request body must be " + MediaType + ".")
		}
		return nil, nil, nil
	}
	if !ok {
		return nil, nil, unsupportedMediaType("The Content-Type header is malformed.")
	}
	ext, profile, other := splitParams(m.params)
	if other != "" {
		return nil, nil, unsupportedMediaType("The Content-Type " + MediaType + " must not have the media type parameter " + other + "; only ext and profile are allowed.")
	}
	for _, u := range ext {
		if !slices.Contains(supportedExt, u) {
			return nil, nil, unsupportedMediaType("The extension " + u + " in Content-Type is not supported.")
		}
	}
	return ext, profile, nil
}

// Accept checks an Accept header value and returns the ext/profile lists of
// the best acceptable JSON:API instance (highest q; ties: the first listed; a
// plain instance with no ext is a fine choice), or nil, nil when served
// through a wildcard or when the header is empty. When nothing acceptable is
// left it returns an [*jsonapi.Error] with status 406.
func Accept(header string, supportedExt []string) (ext, profile []string, err error) {
	return accept(header, supportedExt, "")
}

// AcceptRequiring is [Accept] for an endpoint whose responses always apply
// the extension require (which supportedExt lists): only JSON:API
// instances whose ext lists require are acceptable, so an Accept header
// whose JSON:API instances all lack it gets a 406 unless a wildcard
// accepts the response.
func AcceptRequiring(header string, supportedExt []string, require string) (ext, profile []string, err error) {
	return accept(header, supportedExt, require)
}

func accept(header string, supportedExt []string, require string) (ext, profile []string, err error) {
	elems, nonEmpty := parseAccept(header)
	if !nonEmpty {
		return nil, nil, nil
	}
	var (
		bestQ             = 0
		bestExt, bestProf []string
		candidates        int
		badParams, badExt int
		lacking           int
		plainRefused      bool
		anyQ, appQ        = -1, -1
	)
	for _, e := range elems {
		switch {
		case e.typ == "*" && e.sub == "*":
			anyQ = max(anyQ, e.q)
		case e.typ == "application" && e.sub == "*":
			appQ = max(appQ, e.q)
		case e.isJSONAPI():
			x, p, other := splitParams(e.params)
			if e.q == 0 {
				// A refusal of the media type the response would have
				// also refuses it through a wildcard.
				if require == "" && len(e.params) == 0 ||
					require != "" && other == "" && slices.Equal(x, []string{require}) {
					plainRefused = true
				}
				continue
			}
			candidates++
			if other != "" {
				badParams++
				continue
			}
			if !allSupported(x, supportedExt) {
				badExt++
				continue
			}
			if require != "" && !slices.Contains(x, require) {
				lacking++
				continue
			}
			if e.q > bestQ {
				bestQ, bestExt, bestProf = e.q, x, p
			}
		}
	}
	if bestQ > 0 {
		return bestExt, bestProf, nil
	}
	// The most specific wildcard decides.
	wildQ := anyQ
	if appQ >= 0 {
		wildQ = appQ
	}
	if wildQ > 0 && !plainRefused {
		return nil, nil, nil
	}
	switch {
	case candidates > 0 && lacking == candidates:
		return nil, nil, notAcceptable("Every JSON:API media type in Accept lacks the extension " + require +
			", which the responses of this endpoint apply; accept " + FormatMediaType([]string{require}, nil) + ".")
	case candidates > 0 && lacking > 0:
		return nil, nil, notAcceptable("No JSON:API media type in Accept is usable: this endpoint's responses apply the extension " + require +
			"; accept " + FormatMediaType([]string{require}, nil) + ".")
	case candidates > 0 && badExt == 0:
		return nil, nil, notAcceptable("Every JSON:API media type in Accept has media type parameters other than ext and profile.")
	case candidates > 0 && badParams == 0:
		return nil, nil, notAcceptable("Every JSON:API media type in Accept asks for an unsupported extension.")
	case candidates > 0:
		return nil, nil, notAcceptable("Every JSON:API media type in Accept has media type parameters other than ext and profile or asks for an unsupported extension.")
	}
	return nil, nil, notAcceptable("The Accept header does not allow the media type " + MediaType + ".")
}

func allSupported(ext, supported []string) bool {
	for _, u := range ext {
		if !slices.Contains(supported, u) {
			return false
		}
	}
	return true
}

// splitParams splits media type parameters into the ext and profile URI
// lists. other is the name of the first parameter that is neither, or "".
func splitParams(params []param) (ext, profile []string, other string) {
	for _, p := range params {
		switch p.name {
		case "ext":
			ext = fields(p.value)
		case "profile":
			profile = fields(p.value)
		default:
			if other == "" {
				other = p.name
			}
		}
	}
	return ext, profile, other
}

func fields(s string) []string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nil
	}
	return f
}

// FormatMediaType returns MediaType with ext and profile parameters when the
// lists are non-empty, e.g.
// application/vnd.api+json; ext="https://jsonapi.org/ext/atomic".
func FormatMediaType(ext, profile []string) string {
	var b strings.Builder
	b.WriteString(MediaType)
	writeParam(&b, "ext", ext)
	writeParam(&b, "profile", profile)
	return b.String()
}

func writeParam(b *strings.Builder, name string, uris []string) {
	v := strings.Join(fields(strings.Join(uris, " ")), " ")
	if v == "" {
		return
	}
	b.WriteString("; ")
	b.WriteString(name)
	b.WriteString(`="`)
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
}

// ---- parsing ----

// param is one media type parameter; name is lower-cased.
type param struct {
	name, value string
	quoted      bool
}

// mediaRange is one parsed media type or Accept element. typ and sub are
// lower-cased; q is the weight in thousandths (1000 when absent) and is only
// set by parseAccept, which also removes the q parameter from params.
type mediaRange struct {
	typ, sub string
	params   []param
	q        int
}

func (m mediaRange) isJSONAPI() bool {
	return m.typ == "application" && m.sub == "vnd.api+json"
}

// parseAccept parses an Accept header value. Malformed elements are skipped.
// nonEmpty reports whether the list held any element at all, well-formed or
// not; a header of only whitespace and commas holds none.
func parseAccept(s string) (elems []mediaRange, nonEmpty bool) {
	p := parser{s: s}
	for {
		// Skip empty list elements.
		for !p.done() && (p.peek() == ',' || p.peek() == ' ' || p.peek() == '\t') {
			p.i++
		}
		if p.done() {
			return elems, nonEmpty
		}
		nonEmpty = true
		m, ok := p.mediaRange()
		if ok {
			p.skipOWS()
			ok = p.done() || p.peek() == ','
		}
		if ok {
			m, ok = takeQ(m)
		}
		if ok {
			elems = append(elems, m)
		} else {
			p.skipElement()
		}
	}
}

// takeQ moves the q parameter of an Accept element into m.q.
func takeQ(m mediaRange) (mediaRange, bool) {
	m.q = 1000
	for i, pr := range m.params {
		if pr.name != "q" {
			continue
		}
		q, ok := parseQ(pr.value)
		if !ok || pr.quoted {
			return m, false
		}
		m.q = q
		m.params = slices.Delete(slices.Clone(m.params), i, i+1)
		break // duplicates were rejected by the parser
	}
	return m, true
}

// parseQ parses an RFC 9110 qvalue into thousandths.
func parseQ(s string) (int, bool) {
	if s == "" || (s[0] != '0' && s[0] != '1') {
		return 0, false
	}
	q := int(s[0]-'0') * 1000
	if len(s) == 1 {
		return q, true
	}
	if s[1] != '.' || len(s) > 5 {
		return 0, false
	}
	scale := 100
	for i := 2; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		q += int(c-'0') * scale
		scale /= 10
	}
	if q > 1000 {
		return 0, false
	}
	return q, true
}

// parser is a small tokenizer for media types and media ranges.
type parser struct {
	s string
	i int
}

func (p *parser) done() bool { return p.i >= len(p.s) }

func (p *parser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

func (p *parser) consume(c byte) bool {
	if p.peek() == c && !p.done() {
		p.i++
		return true
	}
	return false
}

func (p *parser) skipOWS() {
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// token reads 1*tchar; it returns "" when there is none.
func (p *parser) token() string {
	start := p.i
	for !p.done() && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// bare reads a lenient unquoted parameter value: visible ASCII characters
// other than ';', ',', '"' and '\'.
func (p *parser) bare() string {
	start := p.i
	for !p.done() {
		c := p.s[p.i]
		if c <= ' ' || c >= 0x7f || c == ';' || c == ',' || c == '"' || c == '\\' {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}

// quoted reads a quoted-string starting at '"' and returns its unescaped
// content.
func (p *parser) quoted() (string, bool) {
	if !p.consume('"') {
		return "", false
	}
	var b strings.Builder
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return b.String(), true
		case c == '\\':
			if p.done() {
				return "", false
			}
			c = p.s[p.i]
			p.i++
			if c != '\t' && (c < ' ' || c == 0x7f) {
				return "", false
			}
			b.WriteByte(c)
		case c == '\t' || (c >= ' ' && c != 0x7f):
			b.WriteByte(c)
		default:
			return "", false
		}
	}
	return "", false
}

// skipElement moves past the rest of a malformed list element, up to the
// next comma that is not inside a quoted string.
func (p *parser) skipElement() {
	for !p.done() {
		switch p.s[p.i] {
		case ',':
			return
		case '"':
			p.i++
			for !p.done() && p.s[p.i] != '"' {
				if p.s[p.i] == '\\' {
					p.i++
				}
				p.i++
			}
			if !p.done() {
				p.i++
			}
		default:
			p.i++
		}
	}
}

// mediaRange reads type "/" subtype *( OWS ";" OWS [ name "=" value ] ).
// It stops before anything that does not continue the media range. On
// failure m still holds the type and subtype if those were read.
func (p *parser) mediaRange() (m mediaRange, ok bool) {
	typ := p.token()
	if typ == "" || !p.consume('/') {
		return m, false
	}
	sub := p.token()
	if sub == "" {
		return m, false
	}
	m.typ, m.sub = strings.ToLower(typ), strings.ToLower(sub)
	if m.typ == "*" && m.sub != "*" {
		return m, false
	}
	for {
		save := p.i
		p.skipOWS()
		if !p.consume(';') {
			p.i = save
			return m, true
		}
		p.skipOWS()
		if c := p.peek(); p.done() || c == ';' || c == ',' {
			continue // empty parameter
		}
		name := p.token()
		if name == "" || !p.consume('=') {
			return m, false
		}
		name = strings.ToLower(name)
		var pr param
		if p.peek() == '"' {
			v, ok := p.quoted()
			if !ok {
				return m, false
			}
			pr = param{name: name, value: v, quoted: true}
		} else {
			v := p.bare()
			if v == "" {
				return m, false
			}
			pr = param{name: name, value: v}
		}
		// RFC 6838: a parameter must not be given more than once.
		if slices.ContainsFunc(m.params, func(q param) bool { return q.name == name }) {
			return m, false
		}
		m.params = append(m.params, pr)
	}
}

func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
