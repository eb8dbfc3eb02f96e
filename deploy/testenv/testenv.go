// Package testenv gives tests the real services they run against: a fresh
// PostgreSQL database per test, cloned from a migrated template, and a MinIO
// server on loopback. Whatever it has to start itself (a throwaway
// PostgreSQL cluster, MinIO) belongs to the test process and is stopped by
// Main. A service that cannot start fails the test; it is never skipped.
package testenv

import "testing"

// Main runs the package's tests and then stops the services this process
// started. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	StopAll()
	return code
}

// StopAll stops every service this process started.
func StopAll() {
	if minio.srv != nil {
		minio.srv.stop()
	}
	if pg.cluster != nil {
		pg.cluster.stop()
	}
}
