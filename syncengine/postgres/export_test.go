package postgres

// EndReplicaRest lets pulls use the read replica again at once, as they
// would a few seconds after it failed or lagged.
func (s *Store) EndReplicaRest() { s.replica.restUntil.Store(0) }
