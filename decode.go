package restless

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// input is a decoded resource object from a POST or PATCH body.
type input struct {
	id     *string
	lid    string
	values Values
	links  []*linkage
	// ifMatch is the request's If-Match header.
	ifMatch string
}

// MaxDocumentDepth is the deepest nesting of arrays and objects a request
// document may have; a deeper one is answered with 400 before it is
// decoded. A resource document needs 5 levels and attribute values of
// type JSON get the rest.
const MaxDocumentDepth = 64

// readBody reads the request body, at most the API's limit, and refuses
// documents nested deeper than MaxDocumentDepth.
func (a *API) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.maxBody()))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, &Error{Status: http.StatusBadRequest, Title: "Unreadable Body", Detail: "The request body could not be read.", Err: err}
	}
	if jsonTooDeep(body, MaxDocumentDepth) {
		return nil, &Error{Status: http.StatusBadRequest, Title: "Document Too Deep",
			Detail: fmt.Sprintf("The request document nests arrays and objects deeper than %d levels.", MaxDocumentDepth), Source: Pointer("")}
	}
	if ptr, ok := duplicateMember(body); ok {
		return nil, &Error{Status: http.StatusBadRequest, Title: "Duplicate Member",
			Detail: "The request document has a member twice in one object; which one counts would be a guess.", Source: Pointer(ptr)}
	}
	return body, nil
}

// duplicateMember returns the JSON Pointer of the first member that
// appears twice in one object of the JSON text b. Invalid JSON has none;
// the decoder reports it.
func duplicateMember(b []byte) (string, bool) {
	type frame struct {
		obj       bool
		keys      map[string]bool
		key       string
		index     int
		expectKey bool
	}
	var stack []*frame
	done := func() { // a value ended
		if len(stack) == 0 {
			return
		}
		if top := stack[len(stack)-1]; top.obj {
			top.expectKey = true
		} else {
			top.index++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].expectKey {
			top := stack[n-1]
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					var ptr strings.Builder
					for _, f := range stack[:n-1] {
						ptr.WriteByte('/')
						if f.obj {
							ptr.WriteString(escapePointer(f.key))
						} else {
							ptr.WriteString(strconv.Itoa(f.index))
						}
					}
					ptr.WriteByte('/')
					ptr.WriteString(escapePointer(k))
					return ptr.String(), true
				}
				top.keys[k] = true
				top.key, top.expectKey = k, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, expectKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			done()
		default:
			done()
		}
	}
}

// jsonTooDeep reports whether the JSON text b nests arrays and objects
// deeper than limit. It only counts brackets outside strings; whether b
// is valid JSON is the decoder's business.
func jsonTooDeep(b []byte, limit int) bool {
	depth := 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > limit {
				return true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return false
}

func badDocument(pointer, detail string) *Error {
	return &Error{Status: http.StatusBadRequest, Title: "Invalid Document", Detail: detail, Source: Pointer(pointer)}
}

// escapePointer escapes a member name for a JSON Pointer (RFC 6901).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// decodeObject parses a request document holding one resource object of
// schema s. op is OpCreate or OpUpdate.
func (a *API) decodeObject(body []byte, s *Schema, op Op) (*input, error) {
	var doc map[string]json.RawMessage
	if err := decodeStrict(body, &doc); err != nil {
		return nil, badDocument("", "The request body is not a JSON object: "+err.Error()+".")
	}
	rawData, ok := doc["data"]
	if !ok {
		return nil, badDocument("", `The request document has no "data" member.`)
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(rawData, &data); err != nil || data == nil {
		return nil, badDocument("/data", `The "data" member must be a resource object.`)
	}
	in := &input{values: Values{}}

	rawType, ok := data["type"]
	if !ok {
		return nil, badDocument("/data", `The resource object has no "type" member.`)
	}
	var typ string
	if err := json.Unmarshal(rawType, &typ); err != nil || bytes.Equal(bytes.TrimSpace(rawType), []byte("null")) {
		return nil, badDocument("/data/type", `The "type" member must be a string.`)
	}
	if typ != s.Type {
		return nil, &Error{Status: http.StatusConflict, Title: "Type Mismatch",
			Detail: fmt.Sprintf("The type %q does not match this endpoint's type %q.", typ, s.Type), Source: Pointer("/data/type")}
	}
	if rawID, ok := data["id"]; ok {
		var id string
		if err := json.Unmarshal(rawID, &id); err != nil || bytes.Equal(bytes.TrimSpace(rawID), []byte("null")) {
			return nil, badDocument("/data/id", `The "id" member must be a string.`)
		}
		in.id = &id
	} else if op == OpUpdate {
		return nil, badDocument("/data/id", `The resource object has no "id" member; a PATCH must name the resource it updates.`)
	}
	if rawLID, ok := data["lid"]; ok {
		if err := json.Unmarshal(rawLID, &in.lid); err != nil {
			return nil, badDocument("/data/lid", `The "lid" member must be a string.`)
		}
	}
	if rawAttrs, ok := data["attributes"]; ok {
		var attrs map[string]json.RawMessage
		if err := json.Unmarshal(rawAttrs, &attrs); err != nil || attrs == nil {
			return nil, badDocument("/data/attributes", `The "attributes" member must be an object.`)
		}
		var errs []error
		for _, name := range sortedKeys(attrs) {
			ptr := "/data/attributes/" + escapePointer(name)
			at, ok := s.Attribute(name)
			if !ok {
				errs = append(errs, &Error{Status: http.StatusBadRequest, Title: "Unknown Attribute",
					Detail: fmt.Sprintf("The type %q has no attribute %q.", s.Type, name), Source: Pointer(ptr)})
				continue
			}
			if !at.Writable() {
				errs = append(errs, &Error{Status: http.StatusForbidden, Title: "Read-Only Attribute",
					Detail: fmt.Sprintf("The attribute %q cannot be written.", name), Source: Pointer(ptr)})
				continue
			}
			v, err := decodeValue(at.Type, attrs[name])
			if err == nil {
				err = a.checkValue(at.Type, v)
			}
			if err != nil {
				errs = append(errs, &Error{Status: http.StatusBadRequest, Title: "Invalid Attribute Value",
					Detail: fmt.Sprintf("The attribute %q %s.", name, err.Error()), Source: Pointer(ptr)})
				continue
			}
			in.values[name] = v
		}
		if len(errs) > 0 {
			return nil, errors.Join(errs...)
		}
	}
	if rawRels, ok := data["relationships"]; ok {
		var rels map[string]json.RawMessage
		if err := json.Unmarshal(rawRels, &rels); err != nil || rels == nil {
			return nil, badDocument("/data/relationships", `The "relationships" member must be an object.`)
		}
		for _, name := range sortedKeys(rels) {
			ptr := "/data/relationships/" + escapePointer(name)
			rel, ok := s.Relationship(name)
			if !ok {
				return nil, &Error{Status: http.StatusBadRequest, Title: "Unknown Relationship",
					Detail: fmt.Sprintf("The type %q has no relationship %q.", s.Type, name), Source: Pointer(ptr)}
			}
			if rel.ReadOnly {
				return nil, &Error{Status: http.StatusForbidden, Title: "Relationship Not Writable",
					Detail: fmt.Sprintf("The relationship %q cannot be set.", name), Source: Pointer(ptr)}
			}
			lk, err := decodeLinkage(a, rel, rels[name], ptr)
			if err != nil {
				return nil, err
			}
			if rel.Kind == ToOne {
				var v any
				if lk.toOne != nil {
					v = lk.toOne.id
				}
				in.values[name] = v
			}
			in.links = append(in.links, lk)
		}
	}
	return in, nil
}

// decodeStrict decodes one JSON value into v, keeping numbers exact and
// refusing trailing data.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("syntax error at byte %d", se.Offset)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("found a JSON %s", te.Value)
		}
		if errors.Is(err, io.EOF) {
			return errors.New("the body is empty")
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("the body ends early")
		}
		return errors.New("it cannot be decoded")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data follows the JSON value")
	}
	if v, ok := v.(*map[string]json.RawMessage); ok && *v == nil {
		return errors.New("found null")
	}
	return nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	return slices.Sorted(maps.Keys(m))
}

