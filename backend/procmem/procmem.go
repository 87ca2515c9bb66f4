// Package procmem reads memory figures from Linux's /proc: the process's
// peak resident set size that benchmarks report, a reset of that peak so
// one benchmark's figure is not another's, and the computer's total
// memory (which macOS and the BSDs answer through sysctl, Windows through
// GlobalMemoryStatusEx).
// Where nothing tells, it reports 0.
package procmem

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// PeakRSS returns the process's peak resident memory in bytes since it
// started or since the last ResetPeak, or 0 where /proc does not tell.
func PeakRSS() int64 { return statusBytes("VmHWM:") }

// RSS returns the process's resident memory in bytes now, or 0.
func RSS() int64 { return statusBytes("VmRSS:") }

// statusBytes reads a "Name: N kB" line of /proc/self/status.
func statusBytes(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// PeakRSSMiB is PeakRSS in MiB.
func PeakRSSMiB() float64 { return float64(PeakRSS()) / (1 << 20) }

// ResetPeak sets the peak back to the current resident memory.
func ResetPeak() error {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return fmt.Errorf("procmem: reset peak: %w", err)
	}
	return nil
}
