package sdk

import (
	"errors"

	"connectrpc.com/connect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
)

// A replica belongs to the country stack it first pulled from (data
// residency: personal data never leaves its country). The server names its
// country in every pull; the replica records it at the first one and sends
// it with every push, pull and subscription. A replica that meets another
// country's stack — the device moved — is wiped, nothing merged, and the app
// signs in to the new country's stack with a new replica.

// CountryError says the replica belongs to another country's stack.
type CountryError struct {
	// Replica is the country the replica belongs to; Server the country of
	// the stack that refused it.
	Replica, Server string
}

func (e *CountryError) Error() string {
	return "sdk: this replica belongs to the " + e.Replica + " stack, not " + e.Server + "; start a new replica there"
}

// otherCountry returns a *CountryError if err carries a
// ReplicaOfAnotherCountry detail.
func otherCountry(err error) *CountryError {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return nil
	}
	for _, d := range ce.Details() {
		if v, derr := d.Value(); derr == nil {
			if rc, ok := v.(*syncv1.ReplicaOfAnotherCountry); ok {
				return &CountryError{Replica: rc.GetReplicaCountry(), Server: rc.GetServerCountry()}
			}
		}
	}
	return nil
}

// Country is the country stack the replica belongs to, empty until its
// first pull.
func (r *Replica) Country() string {
	c, _ := r.country.Load().(string)
	return c
}

// pinCountry checks a pull page's country against the replica's, and
// records it in tx at the first pull.
func (r *Replica) pinCountry(tx *wtx, server string) error {
	mine := r.Country()
	switch {
	case server == "" || server == mine:
		return nil
	case mine != "":
		return &CountryError{Replica: mine, Server: server}
	}
	if err := tx.setMeta("country", server); err != nil {
		return err
	}
	tx.afterCommit(func() { r.country.Store(server) })
	return nil
}
