//go:build !race

package dataexport

const raceFactor = 1
