package syncrpc

import (
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
	"google.golang.org/protobuf/proto"
)

// ServeCountry pins the service to a country stack: pulls name the country,
// and a push, pull or subscription from a replica created against another
// country's stack is refused before anything is read or merged.
func (s *Service) ServeCountry(country string) *Service {
	s.country = country
	return s
}

// CountryError refuses a replica of another country's stack.
type CountryError struct{ Replica, Server string }

func (e *CountryError) Error() string {
	return "this replica belongs to the " + e.Replica + " stack, not " + e.Server + ": delete it and start a new one here"
}

// Unwrap gives the error its code.
func (e *CountryError) Unwrap() error {
	return syncengine.Errorf(syncengine.EPRECONDITION, "%s", e.Error())
}

// ErrorDetails implements rpc.Detailer.
func (e *CountryError) ErrorDetails() []proto.Message {
	return []proto.Message{&syncv1.ReplicaOfAnotherCountry{ReplicaCountry: e.Replica, ServerCountry: e.Server}}
}

// checkCountry refuses a replica pinned to another country. A replica that
// has not pulled yet names none.
func (s *Service) checkCountry(replica string) error {
	if s.country == "" || replica == "" || replica == s.country {
		return nil
	}
	return &CountryError{Replica: replica, Server: s.country}
}
