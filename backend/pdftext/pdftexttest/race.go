//go:build race

package pdftexttest

const raceEnabled = true
