//go:build race

package dataexport

// raceFactor widens memory bounds under the race detector, whose shadow
// memory multiplies what the heap touches.
const raceFactor = 3
