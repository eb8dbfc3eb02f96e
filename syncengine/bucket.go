package syncengine

import (
	"fmt"
	"strings"
)

// Bucket names a set of records that sync together, as "kind:id":
// "user:42", "territory:7", "specialty:derm", "region:ru".
type Bucket string

// MaxBucketLen bounds a bucket name.
const MaxBucketLen = 200

// UserBucket is the bucket that holds a user's own records and the outcomes
// of their mutations.
func UserBucket(userID string) Bucket { return Bucket("user:" + userID) }

// Kind returns the part before the colon.
func (b Bucket) Kind() string {
	k, _, _ := strings.Cut(string(b), ":")
	return k
}

// ID returns the part after the colon.
func (b Bucket) ID() string {
	_, id, _ := strings.Cut(string(b), ":")
	return id
}

// Validate reports whether b is well formed: a lowercase kind, a colon and a
// non-empty id of printable ASCII without spaces.
func (b Bucket) Validate() error {
	s := string(b)
	if len(s) > MaxBucketLen {
		return fmt.Errorf("bucket name longer than %d bytes", MaxBucketLen)
	}
	kind, id, ok := strings.Cut(s, ":")
	if !ok || kind == "" || id == "" {
		return fmt.Errorf("bucket %q is not of the form kind:id", s)
	}
	for _, r := range kind {
		if (r < 'a' || r > 'z') && r != '_' {
			return fmt.Errorf("bucket %q: kind must be lowercase letters", s)
		}
	}
	for _, r := range id {
		if r <= ' ' || r > '~' {
			return fmt.Errorf("bucket %q: id must be printable ASCII without spaces", s)
		}
	}
	return nil
}
