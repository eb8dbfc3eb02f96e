package media

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/media/mediatest"
)

// BenchmarkClean12MP measures cleaning a 12-megapixel phone photo (4000×3000
// JPEG with EXIF, GPS, XMP and IPTC): decode, turn upright, encode, make a
// thumbnail. It reports clean images per second on one goroutine, and
// with as many goroutines as cores ("parallel": the machine's throughput).
func BenchmarkClean12MP(b *testing.B) {
	for _, o := range []int{1, 6} {
		photo := mediatest.JPEG(mediatest.Photo(4000, 3000, 1), 92, mediatest.All(o))
		b.Run(fmt.Sprintf("orientation=%d", o), func(b *testing.B) {
			b.SetBytes(int64(len(photo)))
			start := time.Now()
			for b.Loop() {
				if _, err := clean(photo, testLimits); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "images/s")
		})
	}
	photo := mediatest.JPEG(mediatest.Photo(4000, 3000, 2), 92, mediatest.All(6))
	b.Run("parallel", func(b *testing.B) {
		// One photo per core at a time, as the service's workers do.
		n := runtime.GOMAXPROCS(0)
		b.SetBytes(int64(n * len(photo)))
		start := time.Now()
		for b.Loop() {
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() {
					if _, err := clean(photo, testLimits); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
		}
		b.ReportMetric(float64(b.N*n)/time.Since(start).Seconds(), "images/s")
	})
}
