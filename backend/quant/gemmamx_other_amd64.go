//go:build !linux

package quant

// amxPermitted is false where the way to ask for the tile state is not
// known here: the int8 product keeps to VNNI.
func amxPermitted() bool { return false }
