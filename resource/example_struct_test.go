package resource_test

import (
	"fmt"
	"time"

	"github.com/gorestless/restless/resource"
)

// Article is a struct tagged for github.com/google/jsonapi, with db and
// restless tags where the SQL side differs from the defaults.
type Article struct {
	ID       int        `jsonapi:"primary,article"`
	Title    string     `jsonapi:"attr,title"`
	Body     string     `jsonapi:"attr,body" db:"content"`
	Posted   time.Time  `jsonapi:"attr,posted,rfc3339,omitempty" restless:"readonly"`
	Words    int        `jsonapi:"attr,words,omitempty" restless:"expr=length(content) - length(replace(content, ' ', '')) + 1"`
	Author   *Author    `jsonapi:"relation,author,omitempty" db:"author_id"`
	Comments []*Comment `jsonapi:"relation,comments,omitempty"`
}

// Author is the related type of Article.Author.
type Author struct {
	ID int `jsonapi:"primary,person"`
}

// Comment is the related type of Article.Comments.
type Comment struct {
	ID string `jsonapi:"primary,comment"`
}

func ExampleFromStruct() {
	articles, err := resource.FromStruct((*Article)(nil), "articles")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := articles.Schema()
	fmt.Printf("type %s: table %s, id column %s (%s)\n", s.Type, s.Table, s.ID.Column, s.ID.Type)
	for _, a := range s.Attributes {
		fmt.Printf("attribute %s: %s, column %q, read-only %t\n", a.Name, a.Type, a.Column, !a.Writable())
	}
	for _, r := range s.Relationships {
		fmt.Printf("relationship %s: %s, to many %t, foreign key %s\n", r.Name, r.Type, r.Kind != resource.ToOne, r.ForeignKey)
	}

	// A struct without a primary field is no resource.
	type Draft struct {
		Title string `jsonapi:"attr,title"`
	}
	_, err = resource.FromStruct(Draft{}, "drafts")
	fmt.Println(err)
	// Output:
	// type article: table articles, id column id (integer)
	// attribute title: string, column "title", read-only false
	// attribute body: string, column "content", read-only false
	// attribute posted: date-time, column "posted", read-only true
	// attribute words: integer, column "", read-only true
	// relationship author: person, to many false, foreign key author_id
	// relationship comments: comment, to many true, foreign key article_id
	// resource: Draft has no field tagged `jsonapi:"primary,TYPE"`
}
