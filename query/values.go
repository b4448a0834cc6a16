package query

import (
	"errors"
	"net/url"
	"strings"
)

// Values parses a raw query string like url.ParseQuery, but fails on a
// malformed pair instead of dropping it, so that a filter the client
// meant to send is never silently ignored.
func Values(raw string) (url.Values, error) {
	v := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		if strings.Contains(pair, ";") {
			return nil, &Error{Param: pairName(pair), Err: errors.New("it contains a semicolon, which is not a separator")}
		}
		k, val, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, &Error{Param: k, Err: errors.New("its name is not properly percent-encoded")}
		}
		value, err := url.QueryUnescape(val)
		if err != nil {
			return nil, &Error{Param: key, Err: errors.New("its value is not properly percent-encoded (write % as %25)")}
		}
		v[key] = append(v[key], value)
	}
	return v, nil
}

func pairName(pair string) string {
	k, _, _ := strings.Cut(pair, "=")
	if name, err := url.QueryUnescape(k); err == nil {
		return name
	}
	return k
}
