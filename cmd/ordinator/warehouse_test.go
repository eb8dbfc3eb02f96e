package main

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestWarehouseCLI records goods in and out of the embedded database from
// the command line: a retried receipt records once, a write-off beyond the
// stock is refused with a clear line, and the stock report adds up.
func TestWarehouseCLI(t *testing.T) {
	dir := t.TempDir()
	run := func(want int, args ...string) string {
		t.Helper()
		code, out := runCLI(t, dir, append([]string{"warehouse"}, args...)...)
		if code != want {
			t.Fatalf("warehouse %v: exit %d, want %d:\n%s", args, code, want, out)
		}
		return out
	}
	run(0, "add-item", "--sku", "cream-50", "--name", "Repair cream 50 ml", "--kind", "product")
	req := uuid.NewString()
	for range 2 {
		if out := run(0, "receipt", "--item", "CREAM-50", "--quantity", "500", "--note", "factory", "--request-id", req); !strings.Contains(out, "500 on hand") {
			t.Fatalf("receipt: %s", out)
		}
	}
	run(0, "write-off", "--item", "cream-50", "--quantity", "3", "--note", "crushed")
	if out := run(1, "write-off", "--item", "CREAM-50", "--quantity", "1000"); !strings.Contains(out, "cannot write off 1000 of Repair cream 50 ml: only 497 on hand") || strings.Count(out, "\n") != 1 {
		t.Fatalf("an impossible write-off: %q", out)
	}
	run(1, "add-item", "--sku", "LAMP", "--name", "Lamp", "--kind", "toy")
	run(1, "pack", "--wave", "no-such-wave")
	out := run(0, "stock")
	fields := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[1])
	if want := []string{"CREAM-50", "Repair", "cream", "50", "ml", "497", "0", "497", "500", "0", "0", "3"}; strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Fatalf("stock:\n%s", out)
	}
	if out := run(0, "movements", "--item", "CREAM-50"); strings.Count(out, "CREAM-50") != 2 {
		t.Fatalf("movements:\n%s", out)
	}
}
