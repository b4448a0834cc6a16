package query_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/gorestless/restless/query"
)

func TestParse(t *testing.T) {
	coll := query.Config{Collection: true}
	tests := []struct {
		name   string
		raw    string
		config query.Config
		want   query.Page
	}{
		{"defaults", "", coll, query.Page{Number: 1, Size: 10}},
		{"number and size", "page[number]=3&page[size]=25", coll, query.Page{Number: 3, Size: 25}},
		{"configured default", "", query.Config{Collection: true, PageSize: 5}, query.Page{Number: 1, Size: 5}},
		{"at the maximum", "page[size]=100", coll, query.Page{Number: 1, Size: 100}},
		{"raised maximum", "page[size]=500", query.Config{Collection: true, MaxPageSize: 500}, query.Page{Number: 1, Size: 500}},
		{"encoded brackets", "page%5Bsize%5D=7", coll, query.Page{Number: 1, Size: 7}},
		{"ignored parameter", "callback=cb", query.Config{Collection: true, Ignore: []string{"callback"}}, query.Page{Number: 1, Size: 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			got, err := query.Parse(context.Background(), v, tt.config)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.raw, err)
			}
			if got.Page.Number != tt.want.Number || got.Page.Size != tt.want.Size || got.Page.Style != query.PageNumber {
				t.Errorf("Parse(%q).Page = %+v, want %+v", tt.raw, got.Page, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	coll := query.Config{Collection: true}
	tests := []struct {
		raw         string
		config      query.Config
		param       string
		unsupported bool
	}{
		{"page[size]=0", coll, "page[size]", false},
		{"page[size]=-3", coll, "page[size]", false},
		{"page[size]=ten", coll, "page[size]", false},
		{"page[size]=101", coll, "page[size]", false},
		{"page[number]=0", coll, "page[number]", false},
		{"page[number]=99999999999999999999", coll, "page[number]", false},
		{"page[number]=9007199254740993&page[size]=100", coll, "page[number]", false},
		{"page[size]=1&page[size]=2", coll, "page[size]", false},
		{"page[size]=5", query.Config{}, "page[size]", false},
		{"page[cursor]=x", coll, "page[cursor]", true},
		{"page[after]=x", coll, "page[after]", false},
		{"sort=name", coll, "sort", true},
		{"filter[name]=x", coll, "filter[name]", true},
		{"include=owner", coll, "include", true},
		{"fields[person]=name", coll, "fields[person]", true},
		{"nonsense", coll, "nonsense", true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			v, _ := url.ParseQuery(tt.raw)
			_, err := query.Parse(context.Background(), v, tt.config)
			var qe *query.Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) error = %v, want *query.Error", tt.raw, err)
			}
			if qe.Param != tt.param {
				t.Errorf("Parse(%q) error Param = %q, want %q", tt.raw, qe.Param, tt.param)
			}
			if got := errors.Is(err, query.ErrUnsupported); got != tt.unsupported {
				t.Errorf("errors.Is(Parse(%q), ErrUnsupported) = %v, want %v", tt.raw, got, tt.unsupported)
			}
			if qe.Detail() == "" {
				t.Errorf("Parse(%q) error has no detail", tt.raw)
			}
		})
	}
}
