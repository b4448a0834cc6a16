package jsonp

// DefaultMaxLength is the longest callback [Valid] and [New] accept when no
// other limit is given.
const DefaultMaxLength = 128

// reserved holds the JavaScript reserved words (ECMAScript keywords, future
// reserved words including those of strict mode and modules, and the
// literals null, true and false), plus eval and arguments, which strict mode
// restricts.
var reserved = map[string]bool{
	"arguments": true, "await": true, "break": true, "case": true,
	"catch": true, "class": true, "const": true, "continue": true,
	"debugger": true, "default": true, "delete": true, "do": true,
	"else": true, "enum": true, "eval": true, "export": true,
	"extends": true, "false": true, "finally": true, "for": true,
	"function": true, "if": true, "implements": true, "import": true,
	"in": true, "instanceof": true, "interface": true, "let": true,
	"new": true, "null": true, "package": true, "private": true,
	"protected": true, "public": true, "return": true, "static": true,
	"super": true, "switch": true, "this": true, "throw": true,
	"true": true, "try": true, "typeof": true, "var": true,
	"void": true, "while": true, "with": true, "yield": true,
}

// Valid reports whether callback may be used as a JSONP callback: an
// identifier ([A-Za-z_$][A-Za-z0-9_$]*) or a path of identifiers separated
// by single dots, such as jQuery123_456 or app.handlers.person, of 1 to
// maxLength bytes, none of whose segments is a JavaScript reserved word such
// as new, this or delete. Only ASCII is accepted, so callbacks cannot hide
// characters behind escapes or look-alike letters. A maxLength of zero or
// less means [DefaultMaxLength].
func Valid(callback string, maxLength int) bool {
	if maxLength <= 0 {
		maxLength = DefaultMaxLength
	}
	if len(callback) == 0 || len(callback) > maxLength {
		return false
	}
	start := 0
	for i := 0; i <= len(callback); i++ {
		if i < len(callback) && callback[i] != '.' {
			c := callback[i]
			if !identStart(c) && (i == start || !digit(c)) {
				return false
			}
			continue
		}
		if i == start || reserved[callback[start:i]] {
			return false // empty segment (leading, trailing or double dot)
		}
		start = i + 1
	}
	return true
}

func identStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '$'
}

func digit(c byte) bool { return '0' <= c && c <= '9' }
