package main

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCountryConfigurations: every variable of deploy/countries/*.env is a
// flag of ordinator serve, each file names its country, and the values
// pass the configuration's checks.
func TestCountryConfigurations(t *testing.T) {
	files, err := filepath.Glob("../../deploy/countries/*.env")
	if err != nil || len(files) < 3 {
		t.Fatalf("country configurations: %v %v", files, err)
	}
	for _, file := range files {
		var cfg Config
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		cfg.registerServe(fs)
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			name, value, ok := strings.Cut(line, "=")
			flagName := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(name, "ORDINATOR_")), "_", "-")
			if !ok || !strings.HasPrefix(name, "ORDINATOR_") || fs.Lookup(flagName) == nil {
				t.Errorf("%s: %q is no variable of ordinator serve", file, line)
				continue
			}
			if err := fs.Set(flagName, value); err != nil {
				t.Errorf("%s: %s: %v", file, name, err)
			}
		}
		f.Close()
		if want := strings.TrimSuffix(filepath.Base(file), ".env"); cfg.Country != want {
			t.Errorf("%s names country %q", file, cfg.Country)
		}
		if err := cfg.validate(); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}
