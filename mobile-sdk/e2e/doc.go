// Package e2e tests the mobile SDK end to end against a real sync server in
// the test process (the engine on PostgreSQL, served by server/rpc; with the
// real accounts module for sessions, on either dialect), the real
// MediaService (server/media) over MinIO and over the filesystem blob store,
// and child processes killed mid-write.
// It holds tests and benchmarks only.
package e2e