// decodeValue converts one attribute value of type t. The error completes
// the sentence "The attribute "x" ...".
func decodeValue(t ValueType, raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("has no value")
	}
	if string(raw) == "null" {
		return nil, nil
	}
	str := func() (string, bool) {
		if raw[0] != '"' {
			return "", false
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	}
	switch t {
	case String:
		if s, ok := str(); ok {
			return s, nil
		}
		return nil, errors.New("must be a string")
	case UUID:
		if s, ok := str(); ok {
			if isUUID(s) {
				return s, nil
			}
		}
		return nil, errors.New("must be a UUID such as \"123e4567-e89b-12d3-a456-426614174000\"")
	case Integer:
		if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' {
			n, err := strconv.ParseInt(string(raw), 10, 64)
			if err == nil {
				return n, nil
			}
			var ne *strconv.NumError
			if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
				return nil, errors.New("is out of the range of a 64-bit integer")
			}
		}
		return nil, errors.New("must be an integer")
	case Float:
		if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' {
			f, err := strconv.ParseFloat(string(raw), 64)
			if err == nil {
				return f, nil
			}
			return nil, errors.New("is out of the range of a 64-bit number")
		}
		return nil, errors.New("must be a number")
	case Boolean:
		switch string(raw) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, errors.New("must be true or false")
	case Date:
		s, ok := str()
		if !ok {
			return nil, errors.New("must be a date string such as \"2006-01-02\"")
		}
		if f, ok := sqlFunction(s); ok {
			return f, nil
		}
		d, err := time.Parse(DateFormat, s)
		if err != nil {
			return nil, errors.New("must be a date such as \"2006-01-02\"")
		}
		return d, nil
	case Timestamp:
		s, ok := str()
		if !ok {
			return nil, errors.New("must be an RFC 3339 timestamp string")
		}
		if f, ok := sqlFunction(s); ok {
			return f, nil
		}
		ts, ok := parseInputTime(s)
		if !ok {
			return nil, errors.New("must be an RFC 3339 timestamp such as \"2006-01-02T15:04:05Z\"")
		}
		return ts, nil
	case JSON:
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, errors.New("must be JSON")
		}
		return json.RawMessage(buf.Bytes()), nil
	}
	return nil, fmt.Errorf("has a type the server cannot decode")
}

// inputTimeLayouts are the accepted timestamp inputs; those without an
// offset are taken as UTC.
var inputTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	DateFormat,
}

func parseInputTime(s string) (time.Time, bool) {
	for _, l := range inputTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func sqlFunction(s string) (SQLFunction, bool) {
	switch f := SQLFunction(s); f {
	case CurrentTimestamp, CurrentDate, LocalTimestamp:
		return f, true
	}
	return "", false
}
