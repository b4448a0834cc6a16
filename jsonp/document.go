package jsonp

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
)

// wrap returns the script /**/callback(doc); for the valid JSON document
// doc, with meta.status set to status and the line separators U+2028 and
// U+2029 escaped.
func wrap(callback string, doc []byte, status int) []byte {
	doc = withStatus(bytes.TrimSpace(doc), status)
	out := make([]byte, 0, len(doc)+len(callback)+8)
	out = append(out, "/**/"...)
	out = append(out, callback...)
	out = append(out, '(')
	out = appendEscaped(out, doc)
	return append(out, ");"...)
}

// withStatus returns the JSON object doc with the member "status" of its
// "meta" object set to status, adding either where missing and keeping the
// other members as they are, in their order. Documents that are not
// objects, or whose meta is not an object, are returned unchanged.
func withStatus(doc []byte, status int) []byte {
	top, end, ok := members(doc)
	if !ok {
		return doc
	}
	num := strconv.Itoa(status)
	meta, found := last(top, "meta")
	if !found {
		return splice(doc, end, end, comma(len(top))+`"meta":{"status":`+num+`}`)
	}
	val := doc[meta.start:meta.end]
	inner, iend, ok := members(val)
	if !ok {
		return doc
	}
	if st, found := last(inner, "status"); found {
		return splice(doc, meta.start+st.start, meta.start+st.end, num)
	}
	return splice(doc, meta.start+iend, meta.start+iend, comma(len(inner))+`"status":`+num)
}

// member is an object member: its key and where its value is.
type member struct {
	key        string
	start, end int
}

// members returns the members of the JSON object obj, in order, and the
// offset of its closing brace. ok is false if obj is not an object.
func members(obj []byte) (ms []member, end int, ok bool) {
	if len(obj) == 0 || obj[0] != '{' {
		return nil, 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, 0, false
	}
	for dec.More() {
		tok, err := dec.Token()
		key, isKey := tok.(string)
		if err != nil || !isKey {
			return nil, 0, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, 0, false
		}
		e := int(dec.InputOffset())
		ms = append(ms, member{key: key, start: e - len(raw), end: e})
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, 0, false
	}
	end = int(dec.InputOffset()) - 1
	if end < 0 || end >= len(obj) || obj[end] != '}' {
		return nil, 0, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, 0, false // trailing data
	}
	return ms, end, true
}

// last returns the last member named key; JSON parsers let the last of
// duplicate members win.
func last(ms []member, key string) (member, bool) {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].key == key {
			return ms[i], true
		}
	}
	return member{}, false
}

// comma returns the separator to insert before a new member of an object
// that has n members.
func comma(n int) string {
	if n > 0 {
		return ","
	}
	return ""
}

// splice returns b with b[i:j] replaced by s.
func splice(b []byte, i, j int, s string) []byte {
	out := make([]byte, 0, len(b)-(j-i)+len(s))
	out = append(out, b[:i]...)
	out = append(out, s...)
	return append(out, b[j:]...)
}

// appendEscaped appends the JSON document doc to b with U+2028 and U+2029,
// which JSON allows raw in strings and older JavaScript engines do not,
// written as \u2028 and \u2029. Outside strings JSON has no such characters.
func appendEscaped(b, doc []byte) []byte {
	for {
		i := bytes.Index(doc, []byte{0xE2, 0x80})
		if i < 0 || i+2 >= len(doc) {
			return append(b, doc...)
		}
		switch doc[i+2] {
		case 0xA8:
			b = append(append(b, doc[:i]...), `\u2028`...)
		case 0xA9:
			b = append(append(b, doc[:i]...), `\u2029`...)
		default:
			b = append(b, doc[:i+2]...)
			doc = doc[i+2:]
			continue
		}
		doc = doc[i+3:]
	}
}
