package anonymity_test

import (
	"testing"

	"github.com/ordinatorhq/ordinator/rules/anonymity"
)

// BenchmarkFind checks the free-text fields of typical cases, one field per
// check, as saving or submitting a case does. One op is the corpus twenty
// times, so that even -benchtime 1x measures something.
func BenchmarkFind(b *testing.B) {
	const passes = 20
	bytes := 0
	for _, s := range fields {
		bytes += len(s)
	}
	b.SetBytes(int64(bytes * passes))
	b.ReportAllocs()
	checks := 0
	for b.Loop() {
		for range passes {
			for _, s := range fields {
				if fs := anonymity.Find(s); len(fs) > 0 {
					b.Fatalf("%q: %v", s, fs)
				}
				checks++
			}
		}
	}
	perSec := float64(checks) / b.Elapsed().Seconds()
	b.ReportMetric(perSec, "checks/s")
	b.Logf("anonymity: %.0f checks/s of typical case fields (%d bytes on average), one core", perSec, bytes/len(fields))
}

// BenchmarkFindCorpus checks every line of the labelled corpus, half of it
// identifying: the rules that only run when a text looks like it holds an
// identifier (addresses, spelled e-mail addresses, dates of birth) run
// here too.
func BenchmarkFindCorpus(b *testing.B) {
	lines := readCorpus(b)
	bytes := 0
	for _, l := range lines {
		bytes += len(l.text)
	}
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	checks := 0
	for b.Loop() {
		for _, l := range lines {
			anonymity.Find(l.text)
			checks++
		}
	}
	perSec := float64(checks) / b.Elapsed().Seconds()
	b.ReportMetric(perSec, "checks/s")
	b.Logf("anonymity: %.0f checks/s of labelled corpus lines (%d bytes on average), one core", perSec, bytes/len(lines))
}
