//go:build race

package gptj

const raceEnabled = true
