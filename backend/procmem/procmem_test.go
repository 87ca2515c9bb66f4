package procmem

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestPeakFollowsAllocationAndResets(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	before := PeakRSS()
	if before <= 0 {
		t.Fatalf("peak = %d", before)
	}
	const size = 256 << 20
	b := make([]byte, size)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1 // touch every page so it is resident
	}
	if got := PeakRSS(); got < before+size/2 {
		t.Fatalf("peak %d MiB after touching 256 MiB, %d MiB before", got>>20, before>>20)
	}
	runtime.KeepAlive(b)
	b = nil
	runtime.GC()
	debug.FreeOSMemory()
	if err := ResetPeak(); err != nil {
		t.Fatal(err)
	}
	if got, now := PeakRSS(), RSS(); got > now+(16<<20) || got < before/2 {
		t.Errorf("after a reset the peak is %d MiB, resident now %d MiB", got>>20, now>>20)
	}
}

func TestTotalRAMMatchesMeminfo(t *testing.T) {
	dir := t.TempDir()
	p := dir + "/meminfo"
	if err := os.WriteFile(p, []byte("MemTotal:       16318412 kB\nMemFree:         1000 kB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := meminfoBytes(p, "MemTotal:"); got != 16318412<<10 {
		t.Fatalf("MemTotal = %d", got)
	}
	if got := meminfoBytes(p, "Nope:"); got != 0 {
		t.Fatalf("missing field = %d", got)
	}
	if runtime.GOOS == "linux" {
		if n := TotalRAM(); n < 64<<20 || n < RSS() {
			t.Fatalf("TotalRAM = %d, RSS %d", n, RSS())
		}
	}
}
