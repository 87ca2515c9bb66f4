//go:build !amd64

package attn

// available lists the kernel sets: only amd64 has assembly ones.
func available() []string { return []string{"go"} }

func selectKernels(string) {}
