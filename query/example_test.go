package query_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/gorestless/restless/query"
)

func ExampleParse() {
	v, _ := url.ParseQuery("page[number]=3&page[size]=20")
	p, err := query.Parse(context.Background(), v, query.Config{Collection: true})
	fmt.Println(p.Page.Number, p.Page.Size, p.Page.Offset(), err)

	v, _ = url.ParseQuery("page[size]=1000")
	_, err = query.Parse(context.Background(), v, query.Config{Collection: true})
	var qe *query.Error
	if errors.As(err, &qe) {
		fmt.Println(qe.Param, qe.Meta)
	}
	// Output:
	// 3 20 40 <nil>
	// page[size] map[page:map[maxSize:100]]
}
