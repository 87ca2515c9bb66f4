package quant

import "syscall"

// amxPermitted asks Linux (arch_prctl ARCH_REQ_XCOMP_PERM for
// XFEATURE_XTILEDATA) to let this process use the tile data state.
func amxPermitted() bool {
	const archReqXcompPerm, xfeatureXtiledata = 0x1023, 18
	_, _, errno := syscall.RawSyscall(syscall.SYS_ARCH_PRCTL, archReqXcompPerm, xfeatureXtiledata, 0)
	return errno == 0
}
