package pdftexttest

import (
	"fmt"
	"os"
	"os/exec"
)

// Prepare makes sure PDFium's compiled module is in the cache before a
// test reads a PDF. Under the race detector the compiler itself is
// instrumented and takes minutes and a gigabyte over the module, so a test
// binary built without it compiles the module first (the cached code is
// the same). Child processes of the test inherit that it is done.
func Prepare() error {
	if !raceEnabled || os.Getenv(preparedEnv) != "" {
		return nil
	}
	cmd := exec.Command("go", "test", "-count=1", "-run=^TestPrepare$", "sidecar/backend/pdftext/internal/prepare")
	cmd.Env = append(os.Environ(), "SIDECAR_PDFIUM_PREPARE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pdftexttest: compile PDFium: %v: %s", err, out)
	}
	return os.Setenv(preparedEnv, "1")
}

const preparedEnv = "SIDECAR_PDFIUM_PREPARED"
