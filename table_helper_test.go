package restless_test

import (
	"github.com/gorestless/restless/resource"
)

// resourceTable declares a resource.Table in tests.
type resourceTable struct {
	Name       string
	IDColumn   string
	StringIDs  bool
	Attributes []resource.Attribute
}

func (r *resourceTable) table() *resource.Table {
	return &resource.Table{Name: r.Name, IDColumn: r.IDColumn, StringIDs: r.StringIDs, Attributes: r.Attributes}
}
