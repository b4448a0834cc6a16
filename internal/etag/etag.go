// Package etag computes and compares the entity tags of restless's
// responses, so the reply to a GET and the If-Match check inside a write
// agree on what a representation's tag is.
package etag

import (
	"hash/fnv"
	"strconv"
	"strings"
)

// Of returns the strong entity tag of a response body.
func Of(body []byte) string {
	h := fnv.New64a()
	h.Write(body)
	return `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
}

// Matches reports whether the If-Match or If-None-Match header value
// lists tag; "*" matches any. weak compares W/ tags as equal to strong
// ones, as If-None-Match does.
func Matches(header, tag string, weak bool) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		if weak {
			t = strings.TrimPrefix(t, "W/")
		}
		if t == tag {
			return true
		}
	}
	return false
}
