//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package procmem

import "golang.org/x/sys/unix"

// sysTotalRAM asks sysctl for the physical memory.
func sysTotalRAM() int64 {
	for _, name := range []string{"hw.memsize", "hw.physmem64", "hw.physmem"} {
		if n, err := unix.SysctlUint64(name); err == nil && n > 0 {
			return int64(n)
		}
	}
	return 0
}
