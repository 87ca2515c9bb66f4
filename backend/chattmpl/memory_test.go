package chattmpl

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// heapBound is what rendering any template may take of the heap, as
// measured below; the limits in budget.go keep it to about half.
const heapBound = 256 << 20

const hostileEnv = "CHATTMPL_HOSTILE_TEMPLATE"

// TestHostileTemplatesStayInMemory renders each hostile template in a
// process of its own and reads how large its heap ever was (the heap
// memory obtained from the system, which never shrinks): it must stay
// under heapBound. The child also stops itself as soon as its heap
// passes the bound, so that without the limits it fails instead of
// exhausting the machine.
func TestHostileTemplatesStayInMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process per template")
	}
	names := make([]string, 0, len(hostileTemplates))
	for name := range hostileTemplates {
		if !spinning[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHostileChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), hostileEnv+"="+name)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var heap, rss int64
			for _, line := range strings.Split(string(out), "\n") {
				if f := strings.Fields(line); len(f) == 3 && f[0] == "peak" {
					heap, _ = strconv.ParseInt(f[1], 10, 64)
					rss, _ = strconv.ParseInt(f[2], 10, 64)
				}
			}
			if heap == 0 {
				t.Fatalf("the child reported no peak:\n%s", out)
			}
			t.Logf("heap at most %d MiB (process: %d MiB resident at most)", heap>>20, rss>>20)
			if heap > heapBound {
				t.Fatalf("the heap reached %d bytes, more than %d", heap, heapBound)
			}
		})
	}
}

// spinning are the hostile templates that hold little and take time:
// the steps limit stops them (TestHostileTemplatesStopAtALimit), and
// they are not run again here.
var spinning = map[string]bool{"nested loops": true, "large literal in a loop": true, "large loop filter": true,
	"wide recursion": true, "comparing long strings": true, "scanning a long string": true}

// TestHostileChild is the child of TestHostileTemplatesStayInMemory.
func TestHostileChild(t *testing.T) {
	name := os.Getenv(hostileEnv)
	if name == "" {
		t.Skip("run by TestHostileTemplatesStayInMemory")
	}
	src, ok := hostileTemplates[name]
	if !ok {
		t.Fatalf("no template %q", name)
	}
	go watchHeap()
	tmpl, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Render(Input{Messages: []Message{{Role: "user", Content: "hi"}}})
	if err == nil {
		t.Fatal("rendered without reaching a limit")
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("peak %d %d\n", ms.HeapSys, residentPeak())
}

// watchHeap ends the process as soon as its heap passes the bound.
func watchHeap() {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	for {
		metrics.Read(s)
		if heap := s[0].Value.Uint64() + s[1].Value.Uint64(); heap > heapBound {
			fmt.Printf("the heap passed %d bytes (%d)\n", heapBound, heap)
			os.Exit(3)
		}
		time.Sleep(time.Millisecond)
	}
}

// residentPeak is the process's peak resident size (VmHWM).
func residentPeak() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
