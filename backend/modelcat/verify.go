package modelcat

import (
	"fmt"
	"io"
	"os"
	"strings"

	"sidecar/backend/gguf"
	"sidecar/backend/llama"
)

// Verify checks a downloaded file against its entry before it is offered:
// the exact size when the entry knows it, then the GGUF header and
// metadata (every tensor inside the file) and an architecture the engine
// runs. (A SHA-256, when the entry has one, is checked by the download.)
func Verify(path string, e Entry) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("modelcat: %w", err)
	}
	if !e.SizeApprox && e.SizeBytes > 0 && fi.Size() != e.SizeBytes {
		return fmt.Errorf("modelcat: %s is %d bytes, the catalogue says %d: the download is incomplete or not this model", e.FileName(), fi.Size(), e.SizeBytes)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("modelcat: %w", err)
	}
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	f.Close()
	if err != nil || string(magic[:]) != gguf.Magic {
		return fmt.Errorf("modelcat: %s is not a GGUF model file (it does not start with the GGUF signature)", e.FileName())
	}
	g, err := gguf.Open(path)
	if err != nil {
		return fmt.Errorf("modelcat: %s is damaged or incomplete: %w", e.FileName(), err)
	}
	defer g.Close()
	d := llama.Describe(g)
	if !d.Supported {
		arch := d.Arch
		if arch == "" {
			arch = "none given"
		}
		return fmt.Errorf("modelcat: %s is a model of architecture %q, which Sidecar's engine does not run (it runs %s)", e.FileName(), arch, strings.Join(llama.Architectures(), ", "))
	}
	if len(g.Tensors) == 0 {
		return fmt.Errorf("modelcat: %s holds no tensors", e.FileName())
	}
	return nil
}
