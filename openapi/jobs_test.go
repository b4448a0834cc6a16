package openapi_test

import (
	"context"
	"testing"

	"github.com/gorestless/restless/jobs"
	"github.com/gorestless/restless/resource"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/openapi"
)

// provisioned is the demo's computer type made a Provisioner.
type provisioned struct{ resource.Creator }

func (provisioned) Provision(ctx context.Context, id any, v resource.Values) error { return nil }

func TestJobsDocumented(t *testing.T) {
	api := &restless.API{Prefix: "/api", Jobs: &jobs.Runner{}}
	doc, err := openapi.Document(api, demo.Person(), provisioned{demo.Computer()})
	if err != nil {
		t.Fatal(err)
	}
	job := doc.Paths.Value("/api/jobs/{id}")
	if job == nil || job.Get == nil || job.Get.Responses.Value("200") == nil || job.Get.Responses.Value("303") == nil {
		t.Fatalf("GET /api/jobs/{id} is not documented with 200 and 303: %+v", job)
	}
	if loc := job.Get.Responses.Value("303").Value.Headers["Location"]; loc == nil {
		t.Errorf("the 303 has no Location header")
	}
	post := doc.Paths.Value("/api/computer").Post
	accepted := post.Responses.Value("202")
	if accepted == nil || accepted.Value.Headers["Content-Location"] == nil || post.Responses.Value("201") == nil {
		t.Errorf("POST /api/computer does not document 202 with Content-Location and 201")
	}
	if doc.Paths.Value("/api/person").Post.Responses.Value("202") != nil {
		t.Errorf("POST /api/person, not a Provisioner, documents 202")
	}

	// Without a job runner there is no job endpoint and no 202.
	doc, err = openapi.Document(&restless.API{Prefix: "/api"}, demo.Person(), provisioned{demo.Computer()})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Paths.Value("/api/jobs/{id}") != nil || doc.Paths.Value("/api/computer").Post.Responses.Value("202") != nil {
		t.Errorf("an API without Jobs documents jobs")
	}
}
