package media_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
	"github.com/ordinatorhq/ordinator/server/media/minio"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// BenchmarkPresignedUpload measures what storing a 3 MB photo in MinIO
// costs on the path devices take — CreateUpload over Connect, a PUT of the
// presigned request with its signed SHA-256 (which MinIO verifies), and
// the server's StatObject check of size and checksum at completion —
// against a plain PUT of the same bytes through minio-go, alternating in
// the same run. It reports both rates and their ratio (presigned time over
// plain time). Cleaning is measured by BenchmarkClean12MP.
func BenchmarkPresignedUpload(b *testing.B) {
	e := newEnv(b, servertest.Backend{DB: syncengine.SQLite, Blobs: servertest.MinIO}, func(c *media.Config) { c.MaxPending = 1 << 30 })
	bucket := e.blobs.(*minio.Store).Bucket()
	m := testenv.StartMinIO(b)
	plain, err := miniogo.New(m.Endpoint, &miniogo.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, ""), Region: "us-east-1"})
	if err != nil {
		b.Fatal(err)
	}
	photo := blobtest.Bytes(1, 3<<20)
	d := e.device("doctor-1")
	var plainTime, presignedTime time.Duration
	i := 0
	// Rounds per iteration, so that even -benchtime 1x averages enough.
	const rounds = 16
	for b.Loop() {
		for range rounds {
			i++
			// Every upload is a different file, as on a real phone.
			photo[0], photo[1], photo[2] = byte(i), byte(i>>8), byte(i>>16)

			start := time.Now()
			if _, err := plain.PutObject(ctx, bucket, "plain/"+newID(), bytes.NewReader(photo), int64(len(photo)), miniogo.PutObjectOptions{}); err != nil {
				b.Fatal(err)
			}
			plainTime += time.Since(start)

			start = time.Now()
			id := newID()
			res := d.MustCreate(id, photo)
			if status := d.Put(res, photo); status != http.StatusOK {
				b.Fatalf("presigned PUT: %d", status)
			}
			info, err := e.blobs.Stat(ctx, "quarantine/"+id)
			if err != nil || info.Size != int64(len(photo)) || info.SHA256 == nil {
				b.Fatalf("stat = %+v, %v", info, err)
			}
			presignedTime += time.Since(start)
		}
	}
	mb := float64(len(photo)) / 1e6 * float64(i)
	b.ReportMetric(mb/plainTime.Seconds(), "plain-MB/s")
	b.ReportMetric(mb/presignedTime.Seconds(), "presigned-MB/s")
	b.ReportMetric(presignedTime.Seconds()/plainTime.Seconds(), "presigned/plain")
}
