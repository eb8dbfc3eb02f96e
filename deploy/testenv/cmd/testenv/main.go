// Command testenv prepares and starts the services Ordinator's tests use,
// for a developer's terminal and for make test:
//
//	testenv install-minio   install the pinned MinIO server into the user cache
//	testenv minio           start MinIO on a free port and print its endpoint
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: testenv install-minio | minio")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "install-minio":
		bin, err := testenv.MinIOBinary()
		if err != nil {
			fmt.Fprintln(os.Stderr, "testenv:", err)
			os.Exit(1)
		}
		fmt.Println(bin)
	case "minio":
		testing.Init()
		var t fatalT
		m := testenv.StartMinIO(&t)
		fmt.Printf("MinIO on %s (access key %s, secret key %s); Ctrl-C stops it\n", m.Endpoint, m.AccessKey, m.SecretKey)
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		testenv.StopAll()
	default:
		fmt.Fprintf(os.Stderr, "testenv: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

// fatalT lets the test helpers run outside a test.
type fatalT struct{ testing.TB }

func (fatalT) Helper() {}
func (fatalT) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}
