package prepare

import (
	"os"
	"testing"

	"sidecar/backend/pdftext"
)

func TestPrepare(t *testing.T) {
	if os.Getenv("SIDECAR_PDFIUM_PREPARE") == "" {
		t.Skip("run by pdftexttest.Prepare")
	}
	if err := pdftext.Prepare(); err != nil {
		t.Fatal(err)
	}
}
