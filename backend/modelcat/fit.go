package modelcat

import "fmt"

// Fit is whether an entry suits this computer's memory, and why.
type Fit struct {
	Fits   bool   `json:"fits"`
	Known  bool   `json:"known"` // false when the computer's memory could not be read
	Reason string `json:"reason"`
}

// budget is the share of memory a model may take: the rest is left to
// the system and other programs.
func budget(total int64) int64 { return total / 4 * 3 }

// FitsMemory decides whether e runs in total bytes of memory (0: unknown).
func FitsMemory(e Entry, total int64) Fit {
	if total <= 0 {
		return Fit{Fits: true, Reason: fmt.Sprintf("needs about %s of memory; Sidecar could not read how much this computer has", GiB(e.MemoryBytes))}
	}
	if e.MemoryBytes <= budget(total) {
		return Fit{Fits: true, Known: true, Reason: fmt.Sprintf("needs about %s of this computer's %s", GiB(e.MemoryBytes), GiB(total))}
	}
	if e.MemoryBytes <= total {
		return Fit{Known: true, Reason: fmt.Sprintf("needs about %s; this computer has %s, too little with the system and other programs running (about %s is free for a model)", GiB(e.MemoryBytes), GiB(total), GiB(budget(total)))}
	}
	return Fit{Known: true, Reason: fmt.Sprintf("needs about %s; this computer has only %s", GiB(e.MemoryBytes), GiB(total))}
}

// GiB formats n bytes as the Models screen does (units of 1000, one
// decimal below 10): "808 MB", "1.7 GB", "25 GB".
func GiB(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	v, u := float64(n), 0
	for v >= 1000 && u < len(units)-1 {
		v /= 1000
		u++
	}
	if v < 10 && u > 0 {
		return fmt.Sprintf("%.1f %s", v, units[u])
	}
	return fmt.Sprintf("%.0f %s", v, units[u])
}
