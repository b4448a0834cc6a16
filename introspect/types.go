package introspect

import (
	"strings"

	"github.com/gorestless/restless/resource"
)

// sqliteType maps a declared SQLite column type to a value type, in the
// spirit of SQLite's own affinity rules: the first rule that matches the
// upper-cased declaration wins, and anything else is text.
func sqliteType(decl string) resource.ValueType {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "BOOL"):
		return resource.Boolean
	case strings.Contains(d, "INT"):
		return resource.Integer
	case strings.Contains(d, "DATETIME"), strings.Contains(d, "TIMESTAMP"):
		return resource.Timestamp
	case strings.HasPrefix(d, "DATE"):
		return resource.Date
	case strings.Contains(d, "JSON"):
		return resource.JSON
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return resource.String
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"),
		strings.Contains(d, "NUMERIC"), strings.Contains(d, "DECIMAL"):
		return resource.Float
	}
	return resource.String
}

// postgresType maps information_schema.columns.data_type to a value type;
// anything not listed (text, uuid, arrays, enums, ...) is text.
func postgresType(dataType string) resource.ValueType {
	switch dataType {
	case "smallint", "integer", "bigint":
		return resource.Integer
	case "real", "double precision", "numeric":
		return resource.Float
	case "boolean":
		return resource.Boolean
	case "date":
		return resource.Date
	case "timestamp without time zone", "timestamp with time zone":
		return resource.Timestamp
	case "json", "jsonb":
		return resource.JSON
	}
	return resource.String
}
