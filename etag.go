package restless

import (
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
)

// etag returns the strong entity tag of a response body.
func etag(body []byte) string {
	h := fnv.New64a()
	h.Write(body)
	return `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
}

// matches reports whether the If-Match or If-None-Match header value
// lists tag; "*" matches any. weak compares W/ tags as equal to strong
// ones, as If-None-Match does.
func matches(header, tag string, weak bool) bool {
	for _, t := range strings.Split(header, ",") {
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

// notModified answers a GET or HEAD whose If-None-Match lists the
// response's tag with 304 and no body.
func notModified(w http.ResponseWriter, r *http.Request, tag string) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" || !matches(inm, tag, true) {
		return false
	}
	h := w.Header()
	h.Del("Content-Type")
	h.Del("Content-Length")
	w.WriteHeader(http.StatusNotModified)
	return true
}

// errPreconditionFailed answers an If-Match that no longer matches.
var errPreconditionFailed = &Error{Status: http.StatusPreconditionFailed, Title: "Precondition Failed",
	Detail: "The resource changed since the entity tag in If-Match was issued; fetch it again.", Source: Header("If-Match")}

// checkIfMatch compares an If-Match value with the entity tag a GET of
// obj (without query parameters) would carry.
func checkIfMatch(im string, obj *Object) error {
	if im == "" {
		return nil
	}
	body, err := (&Document{Data: obj, Links: &Links{Self: obj.Links.Self}}).AppendJSON(nil)
	if err != nil {
		return err
	}
	if !matches(im, etag(append(body, '\n')), false) {
		return errPreconditionFailed
	}
	return nil
}
