package procmem

import (
	"os"
	"strconv"
	"strings"
)

// TotalRAM returns the computer's physical memory in bytes, or 0 when it
// cannot be read.
func TotalRAM() int64 {
	if n := meminfoBytes("/proc/meminfo", "MemTotal:"); n > 0 {
		return n
	}
	return sysTotalRAM()
}

// meminfoBytes reads a "Name: N kB" line of a meminfo file.
func meminfoBytes(path, field string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || kb <= 0 {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
